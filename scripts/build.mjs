// Build: tsc compiles everything (sources and tests) to build/ for the test runner; esbuild bundles the two
// entry points to dist/ so the CLI's start-up reads one file. BDG_OUT=DIR builds into DIR/build and DIR/dist
// instead (parallel work trees share one checkout without clobbering each other's builds).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
await build({ ...common, entryPoints: { bdg: 'src/cli/main.ts' }, outdir: join(out, 'dist'), banner: { js: '#!/usr/bin/env node\n' + common.banner.js } });
await build({ ...common, entryPoints: { daemon: 'src/daemon/main.ts' }, outdir: join(out, 'dist') });
chmodSync(join(out, 'dist', 'bdg.js'), 0o755);
