import { objectGroup } from '../../dom/objectGroup.js';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { ConsoleRecord, NetworkRecord } from '../../../protocol/records.js';
import { parseNetworkFilter } from '../../../telemetry/filter.js';
import { BdgError } from '../../../util/errors.js';
import { sleep } from '../../../util/sleep.js';
import type { HandlerContext } from '../../context.js';
import { callOn, documentObject, isContextGone } from '../../dom/driver.js';
import { WAIT_CHECK_FN } from '../../dom/pageScripts.js';
import { compileUserRegex, waitForConsole, waitForRequest } from '../../telemetryWait.js';
import { listItem } from '../network.js';
import { withSourceMaps } from '../../sourceMaps.js';

export function urlMatches(url: string, want: string): boolean {
  // Only /pattern/flags with real regex flags is a regex: a path such as /orders/confirm is a substring.
  const m = /^\/(.+)\/([dgimsuy]*)$/.exec(want);
  if (m !== null && new Set(m[2]).size === (m[2] as string).length) {
    try {
      return new RegExp(m[1] as string, m[2]).test(url);
    } catch {
      throw new BdgError('INVALID_ARGUMENTS', `--url ${want} is not a valid regular expression`);
    }
  }
  return url.includes(want);
}

/**
 * `dom wait`: until every condition asked for holds, or the timeout passes (exit 102). The page conditions
 * (selector, text, URL, network quiet) are polled; `--request` and `--console` are event subscriptions that latch
 * once they match, so a wait for those alone does not poll at all.
 */
export async function wait(ctx: HandlerContext, params: ParamsOf<'dom.wait'>, signal: AbortSignal): Promise<ResultOf<'dom.wait'>> {
  const { selector, text, url, networkIdle: idle, target, load } = params;
  if (
    selector === undefined &&
    text === undefined &&
    url === undefined &&
    !idle &&
    target === undefined &&
    !load &&
    params.request === undefined &&
    params.console === undefined
  ) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      'dom wait needs a selector or at least one of --selector, --text, --url, --network-idle, --load, --request, --console',
      'Example: bdg dom wait ".results" --visible --timeout 10',
    );
  }
  if ((params.visible || params.gone) && target === undefined)
    throw new BdgError('INVALID_ARGUMENTS', '--visible and --gone are about a selector given as the argument', 'Example: bdg dom wait ".spinner" --gone');
  const s = ctx.session;
  const started = Date.now();
  const timeoutMs = Math.round(params.timeout * 1000);
  const deadline = started + timeoutMs;
  const state: Record<string, boolean> = {};
  // Subscriptions first, before any page round trip: what happens from here on counts.
  const filter = params.request !== undefined ? parseNetworkFilter(params.request) : undefined;
  if (filter !== undefined && filter.terms.length === 0)
    throw new BdgError('INVALID_ARGUMENTS', '--request needs filter terms', 'For example: --request "/api/orders"');
  const regex = params.console !== undefined ? compileUserRegex(params.console, '--console') : undefined;
  let request: NetworkRecord | undefined;
  let message: ConsoleRecord | undefined;
  const subs: { promise: Promise<unknown>; cancel: () => void }[] = [];
  if (filter !== undefined) {
    state['request'] = false;
    const sub = waitForRequest(s, filter, { timeoutMs, signal, what: `a request matching "${String(params.request)}" to finish` });
    subs.push({ cancel: sub.cancel, promise: latch(sub.promise.then((r) => ((request = r), (state['request'] = true)))) });
  }
  if (regex !== undefined) {
    state['console'] = false;
    const sub = waitForConsole(s, { regex }, { timeoutMs, signal, what: `a console message matching ${String(regex)}` });
    subs.push({ cancel: sub.cancel, promise: latch(sub.promise.then((m) => ((message = m), (state['console'] = true)))) });
  }
  const result = async (): Promise<ResultOf<'dom.wait'>> => {
    const waitedMs = Date.now() - started;
    // The matched message at its original source position, as `console wait` shows it (the same bounded wait).
    const mapped = message !== undefined ? ((await withSourceMaps(s, [message], signal))[0] ?? message) : undefined;
    return {
      waitedMs,
      met: state,
      url: s.page.url,
      ...(request !== undefined ? { request: listItem(request) } : {}),
      ...(mapped !== undefined ? { console: mapped } : {}),
    };
  };
  try {
    if (selector === undefined && text === undefined && url === undefined && !idle && target === undefined && !load) {
      try {
        await Promise.all(subs.map((x) => x.promise));
      } catch (err) {
        if (err instanceof BdgError && err.code === 'TIMEOUT')
          throw new BdgError('TIMEOUT', err.message, 'Raise --timeout, or check `bdg peek`.', { met: state, url: s.page.url });
        throw err;
      }
      return await result();
    }
    return await pollPage(ctx, params, signal, state, deadline, result);
  } finally {
    for (const x of subs) x.cancel();
  }
}

/** Marked as handled: while the page is polled, a subscription's own timeout is not an error (the poll's is). */
function latch<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

async function pollPage(
  ctx: HandlerContext,
  params: ParamsOf<'dom.wait'>,
  signal: AbortSignal,
  state: Record<string, boolean>,
  deadline: number,
  result: () => Promise<ResultOf<'dom.wait'>>,
): Promise<ResultOf<'dom.wait'>> {
  const { selector, text, url, networkIdle: idle, target, load } = params;
  // The original bdg's form: `dom wait <selector>` waits for a match, `--visible` for a visible one, `--gone` for none.
  const mode = params.gone ? (params.visible ? 'hidden' : 'gone') : params.visible ? 'visible' : 'present';
  const s = ctx.session;
  let lastNet = Date.now();
  let pendingSeen = -1;
  const unsubscribe = s.conn.on((method, _p, sid) => {
    if (sid === s.pageSessionId && (method === 'Network.requestWillBeSent' || method === 'Network.loadingFinished' || method === 'Network.loadingFailed'))
      lastNet = Date.now();
  });
  try {
    for (;;) {
      if (url !== undefined) state['url'] = urlMatches(s.page.url, url);
      if (selector !== undefined || text !== undefined || target !== undefined || load) {
        try {
          const doc = await documentObject(s, signal);
          const r = await callOn<{ selector?: boolean; text?: boolean; element?: boolean; gone?: boolean; load?: boolean }>(
            s,
            doc,
            WAIT_CHECK_FN,
            [selector ?? null, text ?? null, target ?? null, mode, load],
            {
              signal,
              timeoutMs: 5_000,
            },
          );
          if (selector !== undefined) state['selector'] = r.selector === true;
          if (text !== undefined) state['text'] = r.text === true;
          if (target !== undefined) state[mode === 'gone' || mode === 'hidden' ? 'gone' : 'element'] = (r.element ?? r.gone) === true;
          if (load) state['load'] = r.load === true;
        } catch (err) {
          if (err instanceof BdgError && err.code === 'UNEXPECTED_ERROR' && /SyntaxError|not a valid selector/.test(err.message)) {
            throw new BdgError('INVALID_ARGUMENTS', `Invalid selector "${String(selector)}": ${err.message}`);
          }
          if (!isContextGone(err) && !(err instanceof BdgError && err.code === 'TIMEOUT' && !signal.aborted)) throw err;
          if (selector !== undefined) state['selector'] = false;
          if (text !== undefined) state['text'] = false;
          if (target !== undefined) state[mode === 'gone' || mode === 'hidden' ? 'gone' : 'element'] = false;
          if (load) state['load'] = false;
        } finally {
          await s.pageSend('Runtime.releaseObjectGroup', { objectGroup: objectGroup() }, { timeoutMs: 2_000 }).catch(() => undefined);
        }
      }
      if (idle) {
        const pending = s.network.pending();
        if (pending !== pendingSeen) {
          pendingSeen = pending;
          lastNet = Math.max(lastNet, Date.now() - 1);
        }
        state['networkIdle'] = Date.now() - lastNet >= 500 && (pending === 0 || Date.now() - lastNet >= 2_000);
      }
      if (Object.values(state).every(Boolean)) return await result();
      if (Date.now() >= deadline || signal.aborted) {
        const missing = Object.entries(state)
          .filter(([, ok]) => !ok)
          .map(([k]) => k);
        throw new BdgError(
          'TIMEOUT',
          `Timed out after ${params.timeout} s waiting for ${missing.join(', ')}`,
          'Raise --timeout, or check the page with `bdg dom query` / `bdg peek`.',
          { met: state, url: s.page.url },
        );
      }
      await sleep(100);
    }
  } finally {
    unsubscribe();
  }
}
