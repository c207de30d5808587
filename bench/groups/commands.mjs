// 1. Sequential commands: `node -e 0` (the floor), `bdg --version`, `bdg status` without and with a session,
// `bdg peek`, and `bdg network list` / `bdg dom query body` (lazy command families, each loading its own file), round-robin, wall and CPU time against the floor; and the same `status` sent straight to the socket.
import { join } from 'node:path';
import { bdg, rawRequest, statusJson } from '../lib/cli.mjs';
import { run } from '../lib/proc.mjs';
import { sequential } from '../lib/sequential.mjs';
import { newSessionDir, stopSession } from '../lib/sessions.mjs';
import { log, ratio, round1, round2, stats } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

export async function measure(ctx, liveDir) {
  const { res, N } = ctx;
  const emptyDir = newSessionDir('empty');
  log(`sequential commands: ${N.warmup + N.seq} rounds`);
  const isRunning = (r) => !r.stdout.includes('not running');
  res.sequential = await sequential(
    [
      { key: 'floor', label: 'node -e 0 (floor)', run: () => run(process.execPath, ['-e', '0']) },
      { key: 'version', label: 'bdg --version', run: () => bdg(emptyDir, ['--version']) },
      // Without a session `status` exits 83 (NOT_FOUND), which is its answer here, not a failure.
      {
        key: 'statusNoSession',
        label: 'bdg status (no session)',
        run: async () => ((r) => (r.code === 83 ? { ...r, code: 0 } : r))(await bdg(emptyDir, ['status'])),
      },
      { key: 'status', label: 'bdg status (live session)', run: () => bdg(liveDir, ['status']), check: isRunning },
      { key: 'peek', label: 'bdg peek (live session)', run: () => bdg(liveDir, ['peek']) },
      { key: 'networkList', label: 'bdg network list (live session)', run: () => bdg(liveDir, ['network', 'list']) },
      { key: 'domQuery', label: 'bdg dom query body (live session)', run: () => bdg(liveDir, ['dom', 'query', 'body']) },
    ],
    N.seq,
    N.warmup,
  );
  const s = res.sequential;
  res.derived = {
    cliLoadMs: round1((s.version.median ?? NaN) - (s.floor.median ?? NaN)),
    cliRoundTripMs: round1((s.status.median ?? NaN) - (s.version.median ?? NaN)),
    ratios: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.median !== null && s.floor.median ? round2(v.median / s.floor.median) : null])),
  };

  const st = await statusJson(liveDir);
  const raw = [];
  let rawError;
  for (let i = 0; i < N.rawSocket + 3; i++) {
    const r = await rawRequest(join(liveDir, 'daemon.sock'), 'status', res.meta.bdgVersion, st?.protocol ?? 1);
    if (!r.ok) rawError ??= r.error;
    else if (i >= 3) raw.push(r.ms);
  }
  res.rawSocket = { ...stats(raw), error: rawError };
  await stopSession(emptyDir);
}

export function render(res) {
  const seq = res.sequential;
  if (seq === undefined) return [];
  const floor = seq?.floor?.median ?? null;
  const N = res.meta.iterations;
  const out = [];
  out.push(`1. Sequential commands (${N.seq} runs each after ${N.warmup} warm-up, round-robin; spawn -> exit)`);
  out.push(
    table(
      Object.values(seq).map((c) => [
        c.label,
        c.median,
        c.p90,
        c.min,
        ratio(c.median, floor),
        c.cpuMeanMs,
        ratio(c.cpuMeanMs, seq.floor.cpuMeanMs),
        c.failures,
      ]),
      ['command', 'median ms', 'p90 ms', 'min ms', 'x floor', 'CPU ms (mean)', 'CPU x floor', 'failed'],
    ),
  );
  const d = res.derived;
  out.push(`   bundle load + run (--version - floor): ${d.cliLoadMs} ms; socket round trip in a CLI (status live - --version): ${d.cliRoundTripMs} ms`);
  out.push(`   raw socket status request from this process (no Node start-up): median ${res.rawSocket?.median ?? '-'} ms, p90 ${res.rawSocket?.p90 ?? '-'} ms`);
  out.push('');
  return out;
}

export function targets(res, verdict) {
  const rows = [];
  const seq = res.sequential;
  if (seq !== undefined && seq.floor.median) {
    for (const key of ['status', 'peek']) {
      const r = seq[key].median !== null ? seq[key].median / seq.floor.median : null;
      rows.push({
        what: `${seq[key].label} / floor, wall`,
        ours: r === null ? '-' : `${r.toFixed(2)}x`,
        target: '<= 1.3x',
        verdict: verdict(r === null ? null : r <= 1.3),
        original: '2.0x',
        rust: '-',
      });
      const c = seq[key].cpuMeanMs !== null && seq.floor.cpuMeanMs ? seq[key].cpuMeanMs / seq.floor.cpuMeanMs : null;
      rows.push({
        what: `${seq[key].label} / floor, CPU`,
        ours: c === null ? '-' : `${c.toFixed(2)}x`,
        target: '<= 1.3x',
        verdict: verdict(c === null ? null : c <= 1.3),
        original: '-',
        rust: '-',
      });
    }
  }
  return rows;
}
