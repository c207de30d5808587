#!/usr/bin/env node
// Bench-only: where the daemon's heap goes after the volume burst (bench/groups/volume.mjs's page). Starts one
// session whose daemon takes --heapsnapshot-signal (through NODE_OPTIONS, which the CLI passes on), runs the
// burst, waits for the totals to settle, has the daemon write a heap snapshot and prints the self sizes summed
// by node type and constructor name, largest first. Usage: node bench/tools/heapSnapshot.mjs [--dist DIR] [--top N]
// --wait-ms N (3000): how long after the totals settled the snapshot is taken, as daemonMemory.mjs reads RSS. Needs `npm run build`. Writes the snapshot under a temp directory (removed unless --keep).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../build/test/helpers/bdg.js';
import { runVolumeBurst, toolOptions } from '../lib/burst.mjs';
import { memory } from '../lib/proc.mjs';

const { opt, flag } = toolOptions();
const top = Number(opt('--top', '40'));
const keep = flag('--keep');

/** Sums self_size by `type:name` (objects by constructor) over a .heapsnapshot file. */
export function summarize(file, n) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const f = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const stride = f.length;
  const nodes = snap.nodes;
  const by = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + iType]];
    let name = type === 'object' || type === 'closure' || type === 'hidden' || type === 'native' || type === 'array' ? snap.strings[nodes[i + iName]] : '';
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    if (name.length > 60) name = `${name.slice(0, 60)}…`;
    const key = `${type}:${name}`;
    const size = nodes[i + iSize];
    total += size;
    const e = by.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += size;
    by.set(key, e);
  }
  const rows = [...by.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, n);
  return { total, rows };
}

const snapDir = mkdtempSync(join(tmpdir(), 'bdg-heap-'));
try {
  await runVolumeBurst({
    name: 'heap',
    waitMs: Number(opt('--wait-ms', '3000')),
    env: { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapDir}` },
    afterBurst: async ({ dir, start, settled }) => {
      const m = memory(dir, start.data.chromePid);
      process.stderr.write(`settled at ${settled}; daemon RSS ${m.daemon.rssMb} MB\n`);
      process.kill(start.data.pid, 'SIGUSR2');
      let file;
      for (let i = 0; i < 600 && file === undefined; i++) {
        await sleep(250);
        const f = readdirSync(snapDir).find((x) => x.endsWith('.heapsnapshot'));
        // Written in one go: wait until the size stops changing.
        if (f !== undefined) {
          const a = statSync(join(snapDir, f)).size;
          await sleep(3000);
          if (a > 0 && statSync(join(snapDir, f)).size === a) file = join(snapDir, f);
        }
      }
      if (file === undefined) throw new Error('no heap snapshot written');
      const { total, rows } = summarize(file, top);
      process.stdout.write(`heap snapshot ${file}: ${(total / 1024 / 1024).toFixed(1)} MB in nodes\n`);
      for (const [key, e] of rows) process.stdout.write(`${(e.bytes / 1024 / 1024).toFixed(2).padStart(8)} MB ${String(e.count).padStart(9)}  ${key}\n`);
    },
  });
} finally {
  if (!keep) rmSync(snapDir, { recursive: true, force: true });
  else process.stderr.write(`snapshot kept in ${snapDir}\n`);
}
