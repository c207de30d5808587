import { resolve } from 'node:path';
import { findCommand } from '../../protocol/commands.js';
import type { A11yNode, ElementInfo } from '../../protocol/results.js';
import type { Params } from '../../protocol/validate.js';
import type { SessionPaths } from '../../util/paths.js';
import { call } from '../call.js';
import type { Output } from '../output.js';
import { formatBytes } from '../render.js';
import type { Runner } from '../runner.js';

interface Triggered {
  urlBefore: string;
  url: string;
  navigated: boolean;
  requests: Array<{ id: string; method: string; url: string; status?: number; state: string }>;
  consoleErrors: Array<{ id: string; text: string }>;
  dialogs: Array<{ type: string; message: string; action: string }>;
  settled: boolean;
}

/** Sends a request with a client timeout a little longer than the daemon's own limit for the command. */
export function callCommand(paths: SessionPaths, name: string, params: Params): Promise<unknown> {
  const ms = findCommand(name)?.timeoutMs;
  return call(paths, name, params, ms !== undefined ? ms + 5_000 : undefined);
}

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

/** The "what it triggered" lines under an action. */
export function triggeredLines(t: Triggered | undefined): string[] {
  if (t === undefined) return [];
  const lines: string[] = [];
  if (t.url !== t.urlBefore) lines.push(`  -> ${t.navigated ? 'navigated' : 'URL changed'} to ${t.url}`);
  else if (t.navigated) lines.push(`  -> page reloaded (${t.url})`);
  for (const d of t.dialogs) lines.push(`  -> ${d.type} dialog ${quote(d.message, 100)} (${d.action === 'accept' ? 'accepted' : 'dismissed'})`);
  for (const r of t.requests.slice(0, 10)) lines.push(`  -> request ${r.id} ${r.method} ${r.url} ${r.status !== undefined ? String(r.status) : r.state}`);
  if (t.requests.length > 10) lines.push(`  -> ... and ${t.requests.length - 10} more requests (bdg peek --network)`);
  for (const c of t.consoleErrors) lines.push(`  -> console error ${c.id}: ${c.text.split('\n')[0] ?? ''}`);
  if (!t.settled) lines.push('  (still loading or requests in flight when bdg stopped waiting)');
  return lines;
}

function actionRunner(name: string, verb: (d: Record<string, unknown>) => string): Runner {
  return async (paths, params, out) => {
    const data = (await callCommand(paths, name, params)) as Record<string, unknown>;
    return out.success(data, () => [verb(data), ...triggeredLines(data['triggered'] as Triggered | undefined)].join('\n'));
  };
}

function on(d: Record<string, unknown>): string {
  const e = d['element'] as ElementInfo | undefined;
  if (e === undefined) return '';
  return ` ${e.ref !== undefined ? `${e.ref} ` : ''}${elementLabel(e)}${e.text !== '' ? ` ${quote(e.text, 40)}` : ''}`;
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

async function runQuery(paths: SessionPaths, params: Params, out: Output): Promise<number> {
  const data = (await callCommand(paths, 'dom.query', params)) as { selector: string; total: number; shown: number; elements: ElementInfo[] };
  return out.success(data, () => {
    if (data.total === 0) return `No elements match ${quote(data.selector, 200)}`;
    const lines = [`${data.total} element${data.total === 1 ? '' : 's'} match ${quote(data.selector, 200)}${data.shown < data.total ? ` (showing ${data.shown}; --limit for more)` : ''}`];
    for (const e of data.elements) lines.push(elementLine(e));
    return lines.join('\n');
  });
}

async function runGet(paths: SessionPaths, params: Params, out: Output): Promise<number> {
  const d = (await callCommand(paths, 'dom.get', params)) as ElementInfo & { attributes: Record<string, string>; outerHTML: string; outerHTMLLength: number; truncated: boolean; box: { x: number; y: number; width: number; height: number }; value?: string; checked?: boolean; matched: number };
  return out.success(d, () => {
    const lines = [elementLine(d).trim()];
    if (d.matched > 1) lines.push(`(first of ${d.matched} matches; \`bdg dom query\` lists them)`);
    lines.push(`box: ${d.box.width}x${d.box.height} at (${d.box.x}, ${d.box.y})`);
    if (d.value !== undefined) lines.push(`value: ${quote(d.value, 200)}`);
    if (d.checked !== undefined) lines.push(`checked: ${String(d.checked)}`);
    const attrs = Object.entries(d.attributes);
    if (attrs.length > 0) lines.push('attributes:', ...attrs.map(([k, v]) => `  ${k}=${quote(v, 200)}`));
    lines.push('outerHTML:', d.outerHTML + (d.truncated ? `\n… (${d.outerHTMLLength} characters; --max-length for more)` : ''));
    return lines.join('\n');
  });
}

async function runEval(paths: SessionPaths, params: Params, out: Output): Promise<number> {
  const d = (await callCommand(paths, 'dom.eval', params)) as { type: string; value: unknown; truncated?: boolean; triggered?: Triggered };
  return out.success(d, () => {
    const v = d.type === 'string' ? String(d.value) : d.type === 'undefined' ? 'undefined' : JSON.stringify(d.value, null, 2);
    return [v + (d.truncated === true ? '\n… (result cut at 1 MB)' : ''), ...triggeredLines(d.triggered)].join('\n');
  });
}

async function runScreenshot(paths: SessionPaths, params: Params, out: Output): Promise<number> {
  // The daemon writes the file; relative paths mean relative to where the user ran bdg.
  const file = resolve(params['file'] as string);
  const d = (await callCommand(paths, 'dom.screenshot', { ...params, file })) as { path: string; format: string; bytes: number; width: number | null; height: number | null; mode: string; scaled: boolean; truncated?: boolean };
  return out.success(d, () => `Saved ${d.path} (${d.format.toUpperCase()}, ${d.width ?? '?'}x${d.height ?? '?'}, ${formatBytes(d.bytes)}, ${d.mode}${d.scaled ? ', scaled down' : ''}${d.truncated === true ? ', cut at 16384 px' : ''})`);
}

async function runA11y(paths: SessionPaths, params: Params, out: Output): Promise<number> {
  const d = (await callCommand(paths, 'dom.a11y', params)) as { url: string; nodes: number; truncated: boolean; tree: A11yNode[] };
  return out.success(d, () => {
    const lines: string[] = [];
    renderTree(d.tree, 0, lines);
    if (d.truncated) lines.push(`… (${d.nodes} nodes shown; --limit for more)`);
    return lines.join('\n');
  });
}

async function runA11yQuery(paths: SessionPaths, params: Params, out: Output): Promise<number> {
  const d = (await callCommand(paths, 'dom.a11y.query', params)) as { total: number; matches: A11yNode[] };
  return out.success(d, () => (d.total === 0 ? 'No accessibility nodes match.' : [`${d.total} match${d.total === 1 ? '' : 'es'}${d.matches.length < d.total ? ` (showing ${d.matches.length})` : ''}`, ...d.matches.map((n) => a11yLine(n, 1))].join('\n')));
}

async function runWait(paths: SessionPaths, params: Params, out: Output): Promise<number> {
  const d = (await callCommand(paths, 'dom.wait', params)) as { waitedMs: number; met: Record<string, boolean>; url: string };
  return out.success(d, () => `Met ${Object.keys(d.met).join(', ')} after ${d.waitedMs} ms (${d.url})`);
}

async function runFill(paths: SessionPaths, params: Params, out: Output): Promise<number> {
  // File inputs get a path; a relative one means relative to where the user ran bdg, not the daemon.
  const withCwd = { ...params, cwd: params['cwd'] ?? process.cwd() };
  return actionRunner('dom.fill', (d) => {
    const what = d['kind'] === 'checkbox' || d['kind'] === 'radio' ? `checked=${String(d['checked'])}` : d['kind'] === 'select' ? `option ${quote(String(d['label'] ?? d['value']))}` : quote(String(d['value'] ?? ''));
    return `Filled${on(d)} with ${what}`;
  })(paths, withCwd, out);
}

export const DOM_RUNNERS: Record<string, Runner> = {
  'dom.query': runQuery,
  'dom.get': runGet,
  'dom.eval': runEval,
  'dom.screenshot': runScreenshot,
  'dom.a11y': runA11y,
  'dom.a11y.query': runA11yQuery,
  'dom.wait': runWait,
  'dom.click': actionRunner('dom.click', (d) => `${d['action'] === 'double-click' ? 'Double-clicked' : d['action'] === 'right-click' ? 'Right-clicked' : 'Clicked'}${on(d)} at (${String(d['x'])}, ${String(d['y'])})`),
  'dom.fill': runFill,
  'dom.hover': actionRunner('dom.hover', (d) => `Hovered${on(d)}`),
  'dom.press': actionRunner('dom.press', (d) => `Pressed ${String(d['key'])}${on(d)}`),
  'dom.pressKey': actionRunner('dom.pressKey', (d) => `Pressed ${String(d['key'])}${on(d)}`),
  'dom.submit': actionRunner('dom.submit', (d) => `Submitted${on(d)} (${String((d['form'] as { method?: string }).method ?? '')} ${String((d['form'] as { action?: string }).action ?? '')})`),
  'dom.scroll': actionRunner('dom.scroll', (d) => `Scrolled${on(d)} to (${String((d['scroll'] as { x: number }).x)}, ${String((d['scroll'] as { y: number }).y)})`),
};
