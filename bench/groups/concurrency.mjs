// 2. Simultaneous commands: rounds of `bdg peek --json` processes started at the same instant against the live
// session's daemon, then one burst of 200.
import { performance } from 'node:perf_hooks';
import { bdg } from '../lib/cli.mjs';
import { log, round1, stats } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

async function simultaneous(dir, count, args) {
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: count }, () => bdg(dir, args, { timeoutMs: 120_000 })));
  const wallMs = performance.now() - t0;
  const failed = results.filter((r) => r.code !== 0 || r.json?.success !== true);
  const messages = [
    ...new Set(failed.map((r) => `exit ${r.code}${r.timedOut ? ' (timeout)' : ''}: ${(r.json?.error?.message ?? r.stderr.trim() ?? '').slice(0, 200)}`)),
  ].slice(0, 5);
  const per = stats(results.map((r) => r.ms));
  return { count, failures: failed.length, wallMs: round1(wallMs), perProcessMedianMs: per.median, perProcessMaxMs: per.max, errors: messages };
}

export async function measure(ctx, liveDir) {
  const { res, N } = ctx;
  log('simultaneous peeks');
  const rounds = [];
  for (let i = 0; i < N.rounds; i++) rounds.push(await simultaneous(liveDir, N.roundSize, ['peek', '--json']));
  const burst = await simultaneous(liveDir, N.burst, ['peek', '--json']);
  const after = await bdg(liveDir, ['status', '--json', '--verbose']);
  res.concurrency = { rounds, burst, daemonAliveAfter: after.json?.data?.running === true, ipcAfter: after.json?.data?.ipc };
}

export function render(res) {
  if (res.concurrency === undefined) return [];
  const out = ['2. Simultaneous `bdg peek --json` against one daemon'];
  out.push(
    table(
      [
        ...res.concurrency.rounds.map((r, i) => [`round ${i + 1}: ${r.count} at once`, r.failures, r.wallMs, r.perProcessMedianMs, r.perProcessMaxMs]),
        [
          '200 at once',
          res.concurrency.burst.failures,
          res.concurrency.burst.wallMs,
          res.concurrency.burst.perProcessMedianMs,
          res.concurrency.burst.perProcessMaxMs,
        ],
      ],
      ['case', 'failed', 'wall ms', 'median/proc ms', 'max/proc ms'],
    ),
  );
  for (const e of res.concurrency.burst.errors) out.push(`   failure: ${e}`);
  if (res.concurrency.ipcAfter !== undefined) out.push(`   daemon IPC stats afterwards: ${JSON.stringify(res.concurrency.ipcAfter)}`);
  out.push('');
  return out;
}

export function targets(res, verdict) {
  if (res.concurrency === undefined) return [];
  const f = res.concurrency.burst.failures + res.concurrency.rounds.reduce((a, r) => a + r.failures, 0);
  return [{ what: '3x20 + 200 simultaneous peeks, failures', ours: String(f), target: '0', verdict: verdict(f === 0), original: '-', rust: '-' }];
}
