/**
 * Every session under one base directory: the default one (the base itself) and the named ones in
 * `<base>/sessions/NAME/` (never `history/`, which holds earlier session files of one session). Listing them
 * (`bdg sessions`), stopping them all (`bdg stop --all`) and cleaning them all (`bdg cleanup --all`), in parallel
 * with a bound, for every front-end.
 */
import { existsSync, lstatSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ParamsOf, ResultOf } from '../protocol/commands.js';
import { BdgError, toBdgError } from '../util/errors.js';
import type { ErrorCode } from '../util/exitCodes.js';
import { readLock } from '../util/lock.js';
import { FILES, NAMED_SESSIONS_DIR, SessionPaths, isValidSessionName, namedSessionDir } from '../util/paths.js';
import { HISTORY_DIR } from '../util/sessionHistory.js';
import { sleep } from '../util/sleep.js';
import { call } from './call.js';
import { recordedGridSession } from './grid.js';
import { lastSession } from './lastSession.js';
import { cleanup, stopSession, type CleanupResult } from './session.js';
import { sweepOrphanChromes, type MarkedChrome } from './sweep.js';
import { settleSharedBrowser, sharedBrowserNames } from './sharedBrowsers.js';

/** How many sessions are asked, stopped or cleaned at once. */
export const PARALLEL_SESSIONS = 4;

/**
 * running: its daemon answers; starting: its first page is still loading (or the lock is held, no answer yet);
 * unresponsive: a live process holds the lock but the socket does not answer in time; stale: its daemon died
 * and what it left was cleaned up just now (see `messages`); ended: nothing runs (a finished session).
 */
export type SessionState = 'running' | 'starting' | 'unresponsive' | 'stale' | 'ended';

export interface SessionInfo {
  /** null for the default session. */
  name: string | null;
  dir: string;
  state: SessionState;
  url: string | null;
  title: string | null;
  daemonPid: number | null;
  chromePid: number | null;
  port: number | null;
  startedAt: string | null;
  ageSec: number | null;
  /** Seconds since the last command (status polls excluded); null unless running. */
  idleSec: number | null;
  idleTimeoutSec: number | null;
  /** Seconds before the idle timeout stops it; null without one. */
  stopsInSec: number | null;
  ownerPid: number | null;
  /** The shared browser (`--shared-browser`) the session is in, with its own browser context; null: its own Chrome. */
  sharedBrowser: string | null;
  browserContextId: string | null;
  /** The daemon's resident memory (from `status --verbose`). */
  daemonRssBytes: number | null;
  /** ended: when and why, from the head of its session.json. */
  endedAt: string | null;
  endReason: string | null;
  /** The Selenium Grid and WebDriver session the browser runs in (`--grid`); null otherwise. */
  grid: { url: string; sessionId: string } | null;
  /** What was found and cleaned (stale), or why a session could not be asked. */
  messages: string[];
}

/** Runs `fn` over `items`, at most `limit` at a time; results in the order of `items`. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Files that show a session was ever kept in a directory (the default session's directory is also the base). */
const TRACES = [...Object.values(FILES), HISTORY_DIR];

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The sessions under `base`: the default one when its directory shows a session was ever there, then every
 * directory in sessions/ whose name is a valid session name (a symlink or a stray file there is no session).
 */
export function sessionDirs(base: string): SessionPaths[] {
  const out: SessionPaths[] = [];
  if (TRACES.some((f) => existsSync(join(base, f)))) out.push(new SessionPaths(base));
  let names: string[] = [];
  try {
    names = readdirSync(join(base, NAMED_SESSIONS_DIR));
  } catch {
    /* no named sessions */
  }
  for (const name of names.filter(isValidSessionName).sort()) {
    const dir = namedSessionDir(base, name);
    if (isDirectory(dir)) out.push(new SessionPaths(dir, { name, base }));
  }
  return out;
}

function blank(paths: SessionPaths, state: SessionState): SessionInfo {
  return {
    name: paths.name,
    dir: paths.dir,
    state,
    url: null,
    title: null,
    daemonPid: null,
    chromePid: null,
    port: null,
    startedAt: null,
    ageSec: null,
    idleSec: null,
    idleTimeoutSec: null,
    stopsInSec: null,
    ownerPid: null,
    sharedBrowser: null,
    browserContextId: null,
    daemonRssBytes: null,
    endedAt: null,
    endReason: null,
    grid: null,
    messages: [],
  };
}

function fromStatus(paths: SessionPaths, s: ResultOf<'status'>): SessionInfo {
  return {
    ...blank(paths, s.starting ? 'starting' : 'running'),
    url: s.page.url,
    title: s.page.title,
    daemonPid: s.pid,
    chromePid: s.chrome.pid,
    port: s.chrome.port,
    startedAt: s.startedAt,
    ageSec: Math.floor(s.uptimeMs / 1000),
    idleSec: s.idle.idleSec,
    idleTimeoutSec: s.idle.timeoutSec,
    stopsInSec: s.idle.stopsInSec,
    ownerPid: s.owner?.pid ?? null,
    sharedBrowser: s.sharedBrowser?.name ?? null,
    browserContextId: s.sharedBrowser?.browserContextId ?? null,
    daemonRssBytes: s.memory?.rss ?? null,
    grid: s.grid !== undefined ? { url: s.grid.url, sessionId: s.grid.sessionId } : null,
  };
}

/**
 * One session's state. A daemon that answers tells everything (status --verbose); one that does not is judged by
 * its files like every command does, which cleans up after a dead daemon and says what it found.
 */
export async function describeSession(paths: SessionPaths): Promise<SessionInfo> {
  try {
    return fromStatus(paths, await call(paths, 'status', { verbose: true }, 5_000));
  } catch (err) {
    const e = toBdgError(err);
    const data = e.data as { cleaned?: string[]; stopping?: boolean; versionMismatch?: boolean } | undefined;
    if (e.code === 'NOT_FOUND') {
      const cleaned = data?.cleaned ?? [];
      const info = blank(paths, cleaned.length > 0 ? 'stale' : 'ended');
      info.messages = data?.stopping === true ? ['The session is stopping.'] : cleaned;
      const last = lastSession(paths);
      return last !== undefined
        ? { ...info, url: last.url, title: last.title, startedAt: last.startedAt, endedAt: last.endedAt, endReason: last.endReason }
        : info;
    }
    const lock = safeLock(paths);
    const grid = recordedGridSession(paths) ?? null;
    if (e.code === 'DAEMON_ALREADY_STARTING') return { ...blank(paths, 'starting'), daemonPid: lock, grid, messages: [e.message] };
    if (data?.versionMismatch === true) return { ...blank(paths, 'running'), daemonPid: lock, grid, messages: [e.message] };
    return { ...blank(paths, 'unresponsive'), daemonPid: lock, grid, messages: [e.message] };
  }
}

function safeLock(paths: SessionPaths): number | null {
  try {
    const l = readLock(paths.file('lock'));
    return l !== null && l !== 'corrupt' ? l.pid : null;
  } catch {
    return null;
  }
}

/** Every session under `base`, asked in parallel (bounded). */
export async function listSessions(base: string): Promise<SessionInfo[]> {
  return mapBounded(sessionDirs(base), PARALLEL_SESSIONS * 2, describeSession);
}

export interface SessionFailure {
  session: string | null;
  code: ErrorCode;
  message: string;
  hint?: string;
}

function failure(paths: SessionPaths, err: unknown): SessionFailure {
  const e = toBdgError(err);
  const f: SessionFailure = { session: paths.name, code: e.code, message: e.message };
  if (e.hint !== undefined) f.hint = e.hint;
  return f;
}

export interface StopAllResult {
  stopped: Array<ResultOf<'stop'> & { session: string | null }>;
  failed: SessionFailure[];
  /** Sessions that were not running (stale ones were cleaned while looking). */
  notRunning: Array<string | null>;
  messages: string[];
}

/** How long `stop --all` waits for a session that is starting to answer, so that it can be stopped too. */
const STARTING_WAIT_MS = 20_000;

/** Stops one session of `stop --all`: one that is still starting is waited for (bounded) until it answers. */
async function stopOne(paths: SessionPaths, params: ParamsOf<'stop'>): Promise<ResultOf<'stop'>> {
  const deadline = Date.now() + STARTING_WAIT_MS;
  for (;;) {
    try {
      return await stopSession(paths, { ...params, all: false });
    } catch (err) {
      if (!(err instanceof BdgError && err.code === 'DAEMON_ALREADY_STARTING') || Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}

/** `bdg stop --all`: every running or starting session, in parallel (bounded). */
export async function stopAll(base: string, params: ParamsOf<'stop'>): Promise<StopAllResult> {
  const sessions = await listSessions(base);
  const result: StopAllResult = { stopped: [], failed: [], notRunning: [], messages: [] };
  const targets: SessionPaths[] = [];
  for (const s of sessions) {
    const paths = s.name === null ? new SessionPaths(s.dir) : new SessionPaths(s.dir, { name: s.name, base });
    if (s.state === 'stale') result.messages.push(...s.messages.map((m) => `${label(s.name)}: ${m}`));
    if (s.state === 'ended' || s.state === 'stale') result.notRunning.push(s.name);
    else targets.push(paths);
  }
  const outcomes = await mapBounded(targets, PARALLEL_SESSIONS, async (paths) => {
    try {
      return { paths, ok: await stopOne(paths, params) };
    } catch (err) {
      return { paths, err: failure(paths, err) };
    }
  });
  for (const o of outcomes) {
    if (o.ok !== undefined) result.stopped.push({ session: o.paths.name, ...o.ok });
    else if (o.err.code === 'NOT_FOUND') result.notRunning.push(o.paths.name);
    else result.failed.push(o.err);
  }
  return result;
}

export interface CleanupAllResult {
  sessions: Array<CleanupResult & { session: string | null }>;
  /** Sessions left alone: running (without --force) or starting. */
  leftAlone: SessionFailure[];
  failed: SessionFailure[];
  /** Orphaned Chromes of sessions that no longer exist or have no daemon, ended by the sweep. */
  orphans: MarkedChrome[];
  /** Shared browsers (`--shared-browser`) closed because no live session used them any more. */
  sharedBrowsers: string[];
  /** Named session directories removed by --aggressive once nothing was left in them. */
  removedDirs: string[];
  messages: string[];
}

/** `bdg cleanup --all`: the sweep for orphaned Chromes, then `cleanup` in every session (bounded parallel). */
export async function cleanupAll(base: string, params: ParamsOf<'cleanup'>): Promise<CleanupAllResult> {
  const result: CleanupAllResult = { sessions: [], leftAlone: [], failed: [], orphans: [], sharedBrowsers: [], removedDirs: [], messages: [] };
  // The sweep first: it sees every marked Chrome under the base, also those of directories that are gone, and
  // judges each by its session's lock; the per-session clean-ups then remove the files the dead daemons left.
  const sweep = sweepOrphanChromes(base);
  result.orphans = sweep.killed;
  result.messages.push(...sweep.messages);
  const dirs = sessionDirs(base);
  if (dirs.every((p) => p.name !== null) && existsSync(base)) dirs.unshift(new SessionPaths(base));
  const outcomes = await mapBounded(dirs, PARALLEL_SESSIONS, async (paths) => {
    try {
      return { paths, ok: await cleanup(paths, { ...params, all: false }) };
    } catch (err) {
      return { paths, err: failure(paths, err) };
    }
  });
  // Then every shared browser, also one whose Chrome is gone (its files) or whose members all died.
  for (const name of sharedBrowserNames(base)) {
    const settled = settleSharedBrowser(base, name);
    result.messages.push(...settled.messages);
    if (settled.closed) result.sharedBrowsers.push(name);
  }
  for (const s of sweep.sharedClosed) if (!result.sharedBrowsers.includes(s.name)) result.sharedBrowsers.push(s.name);
  for (const o of outcomes) {
    if (o.ok !== undefined) {
      result.sessions.push({ session: o.paths.name, ...o.ok });
      result.messages.push(...o.ok.messages.map((m) => `${label(o.paths.name)}: ${m}`));
    } else if (o.err.code === 'ALREADY_EXISTS' || o.err.code === 'DAEMON_ALREADY_STARTING') result.leftAlone.push(o.err);
    else result.failed.push(o.err);
  }
  if (params.aggressive) {
    for (const o of outcomes) {
      if (o.paths.name === null || o.ok === undefined) continue;
      // Only a directory bdg emptied: rmdir refuses one with anything else left in it.
      try {
        rmdirSync(o.paths.dir);
        result.removedDirs.push(o.paths.dir);
      } catch {
        /* something is left in it: keep it */
      }
    }
  }
  return result;
}

/** How a session is named in messages. */
export function label(name: string | null): string {
  return name === null ? '(default)' : name;
}
