import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout: the directory holding package.json and node_modules; a BDG_OUT build directory has only a
 * node_modules link to its checkout's. (A work tree's node_modules may itself link to another checkout's, so the
 * link is followed only when there is no package.json beside it.)
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const nm = join(dir, 'node_modules');
    if (existsSync(nm)) return existsSync(join(dir, 'package.json')) ? dir : dirname(realpathSync(nm));
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
