/** Runners that act on every session under the base directory: `bdg sessions`, `bdg stop --all`, `bdg cleanup --all`. */
import { boundListing, omittedLine, plural, type BoundedFields } from '../../util/bounded.js';
import { specOf } from '../../protocol/commands.js';
import type { ParamsOf } from '../../protocol/commands.js';
import { BdgError } from '../../util/errors.js';
import type { SessionPaths } from '../../util/paths.js';
import { cleanupAll, label, listSessions, stopAll, type SessionInfo } from '../../client/sessions.js';
import { listSharedBrowsers, type SharedBrowserSummary } from '../../client/sharedBrowsers.js';
import type { Output } from '../output.js';
import { formatBytes, seconds } from '../render.js';

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function endedAgo(iso: string): string {
  const ms = Date.now() - Date.parse(iso);
  return Number.isFinite(ms) ? `ended ${seconds(Math.max(0, ms / 1000))} ago` : '-';
}

/** The sessions as a table, with what was cleaned (or could not be asked) under each row. */
export function renderSessions(list: readonly SessionInfo[]): string {
  if (list.length === 0) return 'No sessions. Start one with: bdg <url> (or bdg <url> --session NAME)';
  const dash = (v: string | number | null): string => (v === null ? '-' : String(v));
  const rows = list.map((s) => [
    label(s.name),
    s.state,
    cut(s.url ?? '-', 48),
    dash(s.daemonPid),
    s.sharedBrowser !== null ? `${dash(s.chromePid)} shared:${s.sharedBrowser}` : dash(s.chromePid),
    s.ageSec !== null ? seconds(s.ageSec) : s.endedAt !== null ? endedAgo(s.endedAt) : '-',
    s.idleSec !== null ? `${seconds(s.idleSec)}${s.stopsInSec !== null ? ` (stops in ${seconds(s.stopsInSec)})` : ''}` : '-',
    s.daemonRssBytes !== null ? formatBytes(s.daemonRssBytes) : '-',
  ]);
  const head = ['NAME', 'STATE', 'URL', 'DAEMON', 'CHROME', 'AGE', 'IDLE', 'MEMORY'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ');
  const out = [line(head)];
  list.forEach((s, i) => {
    out.push(line(rows[i] as string[]));
    if (s.grid !== null) out.push(`    Grid ${s.grid.url}, WebDriver session ${s.grid.sessionId}`);
    for (const m of s.messages) out.push(`    ${m}`);
  });
  return out.join('\n');
}

/** The shared browsers under the table: their Chrome and the sessions in it. */
export function renderSharedBrowsers(browsers: readonly SharedBrowserSummary[]): string[] {
  return browsers.map(
    (b) =>
      `Shared browser "${b.name}": ${b.chromePid !== null ? `Chrome pid ${b.chromePid}` : 'no Chrome running'}, ${b.members.length === 0 ? 'no session' : `${b.members.length} session${b.members.length === 1 ? '' : 's'} (${b.members.map((m) => label(m.session)).join(', ')})`}, each in its own browser context`,
  );
}

export async function runSessions(paths: SessionPaths, params: ParamsOf<'sessions'>, out: Output): Promise<number> {
  const all = await listSessions(paths.base);
  // After the sessions: describing a stale one settles the shared browser it was in.
  const browsers = listSharedBrowsers(paths.base);
  // Computed here, not in a daemon: the listing's bound is applied as the dispatcher applies it to the others.
  const data = boundListing(specOf('sessions').listing, { base: paths.base, sessions: all, browsers }, params.full) as {
    base: string;
    sessions: SessionInfo[];
    browsers: SharedBrowserSummary[];
  } & BoundedFields;
  return out.success(data, () =>
    [renderSessions(data.sessions), omittedLine(data.omitted, 'session'), ...renderSharedBrowsers(data.browsers)].filter((l) => l !== '').join('\n'),
  );
}

export async function runStopAll(paths: SessionPaths, params: ParamsOf<'stop'>, out: Output): Promise<number> {
  const data = await stopAll(paths.base, params);
  const lines = [...data.messages];
  if (data.stopped.length > 0)
    lines.push(`Stopped ${data.stopped.length} session${data.stopped.length === 1 ? '' : 's'}: ${data.stopped.map((s) => label(s.session)).join(', ')}.`);
  else if (data.failed.length === 0) lines.push('No session was running.');
  for (const f of data.failed) lines.push(`Could not stop ${label(f.session)}: ${f.message}${f.hint !== undefined ? ` (${f.hint})` : ''}`);
  const first = data.failed[0];
  if (first !== undefined) {
    // Some stopped, some did not: the exit code is the first failure's, the document lists them all.
    const err = new BdgError(
      first.code,
      `${data.failed.length} of ${plural(data.failed.length + data.stopped.length, 'session')} could not be stopped: ${data.failed.map((f) => `${label(f.session)} (${f.message})`).join('; ')}`,
      'Retry `bdg stop --all`, or `bdg cleanup --all --force` to end them.',
    );
    if (!out.json) out.note(lines.join('\n'));
    return out.failure(err, { data });
  }
  return out.success(data, () => lines.join('\n'));
}

export async function runCleanupAll(paths: SessionPaths, params: ParamsOf<'cleanup'>, out: Output): Promise<number> {
  const data = await cleanupAll(paths.base, params);
  const lines = [...data.messages];
  for (const s of data.leftAlone) lines.push(`Left ${label(s.session)} alone: ${s.message}.`);
  for (const d of data.removedDirs) lines.push(`Removed the session directory ${d}.`);
  for (const f of data.failed) lines.push(`Could not clean ${label(f.session)}: ${f.message}`);
  if (params.aggressive) {
    const removed = data.sessions.flatMap((s) => s.removed);
    if (removed.length > 0) lines.push(`Removed: ${removed.join(', ')}`);
  }
  const first = data.failed[0];
  if (first !== undefined) {
    if (!out.json) out.note(lines.join('\n'));
    return out.failure(
      new BdgError(
        first.code,
        `Cleaning ${data.failed.length} session${data.failed.length === 1 ? '' : 's'} failed: ${data.failed.map((f) => `${label(f.session)} (${f.message})`).join('; ')}`,
        first.hint,
      ),
      { data },
    );
  }
  return out.success(data, () => (lines.length > 0 ? lines.join('\n') : 'Nothing to clean up.'));
}
