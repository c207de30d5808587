#!/usr/bin/env node
// Bench-only: where the daemon's resident memory goes, outside as well as inside the V8 heap, at rest and after the
// volume burst (bench/groups/volume.mjs's page). Prints the daemon's /proc/PID/smaps summed by kind of mapping
// (the node binary and libraries, glibc's main heap, other anonymous mappings by size: V8 pages, malloc arenas,
// thread stacks) next to its process.memoryUsage(), once at "10" and once after the burst has settled.
// Usage: node bench/tools/daemonMemory.mjs [--dist DIR] [--wait-ms N] [--debug]   (needs `npm run build`; a heap
// snapshot of the same moment: heapSnapshot.mjs)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bdg } from '../lib/cli.mjs';
import { runVolumeBurst, toolOptions } from '../lib/burst.mjs';

const { opt, flag } = toolOptions();
const waitMs = Number(opt('--wait-ms', '3000'));
// --debug: the daemon logs at debug level, and its heap trim lines are printed at the end.
const debug = flag('--debug');

/**
 * Rss (kB) of the process summed by kind of mapping. glibc's thread arenas are the anonymous mappings that start on
 * a 64 MB boundary (its HEAP_MAX_SIZE alignment); V8's pages are the other anonymous mappings of 256 kB and up.
 */
export function smapsByKind(pid) {
  const text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const by = new Map();
  let kind = '';
  let size = 0;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head !== null) {
      const start = BigInt(`0x${head[1]}`);
      size = Number((BigInt(`0x${head[2]}`) - start) / 1024n);
      const name = head[4];
      if (name === '') {
        if (start % (64n * 1024n * 1024n) === 0n && head[3] !== '---p') kind = 'anon: malloc thread arenas';
        else kind = size >= 256 ? `anon ${size >= 1024 ? '>= 1 MB' : '256 kB - 1 MB'} (V8 heap pages, ...)` : 'anon < 256 kB (stacks, ...)';
      } else if (name.startsWith('[')) kind = name === '[heap]' ? '[heap] (malloc main arena)' : name;
      else kind = name.includes('/node') ? 'node binary (file)' : 'libraries and other files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss !== null && Number(rss[1]) > 0) {
      const e = by.get(kind) ?? { rssKb: 0, mappings: 0, sizeKb: 0 };
      e.rssKb += Number(rss[1]);
      e.mappings++;
      e.sizeKb += size;
      by.set(kind, e);
    }
  }
  return [...by.entries()].sort((a, b) => b[1].rssKb - a[1].rssKb);
}

function print(label, pid, view) {
  const mb = (kb) => (kb / 1024).toFixed(1);
  const rows = smapsByKind(pid);
  const total = rows.reduce((n, [, e]) => n + e.rssKb, 0);
  process.stdout.write(`${label}: RSS ${mb(total)} MB\n`);
  for (const [kind, e] of rows)
    process.stdout.write(`  ${mb(e.rssKb).padStart(7)} MB in ${String(e.mappings).padStart(4)} mappings (${mb(e.sizeKb)} MB mapped)  ${kind}\n`);
  const m = view?.memory;
  if (m !== undefined)
    process.stdout.write(
      `  memoryUsage: heap ${mb(m.heapUsed / 1024)} / ${mb(m.heapTotal / 1024)} MB, external ${mb(m.external / 1024)} MB, arrayBuffers ${mb(m.arrayBuffers / 1024)} MB\n`,
    );
}

async function verbose(dir) {
  const r = await bdg(dir, ['status', '--json', '--verbose'], { timeoutMs: 30_000 });
  return r.code === 0 ? r.json?.data : undefined;
}

await runVolumeBurst({
  name: 'mem',
  env: { ...(debug ? { BDG_DEBUG: '1' } : {}), ...(process.env.BDG_BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BDG_BENCH_NODE_OPTIONS } : {}) },
  waitMs,
  atTen: async ({ dir, start }) => print('at 10', start.data.pid, await verbose(dir)),
  afterBurst: async ({ dir, start, settled }) => {
    const pid = start.data.pid;
    print(`after the burst (settled at ${settled}, then ${waitMs} ms)`, pid, await verbose(dir));
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    process.stdout.write(`  peak (VmHWM): ${Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024} MB, threads ${/Threads:\s+(\d+)/.exec(status)?.[1]}\n`);
    if (debug) {
      for (const line of readFileSync(join(dir, 'daemon.log'), 'utf8').split('\n'))
        if (line.includes('heap trimmed')) process.stdout.write(`  daemon.log: ${line}\n`);
    }
  },
});
