import { join } from 'node:path';
import { BdgError, errnoCode } from './errors.js';
import { FILES } from './paths.js';
import { fsp } from './fsAsync.js';

/** Where earlier sessions' session.json files are kept, inside the session directory. */
export const HISTORY_DIR = 'history';

/** How many earlier session files are kept, and how many bytes they may take together. */
export interface HistoryLimits {
  maxFiles: number;
  maxBytes: number;
}

export const HISTORY_LIMITS: HistoryLimits = { maxFiles: 10, maxBytes: 50 * 1024 * 1024 };

export interface RotateResult {
  /** Where the previous session.json now is; undefined when there was none. */
  kept: string | undefined;
  /** Older kept files removed to stay within the limits, oldest first. */
  pruned: string[];
}

// `2024-06-10T06-13-20.000Z.json`, with `-2`, `-3`, ... when two sessions started in the same millisecond; a journal
// kept after a crash is `journal-<start time>.ndjson` (its previous segment `journal-<start time>.1.ndjson`, its
// WebSocket frames `journal-<start time>-frames.ndjson` and `journal-<start time>-frames.1.ndjson`).
const HISTORY_NAME = /^(?:journal-)?(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(?:\.\d{1,3})?Z)(?:-(\d{1,4}))?(?:-frames)?(?:\.json|\.ndjson|\.1\.ndjson)$/;

/** The journal's file names in a session directory: its segment, the previous one, and their WebSocket frames'. */
export const JOURNAL_FILE = 'journal.ndjson';
export const JOURNAL_PREVIOUS = 'journal.1.ndjson';
export const JOURNAL_FRAMES = 'journal-frames.ndjson';
export const JOURNAL_FRAMES_PREVIOUS = 'journal-frames.1.ndjson';

/** Where a journal of the session started at `iso` is kept in history/ (`n` > 1 when that name is taken). */
export function journalHistoryName(iso: string, n = 1): { current: string; previous: string; frames: string; framesPrevious: string } {
  const base = `journal-${iso.replace(/:/g, '-')}${n > 1 ? `-${n}` : ''}`;
  return { current: `${base}.ndjson`, previous: `${base}.1.ndjson`, frames: `${base}-frames.ndjson`, framesPrevious: `${base}-frames.1.ndjson` };
}

/** The session start time a journal's first line (its header) names, if it can be read from `head`. */
export function journalStartedAt(head: string): string | undefined {
  const m = /"startedAt":"([^"]{1,40})"/.exec(head.slice(0, 4096));
  const t = m !== null ? Date.parse(m[1] as string) : Number.NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** An ISO time as a file name: `:` is not allowed on Windows and quoted by many tools elsewhere. */
export function historyName(iso: string, n = 1): string {
  return `${iso.replace(/:/g, '-')}${n > 1 ? `-${n}` : ''}.json`;
}

/**
 * The start time of the session a session.json describes: `session.startedAt`, read from the file's head (the
 * `session` block comes first; the whole file can be tens of MB), else the file's modification time.
 */
async function startedAtOf(path: string, mtime: Date): Promise<string> {
  let head = '';
  const handle = await (await fsp()).open(path, 'r').catch(() => undefined);
  if (handle !== undefined) {
    try {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  }
  // JSON escapes every quote inside a string, so this can only match a key named startedAt, and the first one is
  // the session's.
  const m = /"startedAt":"([^"]{1,40})"/.exec(head);
  const t = m !== null ? Date.parse(m[1] as string) : Number.NaN;
  return new Date(Number.isFinite(t) ? t : mtime.getTime()).toISOString();
}

/** Entries of the history directory in start-time order (oldest first), with their sizes. */
async function listHistory(dir: string): Promise<Array<{ path: string; size: number }>> {
  const entries: Array<{ path: string; size: number; key: string; n: number }> = [];
  for (const name of await (await fsp()).readdir(dir)) {
    const m = HISTORY_NAME.exec(name);
    if (m === null) continue;
    const path = join(dir, name);
    const st = await (await fsp()).lstat(path).catch(() => undefined);
    if (st === undefined || !st.isFile()) continue;
    entries.push({ path, size: st.size, key: m[1] as string, n: Number(m[2] ?? 1) });
  }
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.n - b.n));
}

function historyError(err: unknown, path: string): BdgError {
  if (err instanceof BdgError) return err;
  return new BdgError(
    'SESSION_FILE_ERROR',
    `Cannot keep the previous session's ${FILES.output} in ${path}: ${errnoCode(err) ?? String(err)}`,
    `Make ${path} a directory you can write to (or remove it), or move ${FILES.output} away yourself, then retry.`,
    { path },
  );
}

/**
 * Keeps the previous session's session.json before a new session can overwrite it: moves it to
 * `history/<its start time>.json`, then removes the oldest kept files while there are more than `maxFiles` or
 * they take more than `maxBytes` together (also when there was no session.json to move). The file just moved is
 * always kept, even when it alone is larger.
 * A rename within one directory tree, so a reader sees the file at one name or the other, never half of it.
 * Call it only while holding the session's lock. Async only, so the daemon may call it too.
 */
export async function rotateSessionFile(sessionDir: string, limits: HistoryLimits = HISTORY_LIMITS): Promise<RotateResult> {
  const current = join(sessionDir, FILES.output);
  const dir = join(sessionDir, HISTORY_DIR);
  let st;
  try {
    st = await (await fsp()).lstat(current);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { kept: undefined, pruned: await prune(dir, limits, undefined) };
    throw historyError(err, current);
  }
  if (!st.isFile()) {
    throw new BdgError('SESSION_FILE_ERROR', `${current} is not a regular file`, `Move it out of the way; bdg writes the session's data there.`, {
      path: current,
    });
  }
  let kept: string;
  try {
    await (await fsp()).mkdir(dir, { mode: 0o700 }).catch((err: unknown) => {
      if (errnoCode(err) !== 'EEXIST') throw err;
    });
    const dirStat = await (await fsp()).lstat(dir);
    if (!dirStat.isDirectory())
      throw new BdgError('SESSION_FILE_ERROR', `${dir} is not a directory`, `Move it out of the way; bdg keeps earlier sessions' files there.`, { path: dir });
    const iso = await startedAtOf(current, st.mtime);
    let n = 1;
    for (; n < 10_000; n++) {
      const exists = await (await fsp()).lstat(join(dir, historyName(iso, n))).then(
        () => true,
        () => false,
      );
      if (!exists) break;
    }
    kept = join(dir, historyName(iso, n));
    await (await fsp()).rename(current, kept);
  } catch (err) {
    throw historyError(err, dir);
  }

  return { kept, pruned: await prune(dir, limits, kept) };
}

/** Removes the oldest kept files while the limits are exceeded, never `keep`; returns what was removed. */
async function prune(dir: string, limits: HistoryLimits, keep: string | undefined): Promise<string[]> {
  const pruned: string[] = [];
  const entries = await listHistory(dir).catch(() => []);
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  let count = entries.length;
  for (const e of entries) {
    if (count <= limits.maxFiles && total <= limits.maxBytes) break;
    if (e.path === keep) continue;
    const gone = await (await fsp()).unlink(e.path).then(
      () => true,
      () => false,
    );
    if (!gone) continue;
    pruned.push(e.path);
    count--;
    total -= e.size;
  }
  return pruned;
}

/** Removes every kept earlier session file, and the directory once empty (`cleanup --aggressive`). */
export async function removeHistory(sessionDir: string): Promise<string[]> {
  const dir = join(sessionDir, HISTORY_DIR);
  const removed: string[] = [];
  for (const e of await listHistory(dir).catch(() => [])) {
    if (
      await (await fsp()).unlink(e.path).then(
        () => true,
        () => false,
      )
    )
      removed.push(e.path);
  }
  await (await fsp()).rmdir(dir).catch(() => undefined);
  return removed;
}
