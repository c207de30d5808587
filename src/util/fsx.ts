import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { BdgError, errnoCode } from './errors.js';
import { uniqueToken } from './token.js';

/**
 * Writes a file so that a crash leaves either the old file or the new one: temp file in the same directory,
 * fsync, rename over the target.
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
    const code = errnoCode(err);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new BdgError('PERMISSION_DENIED', `Cannot write ${path}: ${code}`, 'Choose a path in a directory you can write to.');
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new BdgError('PERMISSION_DENIED', `Cannot write ${path}: its directory does not exist`, 'Create the directory first or choose another path.');
    }
    throw err;
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
    throw new BdgError(
      code === 'EACCES' || code === 'EPERM' ? 'PERMISSION_DENIED' : 'SESSION_FILE_ERROR',
      `Cannot create session directory ${dir}: ${err instanceof Error ? err.message : String(err)}`,
      'Set BDG_SESSION_DIR to a directory you can write to.',
    );
  }
}
