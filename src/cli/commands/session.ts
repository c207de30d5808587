import { resolve } from 'node:path';
import { plural } from '../../util/bounded.js';
import type { ParamsOf } from '../../protocol/commands.js';
import { BdgError, toBdgError } from '../../util/errors.js';
import type { SessionPaths } from '../../util/paths.js';
import { call } from '../../client/call.js';
import { lastSession } from '../../client/lastSession.js';
import { cleanup, stopSession } from '../../client/session.js';
import { followLoop } from '../follow.js';
import { jsonLine, type Output } from '../output.js';
import { consoleLine, issueLine, networkLine, renderConsoleDetails, renderNetworkDetails, renderPeek, renderStatus, verboseNetworkLine } from '../render.js';
import type { RunnerTable, SessionCommand } from '../runner.js';

export async function runStatus(paths: SessionPaths, params: ParamsOf<'status'>, out: Output): Promise<number> {
  try {
    const data = await call(paths, 'status', params);
    return await out.success(data, () => renderStatus(data));
  } catch (err) {
    const e = toBdgError(err);
    if (e.code === 'DAEMON_ALREADY_STARTING') {
      return out.success({ running: false, active: false, starting: true, message: e.message }, () => e.message);
    }
    if (e.code !== 'NOT_FOUND' || (e.data as { sessionDir?: string } | undefined)?.sessionDir === undefined) throw e;
    // How the last session ended, so that one that stopped itself (idle timeout, owner gone) does not just vanish.
    const last = lastSession(paths);
    const data = { running: false, active: false, session: paths.name, sessionDir: paths.dir, message: e.message, lastSession: last ?? null };
    const which = paths.name !== null ? ` for session "${paths.name}"` : '';
    // Said for sessions that stopped themselves at a limit; a crash is reported once, by the clean-up's message.
    const selfStopped =
      last !== undefined && last.endedAt !== null && (last.endReason === 'idle-timeout' || last.endReason === 'owner-exited' || last.endReason === 'timeout');
    const ended = selfStopped
      ? `\nThe last session ended at ${last.endedAt} (${last.endDetail ?? last.endReason ?? 'unknown reason'}); its data: ${last.sessionFile}`
      : '';
    // No session is exit 83 (NOT_FOUND), in text and JSON alike, as in the original bdg: `bdg status && ...` reads
    // "a session is running". The JSON still carries what is known (the last session) as the error's data.
    const detail = e.message.startsWith('No session is running (') ? ` ${e.message.slice('No session is running ('.length, -1)}` : '';
    return out.failure(new BdgError('NOT_FOUND', `Daemon is not running${which}.${detail}${ended}`, `Start a session with: bdg <url>${paths.flag}`, data));
  }
}

function numericId(id: string): number {
  return Number(id.slice(1));
}

/** peek --follow / tail: poll the daemon and print what is new, until interrupted or the session ends. */
export function follow(
  paths: SessionPaths,
  params: Pick<ParamsOf<'peek'>, 'last' | 'network' | 'console'> & { verbose?: boolean },
  out: Output,
  intervalMs: number,
): Promise<number> {
  let lastNet = 0;
  let lastCon = 0;
  let lastIssue = 0;
  const verbose = params.verbose === true;
  return followLoop(out, intervalMs, async () => {
    const data = await call(paths, 'peek', { last: params.last, network: params.network, console: params.console, full: true });
    let text = '';
    for (const r of data.network ?? []) {
      if (numericId(r.id) <= lastNet || r.state === 'pending') continue;
      lastNet = numericId(r.id);
      text += out.json ? jsonLine({ type: 'network', item: r }) : `${verbose ? verboseNetworkLine(r) : networkLine(r)}\n`;
    }
    for (const c of data.console ?? []) {
      if (numericId(c.id) <= lastCon) continue;
      lastCon = numericId(c.id);
      text += out.json ? jsonLine({ type: 'console', item: c }) : `${consoleLine(c, verbose)}\n`;
    }
    // Issues fold repeats into their first report: each is printed once, when it first appears.
    for (const i of data.issues ?? []) {
      if (numericId(i.id) <= lastIssue) continue;
      lastIssue = numericId(i.id);
      text += out.json ? jsonLine({ type: 'issue', item: i }) : `${issueLine(i, verbose)}\n`;
    }
    return text;
  });
}

export async function runStop(paths: SessionPaths, params: ParamsOf<'stop'>, out: Output): Promise<number> {
  if (params.all) return (await import('./sessions.js')).runStopAll(paths, params, out);
  const data = await stopSession(paths, params);
  const file = data.sessionFile;
  // The daemon refuses a stop whose session.json did not land; an answer without a file is never a success.
  if (file === null)
    throw new BdgError(
      'SESSION_FILE_ERROR',
      `The session stopped but session.json was not written (${paths.file('output')})`,
      `See ${paths.file('log')} for the cause.`,
    );
  return out.success(data, () =>
    [
      `Session stopped.${data.chromeClosed ? ' Chrome closed.' : data.sharedBrowser === true ? ' Its browser context was closed; the shared Chrome keeps running for its other sessions.' : ' Chrome left running (attached).'}`,
      `Saved ${plural(data.network, 'request')} and ${plural(data.console, 'console message')} to ${file}`,
    ].join('\n'),
  );
}

export async function runCleanup(paths: SessionPaths, params: ParamsOf<'cleanup'>, out: Output): Promise<number> {
  if (params.all) return (await import('./sessions.js')).runCleanupAll(paths, params, out);
  const data = await cleanup(paths, params);
  const { messages, removed } = data;
  return out.success(data, () =>
    messages.length > 0 || removed.length > 0
      ? [...messages, ...(params.aggressive && removed.length > 0 ? [`Removed: ${removed.join(', ')}`] : [])].join('\n')
      : 'Nothing to clean up.',
  );
}

export const SESSION_RUNNERS: RunnerTable<SessionCommand> = {
  start: async (paths, params, out) => {
    // Loaded on demand: starting pulls in child_process and the lock code, which no other command needs.
    const { startSession } = await import('../../client/start.js');
    // Ctrl-C (or SIGTERM) while the page loads cancels the start instead of leaving the session starting behind
    // our back; a second signal while it is being cancelled changes nothing (the cancelling is bounded).
    const cancel = new AbortController();
    const onSignal = (name: NodeJS.Signals): void => {
      if (!cancel.signal.aborted) out.note(`Interrupted (${name}): cancelling the start …`);
      cancel.abort(name);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let started;
    try {
      started = await startSession(
        paths,
        params,
        {
          note: (m) => out.note(m),
          ...(out.json ? {} : { progress: (m: string) => out.note(m) }),
          ...(process.stderr.isTTY && !out.json ? { slow: (url: string) => out.note(`Starting Chrome and loading ${url} …`) } : {}),
        },
        { signal: cancel.signal },
      );
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const { previousSessionFile } = started;
    const data = { ...started.data, previousSessionFile, session: paths.name };
    const page = data.page;
    return out.success(data, () => {
      const lines = [`Session started: ${page.url}${page.title !== '' ? `  "${page.title}"` : ''}`];
      if (typeof data.errorText === 'string') lines.push(`Warning: the page did not load: ${data.errorText}`);
      if (data.loadTimedOut === true) lines.push('Warning: the page had not finished loading when the load timeout passed; telemetry keeps being collected.');
      for (const note of data.notes ?? []) lines.push(`Note: ${note}`);
      lines.push(
        `  daemon pid ${data.pid}, Chrome ${data.grid !== undefined ? `on the Grid ${data.grid.url} (WebDriver session ${data.grid.sessionId})` : data.attached ? 'attached' : `pid ${String(data.chromePid)}`}${data.port !== null ? `, DevTools port ${data.port}` : ''}`,
      );
      if (data.sharedBrowser !== null)
        lines.push(`  in shared browser "${data.sharedBrowser}", browser context ${data.browserContextId ?? '-'} (own cookies, storage, cache)`);
      lines.push(`Next: bdg peek${paths.flag} | bdg status${paths.flag} | bdg stop${paths.flag}`);
      return lines.join('\n');
    });
  },
  status: runStatus,
  peek: async (paths, params, out) => {
    if (params.follow) return follow(paths, params, out, 1000);
    const { follow: _follow, ...request } = params;
    const data = await call(paths, 'peek', request);
    return out.success(data, () => renderPeek(data, params.verbose));
  },
  tail: (paths, params, out) => follow(paths, params, out, params.interval),
  details: async (paths, params, out) => {
    if (params.from !== undefined) {
      // A journal is read here, without a daemon (the one that wrote it may have been killed).
      const file = resolve(process.cwd(), params.from);
      const { readJournal, detailsFrom } = await import('../../offline/journal.js');
      const data = detailsFrom(await readJournal(file), params.type, params.id, file);
      return out.success(data, () => (data.type === 'network' ? renderNetworkDetails(data.item) : renderConsoleDetails(data.item, undefined)));
    }
    const data = await call(paths, 'details', params);
    return out.success(data, () => (data.type === 'network' ? renderNetworkDetails(data.item) : renderConsoleDetails(data.item, data.expanded)));
  },
  stop: runStop,
  cleanup: runCleanup,
  // Loaded on demand, like the other session-wide commands (stop --all, cleanup --all).
  sessions: async (paths, params, out) => (await import('./sessions.js')).runSessions(paths, params, out),
};
