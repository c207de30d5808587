import { readFileSync } from 'node:fs';
import { ConnectionLostError, DaemonConnection, NoDaemonError, request, unresponsiveError } from '../ipc/client.js';
import { findCommand, type DaemonCommandName, type InputOf, type ResultOf } from '../protocol/commands.js';
import type { DaemonInfo } from '../protocol/messages.js';
import { PROTOCOL_VERSION, VERSION } from '../protocol/version.js';
import { BdgError } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import { SessionPaths } from '../util/paths.js';
import { reapGridSession } from './grid.js';
import { cleanStale, inspectFiles, type FileState } from './state.js';

/**
 * A session reached over one persistent connection (`bdg batch`): `call()` sends on it instead of opening a socket
 * per request. It is a SessionPaths, so the runners take it unchanged; `close()` when done.
 */
export class ConnectedSession extends SessionPaths {
  readonly connection: DaemonConnection;
  constructor(dir: string) {
    super(dir);
    this.connection = new DaemonConnection(this.file('socket'));
  }
  close(): void {
    this.connection.close();
  }
}

export function noSession(paths: SessionPaths, cleaned: string[]): BdgError {
  return new BdgError(
    'NOT_FOUND',
    `No session is running${cleaned.length > 0 ? ` (${cleaned.join(' ')})` : ''}`,
    `Start one with \`bdg <url>${paths.flag}\`.`,
    { sessionDir: paths.dir, cleaned },
  );
}

/** When the socket does not answer: a session starting (lock held by a live process), or stale files to clean. */
export function afterNoAnswer(paths: SessionPaths): { starting: FileState['liveLock']; messages: string[] } {
  const state = inspectFiles(paths);
  if (state.liveLock !== undefined) return { starting: state.liveLock, messages: [] };
  return { starting: undefined, messages: cleanStale(paths, state).messages };
}

/** The pid in daemon.pid, for messages about a daemon that does not answer. */
function daemonPid(paths: SessionPaths): number | undefined {
  try {
    const n = Number(readFileSync(paths.file('pid'), 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Client-side deadline for a command: a little longer than the daemon's own budget from the contract, so the
 * daemon's answer (with its better message) arrives first; commands without a budget use the socket default.
 */
function clientTimeout(cmd: DaemonCommandName): number | undefined {
  const ms = findCommand(cmd)?.timeoutMs;
  return ms !== undefined ? ms + 5_000 : undefined;
}

/**
 * Sends one request (on the session's persistent connection when it has one) and returns its result, typed by the
 * contract; maps "no daemon" to NOT_FOUND (after cleaning stale files) or DAEMON_ALREADY_STARTING.
 */
export async function call<N extends DaemonCommandName>(paths: SessionPaths, cmd: N, params: InputOf<N>, timeoutMs = clientTimeout(cmd)): Promise<ResultOf<N>> {
  try {
    const opts = timeoutMs !== undefined ? { timeoutMs } : {};
    const res = paths instanceof ConnectedSession ? await paths.connection.request(cmd, params, opts) : await request(paths.file('socket'), cmd, params, opts);
    if ((res.daemon as Partial<DaemonInfo> | undefined)?.protocol !== PROTOCOL_VERSION) {
      throw new BdgError(
        'SOFTWARE_ERROR',
        `The running daemon is from another bdg version (${String(res.daemon?.version ?? 'unknown')}, protocol ${String(res.daemon?.protocol ?? '?')}); this bdg is ${VERSION} (protocol ${PROTOCOL_VERSION})`,
        'Run `bdg <url>` to replace it with a daemon of this version, or `bdg cleanup --force`.',
        { versionMismatch: true },
      );
    }
    if (!res.ok) throw BdgError.from(res.error);
    // The daemon's handler for `cmd` is typed against the same contract entry (HandlerTable), so this is the
    // result it returned; the socket in between is the one place the compiler cannot follow it.
    return res.result as ResultOf<N>;
  } catch (err) {
    if (err instanceof BdgError && (err.data as { daemonUnresponsive?: boolean } | undefined)?.daemonUnresponsive === true) {
      throw unresponsiveError(cmd, (err.data as { waitedMs: number }).waitedMs, daemonPid(paths));
    }
    const lost = err instanceof ConnectionLostError;
    if (!(err instanceof NoDaemonError) && !lost && !(err instanceof Error && (err as { code?: string }).code === 'ECONNRESET')) throw err;
    let { starting, messages } = afterNoAnswer(paths);
    // A daemon killed while it held our request takes a moment to finish dying; judge it once it has.
    for (let i = 0; lost && starting !== undefined && i < 50; i++) {
      await sleep(20);
      ({ starting, messages } = afterNoAnswer(paths));
    }
    if (starting !== undefined) {
      if (lost)
        throw new BdgError(
          'SOFTWARE_ERROR',
          `The daemon (pid ${starting.pid}) closed the connection before answering ${cmd}`,
          'See daemon.log in the session directory; `bdg status` tells whether the session is still usable.',
        );
      throw new BdgError('DAEMON_ALREADY_STARTING', `A session is starting (pid ${starting.pid}) and not answering yet`, 'Retry in a moment.');
    }
    // A --grid daemon that died left its WebDriver session on the Grid: delete it now that it is known dead.
    messages.push(...(await reapGridSession(paths)));
    if (lost) {
      // The daemon died while it had our request: say so, with what the clean-up found, rather than "no session".
      throw new BdgError(
        'NOT_FOUND',
        `The session ended before answering ${cmd}${messages.length > 0 ? `: ${messages.join(' ')}` : ''}`,
        'Start a new one with `bdg <url>`; session.json may hold what was collected.',
        { sessionDir: paths.dir, lost: true, cleaned: messages },
      );
    }
    throw noSession(paths, messages);
  }
}
