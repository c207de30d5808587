import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BdgError, errnoCode } from '../util/errors.js';
import { parseTempName, sessionFileError } from '../util/fsx.js';
import { breakStaleLock, isLockOwnerAlive, readLock, type LockOwner } from '../util/lock.js';
import { isPidAlive, killQuietly } from '../util/proc.js';
import { CHROME_SESSION_ENV, FILES, type SessionPaths } from '../util/paths.js';
import { platform } from '../platform/index.js';
import {
  HISTORY_DIR,
  JOURNAL_FILE,
  JOURNAL_FRAMES,
  JOURNAL_FRAMES_PREVIOUS,
  JOURNAL_PREVIOUS,
  journalHistoryName,
  journalStartedAt,
} from '../util/sessionHistory.js';
import { settleSharedBrowser, sharedBrowserOfMeta } from './sharedBrowsers.js';

/** What the files in a session directory say, once the socket did not answer. */
export interface FileState {
  /** A live process holds daemon.lock: a session is starting (or its daemon is alive but not answering). */
  liveLock: LockOwner | undefined;
  staleLock: LockOwner | 'corrupt' | undefined;
  pidFile: number | 'corrupt' | undefined;
  /** Something occupies the socket path (a socket, or anything else: file, FIFO, symlink, directory). */
  socketFile: boolean;
  chromePid: number | undefined;
  /** chrome.pid exists, readable or not. */
  chromePidFile: boolean;
  /** A note the daemon left when its session ended without `bdg stop` (Chrome crashed, connection lost). */
  endNote: { endReason: string; endDetail: string | null; endedAt: string; sessionFile: string | null; sessionFileError?: string } | undefined;
  metaFile: boolean;
  /** The shared browser (`--shared-browser`) the session was in, from session.meta.json. */
  sharedBrowser: string | undefined;
}

function readNumber(path: string): number | 'corrupt' | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    return 'corrupt';
  }
  const n = Number(raw.trim());
  return Number.isInteger(n) && n > 0 ? n : 'corrupt';
}

export function inspectFiles(paths: SessionPaths): FileState {
  const lock = readLock(paths.file('lock'));
  const live = lock !== null && lock !== 'corrupt' && isLockOwnerAlive(lock) ? lock : undefined;
  let endNote: FileState['endNote'];
  let metaFile = false;
  let sharedBrowser: string | undefined;
  try {
    const meta = JSON.parse(readFileSync(paths.file('meta'), 'utf8')) as Record<string, unknown>;
    metaFile = true;
    sharedBrowser = sharedBrowserOfMeta(meta);
    if (typeof meta['endReason'] === 'string') {
      endNote = {
        endReason: meta['endReason'],
        endDetail: typeof meta['endDetail'] === 'string' ? meta['endDetail'] : null,
        endedAt: String(meta['endedAt']),
        sessionFile: typeof meta['sessionFile'] === 'string' ? meta['sessionFile'] : null,
        ...(typeof meta['sessionFileError'] === 'string' ? { sessionFileError: meta['sessionFileError'] } : {}),
      };
    }
  } catch (err) {
    metaFile = errnoCode(err) !== 'ENOENT' && existsSync(paths.file('meta'));
  }
  const chromePid = readNumber(paths.file('chromePid'));
  return {
    liveLock: live,
    staleLock: live === undefined && lock !== null ? lock : undefined,
    pidFile: readNumber(paths.file('pid')),
    socketFile: occupied(paths.file('socket')),
    chromePid: typeof chromePid === 'number' ? chromePid : undefined,
    chromePidFile: chromePid !== undefined,
    endNote,
    metaFile,
    sharedBrowser,
  };
}

/** True when pid is a Chrome that this session directory launched (its profile flag names our directory). */
export function isOurChrome(pid: number, paths: SessionPaths): boolean {
  const cmd = platform.commandLine(pid);
  if (cmd === undefined) return false;
  return cmd.includes('--remote-debugging-pipe') && cmd.includes(`--user-data-dir=${paths.file('profile')}`);
}

/**
 * Chrome processes launched for this session directory that are still running (orphans once the daemon is gone):
 * the browser process only, or with `includeHelpers` also its renderers, GPU and utility processes, which carry
 * the same --user-data-dir and may outlive a killed browser for a moment.
 */
export function findOurChromes(paths: SessionPaths, includeHelpers = false): number[] {
  const profileFlag = `--user-data-dir=${paths.file('profile')}`;
  return platform
    .listProcesses((cmd) => cmd.includes(profileFlag))
    .filter((p) => p.pid !== process.pid && (includeHelpers ? !p.zombie : !p.command.includes(' --type=') && p.command.includes('--remote-debugging-pipe')))
    .map((p) => p.pid);
}

/** True when anything is at `path`, a dangling symlink included (lstat does not follow it). */
function occupied(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Processes still in the process group `pgid` of a Chrome this session directory launched (Chrome leads its own
 * group, so its pid, in chrome.pid, is the group id) that carry the session's marker in their environment: what a
 * CHROME_PATH wrapper script started beside Chrome, which the closing DevTools pipe does not end. Both tests must
 * hold, so neither a reused group id nor an unrelated process is ever touched. Empty where the platform cannot
 * read process groups or environments (only Linux can).
 */
export function findGroupLeftovers(paths: SessionPaths, pgid: number): number[] {
  const marker = `${CHROME_SESSION_ENV}=${paths.dir}`;
  return platform
    .listProcesses()
    .filter((p) => p.pgid === pgid && !p.zombie && p.pid !== process.pid && platform.environment(p.pid)?.includes(marker) === true)
    .map((p) => p.pid);
}

function remove(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes what occupies one of the daemon's file names once no daemon answers there, whatever its kind: a socket,
 * file, FIFO or symlink is unlinked (a symlink itself, never what it points to), an empty directory removed. A
 * directory with files in it is not bdg's to delete: SESSION_FILE_ERROR naming it. False when nothing was there.
 */
export function removeEntry(path: string): boolean {
  let dir: boolean;
  try {
    dir = lstatSync(path).isDirectory();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return false;
    throw sessionFileError(err) ?? err;
  }
  try {
    if (dir) rmdirSync(path);
    else unlinkSync(path);
    return true;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return false;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new BdgError(
        'SESSION_FILE_ERROR',
        `${path} is a directory with files in it, where bdg keeps one of its own files`,
        `bdg removes only an empty directory there. Move it out of the way (or delete it: rm -r ${path}), then retry.`,
        { path },
      );
    }
    throw sessionFileError(err) ?? err;
  }
}

/** How long a temp file whose writer's pid is alive must sit untouched before it counts as abandoned. */
export const TEMP_FILE_MAX_AGE_MS = 60_000;

/**
 * Removes the temp files of atomic writes (and of lock files) in the session directory that nobody is writing:
 * only names of the exact form writeFileAtomic and the lock make (`.NAME.PID.TOKEN.tmp`, see tempPathFor), and
 * only when their writer's pid is gone, or, since a pid can be reused, when the file has not been touched for
 * TEMP_FILE_MAX_AGE_MS (a writer fills its temp file, fsyncs and renames it within moments). Names without a pid
 * (earlier bdg versions) go by age alone. Returns the paths removed.
 */
export function removeStaleTemps(dir: string, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const name of safeReaddir(dir)) {
    const temp = parseTempName(name);
    if (temp === undefined) continue;
    const path = join(dir, name);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    const writerGone = temp.pid !== undefined && temp.pid !== process.pid && !isPidAlive(temp.pid);
    if ((writerGone || now - st.mtimeMs > TEMP_FILE_MAX_AGE_MS) && remove(path)) removed.push(path);
  }
  return removed;
}

export interface CleanupReport {
  /** Human sentences, one per thing found and fixed. */
  messages: string[];
  removed: string[];
  killed: number[];
  /** Where the journal a dead daemon left was kept (history/journal-<start>.ndjson), when there was one. */
  journal?: string;
}

/**
 * Keeps the journal a daemon that died left (kill -9: no session.json was written): moves `journal.ndjson`, its
 * previous segment and its frames files, to `history/journal-<session start>.ndjson` (`…-frames.ndjson`, …) under
 * a name nothing else has, so that no later session overwrites it. Returns the new path, undefined when there was
 * no journal. Only once no daemon answers and no live process holds the lock (the daemon writes the file until it
 * exits).
 */
export function keepJournal(dir: string): string | undefined {
  const current = join(dir, JOURNAL_FILE);
  let st;
  try {
    st = lstatSync(current);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return undefined;
  let head = '';
  try {
    const fd = openSync(current, 'r');
    try {
      const buf = Buffer.alloc(4096);
      head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    // unreadable: named after its modification time below
  }
  const iso = journalStartedAt(head) ?? st.mtime.toISOString();
  const history = join(dir, HISTORY_DIR);
  try {
    mkdirSync(history, { mode: 0o700 });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw sessionFileError(err) ?? err;
  }
  for (let n = 1; n < 10_000; n++) {
    const names = journalHistoryName(iso, n);
    if ([names.current, names.previous, names.frames, names.framesPrevious].some((f) => occupied(join(history, f)))) continue;
    const kept = join(history, names.current);
    try {
      // The journal itself last: while it is still here, the rest is found beside it.
      if (occupied(join(dir, JOURNAL_PREVIOUS))) renameSync(join(dir, JOURNAL_PREVIOUS), join(history, names.previous));
      if (occupied(join(dir, JOURNAL_FRAMES_PREVIOUS))) renameSync(join(dir, JOURNAL_FRAMES_PREVIOUS), join(history, names.framesPrevious));
      if (occupied(join(dir, JOURNAL_FRAMES))) renameSync(join(dir, JOURNAL_FRAMES), join(history, names.frames));
      renameSync(current, kept);
    } catch (err) {
      throw sessionFileError(err) ?? err;
    }
    return kept;
  }
  return undefined;
}

/**
 * Removes what a dead daemon left behind: stale lock (rename-then-verify), pid file, socket, chrome.pid (killing
 * that Chrome only if it is provably ours), and reports the end note of a session that ended on its own.
 * Must only be called once the socket did not answer and no live process holds the lock.
 */
export function cleanStale(paths: SessionPaths, state: FileState, opts: { keepEndNote?: boolean; scanProcesses?: boolean } = {}): CleanupReport {
  const report: CleanupReport = { messages: [], removed: [], killed: [] };
  if (state.liveLock !== undefined) return report;
  const removedNames: string[] = [];
  // A directory with files where one of ours belongs stops the clean-up, but only after the rest is done.
  let blocked: Error | undefined;
  const drop = (file: Parameters<SessionPaths['file']>[0]): void => {
    try {
      if (!removeEntry(paths.file(file))) return;
    } catch (err) {
      blocked ??= err instanceof Error ? err : new Error(String(err));
      return;
    }
    report.removed.push(paths.file(file));
    removedNames.push(FILES[file]);
  };

  const pid = state.pidFile;
  if (state.endNote !== undefined) {
    const n = state.endNote;
    const how =
      n.endReason === 'signal'
        ? `was ended by ${n.endDetail ?? 'a signal'} at ${n.endedAt}`
        : `ended on its own at ${n.endedAt}: ${n.endDetail ?? n.endReason}`;
    // session.json could not be written (a full disk): the daemon saved a copy elsewhere, or could not.
    const saved =
      n.sessionFileError !== undefined
        ? ` ${n.sessionFileError}; ${n.sessionFile !== null ? `its data was saved to ${n.sessionFile} instead` : 'its data could not be saved anywhere (see daemon.log)'}.`
        : n.sessionFile !== null
          ? ` Its data was saved to ${n.sessionFile}.`
          : '';
    report.messages.push(`The previous session ${how}.${saved}`);
  } else if (typeof pid === 'number') {
    const reused = isPidAlive(pid);
    if (state.metaFile) {
      report.messages.push(
        reused
          ? `The session's daemon (pid ${pid}) is gone; that pid now belongs to another process, which was left alone.`
          : `The session's daemon (pid ${pid}) died unexpectedly (it was killed or crashed).`,
      );
    } else {
      report.messages.push(
        reused
          ? `Daemon is not running: daemon.pid named pid ${pid}, which now belongs to another process (left alone).`
          : `Daemon is not running: daemon.pid named pid ${pid}, which is not running.`,
      );
    }
  } else if (pid === 'corrupt') {
    report.messages.push('Daemon is not running: daemon.pid was unreadable.');
  }
  if (pid !== undefined) drop('pid');
  if (state.staleLock !== undefined && breakStaleLock(paths.file('lock'), state.staleLock)) {
    report.removed.push(paths.file('lock'));
    removedNames.push(FILES.lock);
  }
  if (state.socketFile) drop('socket');
  // Scanning the process table for orphans costs a read per process: only do it when files show a session was here.
  const traces = pid !== undefined || state.staleLock !== undefined || state.socketFile || state.chromePid !== undefined || state.metaFile;
  const chromes = new Set(traces || opts.scanProcesses === true ? findOurChromes(paths) : []);
  if (state.chromePid !== undefined && isPidAlive(state.chromePid) && isOurChrome(state.chromePid, paths)) chromes.add(state.chromePid);
  for (const chromePid of chromes) {
    if (killQuietly(chromePid, 'SIGKILL')) {
      report.killed.push(chromePid);
      report.messages.push(`Killed an orphaned Chrome (pid ${chromePid}) left by a daemon that died.`);
    }
  }
  for (const pgid of new Set([...(state.chromePid !== undefined ? [state.chromePid] : []), ...chromes])) {
    const left = findGroupLeftovers(paths, pgid).filter((p) => !report.killed.includes(p) && killQuietly(p, 'SIGKILL'));
    if (left.length === 0) continue;
    report.killed.push(...left);
    report.messages.push(
      `Ended ${left.length === 1 ? 'a process' : `${left.length} processes`} (pid ${left.join(', ')}) left in the process group of the session's Chrome (${pgid}) by its launcher.`,
    );
  }
  if (state.sharedBrowser !== undefined) {
    // The dead daemon's member file is removed, and the shared Chrome ended when no live member is left.
    const settled = settleSharedBrowser(paths.base, state.sharedBrowser);
    report.messages.push(...settled.messages);
    report.killed.push(...settled.killed);
  }
  if (state.chromePidFile) drop('chromePid');
  if (state.metaFile && opts.keepEndNote !== true) drop('meta');
  try {
    const journal = keepJournal(paths.dir);
    if (journal !== undefined) {
      report.journal = journal;
      report.messages.push(
        `The session's telemetry journal (its requests and console messages) was kept as ${journal}: read it with \`bdg network list --from ${journal}\`, \`bdg details network <id> --from ${journal}\` or \`bdg network har --from ${journal}\`.`,
      );
    }
  } catch (err) {
    blocked ??= err instanceof Error ? err : new Error(String(err));
  }
  if (removedNames.length > 0) report.messages.push(`Cleaned up stale ${removedNames.join(', ')}.`);
  const temps = removeStaleTemps(paths.dir);
  if (temps.length > 0) {
    report.removed.push(...temps);
    report.messages.push(
      `Removed ${temps.length === 1 ? 'a temporary file' : `${temps.length} temporary files`} left by an interrupted write: ${temps.map((t) => t.slice(paths.dir.length + 1)).join(', ')}.`,
    );
  }
  if (blocked !== undefined) throw blocked;
  return report;
}

/** `cleanup --aggressive`: also the session output, the log and the Chrome profile bdg created in the directory. */
export function removeSessionData(paths: SessionPaths): string[] {
  const removed: string[] = [];
  for (const f of ['output', 'log'] as const) if (remove(paths.file(f))) removed.push(paths.file(f));
  if (remove(`${paths.file('log')}.1`)) removed.push(`${paths.file('log')}.1`);
  const profile = paths.file('profile');
  if (existsSync(profile)) {
    // Nothing of this session's Chrome may still be writing into the profile when it is removed.
    const deadline = Date.now() + 5_000;
    for (let left = findOurChromes(paths, true); left.length > 0 && Date.now() < deadline; left = findOurChromes(paths, true)) {
      for (const pid of left) killQuietly(pid, 'SIGKILL');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    // Chrome's helper processes can still be writing into the profile for a moment after the browser died.
    rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    removed.push(profile);
  }
  removed.push(...removeStaleTemps(paths.dir));
  return removed;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
