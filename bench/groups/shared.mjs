// 7. One Chrome, many sessions: ten named sessions in one base directory, each with its own Chrome ("own") and all
// in one shared Chrome (`--shared-browser`, "shared"). Each mode alone: nine sessions started at once, then the
// tenth; the memory of the ten (PSS from /proc/PID/smaps_rollup of every Chrome process tree plus the ten daemons);
// 20 simultaneous `bdg peek` against each session (200 at once). Then, with nine sessions of each mode running,
// the tenth of each mode is started alone, the two modes round-robin with the `node -e 0` floor, and timed until
// usable (its `bdg <url>` returned and a `bdg peek` answered), and stopped again. Last `bdg stop --all`, after
// which no Chrome of the base may be left.
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

const NAMES = Array.from({ length: SESSIONS }, (_, i) => `s${i + 1}`);
const TENTH = NAMES[SESSIONS - 1];

function starter(ctx, base, mode) {
  const extra = mode === 'shared' ? ['--shared-browser'] : [];
  return (n) => bdg(base, [ctx.fixture.url('/'), '--headless', '--json', '--session', n, ...extra], { timeoutMs: 180_000 });
}

async function startNine(ctx, base, mode) {
  const start = starter(ctx, base, mode);
  const t0 = performance.now();
  const nine = await Promise.all(NAMES.slice(0, -1).map(start));
  for (const n of NAMES) remember(`${base}/sessions/${n}`);
  return { results: nine, summary: { wallMs: round1(performance.now() - t0), ...failures(nine) } };
}

/** The tenth session, alone: from the spawn of `bdg <url>` until it returned, and until a `bdg peek` answered. */
async function startTenth(ctx, base, mode) {
  const t0 = performance.now();
  const r = await starter(ctx, base, mode)(TENTH);
  const returnedMs = performance.now() - t0;
  const peek = r.code === 0 ? await bdg(base, ['peek', '--json', '--session', TENTH], { timeoutMs: 60_000 }) : undefined;
  remember(`${base}/sessions/${TENTH}`);
  const ok = r.code === 0 && peek?.code === 0;
  return { ok, returnedMs, usableMs: performance.now() - t0, data: r.json?.data, error: ok ? undefined : (r.json?.error ?? r.stderr).slice(0, 200) };
}

/** Ten sessions of one mode alone on the machine: memory, then 20 simultaneous peeks against each. */
async function load(ctx, mode, out) {
  const base = newSessionDir(`shared-${mode}`);
  log(`${mode}: starting ${SESSIONS - 1} sessions at once, then the tenth`);
  const nine = await startNine(ctx, base, mode);
  out.startNine = nine.summary;
  const tenth = await startTenth(ctx, base, mode);
  if (tenth.error !== undefined) out.tenthError = tenth.error;
  const started = [...nine.results.filter((r) => r.json?.success === true).map((r) => r.json.data), ...(tenth.data !== undefined ? [tenth.data] : [])];
  await sleep(2_000);
  out.memory = memoryOf(base, NAMES, started);
  log(`${mode}: ${SESSIONS} x ${PEEKS_PER_SESSION} simultaneous peeks`);
  const t0 = performance.now();
  const peeks = await Promise.all(
    NAMES.flatMap((n) => Array.from({ length: PEEKS_PER_SESSION }, () => bdg(base, ['peek', '--json', '--session', n], { timeoutMs: 120_000 }))),
  );
  out.peeks = { count: peeks.length, wallMs: round1(performance.now() - t0), perProcess: stats(peeks.map((r) => r.ms)), ...failures(peeks) };
  return base;
}

async function stopAll(base, mode, out) {
  log(`${mode}: bdg stop --all`);
  const t0 = performance.now();
  const stop = await bdg(base, ['stop', '--all', '--json'], { timeoutMs: 180_000 });
  out.stopAll = { wallMs: round1(performance.now() - t0), ok: stop.code === 0, stopped: stop.json?.data?.stopped?.length ?? null };
  await sleep(1_000);
  out.chromesLeft = chromesOf(base).length;
}

export async function measure(ctx) {
  const res = { own: { mode: 'own' }, shared: { mode: 'shared' } };
  ctx.res.shared = res;
  const bases = {};
  try {
    // Memory and peeks: each mode alone, so that neither's Chromes share pages (and PSS) with the other's.
    bases.own = await load(ctx, 'own', res.own);
    await stopAll(bases.own, 'own', res.own);
    bases.shared = await load(ctx, 'shared', res.shared);
    await bdg(bases.shared, ['stop', '--json', '--session', TENTH], { timeoutMs: 60_000 });
    // Start to usable of the tenth: nine of each mode running, the two modes' tenth starts interleaved round-robin
    // with the floor, so that the machine's load (2 shared cores) hits both alike.
    log('own: nine sessions again, for the interleaved start timing');
    await startNine(ctx, bases.own, 'own');
    await sleep(1_000);
    const rounds = Math.max(4, 2 * ctx.N.cold);
    const samples = { own: [], shared: [], floor: [] };
    const failed = { own: 0, shared: 0 };
    for (let i = 0; i < rounds; i++) {
      samples.floor.push(await floorMs(3));
      for (const mode of i % 2 === 0 ? ['own', 'shared'] : ['shared', 'own']) {
        const t = await startTenth(ctx, bases[mode], mode);
        if (t.ok) samples[mode].push(t);
        else {
          failed[mode]++;
          res[mode].tenthError = t.error;
        }
        await bdg(bases[mode], ['stop', '--json', '--session', TENTH], { timeoutMs: 60_000 });
      }
    }
    const floor = stats(samples.floor).median;
    for (const mode of ['own', 'shared']) {
      const u = stats(samples[mode].map((t) => t.usableMs));
      res[mode].tenth = {
        rounds,
        floorMs: floor,
        returnedMs: stats(samples[mode].map((t) => t.returnedMs)),
        usableMs: u,
        usableXFloor: u.median !== null && floor ? round2(u.median / floor) : null,
        failed: failed[mode],
      };
    }
    await stopAll(bases.shared, 'shared', res.shared);
    await stopAll(bases.own, 'own', res.own);
  } finally {
    for (const mode of ['own', 'shared']) if (bases[mode] !== undefined) res[mode].cleanup = await stopSession(bases[mode]);
  }
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
        m.tenth?.returnedMs?.median ?? null,
        m.tenth?.usableMs?.median ?? null,
        m.tenth?.usableMs?.min ?? null,
        ratio(m.tenth?.usableMs?.median ?? null, m.tenth?.floorMs ?? null),
        m.tenth?.floorMs ?? null,
        m.tenth?.failed ?? null,
      ]),
      ['10th session, start to usable', 'runs', 'returned ms', 'usable ms', 'min ms', 'x floor', 'floor ms', 'failed'],
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
