import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { A11yNode } from '../../../protocol/results.js';
import { BdgError } from '../../../util/errors.js';
import type { HandlerContext } from '../../context.js';
import { compactA11yTree, describeAxNode, matchA11y, nameOf, refable, roleOf, type AxNode } from '../../dom/a11yTree.js';
import { mainLoaderId, refFor } from '../../dom/driver.js';

async function axTree(ctx: HandlerContext, signal: AbortSignal): Promise<{ nodes: AxNode[]; loaderId: string }> {
  const loaderId = await mainLoaderId(ctx.session, signal);
  const { nodes } = await ctx.session.pageSend('Accessibility.getFullAXTree', {}, { signal, timeoutMs: 25_000 });
  return { nodes, loaderId };
}

/** A node as printed, with a ref for the element behind it. */
function withRef(ctx: HandlerContext, loaderId: string): (n: AxNode) => A11yNode {
  return (n) => {
    const out = describeAxNode(n);
    if (refable(n)) out.ref = refFor(ctx.session, loaderId, n.backendDOMNodeId as number, `${roleOf(n)} "${nameOf(n).slice(0, 40)}"`);
    // The ref goes right after the name, as the tree printed it before refs were optional.
    const { role, name, ref, ...rest } = out;
    return { role, name, ...(ref !== undefined ? { ref } : {}), ...rest };
  };
}

export async function a11y(ctx: HandlerContext, params: ParamsOf<'dom.a11y'>, signal: AbortSignal): Promise<ResultOf<'dom.a11y'>> {
  const { nodes, loaderId } = await axTree(ctx, signal);
  const { tree, count, truncated } = compactA11yTree(nodes, { full: params.full, limit: params.limit }, withRef(ctx, loaderId));
  return { url: ctx.session.page.url, nodes: count, truncated, tree };
}

export async function a11yQuery(ctx: HandlerContext, params: ParamsOf<'dom.a11y.query'>, signal: AbortSignal): Promise<ResultOf<'dom.a11y.query'>> {
  const role = params.role?.toLowerCase();
  const name = params.name?.toLowerCase();
  if (role === undefined && name === undefined)
    throw new BdgError('INVALID_ARGUMENTS', 'dom a11y query needs --role and/or --name', 'Example: bdg dom a11y query --role button --name "place order"');
  const { nodes, loaderId } = await axTree(ctx, signal);
  const hits = matchA11y(nodes, role, name);
  return { role: role ?? null, name: name ?? null, total: hits.length, matches: hits.slice(0, params.limit).map(withRef(ctx, loaderId)) };
}
