#!/usr/bin/env node
// Bench-only: the daemon's own time per command at 10 and after the volume burst, straight to its socket (no Node
// start-up in the figure), so "as fast at 10k as at 10" is seen without the CLI's start-up noise around it.
// Usage: node bench/tools/lat10k.mjs [--dist DIR] [--runs N]   (needs `npm run build`)
import { join, resolve } from 'node:path';
import { sleep } from '../../build/test/helpers/bdg.js';
import { rawRequest, statusJson, useCli } from '../lib/cli.mjs';
import { startFixture } from '../lib/fixture.mjs';
import { cleanupAll, newSessionDir, startSession, stopSession } from '../lib/sessions.mjs';
import { stats } from '../lib/stats.mjs';
import { bdg } from '../lib/cli.mjs';
import * as volume from '../groups/volume.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const dist = resolve(opt('--dist', new URL('../../dist', import.meta.url).pathname));
const runs = Number(opt('--runs', '30'));
useCli(join(dist, 'bdg.js'));
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

const fixture = await startFixture(volume.pages());
try {
  const dir = newSessionDir('lat');
  await startSession(dir, fixture.url('/vol'), { env: process.env.LAT_NODE_OPTIONS ? { NODE_OPTIONS: process.env.LAT_NODE_OPTIONS } : {} });
  if (!(await fixture.waitFor('/go', 30_000))) throw new Error('the volume page never reached /go');
  await sleep(500);
  await measure(dir, 'at 10');
  fixture.releaseGo();
  if (!(await fixture.waitFor('/done', 300_000))) throw new Error('no /done');
  let last = '';
  for (let i = 0; i < 240; i++) {
    const s = await statusJson(dir);
    const key = `${(s?.network?.count ?? 0) + (s?.network?.dropped ?? 0)}/${(s?.console?.count ?? 0) + (s?.console?.dropped ?? 0)}`;
    if (key === last) break;
    last = key;
    await sleep(500);
  }
  await sleep(3000);
  const pid = (await statusJson(dir))?.pid;
  if (process.env.LAT_PROFILE) process.kill(pid, 'SIGUSR1');
  await measure(dir, `at 10k (${last})`);
  if (process.env.LAT_PROFILE) {
    process.kill(pid, 'SIGUSR2');
    await sleep(2000);
  }
  await stopSession(dir);
} finally {
  await cleanupAll();
  await fixture.close();
}
