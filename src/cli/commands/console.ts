import type { InFamily, InputOf, ParamsOf } from '../../protocol/commands.js';
import { omittedLine, plural } from '../../util/bounded.js';
import type { ConsoleListResult } from '../../protocol/commands/console.js';
import type { FoldedConsoleRecord } from '../../protocol/records.js';
import type { SessionPaths } from '../../util/paths.js';
import { call } from '../../client/call.js';
import { followLoop } from '../follow.js';
import { jsonLine, type Output } from '../output.js';
import { consoleLine, issueLine, renderConsoleDetails } from '../render.js';
import type { RunnerTable } from '../runner.js';

/** Lines `console --follow` shows of the current view before following, when `--last` does not say. */
const FOLLOW_FIRST_LINES = 10;

export function messageLine(m: FoldedConsoleRecord): string {
  return `${consoleLine(m)}${m.count > 1 ? `  (×${m.count})` : ''}`;
}

/** Issues the plain view lists before pointing at `--issues` for the rest. */
const ISSUES_SHOWN = 8;

/** `12:03:04.567` (local time), for `--list`. */
function clock(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** The line between two page loads in a list: `─── Next page (navigation #2): http://… ───`. */
function navigationMarker(d: ConsoleListResult, index: number): string {
  const url = d.navigations?.find((n) => n.index === index)?.url;
  return `─── Next page (navigation #${index})${url !== null && url !== undefined ? `: ${url}` : ''} ───`;
}

function issuesBlock(d: ConsoleListResult): string[] {
  const total = d.issues.length + d.issuesDropped;
  if (total === 0) return [];
  const shown = d.level === null && !d.list && d.issues.length > ISSUES_SHOWN ? d.issues.slice(-ISSUES_SHOWN) : d.issues;
  const where = d.history ? 'all page loads' : 'this page load';
  const lines = ['', `Chrome Issues (${total}, ${where}):`, ...shown.map((i) => issueLine(i))];
  const more = d.issues.length - shown.length;
  if (more > 0) lines.push(`  +${more} more: bdg console --issues`);
  if (d.issuesDropped > 0) lines.push(`  (${d.issuesDropped} older dropped from the buffer)`);
  return lines;
}

export function renderConsole(d: ConsoleListResult, onlyIssues = false): string {
  if (onlyIssues) {
    const where = d.history ? 'all page loads' : d.navigation !== null ? `current page ${d.navigation.url}` : 'current page';
    const lines = [`Chrome Issues (${where}): ${d.issues.length}${d.issuesDropped > 0 ? `, ${d.issuesDropped} older dropped` : ''}`];
    let nav: number | undefined;
    for (const i of d.issues) {
      if (d.history && nav !== undefined && i.navigation !== nav) lines.push(navigationMarker(d, i.navigation));
      nav = i.navigation;
      lines.push(issueLine(i, true));
    }
    if (d.issues.length === 0) lines.push('  (none)');
    return lines.join('\n');
  }
  const notes: string[] = [];
  if (d.errors > 0) notes.push(plural(d.errors, 'error'));
  if (d.messages.length < d.matched) notes.push(`${plural(d.messages.length, 'line')} shown`);
  if (d.stats.dropped > 0) notes.push(`${d.stats.dropped} older dropped from the buffer`);
  const level = d.level !== null ? ` at level ${d.level} or above` : '';
  const where = d.history ? 'all navigations' : d.navigation !== null ? `current page ${d.navigation.url}` : 'current page';
  const lines = [`Console (${where}): ${plural(d.matched, 'message')}${level}${notes.length > 0 ? `, ${notes.join(', ')}` : ''}`];
  if (d.messages.length === 0) lines.push('  (none)');
  let nav: number | undefined;
  for (const m of d.messages) {
    if (d.list) {
      // The original bdg's --list: every message in order, a marker where the next page load's begin.
      if (nav !== undefined && m.navigation !== nav) lines.push('', navigationMarker(d, m.navigation), '');
      nav = m.navigation;
      lines.push(consoleLine(m).replace(/^( {2}\S+\s+\S+\s+)/, (head) => `${head}${clock(m.timestamp)}  `));
      continue;
    }
    if (d.history && m.navigation !== nav) {
      nav = m.navigation;
      const url = d.navigations?.find((n) => n.index === nav)?.url;
      lines.push(`-- navigation ${nav}${url !== null && url !== undefined ? `: ${url}` : ''}`);
    }
    lines.push(messageLine(m));
  }
  const more = omittedLine(d.omitted, 'message');
  if (more !== '') lines.push(more);
  // As in the original bdg, --level asks for messages of some levels only: the Issues block is left out.
  if (d.level === null) lines.push(...issuesBlock(d));
  lines.push('', `More: bdg details console <id>${d.history ? '' : ' | bdg console --history'}${d.list ? '' : ' | bdg console --list'}`);
  return lines.join('\n');
}

/** `console --follow`: prints the current view, then each new message as it arrives, marking navigations. */
function followConsole(paths: SessionPaths, params: ParamsOf<'console'>, out: Output): Promise<number> {
  let nav: number | undefined;
  let since = 'c0';
  let lastIssue = 0;
  return followLoop(out, 500, async (first) => {
    // The first round shows the current view (level, history, last N); later rounds everything newer.
    const level = params.level !== undefined ? { level: params.level } : {};
    const request: InputOf<'console'> = first
      ? { ...level, history: params.history, last: params.last ?? FOLLOW_FIRST_LINES }
      : { ...level, history: true, since, full: true };
    const data = await call(paths, 'console', request);
    if (first) {
      nav = data.navigation?.index;
      if (!out.json) out.note('Following console messages; Ctrl-C to stop.');
    }
    let text = '';
    for (const m of data.messages) {
      if (!first && m.navigation !== nav && !out.json) {
        const url = data.navigations?.find((n) => n.index === m.navigation)?.url;
        text += `-- navigation ${m.navigation}${url !== null && url !== undefined ? `: ${url}` : ''}\n`;
      }
      nav = m.navigation;
      text += out.json ? jsonLine({ type: 'console', item: m }) : `${messageLine(m)}\n`;
    }
    // New Chrome Issues as they are reported (repeats fold into their first report, printed once), unless --level.
    for (const i of params.level === undefined ? data.issues : []) {
      const seq = Number(i.id.slice(1));
      if (seq <= lastIssue) continue;
      lastIssue = seq;
      text += out.json ? jsonLine({ type: 'issue', item: i }) : `${issueLine(i)}\n`;
    }
    if (data.latestId !== null) since = data.latestId;
    return text;
  });
}

export const CONSOLE_RUNNERS: RunnerTable<InFamily<'console'>> = {
  console: async (paths, params, out) => {
    if (params.follow) return followConsole(paths, params, out);
    const { follow: _f, ...req } = params;
    const data = await call(paths, 'console', req);
    return out.success(data, () => renderConsole(data, params.issues));
  },
  'console.wait': async (paths, params, out) => {
    const data = await call(paths, 'console.wait', params);
    return out.success(data, () => `Matched after ${data.waitedMs} ms:\n${renderConsoleDetails(data.item)}`);
  },
};
