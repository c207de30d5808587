import type { ParamsOf, ResultOf } from '../protocol/commands.js';
import { request } from '../ipc/client.js';
import { BdgError } from '../util/errors.js';
import { isValidSessionName, MAX_SOCKET_PATH, namedSessionDir, SessionPaths, sessionBase } from '../util/paths.js';
import { isPidAlive, isSameProcessAlive, killQuietly } from '../util/proc.js';
import { removeHistory } from '../util/sessionHistory.js';
import { sleep } from '../util/sleep.js';
import { call } from './call.js';
import { reapGridSession } from './grid.js';
import { cleanStale, inspectFiles, removeSessionData } from './state.js';

/**
 * The session a command addresses. The base is `BDG_SESSION_DIR` (made absolute), else `~/.bdg`; without a name
 * the session is the base itself (the default session), with one it is `<base>/sessions/NAME/`. The name is
 * `name` (`--session`), else `BDG_SESSION`; an empty one counts as none. Every front-end resolves it here, so the
 * CLI, MCP and batch agree on which daemon they talk to. An invalid name, or one whose socket path would be too
 * long, is INVALID_ARGUMENTS.
 */
export function resolveSession(env: NodeJS.ProcessEnv = process.env, name?: string): SessionPaths {
  const base = sessionBase(env);
  const fromEnv = env['BDG_SESSION'];
  const chosen = name ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
  if (chosen === undefined) return new SessionPaths(base);
  const source = name !== undefined ? '--session' : 'BDG_SESSION';
  if (!isValidSessionName(chosen)) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `Invalid session name ${JSON.stringify(chosen)} (from ${source}): use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'`,
      'For example: --session agent-1 (or BDG_SESSION=agent-1).',
      { session: chosen },
    );
  }
  const paths = new SessionPaths(namedSessionDir(base, chosen), { name: chosen, base });
  const socketBytes = Buffer.byteLength(paths.file('socket'));
  if (socketBytes > MAX_SOCKET_PATH) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `The session name ${JSON.stringify(chosen)} makes the socket path too long (${socketBytes} bytes for ${paths.file('socket')}; at most ${MAX_SOCKET_PATH})`,
      'Use a shorter session name, or set BDG_SESSION_DIR to a shorter path.',
      { session: chosen },
    );
  }
  return paths;
}

/**
 * Stops the session and returns once its daemon is gone: the daemon answers once Chrome is gone and session.json
 * is on disk; waiting for the process itself too means an immediate `bdg <url>` does not find it still exiting.
 */
export async function stopSession(paths: SessionPaths, params: ParamsOf<'stop'>): Promise<ResultOf<'stop'>> {
  const lockBefore = inspectFiles(paths).liveLock;
  const data = await call(paths, 'stop', params, 40_000);
  if (lockBefore !== undefined) for (let i = 0; i < 100 && isSameProcessAlive(lockBefore); i++) await sleep(20);
  return data;
}

/** SIGTERM to the live daemon (verified by its lock), waiting up to 15 s for it to save what it can and exit. */
async function endBySignal(paths: SessionPaths): Promise<void> {
  const owner = inspectFiles(paths).liveLock;
  if (owner === undefined || !killQuietly(owner.pid, 'SIGTERM')) return;
  for (let i = 0; i < 750 && isSameProcessAlive(owner); i++) await sleep(20);
}

export interface CleanupResult {
  cleaned: boolean;
  removed: string[];
  killed: number[];
  messages: string[];
}

/**
 * Removes what dead sessions left (pid, socket, lock, orphan Chrome); a live session is left alone unless `force`,
 * and `aggressive` also removes session.json, the earlier sessions' files kept in history/, the log and the Chrome
 * profile bdg created.
 */
export async function cleanup(paths: SessionPaths, params: ParamsOf<'cleanup'>): Promise<CleanupResult> {
  const messages: string[] = [];
  const killed: number[] = [];
  let stoppedLive = false;
  try {
    const res = await request(paths.file('socket'), 'status', {}, { timeoutMs: 3_000, retryBusyMs: 2_000 });
    if (res.ok && !params.force) {
      const s = res.result as { pid: number; page: { url: string } };
      throw new BdgError(
        'ALREADY_EXISTS',
        `A session is running (daemon pid ${s.pid}) at ${s.page.url}; cleanup leaves live sessions alone`,
        'Use `bdg stop`, or `bdg cleanup --force` to end it.',
      );
    }
    if (params.force) {
      try {
        await call(paths, 'stop', {}, 15_000);
        stoppedLive = true;
        messages.push('Stopped the running session.');
      } catch (err) {
        // session.json cannot be written (a full disk), so `stop` keeps the session. A signal ends it anyway and the
        // daemon saves the data to a copy under the temp dir; its end note, reported below, says where.
        if (err instanceof BdgError && err.code === 'SESSION_FILE_ERROR') await endBySignal(paths);
        /* otherwise fall through to the forceful path */
      }
    }
  } catch (err) {
    if (err instanceof BdgError && err.code === 'ALREADY_EXISTS') throw err;
  }
  let state = inspectFiles(paths);
  if (state.liveLock !== undefined) {
    if (!params.force) {
      throw new BdgError(
        'DAEMON_ALREADY_STARTING',
        `A session is starting (pid ${state.liveLock.pid}); cleanup leaves it alone`,
        'Wait for it, or `bdg cleanup --force` to kill it.',
      );
    }
    const pid = state.liveLock.pid;
    killQuietly(pid, 'SIGKILL');
    for (let i = 0; i < 100 && isPidAlive(pid); i++) await sleep(20);
    killed.push(pid);
    messages.push(`Killed the unresponsive bdg process (pid ${pid}).`);
    state = inspectFiles(paths);
  }
  const report = cleanStale(paths, state, { scanProcesses: true });
  const reaped = await reapGridSession(paths);
  messages.push(...report.messages, ...reaped);
  killed.push(...report.killed);
  const removed = [...report.removed];
  if (params.aggressive) {
    // Let the processes just killed go before their profile is removed under them.
    for (let i = 0; i < 250 && killed.some((p) => isPidAlive(p)); i++) await sleep(20);
    removed.push(...removeSessionData(paths), ...(await removeHistory(paths.dir)));
  }
  return { cleaned: removed.length > 0 || killed.length > 0 || stoppedLive || reaped.length > 0, removed, killed, messages };
}
