import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { HandlerContext } from '../../context.js';
import { GROUP, pageException, runAction } from '../../dom/driver.js';

/** Results larger than this (as JSON) are cut, so one answer stays a sane size. */
const MAX_EVAL_RESULT_CHARS = 1024 * 1024;

/** `dom eval`: an expression evaluated like the DevTools console, its value returned as plain data. */
export async function evaluate(ctx: HandlerContext, params: ParamsOf<'dom.eval'>, signal: AbortSignal): Promise<ResultOf<'dom.eval'>> {
  const { expression } = params;
  const { result, triggered } = await runAction(ctx, signal, { dialog: params.dialog, settleMaxMs: 1_000, settleQuietMs: 50 }, async () => {
    const opts = { signal, timeoutMs: 55_000 };
    const r = await ctx.session.pageSend(
      'Runtime.evaluate',
      // replMode: top-level await and re-declarable let/const, like the DevTools console.
      { expression, awaitPromise: true, returnByValue: false, userGesture: true, replMode: true, objectGroup: GROUP, generatePreview: false },
      opts,
    );
    if (r.exceptionDetails !== undefined) throw pageException(r.exceptionDetails, 'The page threw');
    let obj = r.result;
    // replMode awaits a top-level `await`, but an expression whose value is a promise completes with the promise
    // itself (the console shows "Promise {<pending>}"); a script wants what it resolves to.
    if (obj.subtype === 'promise' && obj.objectId !== undefined) {
      const settled = await ctx.session.pageSend('Runtime.awaitPromise', { promiseObjectId: obj.objectId, returnByValue: false }, opts);
      if (settled.exceptionDetails !== undefined) throw pageException(settled.exceptionDetails, 'The promise rejected');
      obj = settled.result;
    }
    // Plain data comes back by value; nodes, functions and values that cannot be serialised keep their description.
    if (obj.objectId !== undefined && obj.type === 'object' && obj.subtype !== 'node') {
      const byValue = await ctx.session
        .pageSend('Runtime.callFunctionOn', { objectId: obj.objectId, functionDeclaration: 'function () { return this; }', returnByValue: true }, opts)
        .catch(() => undefined);
      if (byValue !== undefined && byValue.exceptionDetails === undefined) {
        const { objectId: _id, ...rest } = obj;
        const value: unknown = byValue.result.value;
        obj = { ...rest, value };
      }
    }
    return obj;
  });
  const type = result.subtype !== undefined ? `${result.type}:${result.subtype}` : result.type;
  let value: unknown = result.value;
  if (result.unserializableValue !== undefined) value = result.unserializableValue;
  else if (result.type === 'undefined') value = undefined;
  // Nodes and other host objects have no by-value form ({}); their description (e.g. "button#buy") says more.
  else if (result.subtype === 'node' && result.description !== undefined) value = result.description;
  else if (value === undefined && result.description !== undefined) value = result.description;
  let truncated = false;
  const text = JSON.stringify(value) ?? '';
  if (text.length > MAX_EVAL_RESULT_CHARS) {
    value = text.slice(0, MAX_EVAL_RESULT_CHARS);
    truncated = true;
  }
  return { type, value: value ?? null, ...(truncated ? { truncated } : {}), triggered };
}
