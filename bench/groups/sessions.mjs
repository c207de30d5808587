// 6. Named sessions: ten `bdg <url> --session sN` started at the same instant in one base directory, then 20
// simultaneous `bdg peek --json --session sN` against each of them (200 processes at once, spread over ten
// daemons), then `bdg stop --all`. Failed = exit code not 0 or no `{"success":true}` document.
import { performance } from 'node:perf_hooks';
import { bdg } from '../lib/cli.mjs';
import { memory } from '../lib/proc.mjs';
import { newSessionDir, remember, stopSession } from '../lib/sessions.mjs';
import { log, round1, stats } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

const SESSIONS = 10;
const PEEKS_PER_SESSION = 20;

function failures(results) {
  const failed = results.filter((r) => r.code !== 0 || r.json?.success !== true);
  const errors = [...new Set(failed.map((r) => `exit ${r.code}${r.timedOut ? ' (timeout)' : ''}: ${(r.json?.error ?? r.stderr.trim()).slice(0, 200)}`))].slice(
    0,
    5,
  );
  return { failed: failed.length, errors };
}

export async function measure(ctx) {
  const { res, fixture } = ctx;
  const base = newSessionDir('named');
  const names = Array.from({ length: SESSIONS }, (_, i) => `s${i + 1}`);
  const out = { sessions: SESSIONS, peeksPerSession: PEEKS_PER_SESSION };
  res.sessions = out;
  try {
    log(`starting ${SESSIONS} named sessions at once`);
    let t0 = performance.now();
    const starts = await Promise.all(names.map((n) => bdg(base, [fixture.url('/'), '--headless', '--json', '--session', n], { timeoutMs: 150_000 })));
    out.start = { wallMs: round1(performance.now() - t0), perProcess: stats(starts.map((r) => r.ms)), ...failures(starts) };
    for (const n of names) remember(`${base}/sessions/${n}`);
    const started = starts.filter((r) => r.json?.success === true).map((r) => r.json.data);
    out.distinct = {
      daemons: new Set(started.map((d) => d.pid)).size,
      chromes: new Set(started.map((d) => d.chromePid)).size,
      ports: new Set(started.map((d) => d.port)).size,
    };

    log(`${SESSIONS} x ${PEEKS_PER_SESSION} simultaneous peeks`);
    t0 = performance.now();
    const peeks = await Promise.all(
      names.flatMap((n) => Array.from({ length: PEEKS_PER_SESSION }, () => bdg(base, ['peek', '--json', '--session', n], { timeoutMs: 120_000 }))),
    );
    out.peeks = { count: peeks.length, wallMs: round1(performance.now() - t0), perProcess: stats(peeks.map((r) => r.ms)), ...failures(peeks) };

    const list = await bdg(base, ['sessions', '--json'], { timeoutMs: 60_000 });
    const rows = list.json?.data?.sessions ?? [];
    out.runningAfter = rows.filter((r) => r.state === 'running').length;
    const mem = starts.flatMap((r, i) => (r.json?.success === true ? [memory(`${base}/sessions/${names[i]}`, r.json.data.chromePid)] : []));
    out.memory = {
      daemonRssMbTotal: round1(mem.reduce((a, m) => a + (m.daemon.rssMb ?? 0), 0)),
      chromePssMbTotal: round1(mem.reduce((a, m) => a + (m.chrome.pssMb ?? 0), 0)),
    };

    log('bdg stop --all');
    t0 = performance.now();
    const stop = await bdg(base, ['stop', '--all', '--json'], { timeoutMs: 180_000 });
    out.stopAll = { wallMs: round1(performance.now() - t0), ok: stop.code === 0, stopped: stop.json?.data?.stopped?.length ?? null };
  } finally {
    out.cleanup = await stopSession(base);
  }
}

export function render(res) {
  const s = res.sessions;
  if (s === undefined) return [];
  const out = [`6. Named sessions: ${s.sessions} started at once, then ${s.peeksPerSession} simultaneous peeks against each`];
  const rows = [];
  if (s.start !== undefined)
    rows.push([`${s.sessions} x bdg <url> --session sN`, s.start.failed, s.start.wallMs, s.start.perProcess.median, s.start.perProcess.max]);
  if (s.peeks !== undefined)
    rows.push([`${s.peeks.count} x bdg peek --session sN`, s.peeks.failed, s.peeks.wallMs, s.peeks.perProcess.median, s.peeks.perProcess.max]);
  if (s.stopAll !== undefined) rows.push(['bdg stop --all', s.stopAll.ok ? 0 : 1, s.stopAll.wallMs, null, null]);
  out.push(table(rows, ['case', 'failed', 'wall ms', 'median/proc ms', 'max/proc ms']));
  if (s.distinct !== undefined)
    out.push(
      `   distinct daemons / Chromes / ports: ${s.distinct.daemons} / ${s.distinct.chromes} / ${s.distinct.ports}; running afterwards: ${s.runningAfter ?? '-'}`,
    );
  if (s.memory !== undefined)
    out.push(`   ${s.sessions} daemons' RSS together: ${s.memory.daemonRssMbTotal} MB; their Chrome trees' PSS together: ${s.memory.chromePssMbTotal} MB`);
  for (const e of [...(s.start?.errors ?? []), ...(s.peeks?.errors ?? [])]) out.push(`   failure: ${e}`);
  out.push('');
  return out;
}

export function targets(res, verdict) {
  const s = res.sessions;
  if (s === undefined || s.peeks === undefined) return [];
  const f = (s.start?.failed ?? 0) + s.peeks.failed;
  return [
    {
      what: `${s.sessions} sessions x ${s.peeksPerSession} simultaneous peeks, failures`,
      ours: String(f),
      target: '0',
      verdict: verdict(f === 0),
      original: '-',
      rust: '-',
    },
  ];
}
