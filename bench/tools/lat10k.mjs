#!/usr/bin/env node
// Bench-only: the daemon's own time per command at 10 and after the volume burst, straight to its socket (no Node
// start-up in the figure), so "as fast at 10k as at 10" is seen without the CLI's start-up noise around it.
// Usage: node bench/tools/lat10k.mjs [--dist DIR] [--runs N]   (needs `npm run build`)
// LAT_PROFILE=1 with BDG_DAEMON_PATH set to a wrapper of dist/daemon.js that starts the inspector's profiler on
// SIGUSR1 and writes it on SIGUSR2 profiles the daemon over the measurement at 10k.
import { join } from 'node:path';
import { sleep } from '../../build/test/helpers/bdg.js';
import { bdg, rawRequest, statusJson } from '../lib/cli.mjs';
import { runVolumeBurst, toolOptions } from '../lib/burst.mjs';
import { stats } from '../lib/stats.mjs';

const { opt } = toolOptions();
const runs = Number(opt('--runs', '30'));
const COMMANDS = ['status', 'peek', 'network.list', 'console'];

async function measure(dir, label) {
  const st = await statusJson(dir);
  const version = (await bdg(dir, ['--version'])).stdout.trim();
  const row = [];
  for (const cmd of COMMANDS) {
    const ms = [];
    for (let i = 0; i < runs; i++) {
      const r = await rawRequest(join(dir, 'daemon.sock'), cmd, version, st.protocol ?? 1);
      if (r.ok) ms.push(r.ms);
    }
    row.push(`${cmd} ${ms.length ? stats(ms).median : 'failed'} ms`);
  }
  process.stdout.write(`${label}: ${row.join(', ')}\n`);
}

const profile = process.env['LAT_PROFILE'] !== undefined;
await runVolumeBurst({
  name: 'lat',
  waitMs: 3000,
  atTen: ({ dir }) => measure(dir, 'at 10'),
  afterBurst: async ({ dir, start, settled }) => {
    if (profile) process.kill(start.data.pid, 'SIGUSR1');
    await measure(dir, `at 10k (${settled})`);
    if (profile) {
      process.kill(start.data.pid, 'SIGUSR2');
      await sleep(2000);
    }
  },
});
