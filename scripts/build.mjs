// Build: tsc compiles everything (sources and tests) to build/ for the test runner; esbuild bundles the daemon to
// dist/daemon.js and the CLI to load units in dist/ (the core every command runs, and one file per lazy part),
// with the loader dist/bdg.js and V8 code caches. BDG_OUT=DIR builds into DIR/build and DIR/dist instead (parallel
// work trees share one checkout without clobbering each other's builds).
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
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

// The daemon is one CommonJS bundle (dist/package.json says so): Node loads a CommonJS file measurably faster than
// an ES module. The MCP SDK (and the zod, ajv and more it brings) is loaded from node_modules by `bdg mcp` alone:
// bundled, its code would be parsed at every command's start-up even though only that one command runs it.
const define = { __BDG_VERSION__: JSON.stringify(pkg.version) };
const external = ['bufferutil', 'utf-8-validate', '@modelcontextprotocol/sdk'];
const IMPORT_META_URL = '__bdg_import_meta_url';
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  define: { ...define, 'import.meta.url': IMPORT_META_URL },
  external,
  logLevel: 'warning',
  absWorkingDir: root,
};
const dist = join(out, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'package.json'), '{ "type": "commonjs" }\n');
// ASCII output and no whitespace: V8 holds a script's source as long as its functions live, and a single character
// above U+00FF (an ellipsis in a message) made it a two-byte string, 1.7 MB of the daemon's heap for an 0.87 MB
// file. Names are kept (no identifier minification) so the daemon log's stacks still name their functions.
await build({
  ...common,
  charset: 'ascii',
  minifyWhitespace: true,
  entryPoints: { daemon: 'src/daemon/main.ts' },
  outdir: dist,
  banner: { js: `const ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;` },
});
const units = await buildCliUnits(dist);
writeFileSync(join(dist, 'bdg.js'), cliLoader(), { mode: 0o755 });
chmodSync(join(dist, 'bdg.js'), 0o755);
writeCodeCaches(dist, units);

/**
 * The CLI in load units, one file each in dist/: `bdg-main.js`, the core every command runs (argv, contract,
 * client, session runners), and one file per lazy part (each command family, help, batch, mcp, the offline
 * journal readers, session start, ...), plus files for code that two lazy parts share. So `bdg status` compiles
 * the core alone and `bdg network list` the core and the network runners.
 *
 * Two passes. esbuild first bundles src/cli/main.ts as ES modules with `splitting`: every `import()` target
 * becomes an entry and every module lands in exactly one output file, so a module shared by two parts is one
 * instance (`instanceof BdgError`, registries). Then each unit is bundled again to CommonJS on its own: the core
 * from the main entry and every chunk it imports statically (one scope-hoisted file), every other output file
 * alone. An import of another unit becomes `__bdgLoad(unit)`, the loader's require (dist/bdg.js: it compiles the
 * file with its V8 code cache, once); the core hands the chunks other units import from as exports `c0`, `c1`, ...
 * and an `import()` becomes a lazy `__bdgLoad` in a promise, never Node's ESM loader.
 */
async function buildCliUnits(dist) {
  const split = join(root, '.bdg-split'); // never written: write:false keeps the first pass in memory
  const first = await build({
    bundle: true,
    platform: 'node',
    format: 'esm',
    splitting: true,
    target: 'node20',
    sourcemap: false,
    legalComments: 'none',
    define,
    external,
    logLevel: 'warning',
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts'],
    outbase: 'src',
    outdir: split,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]', // an import() target's [name] is its file's; a shared chunk's is "chunk"
    write: false,
    metafile: true,
  });
  const code = new Map(first.outputFiles.map((f) => [f.path, f.text]));
  const meta = new Map(Object.entries(first.metafile.outputs).map(([p, o]) => [resolve(root, p), o]));
  const mainFile = join(split, 'main.js');
  // bdg-network.js for the import() target src/cli/commands/network.ts; the hash stays where a name is not unique.
  const baseOf = (file) => basename(file, '.js').replace(/-[A-Z0-9]{8}$/, '');
  const bases = [...meta.keys()].map(baseOf);
  const unitName = (file) => {
    const base = baseOf(file);
    return `bdg-${base !== 'chunk' && bases.filter((b) => b === base).length === 1 ? base : basename(file, '.js')}`;
  };
  const staticImports = (file) =>
    meta
      .get(file)
      .imports.filter((i) => i.kind === 'import-statement' && !i.external)
      .map((i) => resolve(root, i.path));

  // The core: the main entry and what it imports statically, transitively.
  const core = new Set();
  const visit = (file) => {
    if (core.has(file)) return;
    core.add(file);
    for (const dep of staticImports(file)) visit(dep);
  };
  visit(mainFile);
  const unitOf = new Map([...meta.keys()].map((f) => [f, core.has(f) ? 'bdg-main' : unitName(f)]));
  if (new Set(unitOf.values()).size !== new Set([...meta.keys()].filter((f) => !core.has(f))).size + 1) throw new Error('two CLI units share a name');
  // Core chunks that another unit imports are handed over as exports of the core.
  const coreExport = new Map();
  for (const [file, o] of meta)
    if (!core.has(file))
      for (const i of o.imports) {
        const dep = resolve(root, i.path);
        if (!i.external && core.has(dep) && !coreExport.has(dep)) coreExport.set(dep, `c${coreExport.size}`);
      }

  const units = [];
  for (const unit of new Set(unitOf.values())) {
    const members = [...unitOf].filter(([, u]) => u === unit).map(([f]) => f);
    const entry =
      unit === 'bdg-main'
        ? [`import ${JSON.stringify(mainFile)};`, ...[...coreExport].map(([f, name]) => `export * as ${name} from ${JSON.stringify(f)};`)].join('\n')
        : `export * from ${JSON.stringify(members[0])};`;
    const r = await build({
      ...common,
      stdin: { contents: entry, resolveDir: split, loader: 'js' },
      outfile: join(dist, `${unit}.js`),
      write: false,
      plugins: [unitsPlugin(unit, unitOf, code, coreExport)],
    });
    let text = r.outputFiles[0].text;
    if (text.includes(IMPORT_META_URL)) text = `const ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;\n${text}`;
    if (/\bimport\(/.test(text)) throw new Error(`${unit}.js still has an import(): it would start Node's ESM loader`);
    writeFileSync(join(dist, `${unit}.js`), text);
    units.push(unit);
  }
  return units;
}

/** Resolves the first pass's files for one unit: its own members from memory, any other unit's as `__bdgLoad`. */
function unitsPlugin(unit, unitOf, code, coreExport) {
  return {
    name: 'bdg-units',
    setup(b) {
      b.onResolve({ filter: /^[./]/ }, (args) => {
        const file = resolve(args.resolveDir, args.path);
        if (!unitOf.has(file)) return { errors: [{ text: `${args.path}: not an output of the first pass` }] };
        return { path: file, namespace: unitOf.get(file) === unit ? 'bdg-own' : 'bdg-other' };
      });
      b.onLoad({ filter: /.*/, namespace: 'bdg-own' }, (args) => ({ contents: code.get(args.path), loader: 'js', resolveDir: dirname(args.path) }));
      b.onLoad({ filter: /.*/, namespace: 'bdg-other' }, (args) => {
        const other = unitOf.get(args.path);
        const expr = other === 'bdg-main' ? `__bdgLoad('bdg-main').${coreExport.get(args.path)}` : `__bdgLoad(${JSON.stringify(other)})`;
        return { contents: `module.exports = ${expr};\n`, loader: 'js' };
      });
    },
  };
}

// The CLI is a short-lived process whose start-up is mostly V8 compiling code. dist/bdg.js is a loader that
// compiles each unit (dist/bdg-main.js first) with a V8 code cache made here (writeCodeCaches). A cache from
// another Node or V8 version is rejected by V8 and the file is compiled as without one, so a stale cache costs
// nothing but the saving. `__bdgLoad(name)` loads a unit once and returns its exports.
function cliLoader() {
  return `#!/usr/bin/env node
'use strict';
const { readFileSync } = require('node:fs');
const { Script } = require('node:vm');
const loaded = new Map();
const scripts = [];
function __bdgLoad(name) {
  let unit = loaded.get(name);
  if (unit !== undefined) return unit.exports;
  unit = { exports: {} };
  loaded.set(name, unit);
  const file = __dirname + '/' + name + '.js';
  let cachedData;
  try {
    cachedData = readFileSync(__dirname + '/' + name + '.cache');
  } catch {}
  const source = '(function (exports, require, module, __filename, __dirname, __bdgLoad) {' + readFileSync(file, 'utf8') + '\\n})';
  const script = new Script(source, { filename: file, cachedData });
  scripts.push([name, script]);
  script.runInThisContext().call(unit.exports, unit.exports, require, unit, file, __dirname, __bdgLoad);
  return unit.exports;
}
if (process.env.BDG_CODE_CACHE_OUT) {
  process.once('exit', () => {
    for (const [name, script] of scripts) require('node:fs').writeFileSync(process.env.BDG_CODE_CACHE_OUT + '/' + name + '.cache', script.createCachedData());
  });
}
__bdgLoad('bdg-main');
`;
}

/**
 * Code caches, made by runs of the built CLI without a session (most exit 83 once the code their command starts
 * with has run, so the functions it ran are in the cache, compiled): the core's from `bdg status` alone, each lazy
 * unit's from the first run below that loads it. A unit none of them loads (install-skill, session start: they
 * would write files or start a browser) is compiled without a cache.
 */
function writeCodeCaches(dist, units) {
  const state = mkdtempSync(join(tmpdir(), 'bdg-build-'));
  const caches = join(state, 'caches');
  const runs = [
    { args: ['status'] },
    { args: ['peek'] },
    { args: ['network', 'list'] },
    { args: ['console'] },
    { args: ['dom', 'query', 'a'] },
    { args: ['page', 'reload'] },
    { args: ['cdp', 'Runtime.evaluate'] },
    { args: ['--help'] },
    { args: ['css', 'search', 'a'] },
    { args: ['storage', 'local'] },
    { args: ['state', 'save', join(state, 'state.json')] },
    { args: ['bundle', join(state, 'bundle')] },
    { args: ['sessions'] },
    { args: ['network', 'list', '--from', join(state, 'journal.ndjson')] },
    { args: ['batch'], input: 'status\n' },
    { args: ['mcp'], input: '' }, // stdin at its end: the server starts, sees the client gone and exits
  ];
  try {
    for (const { args, input } of runs) {
      rmSync(caches, { recursive: true, force: true });
      mkdirSync(caches);
      const r = spawnSync(process.execPath, [join(dist, 'bdg.js'), ...args], {
        env: { ...process.env, BDG_SESSION_DIR: join(state, 'session'), BDG_CODE_CACHE_OUT: caches, BDG_SESSION: '' },
        input: input ?? '',
        stdio: ['pipe', 'ignore', 'ignore'],
        timeout: 30_000,
      });
      if (args[0] === 'status' && r.status !== 83) throw new Error(`making the code cache: bdg status exited ${r.status ?? r.signal}`);
      for (const unit of units) {
        const made = join(caches, `${unit}.cache`);
        const target = join(dist, `${unit}.cache`);
        if (existsSync(made) && !existsSync(target)) renameSync(made, target);
      }
    }
    if (!existsSync(join(dist, 'bdg-main.cache'))) throw new Error('making the code cache: bdg status wrote none');
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}
