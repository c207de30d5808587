/**
 * session.json: the one place that builds and writes it. The document is built from a plain snapshot of the
 * session (no reference to the session object), so building it is a pure function and nothing here can reach
 * back into the daemon's live state.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BufferStats, ConsoleRecord, IssueRecord, NavigationRecord, NetworkRecord } from '../protocol/records.js';
import { VERSION } from '../protocol/version.js';
import { toBdgError, type BdgError } from '../util/errors.js';
import { writeError, writeFileAtomic } from '../util/fsx.js';
import { FILES, SessionPaths } from '../util/paths.js';

/** Version of the session.json layout (documented in docs/session-file.md). */
export const SESSION_FILE_SCHEMA = 1;

/** Why session.json was written; `page-crashed` is a snapshot taken while the session keeps running. */
export type EndReason =
  'stopped' | 'timeout' | 'idle-timeout' | 'owner-exited' | 'chrome-exited' | 'connection-lost' | 'signal' | 'daemon-error' | 'page-crashed';

/** The page's HTML at the end of the session (cut at LIMITS.domSnapshotBytes). */
export interface DomSnapshot {
  url: string;
  title: string;
  html: string;
  truncated: boolean;
}

/** Everything session.json says about a session, taken at one moment. */
export interface SessionSnapshot {
  /** The URL the session was started with. */
  url: string;
  page: { url: string; title: string };
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms. */
  endedAt: number;
  chrome: {
    pid: number | null;
    port: number | null;
    attached: boolean;
    headless: boolean;
    version: string | null;
    /** A browser on a Selenium Grid (`--grid`): the Grid (shown form) and the WebDriver session id. */
    grid?: { url: string; sessionId: string };
  };
  pageCrashed: boolean;
  navigations: NavigationRecord[];
  navigationsDropped: number;
  network: NetworkRecord[];
  networkStats: BufferStats;
  networkPending: number;
  console: ConsoleRecord[];
  consoleStats: BufferStats;
  /** Chrome Issues (Audits) of every page load still buffered. */
  issues?: IssueRecord[];
}

export interface SessionFile {
  schema: number;
  bdgVersion: string;
  session: {
    url: string;
    page: { url: string; title: string };
    startedAt: string;
    endedAt: string;
    durationMs: number;
    endReason: EndReason;
    endDetail?: string;
    chrome: SessionSnapshot['chrome'];
    pageCrashed: boolean;
  };
  navigations: NavigationRecord[];
  network: NetworkRecord[];
  console: ConsoleRecord[];
  issues?: IssueRecord[];
  dom: DomSnapshot | null;
  stats: { network: BufferStats & { pending: number }; console: BufferStats; navigationsDropped: number };
}

/** The session.json document for `s` (pure: the same snapshot gives the same document). */
export function buildSessionFile(s: SessionSnapshot, endReason: EndReason, endDetail: string | undefined, dom: DomSnapshot | null): SessionFile {
  const session: SessionFile['session'] = {
    url: s.url,
    page: s.page,
    startedAt: new Date(s.startedAt).toISOString(),
    endedAt: new Date(s.endedAt).toISOString(),
    durationMs: s.endedAt - s.startedAt,
    endReason,
    chrome: s.chrome,
    pageCrashed: s.pageCrashed,
  };
  if (endDetail !== undefined) session.endDetail = endDetail;
  return {
    schema: SESSION_FILE_SCHEMA,
    bdgVersion: VERSION,
    session,
    navigations: s.navigations,
    network: s.network,
    console: s.console,
    ...(s.issues !== undefined ? { issues: s.issues } : {}),
    dom,
    stats: { network: { ...s.networkStats, pending: s.networkPending }, console: s.consoleStats, navigationsDropped: s.navigationsDropped },
  };
}

/** Writes `doc` as the session directory's session.json, atomically (temp + fsync + rename); returns its path. */
export async function writeSessionFile(sessionDir: string, doc: SessionFile): Promise<string> {
  const path = new SessionPaths(sessionDir).file('output');
  await writeFileAtomic(path, JSON.stringify(doc));
  return path;
}

/** Where a session's data went: `file` is null only when it could not be written anywhere. */
export interface SaveOutcome {
  file: string | null;
  /** Size of the document. */
  bytes: number;
  /** Why session.json itself could not be written (the file and the cause, e.g. ENOSPC). */
  error?: BdgError;
  /** The fallback copy's own failure, when there was one. */
  fallbackError?: BdgError;
}

/**
 * Writes session.json; when that fails and `fallback` is set (the session ends whatever happens: auto-stop, a
 * signal, Chrome gone), writes the same document to a private directory under the OS temp dir instead, which is
 * most often another file system. Never throws.
 */
export async function saveSessionFile(sessionDir: string, doc: SessionFile, opts: { fallback: boolean }): Promise<SaveOutcome> {
  const path = new SessionPaths(sessionDir).file('output');
  const text = JSON.stringify(doc);
  const bytes = Buffer.byteLength(text);
  try {
    await writeFileAtomic(path, text);
    return { file: path, bytes };
  } catch (err) {
    const error = toBdgError(err);
    if (!opts.fallback) return { file: null, bytes, error };
    let dir: string | undefined;
    try {
      dir = await mkdtemp(join(tmpdir(), 'bdg-session-'));
      const file = join(dir, FILES.output);
      await writeFileAtomic(file, text);
      return { file, bytes, error };
    } catch (err2) {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return { file: null, bytes, error, fallbackError: toBdgError(writeError(dir ?? tmpdir(), err2)) };
    }
  }
}
