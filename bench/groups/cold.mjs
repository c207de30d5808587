// 3. Start to usable, cold every time (a fresh session directory, so a fresh Chrome profile): `bdg <url>` until it
// returns, then until `bdg status` succeeds; a second series polls `bdg status` during the start; and where the
// start goes, from the daemon's log timestamps (BDG_DEBUG=1).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bdg } from '../lib/cli.mjs';
import { newSessionDir, remember, stopSession } from '../lib/sessions.mjs';
import { log, round1, stats } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

const PHASES = [
  ['daemonStarted', / daemon \S+ starting for /],
  ['chromeLaunched', / launched /],
  ['browserAnswered', /browser answered/],
  ['attached', /attached to page/],
  ['ready', / ready: /],
];

/** Milliseconds from `wall0` to each start-up step the daemon logs (BDG_DEBUG=1). */
function phasesFromLog(dir, wall0) {
  let text = '';
  try {
    text = readFileSync(join(dir, 'daemon.log'), 'utf8');
  } catch {
    return {};
  }
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+) \w+ \[\d+\] (.*)$/.exec(line);
    if (m === null) continue;
    const ts = Date.parse(m[1]);
    for (const [name, re] of PHASES) if (out[name] === undefined && re.test(` ${m[2]}`)) out[name] = ts - wall0;
  }
  return out;
}

async function coldStartSequential(url) {
  const dir = newSessionDir('cold-seq');
  const wall0 = Date.now();
  const t0 = performance.now();
  const start = await bdg(dir, [url, '--headless', '--json'], { env: { BDG_DEBUG: '1' }, timeoutMs: 90_000 });
  remember(dir);
  let usableMs = null;
  let statusMs = null;
  if (start.code === 0) {
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      const s = await bdg(dir, ['status', '--json'], { timeoutMs: 15_000 });
      if (s.code === 0 && s.json?.data?.running === true) {
        usableMs = performance.now() - t0;
        statusMs = s.ms;
        break;
      }
    }
  }
  const phases = phasesFromLog(dir, wall0);
  const stop = await stopSession(dir);
  return {
    ok: start.code === 0 && usableMs !== null,
    error: start.code === 0 ? undefined : `${start.stdout} ${start.stderr}`.trim().slice(0, 500),
    startMs: round1(start.ms),
    statusMs: round1(statusMs),
    usableMs: round1(usableMs),
    phases,
    stopMs: stop.stopMs,
  };
}

async function coldStartPolled(url) {
  const dir = newSessionDir('cold-poll');
  const t0 = performance.now();
  let startDone = false;
  const startP = bdg(dir, [url, '--headless', '--json'], { env: { BDG_DEBUG: '1' }, timeoutMs: 90_000 }).then((r) => {
    startDone = true;
    return r;
  });
  let firstStatusMs = null;
  let polls = 0;
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const s = await bdg(dir, ['status', '--json'], { timeoutMs: 15_000 });
    polls++;
    if (s.code === 0 && s.json?.data?.running === true) {
      firstStatusMs = performance.now() - t0;
      break;
    }
    if (startDone && polls > 3 && (await startP).code !== 0) break;
  }
  const start = await startP;
  remember(dir);
  await stopSession(dir);
  return { ok: start.code === 0 && firstStatusMs !== null, startMs: round1(start.ms), firstStatusMs: round1(firstStatusMs), polls };
}

export async function measure(ctx) {
  const { res, N, fixture } = ctx;
  log(`cold starts: ${N.cold} sequential + ${N.cold} polled`);
  const seqRuns = [];
  const pollRuns = [];
  for (let i = 0; i < N.cold; i++) {
    seqRuns.push(await coldStartSequential(fixture.url('/')));
    pollRuns.push(await coldStartPolled(fixture.url('/')));
  }
  const okSeq = seqRuns.filter((r) => r.ok);
  const phaseNames = PHASES.map(([n]) => n);
  res.coldStart = {
    sequential: {
      runs: seqRuns,
      startMs: stats(okSeq.map((r) => r.startMs)),
      usableMs: stats(okSeq.map((r) => r.usableMs)),
      phases: Object.fromEntries(phaseNames.map((n) => [n, stats(okSeq.map((r) => r.phases[n])).median])),
    },
    polled: {
      runs: pollRuns,
      startMs: stats(pollRuns.filter((r) => r.ok).map((r) => r.startMs)),
      firstStatusMs: stats(pollRuns.filter((r) => r.ok).map((r) => r.firstStatusMs)),
    },
  };
}

export function render(res) {
  if (res.coldStart === undefined) return [];
  const out = [];
  const c = res.coldStart;
  out.push(`3. Start to usable (cold: fresh session dir and Chrome profile each run; ${c.sequential.runs.length} + ${c.polled.runs.length} runs)`);
  out.push(
    table(
      [
        ['`bdg <url>` wall time (returns after load)', c.sequential.startMs.median, c.sequential.startMs.p90, c.sequential.startMs.min],
        ['`bdg <url>` then `bdg status` succeeds', c.sequential.usableMs.median, c.sequential.usableMs.p90, c.sequential.usableMs.min],
        ['first `bdg status` success, polling during start', c.polled.firstStatusMs.median, c.polled.firstStatusMs.p90, c.polled.firstStatusMs.min],
      ],
      ['measure', 'median ms', 'p90 ms', 'min ms'],
    ),
  );
  const p = c.sequential.phases;
  out.push('   where the start goes (median ms since `bdg <url>` was spawned, from daemon.log with BDG_DEBUG=1):');
  out.push(
    `   daemon started ${p.daemonStarted}  Chrome spawned ${p.chromeLaunched}  Chrome answered CDP ${p.browserAnswered}  page attached ${p.attached}  page loaded/ready ${p.ready}  CLI exited ${c.sequential.startMs.median}`,
  );
  const fails = [...c.sequential.runs, ...c.polled.runs].filter((r) => !r.ok).length;
  if (fails > 0) out.push(`   ${fails} cold start(s) failed; see the JSON`);
  out.push('');
  return out;
}

export function targets(res, verdict) {
  if (res.coldStart === undefined) return [];
  const u = res.coldStart.sequential.usableMs.median;
  return [
    {
      what: 'start to usable (bdg <url> + status)',
      ours: u === null ? '-' : `${(u / 1000).toFixed(2)} s`,
      target: '< 1.0 s',
      verdict: verdict(u === null ? null : u < 1000),
      original: '4.3 s',
      rust: '0.78 s',
    },
  ];
}
