// Build: tsc compiles everything (sources and tests) to build/ for the test runner; esbuild bundles the two
// entry points to dist/ so the CLI's start-up reads one file. BDG_OUT=DIR builds into DIR/build and DIR/dist
// instead (parallel work trees share one checkout without clobbering each other's builds).
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.env.BDG_OUT ?? root);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(join(out, 'build'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
if (out !== resolve(root) && !existsSync(join(out, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', join(out, 'build')], {
  stdio: 'inherit',
});

// Both bundles are CommonJS (dist/package.json says so): Node loads a CommonJS file measurably faster than an ES
// module, and dynamic import() of bundled code becomes a lazy, in-file initialiser, so command families other
// than the session core cost nothing at start-up.
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  define: { __BDG_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__bdg_import_meta_url' },
  banner: { js: "const __bdg_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  // The MCP SDK (and the zod, ajv and more it brings) is loaded from node_modules by `bdg mcp` alone: bundled, its
  // code would be parsed at every command's start-up even though only that one command runs it.
  external: ['bufferutil', 'utf-8-validate', '@modelcontextprotocol/sdk'],
  logLevel: 'warning',
  absWorkingDir: root,
};
rmSync(join(out, 'dist'), { recursive: true, force: true });
mkdirSync(join(out, 'dist'), { recursive: true });
writeFileSync(join(out, 'dist', 'package.json'), '{ "type": "commonjs" }\n');
await build({ ...common, entryPoints: { 'bdg-main': 'src/cli/main.ts' }, outdir: join(out, 'dist') });
await build({ ...common, entryPoints: { daemon: 'src/daemon/main.ts' }, outdir: join(out, 'dist') });
writeFileSync(join(out, 'dist', 'bdg.js'), cliLoader(), { mode: 0o755 });
chmodSync(join(out, 'dist', 'bdg.js'), 0o755);
writeCodeCache(join(out, 'dist'));

// The CLI is a short-lived process whose start-up is mostly V8 compiling the bundle. dist/bdg.js is a loader that
// compiles dist/bdg-main.js with a V8 code cache made here, by one run of `bdg status` (the functions that run at
// every command's start are in it, compiled). A cache from another Node or V8 version is rejected by V8 and the
// bundle is compiled as without one, so a stale cache costs nothing but the saving.
function cliLoader() {
  return `#!/usr/bin/env node
'use strict';
const { readFileSync } = require('node:fs');
const { Script, constants } = require('node:vm');
const { wrap } = require('node:module');
const file = __dirname + '/bdg-main.js';
let cachedData;
try {
  cachedData = readFileSync(__dirname + '/bdg-main.cache');
} catch {}
const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
if (process.env.BDG_CODE_CACHE_OUT) process.once('exit', () => require('node:fs').writeFileSync(process.env.BDG_CODE_CACHE_OUT, script.createCachedData()));
script.runInThisContext().call(module.exports, module.exports, require, module, file, __dirname);
`;
}

function writeCodeCache(dist) {
  const state = mkdtempSync(join(tmpdir(), 'bdg-build-'));
  try {
    // `status` without a session: exit 83, after running the code every command starts with.
    const r = spawnSync(process.execPath, [join(dist, 'bdg.js'), 'status'], {
      env: { ...process.env, BDG_SESSION_DIR: state, BDG_CODE_CACHE_OUT: join(dist, 'bdg-main.cache'), BDG_SESSION: '' },
      stdio: 'ignore',
    });
    if (r.status !== 83 || !existsSync(join(dist, 'bdg-main.cache'))) throw new Error(`making the code cache: bdg status exited ${r.status ?? r.signal}`);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}
