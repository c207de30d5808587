// 4. Memory: the daemon (RSS, peak, PSS) and the Chrome tree, in the live session on the small page that the
// commands and concurrency groups share; once after start, once after those groups ran.
import { sleep } from '../../build/test/helpers/bdg.js';
import { memory } from '../lib/proc.mjs';
import { newSessionDir, startSession, stopSession } from '../lib/sessions.mjs';
import { log } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

/**
 * Starts the live session, measures it after start, runs `body(liveDir)` (the groups that use it; it returns
 * whether any ran), measures again if so, and stops the session.
 */
export async function withLiveSession(ctx, body) {
  const { res, fixture } = ctx;
  const liveDir = newSessionDir('live');
  log('starting the live session');
  const live = await startSession(liveDir, fixture.url('/'));
  res.meta.browser = live.data.browser ?? null;
  await sleep(1_000);
  res.memory = { afterStart: memory(liveDir, live.data.chromePid) };
  if (await body(liveDir)) res.memory.afterLoad = memory(liveDir, live.data.chromePid);
  const liveStop = await stopSession(liveDir);
  res.memory.stopMs = liveStop.stopMs;
}

export function render(res) {
  if (res.memory === undefined) return [];
  const out = ['4. Memory (idle session on a small page)'];
  const rows = [];
  for (const [label, mm] of [
    ['after start', res.memory.afterStart],
    ['after sections 1-2', res.memory.afterLoad],
  ]) {
    if (mm === undefined) continue;
    rows.push([label, mm.daemon.rssMb, mm.daemon.peakRssMb, mm.daemon.pssMb, mm.chrome.rssMb, mm.chrome.pssMb, mm.chrome.processes]);
  }
  out.push(table(rows, ['when', 'daemon RSS MB', 'daemon peak MB', 'daemon PSS MB', 'Chrome tree RSS MB', 'Chrome tree PSS MB', 'Chrome procs']));
  out.push('');
  return out;
}

export function targets(res, verdict) {
  if (res.memory === undefined) return [];
  const m = res.memory.afterStart?.daemon?.rssMb ?? null;
  return [
    {
      what: 'daemon RSS after start',
      ours: m === null ? '-' : `${m} MB`,
      target: '< 60 MB',
      verdict: verdict(m === null ? null : m < 60),
      original: '124 MB',
      rust: '11-22 MB',
    },
  ];
}
