import { cdpTargetFor } from '../protocol/cdpSchema.js';
import { findCommand, locksTab, type CommandSpec, type DaemonCommandName } from '../protocol/commands.js';
import type { Request } from '../protocol/messages.js';
import { validateParams, type Params } from '../protocol/validate.js';
import { boundListing } from '../util/bounded.js';
import { BdgError, toBdgError } from '../util/errors.js';
import type { DaemonContext, HandlerContext, HandlerTable } from './context.js';
import type { KeyedMutex } from './dom/mutex.js';
import { inOwnObjectGroup } from './dom/objectGroup.js';
import { pageDownError, unresponsiveError, type PageDown, type PageHealth } from './pageHealth.js';

/** Budget of a command whose entry declares none. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface DispatcherOptions {
  handlers: HandlerTable<DaemonCommandName>;
  /** Per-tab mutexes, keyed by target id. */
  locks: KeyedMutex;
  /** Short id of a tab (t1) for messages. */
  tabName?: (targetId: string) => string | undefined;
  /** A command's time budget; the contract's `timeoutMs` unless a test wants shorter. */
  budgetMs?: (spec: CommandSpec) => number;
}

/** Why a request's signal fired; a handler that cleans up differently per cause reads it with {@link abortCause}. */
export type AbortCause = { kind: 'client-gone' } | { kind: 'budget' } | { kind: 'page-down'; down: PageDown } | { kind: 'preempted'; by: string };

/** The cause of an abort the dispatcher signalled; undefined for any other signal or reason. */
export function abortCause(signal: AbortSignal): AbortCause | undefined {
  const r: unknown = signal.reason;
  return signal.aborted && typeof r === 'object' && r !== null && 'kind' in r ? (r as AbortCause) : undefined;
}

/** What a request needs of the page (its contract entry's `page`; for `bdg cdp`, where its method goes). */
export function pageNeedOf(spec: CommandSpec, params: Params): 'live' | 'recovers' | undefined {
  if (spec.page !== 'by-target') return spec.page;
  const target = typeof params['target'] === 'string' ? params['target'] : 'auto';
  const method = typeof params['method'] === 'string' ? params['method'] : '';
  return (target === 'auto' ? cdpTargetFor(method) : target) === 'page' ? 'live' : undefined;
}

/**
 * Everything a request goes through besides its handler, in one place: the contract entry (unknown commands and
 * keys rejected, defaults applied), "stopping" answers, the page's health for commands that need the page (refused
 * at once while it is crashed, ended at once when it crashes, probed when it may be hung), the tab's mutex for
 * commands the contract says change the page, the command's time budget (a wait for the mutex counts against it),
 * and the abort signal handlers pass on to CDP. Handlers only do their job.
 */
export class Dispatcher {
  readonly #handlers: HandlerTable<DaemonCommandName>;
  readonly #locks: KeyedMutex;
  readonly #tabName: (targetId: string) => string | undefined;
  readonly #budgetMs: (spec: CommandSpec) => number;

  constructor(opts: DispatcherOptions) {
    this.#handlers = opts.handlers;
    this.#locks = opts.locks;
    this.#tabName = opts.tabName ?? (() => undefined);
    this.#budgetMs = opts.budgetMs ?? ((spec) => spec.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  /** The time budget of a command by name (the default for names the contract does not know). */
  static timeoutOf(cmd: string): number {
    return findCommand(cmd)?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async dispatch(ctx: DaemonContext, req: Pick<Request, 'cmd' | 'params'>, clientGone: AbortSignal): Promise<unknown> {
    const spec = findCommand(req.cmd);
    if (spec === undefined || spec.runs !== 'daemon' || !(req.cmd in this.#handlers)) {
      throw new BdgError('INVALID_ARGUMENTS', `Unknown request "${req.cmd}"`, `The daemon answers: ${Object.keys(this.#handlers).join(', ')}`);
    }
    const params = validateParams(spec, req.params);
    if (ctx.stopping() && spec.name !== 'stop') {
      // Same shape as the CLI's own "no session" answer, so status and the follow loops read it as "ended".
      throw new BdgError('NOT_FOUND', 'No session is running (the session is stopping)', 'Start a new one with `bdg <url>` once it has stopped.', {
        sessionDir: ctx.sessionDir,
        stopping: true,
      });
    }
    const need = pageNeedOf(spec, params);
    const health = ctx.session.health;
    // A crashed renderer answers nothing: commands that need it would wait out their whole budget. Navigation
    // is how a crashed page comes back, so it runs; nothing brings a closed tab back.
    const down = need !== undefined ? health.down : undefined;
    if (down !== undefined && (need === 'live' || down.reason === 'closed')) throw pageDownError(spec.name, down, false);

    const timeoutMs = this.#budgetMs(spec);
    const ctl = new AbortController();
    const abort = (cause: AbortCause): void => {
      if (!ctl.signal.aborted) ctl.abort(cause);
    };
    const onGone = (): void => abort({ kind: 'client-gone' });
    if (clientGone.aborted) onGone();
    else clientGone.addEventListener('abort', onGone, { once: true });
    const timer = setTimeout(() => abort({ kind: 'budget' }), timeoutMs);
    const offDown = need !== undefined ? health.onDown((d) => abort({ kind: 'page-down', down: d })) : (): void => undefined;
    const r: InFlight = { ctx: { ...ctx, deadline: Date.now() + timeoutMs }, spec, params, need, health, timeoutMs, abort, progress: {} };
    try {
      return await this.#settle(r, ctl.signal);
    } finally {
      clearTimeout(timer);
      clientGone.removeEventListener('abort', onGone);
      offDown();
    }
  }

  /**
   * The handler's outcome unless the signal fires first; once it has fired, the answer is the dispatcher's (the
   * budget, the crash, the client) and whatever vaguer error the handler gives up with on the same signal is ignored.
   */
  #settle(r: InFlight, signal: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const end = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        fn();
      };
      const onAbort = (): void => {
        void this.#abortError(r, abortCause(signal) ?? { kind: 'client-gone' }).then((err) => end(() => reject(err)));
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      this.#run(r, signal).then(
        (value) => {
          if (!signal.aborted) end(() => resolve(value));
        },
        (err: unknown) => {
          if (!signal.aborted) void this.#handlerError(r, err).then((e) => end(() => reject(e instanceof Error ? e : toBdgError(e))));
        },
      );
    });
  }

  async #run(r: InFlight, signal: AbortSignal): Promise<unknown> {
    const { ctx, spec, params, need, health, progress } = r;
    // validateParams checked `params` against this very entry, which is what ParamsOf<name> is read from: the one
    // place where the run-time check stands in for the compile-time type.
    const handler = this.#handlers[spec.name as DaemonCommandName] as (ctx: HandlerContext, params: Params, signal: AbortSignal) => unknown;
    // A handler that throws at once still answers through the promise, like one that rejects.
    // Each command's page handles live in an object group of its own (dom/objectGroup.ts).
    const run = (): Promise<unknown> =>
      inOwnObjectGroup(ctx.session, () =>
        Promise.resolve().then(() => {
          delete progress.waitingFor;
          if (spec.listing === undefined) return handler(ctx, params, signal);
          const full = params['full'] === true;
          // --full lifts a --limit to its maximum; the rest of the bound is applied to the result (util/bounded.ts).
          const limit = spec.options['limit'];
          const p = full && limit?.max !== undefined ? { ...params, limit: limit.max } : params;
          // A descending --sort (-size) puts what the newest rows stand for first: the head is kept then.
          const shape =
            spec.listing.keep === 'newest' && typeof params['sort'] === 'string' && params['sort'].startsWith('-')
              ? { ...spec.listing, keep: 'first' as const }
              : spec.listing;
          return Promise.resolve(handler(ctx, p, signal)).then((v) => boundListing(shape, v, full));
        }),
      );
    const targetId = ctx.session.targetId;
    const holder = targetId !== undefined && locksTab(spec) ? this.#locks.holder(targetId) : undefined;
    // Before queueing behind another command, or on a page that failed its last probe: a page whose main thread
    // does not answer would keep this command waiting for its whole budget, so say so now. A navigation holding
    // the tab may keep the page busy for a moment; that is worth waiting for.
    if (need === 'live' && ((holder !== undefined && holder.replacesDocument !== true) || health.hungSince !== undefined)) {
      const probe = await health.probe();
      if (!probe.page) {
        const busy =
          holder !== undefined
            ? ` (${this.#tabName(targetId ?? '') ?? 'the tab'} is busy with ${holder.label}, running for ${Math.round((Date.now() - holder.since) / 1000)} s)`
            : '';
        throw unresponsiveError(`${spec.name} was not started${busy}`, probe, ctx.session.chromePid, holder !== undefined ? { busyWith: holder.label } : {});
      }
    }
    // A navigation is how a hung page is recovered, so it must not wait behind a command stuck on that page.
    if (need === 'recovers' && holder !== undefined && holder.replacesDocument !== true && health.down === undefined && holder.cancel !== undefined) {
      const probe = await health.probe();
      if (!probe.page && probe.browser) holder.cancel(spec.name);
    }
    if (!locksTab(spec)) return run();
    if (targetId === undefined) throw new BdgError('CDP_CONNECTION_FAILED', 'No page is attached', 'Start a new session with `bdg <url>`.');
    progress.waitingFor = targetId;
    return this.#locks.run(targetId, signal, run, spec.name, { cancel: (by) => r.abort({ kind: 'preempted', by }), replacesDocument: need === 'recovers' });
  }

  /** The answer when the request's signal fired. */
  async #abortError(r: InFlight, cause: AbortCause): Promise<BdgError> {
    switch (cause.kind) {
      case 'client-gone':
        return new BdgError('UNEXPECTED_ERROR', 'client disconnected');
      case 'page-down':
        return pageDownError(r.spec.name, cause.down, true);
      case 'preempted':
        return new BdgError(
          'TIMEOUT',
          `${r.spec.name} was cut short: the page's main thread stopped answering and ${cause.by} is recovering it`,
          `Run it again once ${cause.by} has finished.`,
          { pageHung: true, preemptedBy: cause.by },
        );
      case 'budget': {
        const err = this.#timedOut(r.spec, r.timeoutMs, r.progress);
        return this.#probed(r, err, err.message);
      }
    }
  }

  /**
   * A handler's own TIMEOUT on a command that needs the page (a CDP call that got no answer) is most often a page
   * that stopped answering: probe, and say so when it is.
   */
  #handlerError(r: InFlight, err: unknown): Promise<unknown> {
    if (!(err instanceof BdgError) || err.code !== 'TIMEOUT' || isProbed(err)) return Promise.resolve(err);
    return this.#probed(r, err, `${r.spec.name} did not finish`, { cause: err.message });
  }

  /** `err`, or when the page (or Chrome) does not answer a probe, the error that says so. */
  async #probed(r: InFlight, err: BdgError, what: string, extra: Record<string, unknown> = {}): Promise<BdgError> {
    if (r.need === undefined || r.health.down !== undefined) return err;
    const probe = await r.health.probe();
    if (probe.page) return err;
    const data = typeof err.data === 'object' && err.data !== null ? (err.data as Record<string, unknown>) : {};
    return unresponsiveError(what, probe, r.ctx.session.chromePid, { ...data, ...extra });
  }

  /** The budget ran out: while queued for the tab (naming what holds it, and since when), or while running. */
  #timedOut(spec: CommandSpec, timeoutMs: number, progress: Progress): BdgError {
    const seconds = `${Math.round(timeoutMs / 100) / 10} s`;
    if (progress.waitingFor !== undefined) {
      const holder = this.#locks.holder(progress.waitingFor);
      const tab = this.#tabName(progress.waitingFor) ?? 'the tab';
      const busy = holder !== undefined ? `${holder.label}, running for ${Math.round((Date.now() - holder.since) / 1000)} s` : 'another command';
      return new BdgError(
        'TIMEOUT',
        `${spec.name} did not start within ${seconds}: ${tab} is busy with ${busy}`,
        'Commands that change the page run one at a time per tab; retry when that one has finished (read-only commands such as `bdg peek` still answer).',
        { waitedForLock: true, busyWith: holder?.label ?? null },
      );
    }
    return new BdgError('TIMEOUT', `${spec.name} did not finish within ${seconds}`, 'The page may be busy; try again or check `bdg status`.');
  }
}

/** An error that already reports a probe of the page: not probed again. */
function isProbed(err: BdgError): boolean {
  const d = err.data as { probeMs?: unknown } | undefined;
  return typeof d === 'object' && d !== null && typeof d.probeMs === 'number';
}

/** One request as it goes through the dispatcher. */
interface InFlight {
  ctx: HandlerContext;
  spec: CommandSpec;
  params: Params;
  need: 'live' | 'recovers' | undefined;
  health: PageHealth;
  timeoutMs: number;
  abort: (cause: AbortCause) => void;
  progress: Progress;
}

/** Where a request is, for the message when its budget runs out. */
interface Progress {
  /** Set while queued for this target's mutex. */
  waitingFor?: string;
}
