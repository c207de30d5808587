import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { ElementDetails, RawElement } from '../../../protocol/commands/dom.js';
import { BdgError } from '../../../util/errors.js';
import type { HandlerContext } from '../../context.js';
import { callOn, queryAll, readOnly, rememberQuery, resolveNodeId, resolveTarget, type ElementHandle } from '../../dom/driver.js';
import { GET_FN, RAW_GET_FN } from '../../dom/pageScripts.js';
import { queryInFrame } from './frames.js';

/** `dom query`: matches for a selector, with refs. */
export async function query(ctx: HandlerContext, params: ParamsOf<'dom.query'>, signal: AbortSignal): Promise<ResultOf<'dom.query'>> {
  const { selector, limit } = params;
  if (params.frame !== undefined) return queryInFrame(ctx, { ...params, frame: params.frame }, signal);
  return readOnly(ctx.session, async () => {
    const { total, elements, loaderId } = await queryAll(ctx.session, selector, limit, signal);
    if (total === 0) {
      throw new BdgError('NOT_FOUND', `No elements match "${selector}"`, 'Check the selector; text forms: text=Sign in, button:has-text("Sign in").', {
        selector,
        count: 0,
      });
    }
    rememberQuery(
      ctx.session,
      selector,
      loaderId,
      elements.map((e) => e.ref),
      total,
    );
    const nodes = elements.map((e, index) => ({ index, nodeId: e.backendNodeId, backendNodeId: e.backendNodeId, preview: e.info.text, ...e.info }));
    return { selector, count: total, nodes, omitted: total - nodes.length };
  });
}

/** Matches `dom get --raw --all` describes without --full (the original bdg's JSON list bound). */
const RAW_ALL_LIMIT = 100;

/**
 * `dom get`: one element's attributes, box, accessible role and name, and bounded outerHTML; with the original bdg's
 * `--raw` / `--all` / `--node-id`, its `{nodes: [...]}` form (one, the Nth or every match).
 */
export async function get(ctx: HandlerContext, params: ParamsOf<'dom.get'>, signal: AbortSignal): Promise<ResultOf<'dom.get'>> {
  const { target, nodeId, all, full } = params;
  if (nodeId !== undefined && target !== undefined)
    throw new BdgError(
      'INVALID_ARGUMENTS',
      '--node-id cannot be combined with a selector or index',
      'Give one: bdg dom get <selector> or bdg dom get --node-id <id>.',
    );
  if (params.nth !== undefined && params.index !== undefined && params.nth !== params.index)
    throw new BdgError('INVALID_ARGUMENTS', '--nth and --index name the same thing; give one');
  const nth = params.nth ?? params.index;
  if (all && (nth !== undefined || nodeId !== undefined))
    throw new BdgError('INVALID_ARGUMENTS', `--all cannot be combined with ${nth !== undefined ? '--nth' : '--node-id'}`);
  if (nodeId === undefined && target === undefined)
    throw new BdgError('INVALID_ARGUMENTS', 'dom get needs a selector, ref or index, or --node-id', 'Examples: bdg dom get "#save" | bdg dom get --node-id 42');
  const maxLength = full ? -1 : params.maxLength;
  const s = ctx.session;
  return readOnly(s, async () => {
    if (params.raw || all || nodeId !== undefined) {
      let picked: ElementHandle[];
      let count = 1;
      if (nodeId !== undefined) picked = [await resolveNodeId(s, nodeId, signal)];
      else if (all) {
        const q = await queryAll(s, target as string, full ? 100_000 : RAW_ALL_LIMIT, signal);
        if (q.total === 0) throw noMatch(target as string);
        picked = q.elements;
        count = q.total;
      } else picked = [await resolveTarget(s, target as string, { signal, index: nth })];
      const nodes: RawElement[] = [];
      for (const el of picked) {
        const raw = await callOn<Omit<RawElement, 'nodeId' | 'ref'>>(s, el.objectId, RAW_GET_FN, [maxLength], { signal });
        nodes.push({ nodeId: el.backendNodeId, ...raw, ref: el.ref });
      }
      return { raw: true as const, nodes, count, omitted: count - nodes.length };
    }
    const el = await resolveTarget(s, target as string, { signal, index: nth });
    const details = await callOn<Omit<ElementDetails, 'ref' | 'matched' | 'node' | 'domContext'>>(s, el.objectId, GET_FN, [maxLength < 0 ? 1e12 : maxLength]);
    const preview = el.info.text.length > 80 ? `${el.info.text.slice(0, 80)}...` : el.info.text;
    const domContext = { tag: el.info.tag, ...(el.info.classes.length > 0 ? { classes: el.info.classes } : {}), ...(preview !== '' ? { preview } : {}) };
    return { ...details, ref: el.ref, matched: el.matched, node: await axNode(ctx, el, signal), domContext };
  });
}

function noMatch(selector: string): BdgError {
  return new BdgError(
    'NOT_FOUND',
    `No element matches "${selector}"`,
    'Check the selector with `bdg dom query`; text forms: text=Sign in, button:has-text("Sign in").',
    {
      selector,
    },
  );
}

/** The element's accessibility node (the original bdg's semantic `dom get`); from the DOM (`inferred`) when Chrome exposes none. */
async function axNode(ctx: HandlerContext, el: ElementHandle, signal: AbortSignal): Promise<ElementDetails['node']> {
  const inferred: ElementDetails['node'] = { role: el.info.role ?? 'generic', name: el.info.attrs['aria-label'] ?? el.info.text.slice(0, 200), inferred: true };
  const r = await ctx.session
    .pageSend('Accessibility.getPartialAXTree', { backendNodeId: el.backendNodeId, fetchRelatives: false }, { signal, timeoutMs: 10_000 })
    .catch(() => undefined);
  const ax = r?.nodes.find((n) => n.backendDOMNodeId === el.backendNodeId) ?? r?.nodes[0];
  if (ax === undefined || ax.ignored === true || ax.role === undefined) return inferred;
  const node: ElementDetails['node'] = { role: String(ax.role.value ?? inferred.role), name: String(ax.name?.value ?? '') };
  for (const p of ax.properties ?? []) {
    if ((p.name === 'focusable' || p.name === 'focused' || p.name === 'disabled' || p.name === 'required') && p.value.value === true) node[p.name] = true;
  }
  return node;
}
