#!/usr/bin/env node
// bdg benchmarks: command latency against the `node -e 0` floor, concurrency, memory, cold start and volume.
// Usage: node bench/run.mjs [GROUP...] [--dist DIR] [--quick] [--out FILE] [--no-volume]   (--help for more)
// Plain Node, no dependencies; it reuses the test suite's helpers as compiled by `npm run build`. Everything runs
// against private BDG_SESSION_DIRs under a temp directory and a fixture HTTP server on 127.0.0.1 that it starts;
// every daemon and Chrome it starts is stopped before it exits. The groups live in bench/groups/, the shared
// machinery (spawning, sessions, fixture, statistics, report) in bench/lib/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './lib/options.mjs';

const opts = parseOptions(process.argv.slice(2));
const cli = join(opts.dist, 'bdg.js');
if (!existsSync(cli)) {
  process.stderr.write(`No built CLI at ${cli}. Run \`npm run build\` first (or pass --dist DIR).\n`);
  process.exit(1);
}
const helpers = fileURLToPath(new URL('../build/test/helpers/fixtureServer.js', import.meta.url));
if (!existsSync(helpers)) {
  process.stderr.write(`No compiled test helpers at ${helpers}. Run \`npm run build\` first.\n`);
  process.exit(1);
}

// Loaded only now: the modules import the compiled helpers.
const { main } = await import('./lib/main.mjs');
const { cleanupAll } = await import('./lib/sessions.mjs');
main(opts, cli).then(
  (code) => {
    process.exitCode = code;
  },
  async (err) => {
    process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
    await cleanupAll();
    process.exitCode = 1;
  },
);
