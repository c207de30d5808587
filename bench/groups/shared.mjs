// 7. One Chrome, many sessions: ten named sessions in one base directory, each with its own Chrome ("own") and all
// in one shared Chrome (`--shared-browser`, "shared"). For each mode: nine sessions started at once; then the
// tenth started alone, timed until it is usable (its `bdg <url>` returned and a `bdg peek` answered), restarted a
// few times, against the `node -e 0` floor measured beside it; the memory of the ten running sessions (PSS from
// /proc/PID/smaps_rollup of every Chrome process tree plus the ten daemons); then 20 simultaneous `bdg peek`
// against each session (200 at once); then `bdg stop --all`, after which no Chrome of the base may be left.
import { performance } from 'node:perf_hooks';
import { bdg } from '../lib/cli.mjs';
import { memory, processesOf, processTree, run } from '../lib/proc.mjs';
import { newSessionDir, remember, stopSession } from '../lib/sessions.mjs';
import { log, ratio, round1, round2, stats } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';
import { sleep } from '../../build/test/helpers/bdg.js';
import { readFileSync } from 'node:fs';

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

function pssKb(pid) {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** Chrome browser processes of the base (not helpers), from the process table. */
function chromesOf(base) {
  return processesOf(base).filter((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return cmd.some((a) => a.startsWith('--user-data-dir=')) && !cmd.some((a) => a.startsWith('--type='));
    } catch {
      return false;
    }
  });
}

/** PSS of the ten daemons and of every distinct Chrome process tree, in MB. */
function memoryOf(base, names, started) {
  const chromePids = [...new Set(started.map((d) => d.chromePid).filter((p) => typeof p === 'number'))];
  let chromeKb = 0;
  let chromeProcesses = 0;
  for (const root of chromePids) {
    for (const p of processTree(root)) {
      const kb = pssKb(p);
      if (Number.isFinite(kb)) chromeKb += kb;
      chromeProcesses++;
    }
  }
  const daemons = names.map((n) => memory(`${base}/sessions/${n}`, null).daemon);
  const daemonMb = daemons.reduce((a, d) => a + (d.pssMb ?? 0), 0);
  return {
    chromes: chromePids.length,
    chromeProcesses,
    chromePssMb: round1(chromeKb / 1024),
    daemonsPssMb: round1(daemonMb),
    totalPssMb: round1(chromeKb / 1024 + daemonMb),
  };
}

async function floorMs(n) {
  const runs = [];
  for (let i = 0; i < n; i++) runs.push((await run(process.execPath, ['-e', '0'])).ms);
  return stats(runs).median;
}

async function measureMode(ctx, mode) {
  const { fixture, N } = ctx;
  const shared = mode === 'shared';
  const base = newSessionDir(`shared-${mode}`);
  const names = Array.from({ length: SESSIONS }, (_, i) => `s${i + 1}`);
  const extra = shared ? ['--shared-browser'] : [];
  const start = (n) => bdg(base, [fixture.url('/'), '--headless', '--json', '--session', n, ...extra], { timeoutMs: 180_000 });
  const out = { mode };
  try {
    log(`${mode}: starting ${SESSIONS - 1} sessions at once`);
    let t0 = performance.now();
    const first = await Promise.all(names.slice(0, -1).map(start));
    out.startNine = { wallMs: round1(performance.now() - t0), ...failures(first) };
    for (const n of names) remember(`${base}/sessions/${n}`);
    await sleep(1_000);

    // The tenth, alone, while nine run: start until usable, a few times (stopped in between), beside the floor.
    const tenth = names[SESSIONS - 1];
    const rounds = Math.max(2, N.cold);
    const usable = [];
    const returned = [];
    let last;
    const floors = [];
    for (let i = 0; i < rounds; i++) {
      floors.push(await floorMs(5));
      t0 = performance.now();
      last = await start(tenth);
      const back = performance.now() - t0;
      const peek = last.code === 0 ? await bdg(base, ['peek', '--json', '--session', tenth], { timeoutMs: 60_000 }) : undefined;
      if (last.code === 0 && peek?.code === 0) {
        returned.push(back);
        usable.push(performance.now() - t0);
      } else out.tenthError = (last.json?.error ?? last.stderr).slice(0, 200);
      remember(`${base}/sessions/${tenth}`);
      if (i < rounds - 1) await bdg(base, ['stop', '--json', '--session', tenth], { timeoutMs: 60_000 });
    }
    const floor = stats(floors).median;
    const u = stats(usable);
    out.tenth = {
      rounds,
      floorMs: floor,
      returnedMs: stats(returned),
      usableMs: u,
      usableXFloor: u.median !== null && floor ? round2(u.median / floor) : null,
      failed: rounds - usable.length,
    };

    const started = [...first, last].filter((r) => r?.json?.success === true).map((r) => r.json.data);
    await sleep(2_000);
    out.memory = memoryOf(base, names, started);

    log(`${mode}: ${SESSIONS} x ${PEEKS_PER_SESSION} simultaneous peeks`);
    t0 = performance.now();
    const peeks = await Promise.all(
      names.flatMap((n) => Array.from({ length: PEEKS_PER_SESSION }, () => bdg(base, ['peek', '--json', '--session', n], { timeoutMs: 120_000 }))),
    );
    out.peeks = { count: peeks.length, wallMs: round1(performance.now() - t0), perProcess: stats(peeks.map((r) => r.ms)), ...failures(peeks) };

    log(`${mode}: bdg stop --all`);
    t0 = performance.now();
    const stop = await bdg(base, ['stop', '--all', '--json'], { timeoutMs: 180_000 });
    out.stopAll = { wallMs: round1(performance.now() - t0), ok: stop.code === 0, stopped: stop.json?.data?.stopped?.length ?? null };
    await sleep(1_000);
    out.chromesLeft = chromesOf(base).length;
  } finally {
    out.cleanup = await stopSession(base);
  }
  return out;
}

export async function measure(ctx) {
  const res = { own: undefined, shared: undefined };
  ctx.res.shared = res;
  res.own = await measureMode(ctx, 'own');
  res.shared = await measureMode(ctx, 'shared');
}

export function render(res) {
  const s = res.shared;
  if (s?.own === undefined || s?.shared === undefined) return [];
  const modes = [s.own, s.shared];
  const label = (m) => (m.mode === 'shared' ? 'shared (--shared-browser)' : 'own Chrome each');
  const out = [`7. One Chrome, many sessions: ${SESSIONS} named sessions, each with its own Chrome vs all in one shared Chrome`];
  out.push(
    table(
      modes.map((m) => [
        label(m),
        m.memory?.chromes ?? null,
        m.memory?.chromeProcesses ?? null,
        m.memory?.chromePssMb ?? null,
        m.memory?.daemonsPssMb ?? null,
        m.memory?.totalPssMb ?? null,
      ]),
      ['10 running sessions', 'Chromes', 'Chrome processes', 'Chrome PSS MB', 'daemons PSS MB', 'total PSS MB'],
    ),
  );
  out.push(
    table(
      modes.map((m) => [
        label(m),
        m.tenth?.rounds ?? null,
        m.tenth?.usableMs?.median ?? null,
        m.tenth?.usableMs?.min ?? null,
        ratio(m.tenth?.usableMs?.median ?? null, m.tenth?.floorMs ?? null),
        m.tenth?.floorMs ?? null,
        m.tenth?.failed ?? null,
      ]),
      ['10th session, start to usable', 'runs', 'median ms', 'min ms', 'x floor', 'floor ms', 'failed'],
    ),
  );
  out.push(
    table(
      modes.map((m) => [
        label(m),
        m.startNine?.failed ?? null,
        m.peeks?.count ?? null,
        m.peeks?.failed ?? null,
        m.peeks?.wallMs ?? null,
        m.stopAll?.ok ? 0 : 1,
        m.chromesLeft,
      ]),
      ['mode', '9 starts failed', 'peeks', 'peeks failed', 'peeks wall ms', 'stop --all failed', 'Chromes left'],
    ),
  );
  const own = s.own.memory?.totalPssMb;
  const sh = s.shared.memory?.totalPssMb;
  if (own && sh) out.push(`   memory shared / own: ${(sh / own).toFixed(2)}; 10th start to usable shared / own: ${ratioOf(s.shared.tenth, s.own.tenth)}`);
  for (const m of modes)
    for (const e of [...(m.startNine?.errors ?? []), ...(m.peeks?.errors ?? []), ...(m.tenthError ? [m.tenthError] : [])])
      out.push(`   ${m.mode} failure: ${e}`);
  out.push('');
  return out;
}

function ratioOf(a, b) {
  const x = a?.usableMs?.median;
  const y = b?.usableMs?.median;
  return x && y ? (x / y).toFixed(2) : '-';
}

export function targets(res, verdict) {
  const s = res.shared;
  if (s?.own === undefined || s?.shared === undefined) return [];
  const f = (s.shared.startNine?.failed ?? 0) + (s.shared.tenth?.failed ?? 0) + (s.shared.peeks?.failed ?? NaN);
  const rows = [
    {
      what: `--shared-browser: ${SESSIONS} sessions x ${PEEKS_PER_SESSION} simultaneous peeks, failures`,
      ours: String(f),
      target: '0',
      verdict: verdict(Number.isFinite(f) ? f === 0 : null),
      original: '-',
      rust: '-',
    },
  ];
  const own = s.own.memory?.totalPssMb;
  const sh = s.shared.memory?.totalPssMb;
  if (own && sh)
    rows.push({
      what: `--shared-browser: PSS of ${SESSIONS} sessions, shared / own Chromes`,
      ours: (sh / own).toFixed(2),
      target: '< 1',
      verdict: verdict(sh < own),
      original: '-',
      rust: '-',
    });
  return rows;
}
