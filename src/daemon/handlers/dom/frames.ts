import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { ElementInfo } from '../../../protocol/results.js';
import { BdgError } from '../../../util/errors.js';
import type { HandlerContext } from '../../context.js';
import { GROUP, label, mainLoaderId, pageException, readOnly, refFor } from '../../dom/driver.js';
import { listFrames, openFrame } from '../../dom/frames.js';
import { DESCRIBE_ALL_FN, QUERY_FN } from '../../dom/pageScripts.js';

/** `dom frames`: the iframes, nested ones under their parent, with origin and process. */
export async function frames(ctx: HandlerContext, params: ParamsOf<'dom.frames'>, signal: AbortSignal): Promise<ResultOf<'dom.frames'>> {
  const all = await listFrames(ctx.session, signal);
  return { count: all.length, omitted: Math.max(0, all.length - params.limit), frames: all.slice(0, params.limit) };
}

/** `dom query --frame`: the selector run in one iframe's document; refs for elements of in-process frames. */
export async function queryInFrame(
  ctx: HandlerContext,
  params: ParamsOf<'dom.query'> & { frame: string },
  signal: AbortSignal,
): Promise<ResultOf<'dom.query'>> {
  const scope = await openFrame(ctx.session, params.frame, signal);
  try {
    return await readOnly(ctx.session, async () => {
      const opts = { signal, timeoutMs: 10_000 };
      const doc = await scope.send(
        'Runtime.evaluate',
        { expression: 'document', objectGroup: GROUP, ...(scope.contextId !== undefined ? { contextId: scope.contextId } : {}) },
        opts,
      );
      const docId = doc.result.objectId;
      if (docId === undefined) throw new BdgError('UNEXPECTED_ERROR', `The frame ${scope.frame.url} has no document`);
      const arr = await scope.send(
        'Runtime.callFunctionOn',
        { objectId: docId, functionDeclaration: QUERY_FN, arguments: [{ value: params.selector }], objectGroup: GROUP },
        opts,
      );
      if (arr.exceptionDetails !== undefined) {
        const e = pageException(arr.exceptionDetails, 'Invalid selector');
        throw new BdgError('INVALID_ARGUMENTS', `${e.message} ("${params.selector}")`, 'Use CSS, text=..., :has-text("...") or xpath=...');
      }
      const arrayId = arr.result.objectId as string;
      const total = await scope.send(
        'Runtime.callFunctionOn',
        { objectId: arrayId, functionDeclaration: 'function () { return this.length; }', returnByValue: true },
        opts,
      );
      const described = await scope.send(
        'Runtime.callFunctionOn',
        { objectId: arrayId, functionDeclaration: DESCRIBE_ALL_FN, arguments: [{ value: params.limit }], returnByValue: true },
        opts,
      );
      const elements = (described.result.value ?? []) as ElementInfo[];
      if (scope.inProcess && elements.length > 0) {
        // Nodes of an in-process frame belong to the page session: they get refs like any other element.
        const loaderId = await mainLoaderId(ctx.session, signal);
        const props = await scope.send('Runtime.getProperties', { objectId: arrayId, ownProperties: true }, opts);
        for (let i = 0; i < elements.length; i++) {
          const objectId = props.result.find((p) => p.name === String(i))?.value?.objectId;
          const info = elements[i];
          if (objectId === undefined || info === undefined) continue;
          const { node } = await ctx.session.pageSend('DOM.describeNode', { objectId }, opts);
          info.ref = refFor(ctx.session, loaderId, node.backendNodeId, label(info));
        }
      }
      return { selector: params.selector, total: Number(total.result.value ?? 0), shown: elements.length, elements, frame: scope.frame.url };
    });
  } finally {
    await scope.release();
  }
}
