import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { HandlerContext } from '../../context.js';
import { callOn, queryAll, readOnly, resolveTarget } from '../../dom/driver.js';
import { GET_FN } from '../../dom/pageScripts.js';
import { queryInFrame } from './frames.js';

/** `dom query`: matches for a selector, with refs. */
export async function query(ctx: HandlerContext, params: ParamsOf<'dom.query'>, signal: AbortSignal): Promise<ResultOf<'dom.query'>> {
  const { selector, limit } = params;
  if (params.frame !== undefined) return queryInFrame(ctx, { ...params, frame: params.frame }, signal);
  return readOnly(ctx.session, async () => {
    const { total, elements } = await queryAll(ctx.session, selector, limit, signal);
    return { selector, total, shown: elements.length, elements: elements.map((e) => e.info) };
  });
}

/** `dom get`: one element's attributes, box and bounded outerHTML. */
export async function get(ctx: HandlerContext, params: ParamsOf<'dom.get'>, signal: AbortSignal): Promise<ResultOf<'dom.get'>> {
  return readOnly(ctx.session, async () => {
    const el = await resolveTarget(ctx.session, params.target, { signal });
    const details = await callOn<Omit<ResultOf<'dom.get'>, 'ref' | 'matched'>>(ctx.session, el.objectId, GET_FN, [params.maxLength]);
    return { ...details, ref: el.ref, matched: el.matched };
  });
}
