import { resolve } from 'node:path';
import { plural } from '../../util/bounded.js';
import type { InFamily, ResultOf } from '../../protocol/commands.js';
import type { Output } from '../output.js';
import { NO_VISIBLE_EFFECT, type A11yNode, type ActionConsoleError, type ActionReport, type ElementInfo } from '../../protocol/results.js';
import { call } from '../../client/call.js';
import { consoleLine, formatBytes, shownUrl } from '../render.js';
import type { RunnerTable } from '../runner.js';
import { INSPECT_RUNNERS } from './inspect.js';

function quote(s: string, max = 60): string {
  const t = s.length > max ? `${s.slice(0, max - 1)}…` : s;
  return `"${t}"`;
}

export function elementLabel(e: ElementInfo): string {
  let s = e.tag;
  if (e.id !== undefined) s += `#${e.id}`;
  if (e.classes.length > 0) s += `.${e.classes.slice(0, 3).join('.')}`;
  return s;
}

export function elementLine(e: ElementInfo): string {
  const parts = [`${(e.ref ?? '').padEnd(5)} ${elementLabel(e)}`];
  const extra = ['type', 'name', 'href', 'placeholder', 'aria-label'].filter((k) => e.attrs[k] !== undefined).map((k) => `${k}=${e.attrs[k] as string}`);
  if (extra.length > 0) parts.push(`[${extra.join(' ')}]`);
  if (e.text !== '') parts.push(quote(e.text));
  const flags: string[] = [];
  if (!e.visible) flags.push('hidden');
  if (e.disabled === true) flags.push('disabled');
  if (e.inShadowRoot === true) flags.push('shadow');
  if (e.frame !== undefined) flags.push(`in ${e.frame}`);
  if (flags.length > 0) parts.push(`(${flags.join(', ')})`);
  return `  ${parts.join('  ')}`;
}

function renderEval(d: ResultOf<'dom.eval'>, out: Output): Promise<number> {
  return out.success(d, () => {
    const v = d.type === 'string' ? String(d.value) : d.type === 'undefined' ? 'undefined' : JSON.stringify(d.value, null, 2);
    const note =
      d.omitted !== undefined
        ? `\n… (${d.omitted} more of ${d.count ?? '?'} elements; --full for all)`
        : d.truncatedFrom !== undefined
          ? `\n… (cut at 1 MB of ${d.truncatedFrom} characters; --full for all)`
          : '';
    return [v + note, ...triggeredLines(d.triggered)].join('\n');
  });
}

/** `bdg eval`: the same daemon command and rendering as `dom eval`. */
export const EVAL_RUNNERS: RunnerTable<InFamily<'eval'>> = {
  eval: async (paths, params, out) => renderEval(await call(paths, 'dom.eval', params), out),
};

/** The "what it triggered" lines under an action. */
export function triggeredLines(t: ActionReport | undefined): string[] {
  if (t === undefined) return [];
  const lines: string[] = [];
  if (t.url !== t.urlBefore) lines.push(`  -> ${t.navigated ? 'navigated' : 'URL changed'} to ${shownUrl(t.url)}`);
  else if (t.navigated) lines.push(`  -> page reloaded (${shownUrl(t.url)})`);
  for (const d of t.dialogs) lines.push(`  -> ${d.type} dialog ${quote(d.message, 100)} (${d.action === 'accept' ? 'accepted' : 'dismissed'})`);
  for (const r of t.requests.slice(0, 10))
    lines.push(`  -> request ${r.id} ${r.method} ${shownUrl(r.url)} ${r.status !== undefined ? String(r.status) : r.state}`);
  if (t.requests.length > 10) lines.push(`  -> ... and ${plural(t.requests.length - 10, 'more request')} (bdg peek --network)`);
  for (const c of t.consoleErrors) lines.push(`  -> console error ${c.id}: ${c.text.split('\n')[0] ?? ''}${errorWhere(c)}`);
  for (const f of t.downloads ?? [])
    lines.push(
      `  -> download ${f.name} ${f.state === 'completed' ? `(${formatBytes(f.size)}) saved to ${f.path ?? '?'}` : f.state === 'canceled' ? 'canceled' : `still running (${formatBytes(f.size)} so far)`}`,
    );
  if (!t.settled) lines.push('  (still loading or requests in flight when bdg stopped waiting)');
  if (t.effect === 'none') lines.push(`  -> ${NO_VISIBLE_EFFECT}`);
  return lines;
}

/** `  (url:line:column)` of a console error, at its original source position when a map gave one (--json has both). */
function errorWhere(c: ActionConsoleError): string {
  if (c.original !== undefined) return `  (${shownUrl(c.original.url)}:${c.original.line}:${c.original.column})`;
  if (c.url === undefined || c.url === '') return '';
  return `  (${shownUrl(c.url)}${c.line !== undefined ? `:${c.line}${c.column !== undefined ? `:${c.column}` : ''}` : ''})`;
}

/** The element an action acted on, for its one-line report. */
function on(d: { element?: ElementInfo | undefined }): string {
  const e = d.element;
  if (e === undefined) return '';
  return ` ${e.ref !== undefined ? `${e.ref} ` : ''}${elementLabel(e)}${e.text !== '' ? ` ${quote(e.text, 40)}` : ''}`;
}

/** An action's report: what it did, then what it triggered. */
function report(verb: string, triggered: ActionReport): string {
  return [verb, ...triggeredLines(triggered)].join('\n');
}

function a11yLine(n: A11yNode, depth: number): string {
  const parts = [`${'  '.repeat(depth)}- ${n.role}`];
  if (n.name !== '') parts.push(quote(n.name, 80));
  if (n.value !== undefined) parts.push(`value=${quote(n.value, 40)}`);
  if (n.states !== undefined) parts.push(`[${n.states.join(', ')}]`);
  if (n.ref !== undefined) parts.push(n.ref);
  return parts.join(' ');
}

function renderTree(nodes: A11yNode[], depth: number, lines: string[]): void {
  for (const n of nodes) {
    lines.push(a11yLine(n, depth));
    if (n.children !== undefined) renderTree(n.children, depth + 1, lines);
  }
}

export const DOM_RUNNERS: RunnerTable<InFamily<'dom'>> = {
  ...INSPECT_RUNNERS,
  'dom.query': async (paths, params, out) => {
    const data = await call(paths, 'dom.query', params);
    return out.success(data, () => {
      const lines = [
        `${data.count} ${data.count === 1 ? 'element matches' : 'elements match'} ${quote(data.selector, 200)}${data.frame !== undefined ? ` in frame ${data.frame}` : ''}${data.omitted > 0 ? ` (showing ${data.nodes.length}; --limit N, or --full for all)` : ''}`,
      ];
      for (const e of data.nodes) lines.push(`  [${e.index}]${elementLine(e).slice(1)}`);
      return lines.join('\n');
    });
  },
  'dom.get': async (paths, params, out) => {
    const d = await call(paths, 'dom.get', params);
    if ('raw' in d) {
      return out.success(d, () => {
        const lines: string[] = [];
        if (d.count > 1) lines.push(`${d.count} elements match${d.omitted > 0 ? ` (showing ${d.nodes.length}; --full for all)` : ''}`);
        for (const n of d.nodes) {
          if (d.nodes.length > 1) lines.push(`[${n.ref}] nodeId ${n.nodeId}`);
          lines.push((n.outerHTML ?? `<${n.tag}>`) + (n.truncatedFrom !== undefined ? `\n… (${n.truncatedFrom} characters; --full for all)` : ''));
        }
        return lines.join('\n');
      });
    }
    return out.success(d, () => {
      const lines = [elementLine(d).trim()];
      lines.push(`[${d.node.role}]${d.node.name !== '' ? ` ${quote(d.node.name, 80)}` : ''}${d.node.inferred === true ? ' (inferred from the DOM)' : ''}`);
      if (d.matched > 1) lines.push(`(first of ${d.matched} matches; \`bdg dom query\` lists them)`);
      lines.push(`box: ${d.box.width}x${d.box.height} at (${d.box.x}, ${d.box.y})`);
      if (d.value !== undefined) lines.push(`value: ${quote(d.value, 200)}`);
      if (d.checked !== undefined) lines.push(`checked: ${String(d.checked)}`);
      const attrs = Object.entries(d.attributes);
      if (attrs.length > 0) lines.push('attributes:', ...attrs.map(([k, v]) => `  ${k}=${quote(v, 200)}`));
      lines.push('outerHTML:', d.outerHTML + (d.truncated ? `\n… (${d.outerHTMLLength} characters; --max-length or --full for more)` : ''));
      return lines.join('\n');
    });
  },
  'dom.eval': async (paths, params, out) => {
    const d = await call(paths, 'dom.eval', params);
    if (d.frame !== undefined) out.note(`Frame: ${d.frame || '(no URL)'}`);
    return renderEval(d, out);
  },
  'dom.screenshot': async (paths, params, out) => {
    // The daemon writes the file; relative paths mean relative to where the user ran bdg.
    const d = await call(paths, 'dom.screenshot', { ...params, file: resolve(params.file) });
    return out.success(
      d,
      () =>
        `Saved ${d.path} (${d.format.toUpperCase()}, ${d.width ?? '?'}x${d.height ?? '?'}, ${formatBytes(d.bytes)}, ${d.mode}${d.scaled ? ', scaled down' : ''}${d.truncated === true ? ', cut at 16384 px' : ''})`,
    );
  },
  'dom.a11y': async (paths, params, out) => {
    const d = await call(paths, 'dom.a11y', params);
    return out.success(d, () => {
      const lines: string[] = [];
      renderTree(d.tree, 0, lines);
      if (d.truncated) lines.push(`… ${plural(d.omitted, 'more node')} (${d.nodes} shown; --limit N, or --full for all)`);
      return lines.join('\n');
    });
  },
  'dom.a11y.query': async (paths, params, out) => {
    const d = await call(paths, 'dom.a11y.query', params);
    return out.success(d, () =>
      d.total === 0
        ? 'No accessibility nodes match.'
        : [
            `${d.total} match${d.total === 1 ? '' : 'es'}${d.matches.length < d.total ? ` (showing ${d.matches.length})` : ''}`,
            ...d.matches.map((n) => a11yLine(n, 1)),
          ].join('\n'),
    );
  },
  'dom.wait': async (paths, params, out) => {
    const d = await call(paths, 'dom.wait', params);
    return out.success(d, () =>
      [`Met ${Object.keys(d.met).join(', ')} after ${d.waitedMs} ms (${d.url})`, ...(d.console !== undefined ? [consoleLine(d.console)] : [])].join('\n'),
    );
  },
  'dom.click': async (paths, params, out) => {
    const d = await call(paths, 'dom.click', params);
    return out.success(d, () =>
      report(
        `${d.action === 'double-click' ? 'Double-clicked' : d.action === 'right-click' ? 'Right-clicked' : 'Clicked'}${on(d)} at (${d.x}, ${d.y})`,
        d.triggered,
      ),
    );
  },
  'dom.fill': async (paths, params, out) => {
    // File inputs get a path; a relative one means relative to where the user ran bdg, not the daemon.
    const d = await call(paths, 'dom.fill', { ...params, cwd: params.cwd ?? process.cwd() });
    return out.success(d, () => {
      const what =
        d.kind === 'checkbox' || d.kind === 'radio'
          ? `checked=${String(d.checked)}`
          : d.kind === 'select'
            ? `option ${quote(String(d.label ?? d.value))}`
            : quote(d.value ?? '');
      return report(`Filled${on(d)} with ${what}`, d.triggered);
    });
  },
  'dom.type': async (paths, params, out) => {
    const d = await call(paths, 'dom.type', params);
    return out.success(d, () =>
      report(
        `Typed ${d.typed} character${d.typed === 1 ? '' : 's'} into${on(d)}${d.value !== undefined ? `; value is now ${quote(d.value, 80)}` : ''}`,
        d.triggered,
      ),
    );
  },
  'dom.drag': async (paths, params, out) => {
    const d = await call(paths, 'dom.drag', params);
    const onto = d.target !== undefined ? ` onto ${d.target.ref !== undefined ? `${d.target.ref} ` : ''}${elementLabel(d.target)}` : '';
    return out.success(d, () =>
      report(`Dragged${on(d)} from (${d.from.x}, ${d.from.y}) to (${d.to.x}, ${d.to.y})${onto}${d.html5 ? ' (HTML5 drag and drop)' : ''}`, d.triggered),
    );
  },
  'dom.hover': async (paths, params, out) => {
    const d = await call(paths, 'dom.hover', params);
    return out.success(d, () => report(d.action === 'hover-off' ? 'Moved the mouse off the page' : `Hovered${on(d)}`, d.triggered));
  },
  'dom.press': async (paths, params, out) => {
    const d = await call(paths, 'dom.press', params);
    return out.success(d, () => report(`Pressed ${d.key}${on(d)}`, d.triggered));
  },
  'dom.pressKey': async (paths, params, out) => {
    const d = await call(paths, 'dom.pressKey', params);
    return out.success(d, () => report(`Pressed ${d.key}${on(d)}`, d.triggered));
  },
  'dom.submit': async (paths, params, out) => {
    const d = await call(paths, 'dom.submit', params);
    return out.success(d, () => report(`Submitted${on(d)} (${d.form.method ?? ''} ${d.form.action ?? ''})`, d.triggered));
  },
  'dom.scroll': async (paths, params, out) => {
    const d = await call(paths, 'dom.scroll', params);
    return out.success(d, () => report(`Scrolled${on(d)} to (${String(d.scroll['x'])}, ${String(d.scroll['y'])})`, d.triggered));
  },
};
