import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, lstatSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve as resolvePath } from 'node:path';
import type { Readable } from 'node:stream';
import type { DaemonConfig, ReadyMessage } from '../protocol/messages.js';
import { FrameDecoder, MAX_RESPONSE_FRAME } from '../protocol/framing.js';
import type { ParamsOf } from '../protocol/commands.js';
import type { StartedResult } from '../protocol/commands/session.js';
import { parseViewport, type EmulationState } from '../protocol/emulation.js';
import { BdgError, toBdgError } from '../util/errors.js';
import { ensureDir, ensurePrivateDir, sessionFileError } from '../util/fsx.js';
import { acquireLock, newOwner, releaseLock, readLock, type LockOwner } from '../util/lock.js';
import { isPidAlive, isSameProcessAlive, killQuietly } from '../util/proc.js';
import { MAX_SOCKET_PATH, type SessionPaths } from '../util/paths.js';
import { normalizeUrl } from '../util/url.js';
import { NoDaemonError, request } from '../ipc/client.js';
import { splitFlags } from '../util/flags.js';
import { withDaemonMalloc } from '../util/mallocEnv.js';
import { rotateSessionFile, HISTORY_DIR, HISTORY_LIMITS } from '../util/sessionHistory.js';
import { reapGridSession } from './grid.js';
import { idleTimeoutSec, ownerOf } from './lifetime.js';
import { remoteStart } from './remote.js';
import { cleanStale, findOurChromes, inspectFiles, removeEntry } from './state.js';
import { settleSharedBrowser } from './sharedBrowsers.js';
import { DEFAULT_SHARED_BROWSER, isValidBrowserName, registryDir } from '../util/browserRegistry.js';
import { sleep } from '../util/sleep.js';

function daemonPath(): string {
  return process.env['BDG_DAEMON_PATH'] ?? fileURLToPath(new URL('./daemon.js', import.meta.url));
}

/**
 * Node/V8 flags of the daemon process. --optimize-for-size keeps V8's heap close to what is in use (young generation
 * included), and --expose-gc lets the daemon run one full collection once a burst of telemetry is over
 * (daemon/heapTrim.ts): together 140 MB -> 82 MB RSS after the 10,000-request page (bench/README.md, "Daemon memory").
 * --max-opt=1 stops at the baseline compiler: TurboFan's code pages and its compile threads' malloc arenas were about
 * 10 MB of the daemon's RSS after that page, and its CPU over the burst stayed within the noise (the daemon waits on
 * Chrome, it does not compute).
 */
const DAEMON_NODE_FLAGS: readonly string[] = ['--optimize-for-size', '--expose-gc', '--max-opt=1'];

function defaultHeadless(): boolean {
  if (process.platform !== 'linux') return false;
  const display = process.env['DISPLAY'] ?? process.env['WAYLAND_DISPLAY'];
  return display === undefined || display === '';
}

/** Is a daemon answering on the socket? Returns its status, or undefined. A version mismatch is reported as such. */
async function liveDaemon(paths: SessionPaths): Promise<{ status?: Record<string, unknown>; mismatch?: boolean } | undefined> {
  try {
    const res = await request(paths.file('socket'), 'status', {}, { timeoutMs: 3_000, retryBusyMs: 3_000 });
    if (res.ok) return { status: res.result as Record<string, unknown> };
    if ((res.error.data as { versionMismatch?: boolean } | undefined)?.versionMismatch === true) return { mismatch: true };
    return { status: {} };
  } catch (err) {
    if (err instanceof NoDaemonError) return undefined;
    if (err instanceof BdgError && err.code === 'TIMEOUT') return { status: {} };
    return undefined;
  }
}

/** Stops a daemon of another bdg version, which cannot understand our requests, by signal (verified identity). */
async function replaceOldDaemon(paths: SessionPaths, out: StartReporter): Promise<void> {
  const lock = readLock(paths.file('lock'));
  if (lock === null || lock === 'corrupt' || !isSameProcessAlive(lock)) return;
  out.note(`Stopping a daemon from another bdg version (pid ${lock.pid}) before starting a new session.`);
  killQuietly(lock.pid, 'SIGTERM');
  for (let i = 0; i < 100 && isPidAlive(lock.pid); i++) await sleep(50);
  if (isPidAlive(lock.pid)) killQuietly(lock.pid, 'SIGKILL');
}

function alreadyRunning(status: Record<string, unknown>): BdgError {
  // The daemon answers on its socket before its first page has loaded; until then the session is still starting.
  if (status['starting'] === true) {
    return new BdgError(
      'DAEMON_ALREADY_STARTING',
      `Another bdg is starting a session right now (pid ${typeof status['pid'] === 'number' ? status['pid'] : '?'}); its first page is still loading`,
      'Wait a moment, then `bdg status`.',
      { pid: status['pid'] ?? null },
    );
  }
  const page = status['page'] as { url?: string } | undefined;
  const url = page?.url ?? 'unknown page';
  return new BdgError(
    'ALREADY_EXISTS',
    `A session is already running (daemon pid ${typeof status['pid'] === 'number' ? status['pid'] : '?'}) at ${url}`,
    'Use it (`bdg status`, `bdg peek`), or `bdg stop` first to start a new one.',
    { pid: status['pid'] ?? null, url },
  );
}

function readFirstMessage(stream: Readable, onProgress: (m: string) => void): Promise<ReadyMessage | undefined> {
  return new Promise((resolve) => {
    // The daemon's answers to this CLI, so the bound of its answers on the socket.
    const frames = new FrameDecoder(MAX_RESPONSE_FRAME);
    stream.on('data', (chunk: Buffer) => {
      let parsed: ReturnType<FrameDecoder['push']>;
      try {
        parsed = frames.push(chunk);
      } catch {
        resolve(undefined); // a frame past the limit is not a start-up message
        return;
      }
      for (const frame of parsed) {
        if (!frame.ok || typeof frame.value !== 'object' || frame.value === null) continue; // ignore noise
        const msg = frame.value as ReadyMessage;
        if (msg.type === 'progress') onProgress(msg.message);
        else {
          resolve(msg);
          return;
        }
      }
    });
    stream.on('end', () => resolve(undefined));
    stream.on('error', () => resolve(undefined));
  });
}

/**
 * `--shared-browser NAME`: the registry directory of that shared browser under the session's base. The options
 * that choose a browser of the session's own cannot go with it (INVALID_ARGUMENTS).
 */
function sharedBrowserOf(paths: SessionPaths, params: ParamsOf<'start'>): { name: string; dir: string } | undefined {
  const name = params.sharedBrowser;
  if (name === undefined) return undefined;
  if (!isValidBrowserName(name)) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `Invalid shared browser name ${JSON.stringify(name)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'`,
      `For example: --shared-browser team (or --shared-browser alone for "${DEFAULT_SHARED_BROWSER}").`,
    );
  }
  const clash = [
    params.chromeWsUrl !== undefined ? '--chrome-ws-url' : undefined,
    params.grid !== undefined ? '--grid' : undefined,
    params.userDataDir !== undefined ? '--user-data-dir' : undefined,
    params.port !== 0 ? '--port' : undefined,
  ].filter((f) => f !== undefined);
  if (clash.length > 0) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `--shared-browser cannot be combined with ${clash.join(', ')}: the shared Chrome has its own profile and picks its own port`,
      'Drop those options, or drop --shared-browser to give the session a browser of its own.',
    );
  }
  return { name, dir: registryDir(paths.base, name) };
}

/** How a front-end hears about a start while it happens (the CLI prints these on stderr). */
export interface StartReporter {
  /** Something the user should know: stale files removed, an old daemon replaced. */
  note(message: string): void;
  /** The daemon's progress messages while it starts; omit to hear none. */
  progress?: (message: string) => void;
  /** Called once when the start takes longer than a moment (the CLI says "Starting Chrome ..." on a terminal). */
  slow?: (url: string) => void;
}

export interface StartResult {
  data: StartedResult;
  notes: string[];
  /** Where the previous session's session.json was kept (history/...), or null when there was none. */
  previousSessionFile: string | null;
}

export interface StartOptions {
  /** Aborting it cancels the start: the daemon and Chrome are ended and the lock released; the reason names the signal. */
  signal?: AbortSignal;
}

function interrupted(signal: AbortSignal): BdgError {
  const name = typeof signal.reason === 'string' ? signal.reason : 'interrupt';
  return new BdgError('INTERRUPTED', `The start was interrupted (${name}) and cancelled: no session is running`, 'Run `bdg <url>` again to start a session.', {
    signal: name,
  });
}

function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw interrupted(signal);
}

/** True when `p` settles within `ms`; the timer is cleared either way, so it never holds the CLI's exit back. */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * Ends a daemon that is still starting, and everything it started. A Chrome we launched follows the daemon through
 * its pipe, so SIGKILL is enough and immediate: a start that was cancelled has collected nothing worth a
 * session.json, and the daemon's graceful path would first spend up to 3 s on a DOM snapshot of a page that is
 * still loading. Attached to someone's Chrome (`gentle`), the daemon gets SIGTERM first so that it closes the tab
 * it opened there, and SIGKILL after 5 s. A browser of this session directory that lingers is killed; then the
 * lock (ours if the daemon never took it over, stale once it died holding it) and the daemon's files are removed.
 */
async function endStartingDaemon(child: ChildProcess, exited: Promise<unknown>, paths: SessionPaths, owner: LockOwner, gentle: boolean): Promise<void> {
  const pid = child.pid;
  if (pid !== undefined) {
    killQuietly(pid, gentle ? 'SIGTERM' : 'SIGKILL');
    if (!(await within(exited, gentle ? 5_000 : 2_000)) && gentle) {
      killQuietly(pid, 'SIGKILL');
      await within(exited, 2_000);
    }
  }
  for (let i = 0; i < 60 && findOurChromes(paths, true).length > 0; i++) await sleep(50);
  for (const chrome of findOurChromes(paths, true)) killQuietly(chrome, 'SIGKILL');
  for (let i = 0; i < 40 && findOurChromes(paths, true).length > 0; i++) await sleep(50);
  releaseLock(paths.file('lock'), owner);
  const state = inspectFiles(paths);
  if (state.liveLock === undefined) cleanStale(paths, state);
  // A --grid daemon killed before it could delete its WebDriver session left it recorded.
  if (state.liveLock === undefined) await reapGridSession(paths);
}

/**
 * Makes sure the daemon can create its log and session.json: a directory (only when empty), FIFO or socket where
 * one of them belongs is stale junk and removed; opening a FIFO for the log would block for ever.
 */
function clearFileSlot(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.isDirectory() || st.isFIFO() || st.isSocket()) removeEntry(path);
}

/**
 * `bdg <url>`: exactly one daemon per session directory. A live daemon answers -> 84; a live lock holder that
 * does not answer yet -> 86; otherwise we take daemon.lock, clean stale leftovers, keep the previous session.json,
 * spawn the daemon detached and wait on its start-up pipe until the page has loaded (or it reports why it could
 * not). Aborting `opts.signal` cancels the start (INTERRUPTED). A file-system failure anywhere on the way is
 * SESSION_FILE_ERROR naming the path.
 */
export async function startSession(paths: SessionPaths, params: ParamsOf<'start'>, out: StartReporter, opts: StartOptions = {}): Promise<StartResult> {
  try {
    return await start(paths, params, out, opts.signal);
  } catch (err) {
    throw sessionFileError(err) ?? toBdgError(err);
  }
}

/** The emulation the start options ask for; invalid values fail before anything starts (81). */
function startEmulation(params: ParamsOf<'start'>): EmulationState | undefined {
  const e: EmulationState = {};
  if (params.viewport !== undefined) e.viewport = parseViewport(params.viewport);
  if (params.colorScheme !== undefined) e.colorScheme = params.colorScheme;
  if (params.mobile) e.mobile = true;
  if (params.userAgent !== undefined) e.userAgent = params.userAgent;
  return Object.keys(e).length > 0 ? e : undefined;
}

async function start(paths: SessionPaths, params: ParamsOf<'start'>, out: StartReporter, signal: AbortSignal | undefined): Promise<StartResult> {
  const url = normalizeUrl(params.url);
  const chromeFlags = params.chromeFlags !== undefined ? splitFlags(params.chromeFlags) : [];
  const emulation = startEmulation(params);
  const idle = idleTimeoutSec(params);
  const sessionOwner = ownerOf(params);
  const remote = remoteStart(params);
  const shared = sharedBrowserOf(paths, params);
  // Checked before anything starts, so a missing file costs no Chrome launch; the daemon reads it.
  const stateFile = params.state !== undefined ? resolvePath(params.state) : undefined;
  if (stateFile !== undefined && !existsSync(stateFile))
    throw new BdgError('NOT_FOUND', `No state file ${stateFile}`, 'Write one with `bdg state save FILE` in a session.');
  ensurePrivateDir(paths.dir);
  const maxSocketPath = MAX_SOCKET_PATH;
  if (Buffer.byteLength(paths.file('socket')) > maxSocketPath) {
    throw new BdgError(
      'SESSION_FILE_ERROR',
      `The session directory's path is too long for a Unix socket (${Buffer.byteLength(paths.file('socket'))} bytes for daemon.sock; at most ${maxSocketPath})`,
      'Set BDG_SESSION_DIR to a shorter path.',
    );
  }

  const live = await liveDaemon(paths);
  if (live?.mismatch === true) await replaceOldDaemon(paths, out);
  else if (live?.status !== undefined) throw alreadyRunning(live.status);
  throwIfInterrupted(signal);

  const owner = newOwner(process.pid, 'starter');
  const acquired = acquireLock(paths.file('lock'), owner);
  if (!acquired.ok) {
    const again = await liveDaemon(paths);
    if (again?.status !== undefined) throw alreadyRunning(again.status);
    throw new BdgError(
      'DAEMON_ALREADY_STARTING',
      `Another bdg is starting a session right now (pid ${acquired.holder.pid})`,
      'Wait a moment, then `bdg status`.',
      { pid: acquired.holder.pid },
    );
  }

  const notes: string[] = [];
  try {
    // We hold the lock, so nothing else is starting; whatever a dead daemon left is stale.
    const state = inspectFiles(paths);
    state.liveLock = undefined;
    state.staleLock = undefined;
    for (const stale of acquired.brokeStale) {
      notes.push(
        stale === 'corrupt' ? 'Removed an unreadable daemon.lock.' : `Removed a stale daemon.lock (pid ${stale.pid} is no longer the process that took it).`,
      );
    }
    notes.push(...cleanStale(paths, state).messages, ...(await reapGridSession(paths)));
    clearFileSlot(paths.file('log'));
    clearFileSlot(paths.file('output'));
    // The daemon writes session.json when this session ends: keep the previous one first.
    const rotated = await rotateSessionFile(paths.dir);
    if (rotated.kept !== undefined) notes.push(`Kept the previous session's data as ${rotated.kept}; session.json will hold this session's.`);
    if (rotated.pruned.length > 0) {
      notes.push(
        `Removed ${rotated.pruned.length === 1 ? 'the oldest kept session file' : `the ${rotated.pruned.length} oldest kept session files`} from ${HISTORY_DIR}/ (at most ${HISTORY_LIMITS.maxFiles} files and ${HISTORY_LIMITS.maxBytes / 1024 / 1024} MB are kept).`,
      );
    }
    for (const n of notes) out.note(n);
    // Made here, bounded: the daemon's own mkdir is recursive, which never returns for a path under /proc/self.
    if (shared !== undefined) ensurePrivateDir(shared.dir);
    else if (params.grid === undefined) ensureDir(params.userDataDir ?? paths.file('profile'), 'Chrome profile directory');
    throwIfInterrupted(signal);

    const loadTimeoutMs = Math.round(params.loadTimeout * 1000);
    const config: DaemonConfig = {
      sessionDir: paths.dir,
      url,
      // A Grid's browser runs on another machine: headless unless asked otherwise, whatever display is here.
      headless: params.headless ?? (params.grid !== undefined ? true : defaultHeadless()),
      port: params.port,
      chromeFlags,
      includeAll: params.all,
      maxBodyBytes: Math.round(params.maxBodySize * 1024 * 1024),
      loadTimeoutMs,
      starterNonce: owner.nonce,
    };
    if (params.timeout !== undefined && params.timeout > 0) config.timeoutSec = params.timeout;
    if (paths.name !== null) config.sessionName = paths.name;
    config.idleTimeoutSec = idle;
    if (sessionOwner !== undefined) config.owner = sessionOwner;
    if (params.userDataDir !== undefined) config.userDataDir = params.userDataDir;
    Object.assign(config, remote.config);
    if (shared !== undefined) config.sharedBrowser = shared;
    if (emulation !== undefined) config.emulation = emulation;
    if (stateFile !== undefined) config.stateFile = stateFile;
    if (params.dialog !== undefined) config.dialog = params.dialog;
    if (params.promptText !== undefined) config.promptText = params.promptText;

    // The daemon's own stderr goes to daemon.log so even a crash before its logger exists leaves a trace.
    // O_NONBLOCK: should daemon.log lead to a FIFO after all, the open fails (ENXIO) instead of waiting for a reader.
    const logFd = openSync(paths.file('log'), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o600);
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, daemonPath(), JSON.stringify(config)], {
      detached: true,
      stdio: ['ignore', 'ignore', logFd, 'pipe'],
      env: withDaemonMalloc({ ...process.env, BDG_SESSION_DIR: paths.dir, ...remote.env }),
      shell: false,
    });
    closeSync(logFd);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const slow = out.slow;
    const progressTimer = slow !== undefined ? setTimeout(() => slow(url), 1_500) : undefined;
    const deadlineMs = loadTimeoutMs + 45_000;
    let deadline: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const msg = await Promise.race([
      readFirstMessage(child.stdio[3] as Readable, (m) => {
        out.progress?.(m);
      }),
      new Promise<'timeout'>((r) => {
        deadline = setTimeout(() => r('timeout'), deadlineMs);
      }),
      new Promise<'aborted'>((r) => {
        onAbort = () => r('aborted');
        if (signal?.aborted === true) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    clearTimeout(deadline);
    clearTimeout(progressTimer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    (child.stdio[3] as Readable).destroy();
    if (msg === 'aborted' || msg === 'timeout') {
      await endStartingDaemon(child, exited, paths, owner, params.chromeWsUrl !== undefined || params.grid !== undefined);
      // A daemon killed while it joined (or launched) a shared browser leaves a member file, maybe a Chrome nobody uses.
      if (shared !== undefined) for (const m of settleSharedBrowser(paths.base, shared.name).messages) out.note(m);
      if (msg === 'aborted' && signal !== undefined) throw interrupted(signal);
      throw new BdgError(
        'TIMEOUT',
        `The session did not start within ${Math.round(deadlineMs / 1000)} s; it was cancelled`,
        `See ${paths.file('log')}; raise --load-timeout for slow pages.`,
      );
    }
    if (msg === undefined) {
      const code = (await within(exited, 2_000)) ? await exited : null;
      throw new BdgError(
        'SOFTWARE_ERROR',
        `The daemon exited during start-up${code !== null ? ` (exit code ${code})` : ''}`,
        `See ${paths.file('log')} for details.`,
      );
    }
    if (msg.type === 'error') throw BdgError.from(msg.error);
    if (msg.type !== 'ready') throw new BdgError('SOFTWARE_ERROR', 'The daemon sent an unexpected start-up message');
    child.unref();
    return { data: msg.result, notes, previousSessionFile: rotated.kept ?? null };
  } catch (err) {
    // The daemon removes the lock it took over; if it never did, the lock is still ours.
    releaseLock(paths.file('lock'), owner);
    throw err;
  }
}
