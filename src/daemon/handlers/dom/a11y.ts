import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { A11yNode } from '../../../protocol/results.js';
import { BdgError } from '../../../util/errors.js';
import type { HandlerContext } from '../../context.js';
import { compactA11yTree, describeAxNode, matchA11y, nameOf, parseA11yPattern, refable, roleOf, type AxNode } from '../../dom/a11yTree.js';
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
  const { tree, count, omitted, truncated } = compactA11yTree(nodes, { full: params.full, limit: params.limit }, withRef(ctx, loaderId));
  return { url: ctx.session.page.url, nodes: count, count: count + omitted, omitted, truncated, tree };
}

export async function a11yQuery(ctx: HandlerContext, params: ParamsOf<'dom.a11y.query'>, signal: AbortSignal): Promise<ResultOf<'dom.a11y.query'>> {
  let fromPattern: { role?: string; name?: string } = {};
  if (params.pattern !== undefined) {
    try {
      fromPattern = parseA11yPattern(params.pattern);
    } catch (err) {
      throw new BdgError(
        'INVALID_ARGUMENTS',
        (err as Error).message,
        'Examples: bdg dom a11y query "role=button name=Place order" | bdg dom a11y query role:link',
      );
    }
  }
  const role = (params.role ?? fromPattern.role)?.toLowerCase();
  const name = (params.name ?? fromPattern.name)?.toLowerCase();
  if (role === undefined && name === undefined)
    throw new BdgError(
      'INVALID_ARGUMENTS',
      'dom a11y query needs a role and/or a name',
      'Example: bdg dom a11y query "role=button name=place order" (or --role button --name "place order")',
    );
  const { nodes, loaderId } = await axTree(ctx, signal);
  const hits = matchA11y(nodes, role, name);
  if (hits.length === 0) {
    throw new BdgError(
      'NOT_FOUND',
      `No accessibility node matches${role !== undefined ? ` role=${role}` : ''}${name !== undefined ? ` name=${JSON.stringify(name)}` : ''}`,
      'Names match as case-insensitive substrings; see the roles and names with `bdg dom a11y`.',
      { role: role ?? null, name: name ?? null, count: 0 },
    );
  }
  return { role: role ?? null, name: name ?? null, total: hits.length, matches: hits.slice(0, params.limit).map(withRef(ctx, loaderId)) };
}
