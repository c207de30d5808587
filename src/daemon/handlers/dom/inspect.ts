import type { Protocol } from 'devtools-protocol';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { BoxModel, Rect } from '../../../protocol/commands/domInspect.js';
import { BdgError } from '../../../util/errors.js';
import type { HandlerContext } from '../../context.js';
import { explain, matchedRules } from '../../dom/cascade.js';
import { CSS_CALL, withCss } from '../../dom/css.js';
import { readOnly, resolveTarget } from '../../dom/driver.js';

/** The computed properties worth showing by default, in reading order; each is left out at its do-nothing value. */
const SHOWN: ReadonlyArray<[string, RegExp?]> = [
  ['display'],
  ['position', /^static$/],
  ['top', /^auto$/],
  ['right', /^auto$/],
  ['bottom', /^auto$/],
  ['left', /^auto$/],
  ['z-index', /^auto$/],
  ['width'],
  ['height'],
  ['box-sizing', /^content-box$/],
  ['margin', /^0px$/],
  ['padding', /^0px$/],
  ['border', /^0px none|^0px \w+ |none/],
  ['border-radius', /^0px$/],
  ['color'],
  ['background-color', /^rgba\(0, 0, 0, 0\)$/],
  ['background-image', /^none$/],
  ['font-family'],
  ['font-size'],
  ['font-weight'],
  ['line-height', /^normal$/],
  ['text-align', /^start$/],
  ['opacity', /^1$/],
  ['visibility', /^visible$/],
  ['overflow', /^visible$/],
  ['flex-direction', /^row$/],
  ['justify-content', /^normal$/],
  ['align-items', /^normal$/],
  ['gap', /^normal$/],
  ['grid-template-columns', /^none$/],
  ['flex', /^0 1 auto$/],
  ['transform', /^none$/],
  ['box-shadow', /^none$/],
  ['cursor', /^auto$/],
  ['pointer-events', /^auto$/],
];

/** Flex and grid settings only mean something on a flex or grid container. */
const CONTAINER_ONLY = new Set(['flex-direction', 'justify-content', 'align-items', 'gap', 'grid-template-columns']);

function hex(value: string): string {
  return value.replace(/rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)/g, (_m, r: string, g: string, b: string, a: string | undefined) => {
    const h = (n: number): string => n.toString(16).padStart(2, '0');
    const alpha = a !== undefined && Number(a) < 1 ? h(Math.round(Number(a) * 255)) : '';
    return `#${h(Number(r))}${h(Number(g))}${h(Number(b))}${alpha}`;
  });
}

function quadRect(q: number[]): Rect {
  const xs = [q[0], q[2], q[4], q[6]] as number[];
  const ys = [q[1], q[3], q[5], q[7]] as number[];
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  const r = (n: number): number => Math.round(n * 10) / 10;
  return { x: r(x), y: r(y), width: r(Math.max(...xs) - x), height: r(Math.max(...ys) - y) };
}

/** Shorthands Chrome's computed style does not give: made from their sides. */
function shorthand(name: string, get: (p: string) => string): string | undefined {
  const sides = (pre: string, post = ''): string | undefined => {
    const v = ['top', 'right', 'bottom', 'left'].map((s) => get(`${pre}-${s}${post}`));
    if (v.some((x) => x === '')) return undefined;
    const [t, r, b, l] = v as [string, string, string, string];
    if (t === r && r === b && b === l) return t;
    if (t === b && r === l) return `${t} ${r}`;
    return `${t} ${r} ${b} ${l}`;
  };
  if (name === 'margin' || name === 'padding') return sides(name);
  if (name === 'border') {
    const w = sides('border', '-width');
    const s = sides('border', '-style');
    const c = sides('border', '-color');
    if (w === undefined || s === undefined || c === undefined) return undefined;
    return [w, s, c].join(' ');
  }
  return undefined;
}

/** `dom inspect`: computed styles that matter, box model, matched rules (--rules) and the cascade of one property (--why). */
export async function inspect(ctx: HandlerContext, params: ParamsOf<'dom.inspect'>, signal: AbortSignal): Promise<ResultOf<'dom.inspect'>> {
  const session = ctx.session;
  return readOnly(session, async () => {
    const el = await resolveTarget(session, params.target, { signal });
    return withCss(session, async (sheets) => {
      const opts = { ...CSS_CALL, signal };
      await session.pageSend('DOM.getDocument', { depth: 0 }, opts);
      const { nodeId } = await session.pageSend('DOM.requestNode', { objectId: el.objectId }, opts);
      const { computedStyle } = await session.pageSend('CSS.getComputedStyleForNode', { nodeId }, opts);
      const computed = new Map(computedStyle.map((p) => [p.name, p.value]));
      const get = (p: string): string => computed.get(p) ?? shorthand(p, (q) => computed.get(q) ?? '') ?? '';
      const styles: Record<string, string> = {};
      let stylesOmitted = 0;
      const wanted = params.props
        ?.split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      if (wanted !== undefined) {
        for (const p of wanted.slice(0, 100)) {
          const v = get(p);
          if (v === '' && !p.startsWith('--') && !computed.has(p)) {
            throw new BdgError(
              'INVALID_ARGUMENTS',
              `Unknown CSS property "${p}"`,
              'Give computed property names such as color, font-size, margin-top, or a custom property (--brand).',
            );
          }
          styles[p] = v === '' ? '(not set)' : hex(v);
        }
        stylesOmitted = Math.max(0, wanted.length - 100);
      } else {
        const display = get('display');
        const container = /flex|grid/.test(display);
        for (const [name, nothing] of SHOWN) {
          if (CONTAINER_ONLY.has(name) && !container) continue;
          const v = get(name);
          if (v === '' || (nothing !== undefined && nothing.test(v))) continue;
          styles[name] = hex(v.length > 200 ? `${v.slice(0, 199)}…` : v);
        }
      }
      let box: BoxModel | undefined;
      try {
        const { model } = await session.pageSend('DOM.getBoxModel', { nodeId }, opts);
        box = { content: quadRect(model.content), padding: quadRect(model.padding), border: quadRect(model.border), margin: quadRect(model.margin) };
      } catch {
        /* not rendered (display: none): no box */
      }
      const result: ResultOf<'dom.inspect'> = {
        element: el.info,
        matched: el.matched,
        rect: box?.border ?? { x: 0, y: 0, width: 0, height: 0 },
        styles,
      };
      if (box !== undefined) result.box = box;
      if (stylesOmitted > 0) result.stylesOmitted = stylesOmitted;
      if (params.rules || params.why !== undefined) {
        const matched: Protocol.CSS.GetMatchedStylesForNodeResponse = await session.pageSend('CSS.getMatchedStylesForNode', { nodeId }, opts);
        if (params.rules) {
          const { rules, omitted } = matchedRules(matched, sheets, 50);
          result.rules = rules;
          if (omitted > 0) result.rulesOmitted = omitted;
        }
        if (params.why !== undefined) {
          const property = params.why.trim().toLowerCase();
          const isShorthand = [...computed.keys()].some((k) => k.startsWith(`${property}-`));
          if (!property.startsWith('--') && !computed.has(property) && !isShorthand) {
            throw new BdgError(
              'INVALID_ARGUMENTS',
              `Unknown CSS property "${params.why}"`,
              'Give a longhand property such as color, background-color, margin-top.',
            );
          }
          result.why = [explain(property, hex(get(property)), matched, sheets)];
        }
      }
      return result;
    });
  });
}
