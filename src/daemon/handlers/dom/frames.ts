import { objectGroup } from '../../dom/objectGroup.js';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { QueryNode } from '../../../protocol/commands/dom.js';
import type { ElementInfo } from '../../../protocol/results.js';
import { BdgError } from '../../../util/errors.js';
import type { HandlerContext } from '../../context.js';
import { label, mainLoaderId, pageException, readOnly, refFor } from '../../dom/driver.js';
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
        { expression: 'document', objectGroup: objectGroup(), ...(scope.contextId !== undefined ? { contextId: scope.contextId } : {}) },
        opts,
      );
      const docId = doc.result.objectId;
      if (docId === undefined) throw new BdgError('UNEXPECTED_ERROR', `The frame ${scope.frame.url} has no document`);
      const arr = await scope.send(
        'Runtime.callFunctionOn',
        { objectId: docId, functionDeclaration: QUERY_FN, arguments: [{ value: params.selector }], objectGroup: objectGroup() },
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
      // The shape of `dom query` (the original bdg's): index, backend node id, preview; refs for in-process frames,
      // whose nodes belong to the page session like any other element.
      const loaderId = scope.inProcess && elements.length > 0 ? await mainLoaderId(ctx.session, signal) : undefined;
      const props = elements.length > 0 ? await scope.send('Runtime.getProperties', { objectId: arrayId, ownProperties: true }, opts) : undefined;
      const nodes: QueryNode[] = [];
      for (let i = 0; i < elements.length; i++) {
        const info = elements[i] as ElementInfo;
        const objectId = props?.result.find((p) => p.name === String(i))?.value?.objectId;
        const { node } =
          objectId === undefined
            ? { node: { backendNodeId: 0 } }
            : scope.inProcess
              ? await ctx.session.pageSend('DOM.describeNode', { objectId }, opts)
              : await scope.send('DOM.describeNode', { objectId }, opts);
        if (loaderId !== undefined && objectId !== undefined) info.ref = refFor(ctx.session, loaderId, node.backendNodeId, label(info));
        nodes.push({ index: i, nodeId: node.backendNodeId, backendNodeId: node.backendNodeId, preview: info.text, ...info });
      }
      const count = Number(total.result.value ?? 0);
      return { selector: params.selector, count, nodes, omitted: Math.max(0, count - nodes.length), frame: scope.frame.url };
    });
  } finally {
    await scope.release();
  }
}
