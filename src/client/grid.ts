/**
 * The clean-up's part for Selenium Grid sessions: a daemon that died without deleting its WebDriver session
 * (kill -9, a crash the daemon could not handle) left `grid.json`; the next command that finds the daemon gone
 * deletes that session on the Grid, so its slot is free at once rather than after the Grid's idle timeout.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { errnoCode } from '../util/errors.js';
import { displayUrl } from '../util/http.js';
import { isLockOwnerAlive, readLock } from '../util/lock.js';
import type { SessionPaths } from '../util/paths.js';
import { deleteGridSession, type GridRecord } from '../util/webdriver.js';

type StoredRecord = GridRecord & { headers?: Record<string, string> };

function readRecord(paths: SessionPaths): StoredRecord | 'corrupt' | undefined {
  let raw: string;
  try {
    raw = readFileSync(paths.file('grid'), 'utf8');
  } catch (err) {
    return errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR' ? undefined : 'corrupt';
  }
  try {
    const r = JSON.parse(raw) as Partial<StoredRecord>;
    if (typeof r.url !== 'string' || typeof r.sessionId !== 'string' || typeof r.daemonPid !== 'number') return 'corrupt';
    return r as StoredRecord;
  } catch {
    return 'corrupt';
  }
}

/** The Grid session a running daemon of this directory owns, for `sessions` when it cannot be asked. */
export function recordedGridSession(paths: SessionPaths): { url: string; sessionId: string } | undefined {
  const r = readRecord(paths);
  return r !== undefined && r !== 'corrupt' ? { url: displayUrl(r.url), sessionId: r.sessionId } : undefined;
}

/**
 * Deletes the Grid session a dead daemon recorded, then the record. Only when no live process holds the session's
 * lock: the daemon holds it from its start to its exit, so a live holder owns the session. Returns what it
 * did, in sentences; never throws: a Grid that cannot be reached is reported, and the Grid's own session timeout
 * ends the session then.
 */
export async function reapGridSession(paths: SessionPaths): Promise<string[]> {
  const record = readRecord(paths);
  if (record === undefined) return [];
  const lock = readLock(paths.file('lock'));
  if (lock !== null && lock !== 'corrupt' && isLockOwnerAlive(lock)) return [];
  if (record === 'corrupt') {
    unlinkQuietly(paths);
    return ['Removed an unreadable grid.json.'];
  }
  const shown = `session ${record.sessionId} on the Selenium Grid at ${displayUrl(record.url)}`;
  let message: string;
  try {
    const existed = await deleteGridSession({ url: record.url, headers: record.headers ?? {} }, record.sessionId, 10_000);
    message = existed ? `Deleted the ${shown}, left by a daemon that died.` : `The ${shown}, left by a daemon that died, had already ended.`;
  } catch (err) {
    message = `Could not delete the ${shown}, left by a daemon that died (${(err as Error).message}); the Grid ends it after its session timeout.`;
  }
  unlinkQuietly(paths);
  return [message];
}

function unlinkQuietly(paths: SessionPaths): void {
  try {
    unlinkSync(paths.file('grid'));
  } catch {
    /* already gone */
  }
}
