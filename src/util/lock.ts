import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { BdgError, errnoCode } from './errors.js';
import { tempPathFor } from './fsx.js';
import { uniqueToken } from './token.js';
import { isSameProcessAlive, type ProcessIdentity, identityOf } from './proc.js';

/**
 * The content of daemon.lock: who holds it, in a form that survives pid reuse (pid + process start time) and a
 * nonce so a breaker can verify it removed exactly the lock it judged stale.
 */
export interface LockOwner extends ProcessIdentity {
  nonce: string;
  createdAt: string;
  role: 'starter' | 'daemon';
}

export type AcquireResult = { ok: true; owner: LockOwner; brokeStale: Array<LockOwner | 'corrupt'> } | { ok: false; holder: LockOwner };

export function newOwner(pid: number, role: LockOwner['role']): LockOwner {
  return { ...identityOf(pid), nonce: uniqueToken(), createdAt: new Date().toISOString(), role };
}

/** Reads a lock file. `null` when it does not exist; `'corrupt'` when it exists but cannot be parsed. */
export function readLock(path: string): LockOwner | null | 'corrupt' {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    // ENOTDIR: the session directory is (inside) a regular file, so no lock can exist there.
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
    if (errnoCode(err) === 'EISDIR') {
      throw new BdgError(
        'SESSION_FILE_ERROR',
        `${path} is a directory, where the session's lock file belongs`,
        `Nothing of bdg's is a directory there: remove it (rmdir ${path}), then retry.`,
        { path },
      );
    }
    throw err;
  }
  try {
    const parsed = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.nonce !== 'string') return 'corrupt';
    return parsed as LockOwner;
  } catch {
    return 'corrupt';
  }
}

export function isLockOwnerAlive(owner: LockOwner): boolean {
  return isSameProcessAlive(owner);
}

/**
 * Exclusive create with complete content: the lock is written to a temp file and hard-linked into place, which
 * fails with EEXIST when a lock exists. A reader therefore never sees a half-written lock.
 */
function tryCreate(path: string, owner: LockOwner): boolean {
  const tmp = tempPathFor(path);
  writeFileSync(tmp, JSON.stringify(owner), { mode: 0o600 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Breaks a lock judged stale by rename-then-verify: move it aside, check the moved file is the one judged stale
 * (same nonce), and only then delete it. If someone replaced it in between, put theirs back.
 */
export function breakStaleLock(path: string, judged: LockOwner | 'corrupt'): boolean {
  const aside = tempPathFor(path, 'stale');
  try {
    renameSync(path, aside);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return true;
    throw err;
  }
  const moved = readLock(aside);
  const same = judged === 'corrupt' ? moved === 'corrupt' : moved !== null && moved !== 'corrupt' && moved.nonce === judged.nonce;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      /* a newer lock already took the place; ours was moved aside by mistake and is dropped */
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    /* gone */
  }
  return same;
}

/** Acquires the lock, breaking stale ones (dead owner, reused pid, corrupt content) along the way. */
export function acquireLock(path: string, owner: LockOwner): AcquireResult {
  const brokeStale: Array<LockOwner | 'corrupt'> = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, owner)) return { ok: true, owner, brokeStale };
    const holder = readLock(path);
    if (holder === null) continue;
    if (holder !== 'corrupt' && isLockOwnerAlive(holder)) return { ok: false, holder };
    if (breakStaleLock(path, holder)) brokeStale.push(holder);
  }
  const holder = readLock(path);
  if (holder !== null && holder !== 'corrupt') return { ok: false, holder };
  throw new BdgError(
    'SESSION_FILE_ERROR',
    `Could not take ${path}: it kept changing or stayed unreadable over 5 attempts`,
    'Another program may be writing there; `bdg cleanup`, then retry.',
    { path },
  );
}

/** Hands a held lock to another process (the daemon taking over from the CLI that spawned it). */
export function transferLock(path: string, from: Pick<LockOwner, 'nonce'>, to: LockOwner): boolean {
  const current = readLock(path);
  if (current === null || current === 'corrupt' || current.nonce !== from.nonce) return false;
  const tmp = tempPathFor(path);
  writeFileSync(tmp, JSON.stringify(to), { mode: 0o600 });
  renameSync(tmp, path);
  return true;
}

/** Removes the lock only if we still own it. */
export function releaseLock(path: string, owner: Pick<LockOwner, 'nonce'>): void {
  const current = readLock(path);
  if (current !== null && current !== 'corrupt' && current.nonce === owner.nonce) {
    try {
      unlinkSync(path);
    } catch {
      /* gone */
    }
  }
}
