import type { InFamily, InputOf, ParamsOf } from '../../protocol/commands.js';
import { omittedLine, plural } from '../../util/bounded.js';
import type { ConsoleListResult } from '../../protocol/commands/console.js';
import type { FoldedConsoleRecord } from '../../protocol/records.js';
import type { SessionPaths } from '../../util/paths.js';
import { call } from '../../client/call.js';
import { followLoop } from '../follow.js';
import { jsonLine, type Output } from '../output.js';
import { consoleLine, renderConsoleDetails } from '../render.js';
import type { RunnerTable } from '../runner.js';

/** Lines `console --follow` shows of the current view before following, when `--last` does not say. */
const FOLLOW_FIRST_LINES = 10;

export function messageLine(m: FoldedConsoleRecord): string {
  return `${consoleLine(m)}${m.count > 1 ? `  (×${m.count})` : ''}`;
}

export function renderConsole(d: ConsoleListResult): string {
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
    if (d.history && m.navigation !== nav) {
      nav = m.navigation;
      const url = d.navigations?.find((n) => n.index === nav)?.url;
      lines.push(`-- navigation ${nav}${url !== null && url !== undefined ? `: ${url}` : ''}`);
    }
    lines.push(messageLine(m));
  }
  const more = omittedLine(d.omitted, 'message');
  if (more !== '') lines.push(more);
  lines.push('', `More: bdg details console <id>${d.history ? '' : ' | bdg console --history'}`);
  return lines.join('\n');
}

/** `console --follow`: prints the current view, then each new message as it arrives, marking navigations. */
function followConsole(paths: SessionPaths, params: ParamsOf<'console'>, out: Output): Promise<number> {
  let nav: number | undefined;
  let since = 'c0';
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
    if (data.latestId !== null) since = data.latestId;
    return text;
  });
}

export const CONSOLE_RUNNERS: RunnerTable<InFamily<'console'>> = {
  console: async (paths, params, out) => {
    if (params.follow) return followConsole(paths, params, out);
    const { follow: _f, ...req } = params;
    const data = await call(paths, 'console', req);
    return out.success(data, () => renderConsole(data));
  },
  'console.wait': async (paths, params, out) => {
    const data = await call(paths, 'console.wait', params);
    return out.success(data, () => `Matched after ${data.waitedMs} ms:\n${renderConsoleDetails(data.item)}`);
  },
};
