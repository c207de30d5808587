import { chmodSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { BdgError, errnoCode } from './errors.js';
import { uniqueToken } from './token.js';
import { fsp } from './fsAsync.js';

/**
 * The temp file of an atomic write: `.NAME.PID.TOKEN.tmp` beside its target (rename is atomic only within one
 * file system), hidden, and naming the writer's pid so that a clean-up can tell a temp file abandoned by a killed
 * writer from one being written right now (see {@link parseTempName}).
 */
export function tempPathFor(target: string, suffix: 'tmp' | 'stale' = 'tmp'): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${uniqueToken()}.${suffix}`);
}

/** What a temp-file name says: the file it was for and the pid that wrote it (absent in the older pid-less form). */
export interface TempName {
  target: string;
  pid: number | undefined;
}

// uniqueToken() is lowercase hex of at least 20 digits (pid, time, counter, 32 random bits).
const TEMP_NAME = /^\.(.+)\.([1-9]\d{0,9})\.([0-9a-f]{20,40})\.(tmp|stale)$/;
// Written by earlier versions: `.NAME.TOKEN.tmp` (atomic writes), `daemon.lock.TOKEN.tmp`, `daemon.lock.stale-TOKEN`.
const OLD_TEMP_NAMES = [/^\.(.+)\.[0-9a-f]{20,40}\.tmp$/, /^(daemon\.lock)\.[0-9a-f]{20,40}\.tmp$/, /^(daemon\.lock)\.stale-[0-9a-f]{20,40}$/];

/** Parses a name made by {@link tempPathFor} (or by an earlier bdg); undefined for every other name. */
export function parseTempName(name: string): TempName | undefined {
  const m = TEMP_NAME.exec(name);
  if (m !== null) return { target: m[1] as string, pid: Number(m[2]) };
  for (const re of OLD_TEMP_NAMES) {
    const old = re.exec(name);
    if (old !== null) return { target: old[1] as string, pid: undefined };
  }
  return undefined;
}

/**
 * The one mapping of a failed file write (or directory creation) to a BdgError: the message names the file and the
 * cause, the hint says what to do. Errors without an errno code (bugs, BdgErrors) are returned unchanged.
 */
export function writeError(path: string, err: unknown): unknown {
  if (err instanceof BdgError) return err;
  const code = errnoCode(err);
  if (code === undefined) return err;
  const data = { file: path, errno: code };
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new BdgError(
        'SESSION_FILE_ERROR',
        `Cannot write ${path}: ${code === 'ENOSPC' ? 'the disk is full' : 'the disk quota is exhausted'} (${code})`,
        `Free space on the file system holding ${dirname(path)} (nothing partial was left there), or choose a path on another disk.`,
        data,
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new BdgError(
        'PERMISSION_DENIED',
        `Cannot write ${path}: ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'} (${code})`,
        'Choose a path in a directory you can write to.',
        data,
      );
    case 'ENOENT':
    case 'ENOTDIR':
      return new BdgError(
        'PERMISSION_DENIED',
        `Cannot write ${path}: its directory does not exist (${code})`,
        'Create the directory first or choose another path.',
        data,
      );
    case 'EISDIR':
      return new BdgError('INVALID_ARGUMENTS', `Cannot write ${path}: it is a directory (${code})`, `Give a file name inside it, e.g. ${path}/NAME.`, data);
    case 'ENAMETOOLONG':
      return new BdgError('INVALID_ARGUMENTS', `Cannot write ${path}: the file name is too long (${code})`, 'Choose a shorter path.', data);
    default:
      return new BdgError(
        'SESSION_FILE_ERROR',
        `Cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`,
        'Check the disk and the path; daemon.log in the session directory may have details.',
        data,
      );
  }
}

/**
 * Writes a file so that a crash leaves either the old file or the new one: temp file in the same directory,
 * fsync, rename over the target. A failure removes the temp file (a full disk leaves nothing partial) and is
 * thrown as the BdgError {@link writeError} maps it to.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = tempPathFor(path);
  let handle;
  try {
    handle = await (await fsp()).open(tmp, 'w', mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await (await fsp()).rename(tmp, path);
  } catch (err) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await (await fsp()).unlink(tmp).catch(() => undefined);
    throw writeError(path, err);
  }
}

/** `ENOENT: no such file or directory` from a Node file-system error, without the syscall and path it repeats. */
function reason(err: unknown): string {
  const code = errnoCode(err);
  const text = err instanceof Error ? err.message : String(err);
  const m = /^[A-Z]+: ([^,]+)/.exec(text);
  return code !== undefined && m !== null ? `${code}: ${m[1] as string}` : text;
}

/**
 * A file-system failure in the session directory as a value: SESSION_FILE_ERROR naming the path and the reason.
 * Returns undefined for anything that is not a Node file-system error.
 */
export function sessionFileError(
  err: unknown,
  hint = 'Check BDG_SESSION_DIR: it must be a directory on a writable file system, owned by you.',
): BdgError | undefined {
  if (err instanceof BdgError) return err;
  const e = err as NodeJS.ErrnoException;
  if (errnoCode(err) === undefined || typeof e.path !== 'string') return undefined;
  return new BdgError('SESSION_FILE_ERROR', `Cannot ${e.syscall ?? 'use'} ${e.path}: ${reason(err)}`, hint, { path: e.path, errno: e.code });
}

/** stat that says "nothing there" (ENOENT, or ENOTDIR: a parent is a file) with undefined. */
function statOrNothing(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Creates `dir` and its missing parents one level at a time, each with mode 0700 (set explicitly: the umask may
 * have taken bits away). Not Node's `mkdir(..., {recursive: true})`: when mkdir(2) answers ENOENT under a parent
 * that exists (as everywhere under /proc/self) it retries for ever, at full CPU. Here every step is one system call
 * and the walk is bounded by the path's depth.
 */
function makeDirs(dir: string, describe: string, elsewhere: string): void {
  const missing: string[] = [];
  let p = dir;
  let existing = statOrNothing(p);
  while (existing === undefined && dirname(p) !== p) {
    missing.push(p);
    p = dirname(p);
    existing = statOrNothing(p);
  }
  if (existing !== undefined && !existing.isDirectory()) {
    throw new BdgError(
      'SESSION_FILE_ERROR',
      `Cannot create ${describe} ${dir}: ${p} is a file, not a directory`,
      `${elsewhere}, or move ${p} out of the way.`,
      { path: dir, file: p },
    );
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m, { mode: 0o700 });
    } catch (err) {
      // Another bdg starting at the same moment made it first: fine, as long as it is a directory.
      if (errnoCode(err) === 'EEXIST' && statOrNothing(m)?.isDirectory() === true) continue;
      throw err;
    }
    chmodSync(m, 0o700);
  }
}

/**
 * Prepares the session directory: creates it and its missing parents with mode 0700, refuses one that belongs to
 * another user (its socket and lock decide who controls the session, as the original bdg insists), and tightens
 * one of ours that is readable or writable by others. Every failure is SESSION_FILE_ERROR naming the path, at once.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    makeDirs(dir, 'session directory', 'Set BDG_SESSION_DIR to a directory you can write to');
    const st = statSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    if (uid !== undefined && st.uid !== uid) {
      throw new BdgError(
        'SESSION_FILE_ERROR',
        `Refusing session directory ${dir}: it belongs to uid ${st.uid}, not to you (uid ${uid}); whoever owns it could replace the socket and lock bdg trusts`,
        `Set BDG_SESSION_DIR to a directory of your own (it is created if missing), or take this one over: chown ${uid} ${dir}`,
        { sessionDir: dir, owner: st.uid, uid },
      );
    }
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  } catch (err) {
    if (err instanceof BdgError) throw err;
    const e = err as NodeJS.ErrnoException;
    const at = typeof e.path === 'string' && e.path !== dir ? ` (at ${e.path})` : '';
    throw new BdgError(
      'SESSION_FILE_ERROR',
      `${e.syscall === 'mkdir' ? 'Cannot create' : 'Cannot use'} session directory ${dir}: ${reason(err)}${e.syscall !== undefined && e.syscall !== 'mkdir' ? ` (${e.syscall})` : ''}${at}`,
      'Set BDG_SESSION_DIR to a directory you can write to.',
      { sessionDir: dir, errno: errnoCode(err) ?? null },
    );
  }
}

/**
 * Creates a directory bdg uses but does not own the policy of (a Chrome profile given with --user-data-dir, the
 * default profile inside the session directory): missing levels with mode 0700, an existing directory left as it
 * is. Bounded like ensurePrivateDir; failures are SESSION_FILE_ERROR naming the path.
 */
export function ensureDir(dir: string, describe: string): void {
  try {
    makeDirs(dir, describe, 'Choose a directory you can write to');
  } catch (err) {
    if (err instanceof BdgError) throw err;
    throw new BdgError('SESSION_FILE_ERROR', `Cannot create ${describe} ${dir}: ${reason(err)}`, 'Choose a directory you can write to.', {
      path: dir,
      errno: errnoCode(err) ?? null,
    });
  }
}
