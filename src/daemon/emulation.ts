/**
 * The session's page emulation (`bdg <url> --viewport/...`, `bdg page emulate`): what is asked for, kept here, and
 * applied to the page's flatten session. A new page session (another tab selected) and a renderer that comes back
 * after a crash get it again, so the emulation belongs to the session, not to one renderer.
 */
import type { Protocol } from 'devtools-protocol';
import type { CdpMethod, CdpParams, CdpResult, SessionCallOptions } from '../cdp/connection.js';
import { MOBILE_SCALE, MOBILE_USER_AGENT, MOBILE_VIEWPORT, type EmulationState, type Viewport } from '../protocol/emulation.js';
import type { Logger } from '../util/logger.js';

export interface EmulationDeps {
  /** Sends to the page's flatten session. */
  pageSend: <M extends CdpMethod>(method: M, params?: CdpParams<M>, opts?: SessionCallOptions) => Promise<CdpResult<M>>;
  /** Sends to the browser (no session). */
  browserSend: <M extends CdpMethod>(method: M, params?: CdpParams<M>, opts?: SessionCallOptions) => Promise<CdpResult<M>>;
  pageSessionId: () => string | undefined;
  log: Logger;
  /** Called once for each page session after the first (a tab opened or selected later): sizes its window. */
  onNewPage?: () => Promise<void>;
}

/** What `page emulate` asks for: fields to set, `false`/absent booleans to clear, `reset` to start from nothing. */
export type EmulationChange = EmulationState & { reset?: boolean };

const CALL: SessionCallOptions = { timeoutMs: 10_000 };

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The state after a change: `--mobile` brings a phone's viewport, pixel ratio, touch and user agent unless given. */
export function nextState(current: EmulationState, change: EmulationChange): EmulationState {
  const next: EmulationState = change.reset === true ? {} : { ...current };
  const { reset: _reset, ...fields } = change;
  if (fields.mobile === false && next.mobile === true) {
    // Off again: what --mobile brought goes with it, what was asked for by name stays.
    if (same(next.viewport, MOBILE_VIEWPORT)) delete next.viewport;
    if (next.deviceScaleFactor === MOBILE_SCALE) delete next.deviceScaleFactor;
    if (next.userAgent === MOBILE_USER_AGENT) delete next.userAgent;
    if (next.touch === true) delete next.touch;
  }
  for (const [k, v] of Object.entries(fields) as [keyof EmulationState, unknown][]) {
    if (v === undefined) continue;
    if (v === false) delete next[k];
    else (next as Record<string, unknown>)[k] = v;
  }
  if (fields.mobile === true) {
    next.viewport ??= MOBILE_VIEWPORT;
    next.deviceScaleFactor ??= MOBILE_SCALE;
    next.touch ??= true;
    next.userAgent ??= MOBILE_USER_AGENT;
  }
  if (next.cpuThrottle === 1) delete next.cpuThrottle;
  return next;
}

/**
 * Makes the page's viewport the window size bdg launched with. New headless Chrome draws a window frame of its own
 * (1080 px tall windows show a 937 px viewport), so the window grows by that frame.
 */
export async function fitWindow(deps: EmulationDeps, targetId: string, want: Viewport): Promise<void> {
  const r = await deps.pageSend('Runtime.evaluate', { expression: '[outerWidth - innerWidth, outerHeight - innerHeight]', returnByValue: true }, CALL);
  const [dw, dh] = (r.result.value ?? [0, 0]) as [number, number];
  if (dw <= 0 && dh <= 0) return;
  const { windowId } = await deps.browserSend('Browser.getWindowForTarget', { targetId }, CALL);
  await deps.browserSend('Browser.setWindowBounds', { windowId, bounds: { width: want.width + Math.max(0, dw), height: want.height + Math.max(0, dh) } }, CALL);
}

export class Emulation {
  readonly #deps: EmulationDeps;
  get deps(): EmulationDeps {
    return this.#deps;
  }
  #state: EmulationState = {};
  /** The page session the state was last applied to (undefined after a crash: the next renderer gets it again). */
  #appliedTo: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Page sessions seen; the first one is sized at start-up. */
  readonly #sessions = new Set<string>();

  constructor(deps: EmulationDeps) {
    this.#deps = deps;
  }

  get state(): EmulationState {
    return structuredClone(this.#state);
  }

  /** Applies a change (queued behind any other) and resolves with the state in force afterwards. */
  set(change: EmulationChange): Promise<EmulationState> {
    const run = this.#queue.then(async () => {
      const next = nextState(this.#state, change);
      const from = this.#appliedTo === this.#deps.pageSessionId() ? this.#state : {};
      try {
        await this.#apply(from, next);
      } finally {
        this.#appliedTo = this.#deps.pageSessionId();
      }
      this.#state = next;
      return this.state;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Events of the connection: a new page session or a renderer back from a crash gets the emulation again. */
  handleEvent(method: string, _params: unknown, sessionId: string | undefined): void {
    if (sessionId === undefined || sessionId !== this.#deps.pageSessionId()) return;
    if (method === 'Inspector.targetCrashed') {
      this.#appliedTo = undefined;
      return;
    }
    if (method === 'Runtime.executionContextCreated' && !this.#sessions.has(sessionId)) {
      const first = this.#sessions.size === 0;
      this.#sessions.add(sessionId);
      if (this.#sessions.size > 1_000) this.#sessions.delete(this.#sessions.values().next().value as string);
      const onNewPage = this.#deps.onNewPage;
      if (!first && onNewPage !== undefined) {
        this.#queue = this.#queue.then(onNewPage).catch((err: unknown) => this.#deps.log.warn('sizing the window of a new tab failed', err));
      }
    }
    if (method === 'Runtime.executionContextCreated' && this.#appliedTo !== sessionId && Object.keys(this.#state).length > 0) {
      this.#appliedTo = sessionId;
      this.#queue = this.#queue
        .then(() => this.#apply({}, this.#state))
        .then(
          () => this.#deps.log.info('emulation applied again to the page'),
          (err: unknown) => this.#deps.log.warn('applying the emulation again failed', err),
        );
    }
  }

  async #apply(from: EmulationState, to: EmulationState): Promise<void> {
    const send = this.#deps.pageSend;
    const metrics = (s: EmulationState): unknown => [s.viewport, s.deviceScaleFactor, s.mobile];
    if (!same(metrics(from), metrics(to))) {
      if (to.viewport !== undefined || to.deviceScaleFactor !== undefined || to.mobile === true) {
        await send(
          'Emulation.setDeviceMetricsOverride',
          { width: to.viewport?.width ?? 0, height: to.viewport?.height ?? 0, deviceScaleFactor: to.deviceScaleFactor ?? 0, mobile: to.mobile === true },
          CALL,
        );
      } else await send('Emulation.clearDeviceMetricsOverride', {}, CALL);
    }
    if ((from.touch === true) !== (to.touch === true)) {
      await send('Emulation.setTouchEmulationEnabled', to.touch === true ? { enabled: true, maxTouchPoints: 5 } : { enabled: false }, CALL);
    }
    if (from.colorScheme !== to.colorScheme || from.reducedMotion !== to.reducedMotion) {
      await send(
        'Emulation.setEmulatedMedia',
        {
          features: [
            { name: 'prefers-color-scheme', value: to.colorScheme ?? '' },
            { name: 'prefers-reduced-motion', value: to.reducedMotion === true ? 'reduce' : '' },
          ],
        },
        CALL,
      );
    }
    if (from.userAgent !== to.userAgent || from.locale !== to.locale || (from.mobile === true) !== (to.mobile === true)) {
      if (to.userAgent !== undefined || to.locale !== undefined) {
        // The Accept-Language header goes with the user agent override: keep Chrome's own agent when only a locale is asked for.
        const userAgent = to.userAgent ?? (await this.#deps.browserSend('Browser.getVersion', {}, CALL)).userAgent;
        const params: Protocol.Emulation.SetUserAgentOverrideRequest = { userAgent };
        if (to.locale !== undefined) params.acceptLanguage = to.locale;
        if (to.mobile === true && to.userAgent === MOBILE_USER_AGENT) {
          params.platform = 'Linux armv8l';
          params.userAgentMetadata = { platform: 'Android', platformVersion: '14', architecture: '', model: 'Pixel 8', mobile: true };
        }
        await send('Emulation.setUserAgentOverride', params, CALL);
      } else await send('Emulation.setUserAgentOverride', { userAgent: '' }, CALL);
    }
    if (from.locale !== to.locale) {
      // Chrome refuses a second override while one is in force: clear first.
      if (from.locale !== undefined) await send('Emulation.setLocaleOverride', {}, CALL);
      if (to.locale !== undefined) await send('Emulation.setLocaleOverride', { locale: to.locale }, CALL);
    }
    if (from.timezone !== to.timezone) {
      if (from.timezone !== undefined) await send('Emulation.setTimezoneOverride', { timezoneId: '' }, CALL);
      if (to.timezone !== undefined) await send('Emulation.setTimezoneOverride', { timezoneId: to.timezone }, CALL);
    }
    if (!same(from.geolocation, to.geolocation)) {
      if (to.geolocation !== undefined) {
        await this.#deps.browserSend('Browser.grantPermissions', { permissions: ['geolocation'] }, CALL).catch(() => undefined);
        await send('Emulation.setGeolocationOverride', { ...to.geolocation, accuracy: 10 }, CALL);
      } else await send('Emulation.clearGeolocationOverride', {}, CALL);
    }
    if (from.cpuThrottle !== to.cpuThrottle) await send('Emulation.setCPUThrottlingRate', { rate: to.cpuThrottle ?? 1 }, CALL);
  }
}
