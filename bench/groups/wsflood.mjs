// 8. WebSocket flood: a page whose WebSocket receives 1,000 frames a second for 30 s. Measured: the daemon's RSS
// over time, the frame buffer (kept, dropped, bytes) and the socket's counts, and `bdg peek` / `bdg network list`
// latency while idle and during the flood, each next to `node -e 0` timed round-robin with them in the same phase
// (the ratio is what compares: the flood also loads the machine).
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { sleep } from '../../build/test/helpers/bdg.js';
import { bdg } from '../lib/cli.mjs';
import { memory, run } from '../lib/proc.mjs';
import { sequential } from '../lib/sequential.mjs';
import { newSessionDir, startSession, stopSession } from '../lib/sessions.mjs';
import { log, ratio, round1 } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

export const FLOOD = { framesPerSecond: 1_000, seconds: 30, payloadBytes: 120, tickMs: 10 };

/** The page: it opens the socket and counts what arrives; the server floods once the bench says so. */
export const pages = () => ({
  '/wsflood': `<!doctype html><html><head><meta charset="utf-8"><title>bdg bench wsflood</title></head><body><p id="n">0</p><script>
window.received = 0;
const ws = new WebSocket('ws://' + location.host + '/flood');
ws.onmessage = () => { window.received++; };
ws.onopen = () => ws.send('ready');
</script></body></html>`,
});

/** Server side: `/flood` sockets, and `start()` that floods every connected one for FLOOD.seconds. */
export function floodServer(fixture) {
  const sockets = new Set();
  fixture.webSocket('/flood', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
  });
  const pad = 'x'.repeat(Math.max(0, FLOOD.payloadBytes - 40));
  return {
    connected: () => sockets.size,
    /** Resolves with the frames sent once the flood is over. */
    start() {
      const perTick = Math.round((FLOOD.framesPerSecond * FLOOD.tickMs) / 1000);
      const t0 = performance.now();
      let sent = 0;
      return new Promise((resolve) => {
        const timer = setInterval(() => {
          const elapsed = performance.now() - t0;
          // Catch up after a late tick so the rate holds on a loaded machine.
          const due = Math.min(FLOOD.framesPerSecond * FLOOD.seconds, Math.floor((elapsed / 1000) * FLOOD.framesPerSecond)) - sent;
          for (let i = 0; i < Math.max(due, 0); i++) {
            const msg = `{"seq":${sent},"t":${Date.now()},"pad":"${pad}"}`;
            for (const ws of sockets) ws.send(msg);
            sent++;
          }
          if (elapsed >= FLOOD.seconds * 1000) {
            clearInterval(timer);
            resolve({ sent, ms: round1(performance.now() - t0), perTick });
          }
        }, FLOOD.tickMs);
      });
    },
  };
}

function cases(dir) {
  return [
    { key: 'floor', label: 'node -e 0', run: () => run(process.execPath, ['-e', '0'], { timeoutMs: 30_000 }) },
    { key: 'peek', label: 'bdg peek', run: () => bdg(dir, ['peek'], { timeoutMs: 60_000 }) },
    { key: 'networkList', label: 'bdg network list', run: () => bdg(dir, ['network', 'list'], { timeoutMs: 60_000 }) },
  ];
}

async function verbose(dir) {
  const r = await bdg(dir, ['status', '--json', '--verbose'], { timeoutMs: 30_000 });
  const d = r.code === 0 ? r.json?.data : undefined;
  const toMb = (x) => (typeof x === 'number' ? round1(x / 1024 / 1024) : null);
  return {
    frames: d?.buffers?.webSocketFrames ?? null,
    webSockets: d?.network?.webSockets ?? null,
    heapUsedMb: toMb(d?.memory?.heapUsed),
    heapTotalMb: toMb(d?.memory?.heapTotal),
  };
}

async function socketRow(dir) {
  const r = await bdg(dir, ['network', 'list', '--filter', 'resource-type:websocket', '--json'], { timeoutMs: 30_000 });
  return r.json?.data?.requests?.[0]?.webSocket ?? null;
}

export async function measure(ctx) {
  const { res, N, fixture } = ctx;
  log('wsflood case');
  const dir = newSessionDir('wsflood');
  const out = { ...FLOOD };
  res.wsflood = out;
  try {
    const flood = floodServer(fixture);
    const start = await startSession(dir, fixture.url('/wsflood'));
    res.meta.browser ??= start.data.browser ?? null;
    const deadline = performance.now() + 15_000;
    while (flood.connected() === 0 && performance.now() < deadline) await sleep(100);
    if (flood.connected() === 0) throw new Error('the wsflood page never opened its socket');
    await sleep(500);
    out.idle = { memory: memory(dir).daemon, view: await verbose(dir), latency: await sequential(cases(dir), N.volumeSeq, 1) };
    log('wsflood: idle measured; flooding');

    const samples = [];
    const t0 = performance.now();
    let over = false;
    const floodDone = flood.start().then((r) => {
      over = true;
      return r;
    });
    const sampler = (async () => {
      while (!over) {
        samples.push({ s: round1((performance.now() - t0) / 1000), rssMb: memory(dir).daemon.rssMb });
        await sleep(1_000);
      }
    })();
    // Round-robin rounds until the flood ends (at least a few, so the figures have samples).
    const during = { floor: [], peek: [], networkList: [] };
    const failures = { floor: 0, peek: 0, networkList: 0 };
    for (let round = 0; !over || round < 3; round++) {
      const cs = cases(dir);
      for (let j = 0; j < cs.length; j++) {
        const c = cs[(round + j) % cs.length];
        const r = await c.run();
        if (r.code === 0) during[c.key].push(r.ms);
        else failures[c.key]++;
      }
      if (round > 200) break;
    }
    const sent = await floodDone;
    await sampler;
    out.sent = sent;
    out.samples = samples;
    out.peakDuringMb = Math.max(...samples.map((x) => x.rssMb ?? 0));
    const { stats } = await import('../lib/stats.mjs');
    out.during = Object.fromEntries(Object.entries(during).map(([k, v]) => [k, { ...stats(v), failures: failures[k] }]));
    out.atEnd = { memory: memory(dir).daemon, view: await verbose(dir), socket: await socketRow(dir) };
    // The daemon drains what Chrome still has queued; then idle again.
    await sleep(3_000);
    out.after = { memory: memory(dir).daemon, view: await verbose(dir), socket: await socketRow(dir), latency: await sequential(cases(dir), N.volumeSeq, 1) };
    out.after.memoryAfterReads = memory(dir).daemon;
    const page = await bdg(dir, ['dom', 'eval', 'window.received', '--json'], { timeoutMs: 30_000 });
    out.pageReceived = page.json?.data?.value ?? null;
  } catch (err) {
    out.error = String(err?.message ?? err);
    res.errors.push(`wsflood: ${out.error}`);
  } finally {
    const stop = await stopSession(dir);
    out.stopMs = stop.stopMs;
  }
}

export function render(res) {
  const w = res.wsflood;
  if (w === undefined) return [];
  const out = [`8. WebSocket flood: ${w.framesPerSecond} frames/s of ~${w.payloadBytes} bytes to one socket for ${w.seconds} s`];
  if (w.error !== undefined) out.push(`   FAILED: ${w.error}`);
  if (w.idle === undefined) return [...out, ''];
  const lat = (phase, key) => {
    const x = phase?.[key];
    const floor = phase?.floor?.median ?? null;
    return x === undefined || x.median === null ? 'n/a' : `${x.median} / ${x.p90} (${ratio(x.median, floor)})`;
  };
  out.push(
    table(
      [
        ['`node -e 0` median / p90 ms', lat(w.idle.latency, 'floor'), lat(w.during, 'floor'), lat(w.after?.latency, 'floor')],
        ['`bdg peek` median / p90 ms (x floor)', lat(w.idle.latency, 'peek'), lat(w.during, 'peek'), lat(w.after?.latency, 'peek')],
        [
          '`bdg network list` median / p90 ms (x floor)',
          lat(w.idle.latency, 'networkList'),
          lat(w.during, 'networkList'),
          lat(w.after?.latency, 'networkList'),
        ],
        [
          'daemon RSS MB',
          w.idle.memory.rssMb,
          `peak ${w.peakDuringMb}, end ${w.atEnd?.memory?.rssMb}`,
          `${w.after?.memory?.rssMb} (after reads ${w.after?.memoryAfterReads?.rssMb})`,
        ],
        [
          'daemon V8 heap used / total MB',
          `${w.idle.view.heapUsedMb} / ${w.idle.view.heapTotalMb}`,
          `${w.atEnd?.view?.heapUsedMb} / ${w.atEnd?.view?.heapTotalMb}`,
          `${w.after?.view?.heapUsedMb} / ${w.after?.view?.heapTotalMb}`,
        ],
        ['frames kept / dropped (buffer bytes)', fr(w.idle.view.frames), fr(w.atEnd?.view?.frames), fr(w.after?.view?.frames)],
      ],
      ['', 'idle', `during the flood`, 'after'],
    ),
  );
  const s = w.after?.socket;
  if (s !== null && s !== undefined)
    out.push(
      `   sent by the server ${w.sent?.sent ?? '?'} in ${w.sent?.ms ?? '?'} ms; the socket's row: ${s.framesReceived} received, ${s.framesSent} sent, ${s.framesDropped} dropped, ${s.bytesReceived} bytes; the page counted ${w.pageReceived}`,
    );
  if (w.samples !== undefined) out.push(`   RSS every second (s: MB): ${w.samples.map((x) => `${x.s}: ${x.rssMb}`).join(', ')}`);
  out.push('');
  return out;
}

function fr(f) {
  return f === null || f === undefined ? 'n/a' : `${f.count} / ${f.dropped} (${round1(f.bytes / 1024 / 1024)} MB of ${round1(f.maxBytes / 1024 / 1024)})`;
}

export function targets(res, verdict) {
  const w = res.wsflood;
  if (w?.during?.peek?.median === undefined || w.idle?.latency?.peek === undefined) return [];
  const idle = w.idle.latency.peek.median / w.idle.latency.floor.median;
  const during = w.during.peek.median / w.during.floor.median;
  const kept = w.after?.view?.frames;
  return [
    {
      what: 'WebSocket flood: frames kept (bounded)',
      ours: kept ? `${kept.count} kept, ${kept.dropped} dropped` : '-',
      target: `<= ${kept?.maxItems ?? '?'}`,
      verdict: verdict(kept ? kept.count <= kept.maxItems : null),
      original: '-',
      rust: '-',
    },
    {
      what: '`bdg peek` x floor, flood vs idle',
      ours: `${during.toFixed(2)}x vs ${idle.toFixed(2)}x`,
      target: 'unaffected (<= idle + 0.2x)',
      verdict: verdict(during <= idle + 0.2),
      original: '-',
      rust: '-',
    },
  ];
}
