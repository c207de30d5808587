/**
 * The cascade, computed from Chrome's matched rules (CSS.getMatchedStylesForNode): which declaration of a property
 * wins on an element and why the others lose. Chrome lists the matched rules lowest precedence first for normal
 * declarations (origin, layer, specificity, then order); `!important` and the style attribute are applied here.
 * Pure functions over the protocol's payload, so they are unit-testable with recorded answers.
 */
import type { Protocol } from 'devtools-protocol';
import type { MatchedRule, WhyResult, WhyStep } from '../../protocol/commands/domInspect.js';
import { sheetLocation } from './css.js';

type Sheets = ReadonlyMap<string, Protocol.CSS.CSSStyleSheetHeader>;
type Spec = [number, number, number];

/** Properties an element takes from its parent when nothing sets them on it. */
const INHERITED = new Set([
  'color',
  'cursor',
  'direction',
  'font',
  'font-family',
  'font-size',
  'font-style',
  'font-variant',
  'font-weight',
  'font-stretch',
  'letter-spacing',
  'line-height',
  'list-style',
  'list-style-type',
  'list-style-position',
  'list-style-image',
  'quotes',
  'text-align',
  'text-indent',
  'text-transform',
  'text-shadow',
  'visibility',
  'white-space',
  'word-spacing',
  'word-break',
  'overflow-wrap',
  'caret-color',
  'fill',
  'stroke',
  'pointer-events',
  'user-select',
  '-webkit-text-fill-color',
]);

export function isInherited(property: string): boolean {
  return property.startsWith('--') || INHERITED.has(property);
}

const MAX_VALUE = 200;
const cut = (s: string): string => (s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s);

function specificityOf(rule: Protocol.CSS.CSSRule, matching: readonly number[]): { selector: string; specificity?: Spec } {
  let best: { selector: string; specificity?: Spec } | undefined;
  for (const i of matching.length > 0 ? matching : rule.selectorList.selectors.map((_, j) => j)) {
    const sel = rule.selectorList.selectors[i];
    if (sel === undefined) continue;
    const s = sel.specificity;
    const spec: Spec | undefined = s !== undefined ? [s.a, s.b, s.c] : undefined;
    if (best === undefined || (spec !== undefined && (best.specificity === undefined || compareSpec(spec, best.specificity) > 0))) {
      best = spec !== undefined ? { selector: sel.text, specificity: spec } : { selector: sel.text };
    }
  }
  return best ?? { selector: rule.selectorList.text };
}

function compareSpec(a: Spec, b: Spec): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function originOf(o: Protocol.CSS.StyleSheetOrigin): MatchedRule['origin'] {
  switch (o) {
    case 'user-agent':
      return 'user-agent';
    case 'inspector':
      return 'inline';
    case 'injected':
      return 'injected';
    default:
      return 'author';
  }
}

/** One candidate declaration with what decides the cascade between candidates. */
interface Candidate {
  value: string;
  important: boolean;
  /** 0 UA, 1 presentational attributes, 2 author rules, 3 style attribute. */
  tier: number;
  order: number;
  rule: string;
  source: string;
  specificity?: Spec;
  layer?: string;
}

function ruleCandidates(
  property: string,
  rules: readonly Protocol.CSS.RuleMatch[],
  inline: Protocol.CSS.CSSStyle | undefined,
  attrs: Protocol.CSS.CSSStyle | undefined,
  sheets: Sheets,
): Candidate[] {
  const out: Candidate[] = [];
  const fromStyle = (
    style: Protocol.CSS.CSSStyle,
    base: Omit<Candidate, 'value' | 'important' | 'source'>,
    where: (line0: number | undefined) => string,
  ): void => {
    const props = style.cssProperties.filter((p) => p.name === property && p.disabled !== true && p.parsedOk !== false);
    // Chrome lists a declaration as written (with its range) and again as the longhand it sets (without): one counts.
    const written = props.filter((p) => p.range !== undefined);
    for (const p of written.length > 0 ? written : props.slice(-1)) {
      // A longhand a shorthand sets may come without a value of its own (`font: -webkit-small-control`): show the shorthand.
      const sh = p.value === '' ? style.shorthandEntries.find((e) => property.startsWith(`${e.name}-`) && e.value !== '') : undefined;
      const value = p.value !== '' ? p.value : sh !== undefined ? `${sh.name}: ${sh.value}` : '(set by a shorthand)';
      out.push({ ...base, value: cut(value), important: p.important === true, source: where(p.range?.startLine ?? style.range?.startLine) });
    }
  };
  if (attrs !== undefined) fromStyle(attrs, { tier: 1, order: -1, rule: 'presentational attribute' }, () => 'element attribute');
  rules.forEach((m, order) => {
    const r = m.rule;
    const { selector, specificity } = specificityOf(r, m.matchingSelectors);
    const origin = originOf(r.origin);
    const header = r.styleSheetId !== undefined ? sheets.get(r.styleSheetId) : undefined;
    const base: Omit<Candidate, 'value' | 'important' | 'source'> = { tier: origin === 'user-agent' ? 0 : 2, order, rule: selector };
    if (specificity !== undefined) base.specificity = specificity;
    const layer = r.layers?.map((l) => l.text).join('.');
    if (layer !== undefined && layer !== '') base.layer = layer;
    fromStyle(r.style, base, (line0) => (origin === 'user-agent' ? 'user-agent stylesheet' : sheetLocation(header, line0 ?? 0).source));
  });
  if (inline !== undefined) fromStyle(inline, { tier: 3, order: rules.length, rule: 'style attribute' }, () => 'style attribute');
  return out;
}

/** Precedence: important declarations above normal ones (the browser's own important ones above all), then tier, then order. */
function rank(c: Candidate): number[] {
  if (c.important) return [1, c.tier === 0 ? 9 : c.tier, c.order];
  return [0, c.tier, c.order];
}

function higher(a: Candidate, b: Candidate): number {
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) if ((ra[i] as number) !== (rb[i] as number)) return (rb[i] as number) - (ra[i] as number);
  return 0;
}

function lossReason(loser: Candidate, winner: Candidate): string {
  if (winner.important && !loser.important) return 'the winner is !important';
  if (winner.tier === 3 && loser.tier !== 3) return 'the style attribute wins over rules';
  if (loser.tier === 0 && winner.tier > 0) return 'page styles win over the browser default';
  if (winner.layer !== loser.layer) return `cascade layers (${winner.layer ?? 'unlayered'} over ${loser.layer ?? 'unlayered'})`;
  if (winner.specificity !== undefined && loser.specificity !== undefined && compareSpec(winner.specificity, loser.specificity) !== 0) {
    return `lower specificity [${loser.specificity.join(',')}] < [${winner.specificity.join(',')}]`;
  }
  return 'same specificity, the winner comes later';
}

function step(c: Candidate, status: WhyStep['status'], reason?: string, inheritedFrom?: number): WhyStep {
  const s: WhyStep = { value: c.value, status, rule: c.rule, source: c.source };
  if (c.specificity !== undefined) s.specificity = c.specificity;
  if (c.important) s.important = true;
  if (reason !== undefined) s.reason = reason;
  if (inheritedFrom !== undefined) s.inheritedFrom = inheritedFrom;
  return s;
}

/** `--why PROP`: every declaration of the property on the element, the winner first, or the ancestor's it inherits. */
export function explain(property: string, computed: string, matched: Protocol.CSS.GetMatchedStylesForNodeResponse, sheets: Sheets): WhyResult {
  const own = ruleCandidates(property, matched.matchedCSSRules ?? [], matched.inlineStyle, matched.attributesStyle, sheets).sort(higher);
  const chain: WhyStep[] = [];
  const winner = own[0];
  if (winner !== undefined) {
    chain.push(step(winner, 'applied', own.length > 1 ? 'highest precedence' : undefined));
    for (const c of own.slice(1)) chain.push(step(c, 'overridden', lossReason(c, winner)));
    return { property, computed, chain };
  }
  if (isInherited(property)) {
    (matched.inherited ?? []).some((entry, i) => {
      const cands = ruleCandidates(property, entry.matchedCSSRules, entry.inlineStyle, undefined, sheets).sort(higher);
      const w = cands[0];
      if (w === undefined) return false;
      chain.push(step(w, 'inherited', `inherited from ${i === 0 ? 'the parent' : `${i + 1} levels up`}`, i + 1));
      for (const c of cands.slice(1)) chain.push(step(c, 'overridden', lossReason(c, w), i + 1));
      return true;
    });
  }
  return { property, computed, chain };
}

/** `--rules`: the matched rules, highest precedence first, with what each declares as written. */
export function matchedRules(matched: Protocol.CSS.GetMatchedStylesForNodeResponse, sheets: Sheets, max: number): { rules: MatchedRule[]; omitted: number } {
  const out: MatchedRule[] = [];
  const decls = (style: Protocol.CSS.CSSStyle): MatchedRule['declarations'] => {
    // Declarations as written carry a range; the longhands Chrome expands them into do not (except in browser rules).
    const written = style.cssProperties.filter((p) => p.range !== undefined && p.disabled !== true);
    const list = written.length > 0 ? written : style.cssProperties.filter((p) => p.value !== '');
    return list.slice(0, 40).map((p) => ({ name: p.name, value: cut(p.value), ...(p.important === true ? { important: true } : {}) }));
  };
  if (matched.inlineStyle !== undefined && matched.inlineStyle.cssProperties.some((p) => p.range !== undefined)) {
    out.push({ selector: 'style attribute', source: 'style attribute', origin: 'inline', declarations: decls(matched.inlineStyle) });
  }
  const rules = [...(matched.matchedCSSRules ?? [])].reverse();
  for (const m of rules) {
    const r = m.rule;
    const { selector, specificity } = specificityOf(r, m.matchingSelectors);
    const origin = originOf(r.origin);
    const header = r.styleSheetId !== undefined ? sheets.get(r.styleSheetId) : undefined;
    const where =
      origin === 'user-agent'
        ? { source: 'user-agent stylesheet' }
        : sheetLocation(header, r.selectorList.selectors[0]?.range?.startLine ?? r.style.range?.startLine ?? 0);
    const rec: MatchedRule = { selector, ...where, origin, declarations: decls(r.style) };
    if (specificity !== undefined) rec.specificity = specificity;
    const media = r.media?.map((x) => x.text);
    if (media !== undefined && media.length > 0) rec.media = media;
    const layer = r.layers?.map((l) => l.text).join('.');
    if (layer !== undefined && layer !== '') rec.layer = layer;
    out.push(rec);
  }
  return { rules: out.slice(0, max), omitted: Math.max(0, out.length - max) };
}
