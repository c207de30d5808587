import { objectGroup } from '../../dom/objectGroup.js';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import { BdgError } from '../../../util/errors.js';
import type { HandlerContext } from '../../context.js';
import { abortCause } from '../../dispatcher.js';
import { pageException, runAction } from '../../dom/driver.js';
import { PROBE_MS } from '../../pageHealth.js';
import { openFrame, type FrameScope } from '../../dom/frames.js';

/** Results larger than this (as JSON) are cut without --full, so one answer stays a sane size. */
const MAX_EVAL_RESULT_CHARS = 1024 * 1024;
/** Elements of an array result listed without --full (the original bdg's `dom eval --json` bound). */
const EVAL_ARRAY_LIMIT = 100;

/**
 * `this` = the result object -> its by-value form, bounded in the page so a huge value never crosses CDP: an array
 * longer than `limit` keeps its first elements, JSON over `cap` characters becomes the start of its text. Runs on the
 * user's own value, in the context the user's expression ran in (JSON.stringify there is the page's).
 */
const BOUND_FN = `function (limit, cap) {
  const v = this;
  if (cap < 0) return { value: v };
  let json;
  try { json = JSON.stringify(v); } catch (e) { return { value: v }; }
  if (Array.isArray(v) && v.length > limit) {
    const listed = v.slice(0, limit);
    const text = JSON.stringify(listed);
    if (text === undefined || text.length <= cap) return { value: listed, count: v.length };
    return { text: (json ?? text).slice(0, cap), truncatedFrom: (json ?? text).length, count: v.length };
  }
  if (json !== undefined && json.length > cap) return { text: json.slice(0, cap), truncatedFrom: json.length, ...(Array.isArray(v) ? { count: v.length } : {}) };
  return { value: v };
}`;

interface Bounded {
  value?: unknown;
  text?: string;
  count?: number;
  truncatedFrom?: number;
}

/**
 * What the expression leaves of the command's budget when it gives up: time to stop a stuck script and answer
 * with why, before the dispatcher's budget answers with a vaguer TIMEOUT.
 */
const STOP_MARGIN_MS = 5_000;

/** `dom eval`: an expression evaluated like the DevTools console, its value returned as plain data. */
export async function evaluate(ctx: HandlerContext, params: ParamsOf<'dom.eval'>, signal: AbortSignal): Promise<ResultOf<'dom.eval'>> {
  // --frame: the iframe's own session (out of process) or the page session with the frame's main-world context.
  const scope = params.frame !== undefined ? await openFrame(ctx.session, params.frame, signal) : undefined;
  try {
    const result = await evaluateIn(ctx, params, signal, scope);
    return scope !== undefined ? { frame: scope.frame.url, ...result } : result;
  } finally {
    await scope?.release();
  }
}

async function evaluateIn(
  ctx: HandlerContext,
  params: ParamsOf<'dom.eval'>,
  signal: AbortSignal,
  scope: FrameScope | undefined,
): Promise<ResultOf<'dom.eval'>> {
  const { expression } = params;
  const send = scope?.send ?? ctx.session.pageSend.bind(ctx.session);
  const contextId = scope?.contextId !== undefined ? { contextId: scope.contextId } : {};
  const started = Date.now();
  // Each call gets what is left of the budget, so a slow evaluate followed by awaitPromise still ends in time.
  const opts = (): { signal: AbortSignal; timeoutMs: number } => ({ signal, timeoutMs: Math.max(1_000, ctx.deadline - Date.now() - STOP_MARGIN_MS) });
  const script = <T>(call: () => Promise<T>): Promise<T> => stopIfStuck(ctx, signal, started, call);
  const {
    result: { obj: result, bounds },
    triggered,
  } = await runAction(ctx, signal, { dialog: params.dialog, settleMaxMs: 1_000, settleQuietMs: 50 }, async () => {
    const r = await script(() =>
      send(
        'Runtime.evaluate',
        // replMode: top-level await and re-declarable let/const, like the DevTools console.
        {
          expression,
          awaitPromise: true,
          returnByValue: false,
          userGesture: true,
          replMode: true,
          objectGroup: objectGroup(),
          generatePreview: false,
          ...contextId,
        },
        opts(),
      ),
    );
    if (r.exceptionDetails !== undefined) throw pageException(r.exceptionDetails, 'The page threw', 'PAGE_EXCEPTION');
    let obj = r.result;
    // replMode awaits a top-level `await`, but an expression whose value is a promise completes with the promise
    // itself (the console shows "Promise {<pending>}"); a script wants what it resolves to.
    if (obj.subtype === 'promise' && obj.objectId !== undefined) {
      const promiseObjectId = obj.objectId;
      const settled = await script(() => send('Runtime.awaitPromise', { promiseObjectId, returnByValue: false }, opts()));
      if (settled.exceptionDetails !== undefined) throw pageException(settled.exceptionDetails, 'The promise rejected', 'PAGE_EXCEPTION');
      obj = settled.result;
    }
    // Plain data comes back by value (bounded without --full); nodes, functions and values that cannot be
    // serialised keep their description.
    if (obj.objectId !== undefined && obj.type === 'object' && obj.subtype !== 'node') {
      const byValue = await send(
        'Runtime.callFunctionOn',
        {
          objectId: obj.objectId,
          functionDeclaration: BOUND_FN,
          arguments: [{ value: EVAL_ARRAY_LIMIT }, { value: params.full ? -1 : MAX_EVAL_RESULT_CHARS }],
          returnByValue: true,
        },
        { signal, timeoutMs: 10_000 },
      ).catch(() => undefined);
      if (byValue !== undefined && byValue.exceptionDetails === undefined) {
        const { objectId: _id, ...rest } = obj;
        const b = (byValue.result.value ?? {}) as Bounded;
        return { obj: { ...rest, value: b.text ?? b.value }, bounds: b };
      }
    }
    return { obj, bounds: undefined };
  });
  const type = result.subtype !== undefined ? `${result.type}:${result.subtype}` : result.type;
  let value: unknown = result.value;
  if (result.unserializableValue !== undefined) value = result.unserializableValue;
  else if (result.type === 'undefined') value = undefined;
  // Nodes and other host objects have no by-value form ({}); their description (e.g. "button#buy") says more.
  else if (result.subtype === 'node' && result.description !== undefined) value = result.description;
  else if (value === undefined && result.description !== undefined) value = result.description;
  // The original bdg's bounds: an array lists its first 100 elements (`count`, `omitted`), a longer text or JSON is
  // cut (`truncatedFrom`: the length it had); --full lifts both.
  const cut: { count?: number; omitted?: number; truncatedFrom?: number } = {};
  if (bounds?.count !== undefined) {
    cut.count = bounds.count;
    if (bounds.text === undefined) cut.omitted = bounds.count - EVAL_ARRAY_LIMIT;
  }
  if (bounds?.truncatedFrom !== undefined) cut.truncatedFrom = bounds.truncatedFrom;
  if (typeof value === 'string' && !params.full && value.length > MAX_EVAL_RESULT_CHARS) {
    cut.truncatedFrom = value.length;
    value = value.slice(0, MAX_EVAL_RESULT_CHARS);
  }
  const truncated = cut.omitted !== undefined || cut.truncatedFrom !== undefined;
  // `result` is the original bdg's name for the value; `value` is kept for scripts written against earlier bdg.
  return { result: value ?? null, type, value: value ?? null, ...(truncated ? { truncated, ...cut } : {}), triggered };
}

/**
 * Runs one call that executes the user's script. When bdg gives up on it (its time is up, the client went away, a
 * navigation takes over the page) while the page's main thread is stuck in it, the script is stopped with
 * `Runtime.terminateExecution`, so the next command finds a usable page instead of the same endless loop.
 */
async function stopIfStuck<T>(ctx: HandlerContext, signal: AbortSignal, started: number, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof BdgError) || err.code !== 'TIMEOUT' || abortCause(signal)?.kind === 'page-down') throw err;
    const { wasHung, answers } = await ctx.session.health.unstick();
    const took = `${Math.round((Date.now() - started) / 1000)} s`;
    if (!wasHung) {
      throw new BdgError(
        'TIMEOUT',
        `The expression did not settle within ${took}: it waits for something that does not come (a promise, a timer, a request); the page itself answers`,
        'Await something quicker, or race it against a timeout of its own (Promise.race).',
        { terminated: false, probeMs: PROBE_MS },
      );
    }
    if (answers) {
      throw new BdgError(
        'TIMEOUT',
        `The expression did not finish within ${took}: the page's main thread was stuck (in it, or in a script of the page's own), so bdg stopped the running script (Runtime.terminateExecution); the page answers again`,
        'Make the expression finish sooner, or split the work into several `bdg dom eval` calls.',
        { terminated: true, probeMs: PROBE_MS },
      );
    }
    throw new BdgError(
      'TIMEOUT',
      `The expression did not finish within ${took}: the page's main thread is stuck, and still does not answer after bdg stopped the running script (Runtime.terminateExecution)`,
      'Reload the page (`bdg page reload`) or open another (`bdg page navigate <url>`).',
      { terminated: true, pageHung: true, probeMs: PROBE_MS },
    );
  }
}
