// Build: tsc compiles everything (sources and tests) to build/ for the test runner; esbuild bundles the two
// entry points to dist/ so the CLI's start-up reads one file. BDG_OUT=DIR builds into DIR/build and DIR/dist
// instead (parallel work trees share one checkout without clobbering each other's builds).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
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
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', join(out, 'build')], { stdio: 'inherit' });

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  define: { __BDG_VERSION__: JSON.stringify(pkg.version) },
  // ws is CommonJS; give the ESM bundle a require() for its optional native helpers.
  banner: { js: "import { createRequire as __bdgCreateRequire } from 'node:module'; const require = __bdgCreateRequire(import.meta.url);" },
  external: ['bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
  absWorkingDir: root,
};
await build({ ...common, entryPoints: { bdg: 'src/cli/main.ts' }, outdir: join(out, 'dist'), banner: { js: '#!/usr/bin/env node\n' + common.banner.js } });
await build({ ...common, entryPoints: { daemon: 'src/daemon/main.ts' }, outdir: join(out, 'dist') });
chmodSync(join(out, 'dist', 'bdg.js'), 0o755);
