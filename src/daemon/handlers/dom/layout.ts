import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { LayoutElement, LayoutResult } from '../../../protocol/commands/domInspect.js';
import { REF_PATTERN } from '../../dom/refs.js';
import { BdgError } from '../../../util/errors.js';
import type { HandlerContext } from '../../context.js';
import { callOn, queryAll, readOnly, resolveRef, type ElementHandle } from '../../dom/driver.js';
import { LAYOUT_FN, PAGE_LAYOUT_EXPR } from '../../dom/inspectScripts.js';

/** `dom layout`: for each match (bounded), its box, where it is against the viewport and what keeps it from being seen. */
export async function layout(ctx: HandlerContext, params: ParamsOf<'dom.layout'>, signal: AbortSignal): Promise<ResultOf<'dom.layout'>> {
  const session = ctx.session;
  return readOnly(session, async () => {
    const ref = REF_PATTERN.exec(params.target.trim());
    let handles: ElementHandle[];
    let count: number;
    if (ref !== null) {
      handles = [await resolveRef(session, ref[1] as string, signal)];
      count = 1;
    } else {
      const r = await queryAll(session, params.target, params.limit, signal);
      handles = r.elements;
      count = r.total;
    }
    if (count === 0) {
      throw new BdgError('NOT_FOUND', `No element matches "${params.target}"`, 'Check the selector with `bdg dom query`.', { selector: params.target });
    }
    const page = await session.pageSend('Runtime.evaluate', { expression: PAGE_LAYOUT_EXPR, returnByValue: true }, { signal, timeoutMs: 10_000 });
    const elements: LayoutElement[] = [];
    for (const [index, h] of handles.entries()) {
      const m = await callOn<Omit<LayoutElement, 'index' | 'element'>>(session, h.objectId, LAYOUT_FN, [], { signal, timeoutMs: 10_000 });
      elements.push({ index, element: h.info, ...m });
    }
    return { selector: params.target, count, omitted: Math.max(0, count - elements.length), page: page.result.value as LayoutResult['page'], elements };
  });
}
