/** Runners and text renderers of the `dom` inspection commands (inspect, layout, listeners, frames, form, audit). */
import { plural } from '../../util/bounded.js';
import type { ResultOf } from '../../protocol/commands.js';
import type { Rect, WhyResult } from '../../protocol/commands/domInspect.js';
import type { ElementInfo } from '../../protocol/results.js';
import { call } from '../../client/call.js';
import type { Runner } from '../runner.js';

function label(e: ElementInfo): string {
  let s = e.tag;
  if (e.id !== undefined) s += `#${e.id}`;
  if (e.classes.length > 0) s += `.${e.classes.slice(0, 3).join('.')}`;
  return `${e.ref !== undefined ? `${e.ref} ` : ''}${s}`;
}

function q(s: string, max = 60): string {
  return `"${s.length > max ? `${s.slice(0, max - 1)}…` : s}"`;
}

function size(r: Rect): string {
  return `${Math.round(r.width)}x${Math.round(r.height)} @${Math.round(r.x)},${Math.round(r.y)}`;
}

function whyLines(w: WhyResult): string[] {
  const lines = [`why ${w.property}: ${w.computed}`];
  if (w.chain.length === 0) lines.push('  no rule sets it: the initial value (or the browser default)');
  for (const s of w.chain) {
    const mark = s.status === 'overridden' ? '✗' : '✓';
    const spec = s.specificity !== undefined ? ` [${s.specificity.join(',')}]` : '';
    const extra = s.status === 'overridden' ? `  (${s.reason ?? 'overridden'})` : s.status === 'inherited' ? `  (${s.reason ?? 'inherited'})` : '';
    lines.push(`  ${mark} ${s.value}${s.important === true ? ' !important' : ''}  ${s.rule}${spec}  ${s.source}${extra}`);
  }
  return lines;
}

type Runners = {
  'dom.inspect': Runner<'dom.inspect'>;
  'dom.layout': Runner<'dom.layout'>;
  'dom.listeners': Runner<'dom.listeners'>;
  'dom.frames': Runner<'dom.frames'>;
  'dom.form': Runner<'dom.form'>;
  'dom.audit': Runner<'dom.audit'>;
};

export function renderInspect(d: ResultOf<'dom.inspect'>): string {
  const lines = [
    `${label(d.element)}${d.element.text !== '' ? ` ${q(d.element.text, 40)}` : ''} ${size(d.rect)}${d.box === undefined ? ' [not rendered]' : ''}`,
  ];
  if (d.matched > 1) lines.push(`(first visible of ${d.matched} matches)`);
  if (d.box !== undefined) {
    const c = d.box.content;
    lines.push(`box    content ${Math.round(c.width)}x${Math.round(c.height)} · padding ${size(d.box.padding)} · margin ${size(d.box.margin)}`);
  }
  if (d.why === undefined) {
    for (const [k, v] of Object.entries(d.styles)) lines.push(`  ${k}: ${v}`);
    if (d.stylesOmitted !== undefined) lines.push(`  … ${plural(d.stylesOmitted, 'more property', 'more properties')}`);
  }
  if (d.rules !== undefined) {
    lines.push(`rules (${d.rules.length}, highest precedence first):`);
    for (const r of d.rules) {
      const spec = r.specificity !== undefined ? ` [${r.specificity.join(',')}]` : '';
      lines.push(
        `  ${r.selector}${spec}  ${r.source}${r.media !== undefined ? `  @media ${r.media.join(', ')}` : ''}${r.layer !== undefined ? `  @layer ${r.layer}` : ''}`,
      );
      for (const decl of r.declarations.slice(0, 12)) lines.push(`    ${decl.name}: ${decl.value}${decl.important === true ? ' !important' : ''}`);
      if (r.declarations.length > 12) lines.push(`    … ${r.declarations.length - 12} more`);
    }
    if (d.rulesOmitted !== undefined) lines.push(`  … ${plural(d.rulesOmitted, 'more rule')}`);
  }
  for (const w of d.why ?? []) lines.push(...whyLines(w));
  return lines.join('\n');
}

export function renderLayout(d: ResultOf<'dom.layout'>): string {
  const p = d.page;
  const lines = [
    `Page: viewport ${p.viewport.width}x${p.viewport.height}, scrolled to ${p.scroll.x},${p.scroll.y}, document ${p.document.width}x${p.document.height}`,
    `${d.count === 1 ? '1 element matches' : `${d.count} elements match`} ${q(d.selector, 100)} (page x,y and size in CSS px):`,
  ];
  for (const e of d.elements) {
    const parts = [`  [${e.index}] ${label(e.element)}${e.element.text !== '' ? ` ${q(e.element.text, 30)}` : ''}`];
    if (e.inViewport !== 'hidden')
      parts.push(`${Math.round(e.bounds.x)},${Math.round(e.bounds.y)} ${Math.round(e.bounds.width)}x${Math.round(e.bounds.height)}`);
    parts.push(e.inViewport === 'partly' ? `partly visible (${e.percentVisible ?? 0}%)` : e.inViewport);
    if (e.hiddenReasons.length > 0) parts.push(`(${e.hiddenReasons.join('; ')})`);
    if (e.coveredBy !== undefined) parts.push(`covered by ${e.coveredBy}`);
    if (e.clippedBy !== undefined) parts.push(e.clippedBy);
    if (e.scrollContainer !== undefined) parts.push(`scrolls in ${e.scrollContainer}`);
    lines.push(parts.join('  '));
  }
  if (d.omitted > 0) lines.push(`  … ${d.omitted} more (--limit N, or --full for all)`);
  return lines.join('\n');
}

export const INSPECT_RUNNERS: Runners = {
  'dom.inspect': async (paths, params, out) => {
    const d = await call(paths, 'dom.inspect', params);
    return out.success(d, () => renderInspect(d));
  },
  'dom.layout': async (paths, params, out) => {
    const d = await call(paths, 'dom.layout', params);
    return out.success(d, () => renderLayout(d));
  },
  'dom.listeners': async (paths, params, out) => {
    const d = await call(paths, 'dom.listeners', params);
    return out.success(d, () => {
      const lines = [`Event listeners for ${label(d.element)} (${d.count})`];
      let type = '';
      for (const l of d.listeners) {
        if (l.type !== type) {
          type = l.type;
          lines.push('', type);
        }
        const flags = [
          l.useCapture ? 'capture' : '',
          l.passive ? 'passive' : '',
          l.once ? 'once' : '',
          l.reactProp !== undefined ? `React ${l.reactProp}` : l.framework !== undefined ? l.framework : '',
          l.delegateSelector !== undefined ? `delegated: ${l.delegateSelector}` : '',
        ]
          .filter(Boolean)
          .join(', ');
        lines.push(
          `  ${l.on.padEnd(8)}  ${l.node.padEnd(20)}  ${l.handler.name.padEnd(16)}  ${(l.handler.location ?? '').padEnd(24)}  ${flags !== '' ? `[${flags}] ` : ''}${l.handler.preview}`,
        );
      }
      if (d.omitted > 0) lines.push(`… ${plural(d.omitted, 'more listener')} (--limit N, or --full for all)`);
      if (d.delegated.length > 0)
        lines.push('', `Delegated: ${d.delegated.join(', ')} reach this element through listeners on its ancestors, document or window.`);
      if (d.count === 0) lines.push('No listeners on the element, its ancestors, document or window.');
      return lines.join('\n');
    });
  },
  'dom.frames': async (paths, params, out) => {
    const d = await call(paths, 'dom.frames', params);
    return out.success(d, () => {
      if (d.count === 0) return 'No iframes.';
      const depth = (i: number | undefined): number => {
        let n = 0;
        for (let p = i; p !== undefined && n < 20; p = d.frames[p]?.parentIndex) n++;
        return n;
      };
      const lines = d.frames.map((f) => {
        const url = f.url.length > 100 ? `${f.url.slice(0, 99)}…` : f.url;
        const where = [f.crossOrigin ? 'cross-origin' : 'same-origin', f.outOfProcess ? 'out-of-process' : ''].filter(Boolean).join(', ');
        return `${'  '.repeat(depth(f.parentIndex))}[${f.index}] ${url}${f.name !== undefined ? `  name=${f.name}` : ''}${f.id !== undefined ? `  #${f.id}` : ''}  ${where}  (origin ${f.origin})`;
      });
      if (d.omitted > 0) lines.push(`… ${d.omitted} more (--limit N, or --full for all)`);
      return lines.join('\n');
    });
  },
  'dom.form': async (paths, params, out) => {
    const d = await call(paths, 'dom.form', params);
    return out.success(d, () => {
      if (d.forms.length === 0) return 'No forms or form fields on the page.';
      const lines: string[] = [];
      for (const f of d.forms) {
        lines.push(
          `Form ${q(f.name, 60)}${f.id !== undefined ? ` #${f.id}` : ''}${f.method !== undefined ? ` ${f.method}${f.action !== undefined ? ` ${f.action}` : ''}` : ''}${f.inShadowRoot === true ? ' (in shadow root)' : ''}${f.hidden === true ? ' (hidden)' : ''}`,
        );
        for (const x of f.fields) {
          const status = [
            x.required ? 'required' : '',
            x.disabled === true ? 'disabled' : '',
            x.hidden === true ? 'hidden' : '',
            x.valid ? '' : `invalid: ${x.validationMessage ?? ''}`,
          ]
            .filter(Boolean)
            .join(', ');
          const value = x.value === '' ? 'empty' : x.masked === true ? '(hidden)' : q(x.value, 30);
          lines.push(`  ${(x.ref ?? '').padEnd(5)} ${x.type.padEnd(10)} ${q(x.label, 30).padEnd(32)} ${value.padEnd(20)} ${status}`);
        }
        if (f.fieldsOmitted > 0) lines.push(`  … ${plural(f.fieldsOmitted, 'more field')} (--limit)`);
        for (const b of f.buttons) lines.push(`  ${(b.ref ?? '').padEnd(5)} ${b.type.padEnd(10)} ${q(b.label, 30)}${b.disabled === true ? '  disabled' : ''}`);
        const s = f.summary;
        lines.push(
          `  ${s.filledFields}/${s.totalFields} filled, ${s.requiredRemaining} required left, ${plural(s.invalid, 'invalid field')}: ${s.readyToSubmit ? 'ready' : 'NOT ready'}`,
        );
        if (f.commands.length > 0) lines.push('  Next:', ...f.commands.map((c) => `    ${c}`));
        lines.push('');
      }
      if (d.otherForms > 0) lines.push(`${plural(d.otherForms, 'other form')} on the page (--all lists every form)`);
      return lines.join('\n').trimEnd();
    });
  },
  'dom.audit': async (paths, params, out) => {
    const d = await call(paths, 'dom.audit', params);
    return out.success(d, () => {
      const lines: string[] = [];
      if (d.contrast !== undefined) {
        const c = d.contrast;
        lines.push(`contrast (WCAG ${c.level}): ${c.failing} of ${c.checked} text elements below the level`);
        for (const i of c.items) {
          lines.push(
            `  ${i.ratio.toFixed(2)} < ${i.required}  ${i.element} ${q(i.text, 40)}  ${i.color} on ${i.background}  ${i.size}px ${i.weight}${i.inView ? '' : '  (out of view)'}`,
          );
        }
        if (c.omitted > 0) lines.push(`  … ${c.omitted} more (--limit N, or --full for all)`);
      }
      if (d.overflow !== undefined) {
        const o = d.overflow;
        lines.push(
          `overflow: ${o.count === 1 ? '1 element' : `${o.count} elements`}${o.scrollsSideways ? `; the page scrolls sideways (${o.pageWidth}px wide, viewport ${o.viewportWidth}px)` : ''}`,
        );
        for (const i of o.items) {
          const what =
            i.axis === 'page'
              ? 'reaches past the page edge'
              : `${i.clipped ? 'cut off' : 'spills out'} (${i.axis}: content ${i.scrollWidth}x${i.scrollHeight} in ${i.clientWidth}x${i.clientHeight}, overflow ${i.overflow})`;
          lines.push(`  ${i.element}${i.text !== '' ? ` ${q(i.text, 30)}` : ''}  ${what}`);
        }
        if (o.omitted > 0) lines.push(`  … ${o.omitted} more (--limit N, or --full for all)`);
      }
      if (d.capped) lines.push(`(stopped after ${d.walked} elements)`);
      return lines.join('\n');
    });
  },
};
