// Build: tsc compiles everything (sources and tests) to build/ for the test runner;
// esbuild bundles the two entry points to dist/ so the CLI's start-up reads one file.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

rmSync(new URL('../build', import.meta.url), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit' });

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
};
await build({ ...common, entryPoints: { bdg: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node\n' + common.banner.js }, splitting: false });
await build({ ...common, entryPoints: { daemon: 'src/daemon/main.ts' }, outdir: 'dist' });
chmodSync(new URL('../dist/bdg.js', import.meta.url), 0o755);
