// The built CLI loads only the files a command needs (scripts/build.mjs splits it into load units): the core alone
// for `status` and `--version`, the core and the family's file for a lazy family. The loader writes a code cache per
// file it compiled into BDG_CODE_CACHE_OUT, which is how these tests see what a run loaded. No browser is started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BDG } from '../helpers/bdg.js';

const DIST = dirname(BDG);

function loads(args: string[]): Promise<{ code: number | null; units: string[]; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bdg-units-'));
  const caches = join(dir, 'caches');
  mkdirSync(caches);
  // The session directory is dir/session, which does not exist: no session.
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BDG, ...args],
      { env: { ...process.env, BDG_SESSION_DIR: join(dir, 'session'), BDG_SESSION: '', BDG_CODE_CACHE_OUT: caches }, timeout: 30_000 },
      (err, _stdout, stderr) => {
        let units: string[] = [];
        try {
          units = readdirSync(caches)
            .map((f) => f.replace(/\.cache$/, ''))
            .sort();
        } catch {
          /* none written */
        }
        rmSync(dir, { recursive: true, force: true });
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, units, stderr });
      },
    );
  });
}

test('status and --version compile the core file only; a lazy family adds its own file', async () => {
  const status = await loads(['status']);
  assert.equal(status.code, 83, status.stderr);
  assert.deepEqual(status.units, ['bdg-main']);
  assert.deepEqual((await loads(['--version'])).units, ['bdg-main']);
  const network = await loads(['network', 'list']);
  assert.equal(network.code, 83, network.stderr); // BdgError from the core's client, thrown through the network file
  assert.ok(network.units.includes('bdg-main') && network.units.includes('bdg-network'), network.units.join(' '));
  assert.ok(!network.units.includes('bdg-dom') && !network.units.includes('bdg-help'), network.units.join(' '));
  const help = await loads(['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.ok(help.units.includes('bdg-help') && !help.units.includes('bdg-network'), help.units.join(' '));
});

test("no CLI file in dist/ uses import(), which would start Node's ESM loader; the core has its code cache", () => {
  const files = readdirSync(DIST).filter((f) => /^bdg-.*\.js$/.test(f));
  assert.ok(files.includes('bdg-main.js') && files.includes('bdg-network.js') && files.includes('bdg-server.js'), files.join(' '));
  for (const f of files) assert.doesNotMatch(readFileSync(join(DIST, f), 'utf8'), /\bimport\(/, f);
  assert.ok(readdirSync(DIST).includes('bdg-main.cache'));
});

test('the daemon bundle is a one-byte string for V8: no character above U+00FF (its source stays in the heap)', () => {
  const source = readFileSync(join(DIST, 'daemon.js'), 'utf8');
  const wide = [...source].findIndex((c) => c.charCodeAt(0) > 0xff);
  assert.equal(wide, -1, `a character above U+00FF at ${wide}: ${JSON.stringify(source.slice(Math.max(0, wide - 40), wide + 10))}`);
});
