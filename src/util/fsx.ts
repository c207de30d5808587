import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { BdgError, errnoCode } from './errors.js';
import { uniqueToken } from './token.js';

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
      return new BdgError('PERMISSION_DENIED', `Cannot write ${path}: ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'} (${code})`, 'Choose a path in a directory you can write to.', data);
    case 'ENOENT':
    case 'ENOTDIR':
      return new BdgError('PERMISSION_DENIED', `Cannot write ${path}: its directory does not exist (${code})`, 'Create the directory first or choose another path.', data);
    case 'EISDIR':
      return new BdgError('INVALID_ARGUMENTS', `Cannot write ${path}: it is a directory (${code})`, `Give a file name inside it, e.g. ${path}/NAME.`, data);
    case 'ENAMETOOLONG':
      return new BdgError('INVALID_ARGUMENTS', `Cannot write ${path}: the file name is too long (${code})`, 'Choose a shorter path.', data);
    default:
      return new BdgError('SESSION_FILE_ERROR', `Cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`, 'Check the disk and the path; daemon.log in the session directory may have details.', data);
  }
}

/**
 * Writes a file so that a crash leaves either the old file or the new one: temp file in the same directory,
 * fsync, rename over the target. A failure removes the temp file (a full disk leaves nothing partial) and is
 * thrown as the BdgError {@link writeError} maps it to.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${uniqueToken()}.tmp`);
  let handle;
  try {
    handle = await open(tmp, 'w', mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (err) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw writeError(path, err);
  }
}

/** The deepest existing path on the way to `dir` (itself included) that is not a directory, if any. */
function blockingFile(dir: string): string | undefined {
  for (let p = dir; ; p = dirname(p)) {
    try {
      const st = statSync(p, { throwIfNoEntry: false });
      if (st !== undefined) return st.isDirectory() ? undefined : p;
    } catch {
      /* ENOTDIR: a parent is a file; keep walking up to it */
    }
    if (dirname(p) === p) return undefined;
  }
}

/** Creates the session directory with mode 0700 and tightens it if it already existed looser. */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  } catch (err) {
    const code = errnoCode(err);
    // mkdir's own text ("ENOTDIR: not a directory, mkdir '<dir>'") names the wrong path: say which one is a file.
    const file = code === 'ENOTDIR' || code === 'EEXIST' ? blockingFile(dir) : undefined;
    throw new BdgError(
      code === 'EACCES' || code === 'EPERM' ? 'PERMISSION_DENIED' : 'SESSION_FILE_ERROR',
      `Cannot create session directory ${dir}: ${file !== undefined ? `${file} is a file, not a directory` : err instanceof Error ? err.message : String(err)}`,
      file !== undefined ? `Set BDG_SESSION_DIR to a directory you can write to, or move ${file} out of the way.` : 'Set BDG_SESSION_DIR to a directory you can write to.',
      file !== undefined ? { sessionDir: dir, file } : { sessionDir: dir },
    );
  }
}
