import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { PerfResult } from '../../src/protocol/commands/page.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, sleep, teardown, tempSessionDir } from '../helpers/bdg.js';

/** An RGB PNG of width x height: big enough to be the page's largest contentful paint. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  // Noise, not a flat colour: Chrome leaves low-entropy images (under 0.05 bits per pixel once compressed) out of LCP.
  const raw = Buffer.concat(Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), randomBytes(width * 3)])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const IMAGE_DELAY_MS = 700;

describe('page perf and page trace', () => {
  let server: FixtureServer;
  let dir: string;
  const out = mkdtempSync(join(tmpdir(), 'bdg-perf-out-'));

  before(async () => {
    server = await FixtureServer.start();
    const image = png(800, 500);
    // The hero image is answered late, so it paints last and largest: the LCP element.
    server.route('/hero.png', (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(image.length) });
        res.end(image);
      }, IMAGE_DELAY_MS);
    });
    // #content moves down 150 px after the first paint: a layout shift Chrome attributes to #content. (A banner
    // inserted above it shifts the same pixels, but Chromium 156 names <body> as that shift's source.)
    server.html(
      '/',
      `<!doctype html><title>perf</title>
      <style>body { margin: 0; font: 16px sans-serif } #content { position: relative; top: 0; width: 600px; height: 200px; background: #eee }</style>
      <div id="content"><p>Some text that will move.</p></div>
      <img id="hero" src="/hero.png" width="800" height="500" alt="hero">
      <script>
        setTimeout(() => { document.getElementById('content').style.top = '150px'; }, 250);
      </script>`,
    );
    dir = tempSessionDir('perf');
    const start = await bdg([server.url('/'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(start.code, 0, start.stderr);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(out, { recursive: true, force: true });
  });

  test('page perf: LCP is the slow image, CLS > 0 names the shifted element, INP n/a without input', async () => {
    // The load event waited for the image, but its paint (the LCP entry) can come a frame or two later on a busy
    // machine: ask again until the image is the candidate, for up to 10 s.
    let d: PerfResult | undefined;
    for (let i = 0; i < 40; i++) {
      const r = await bdg(['page', 'perf', '--json'], { sessionDir: dir });
      assert.equal(r.code, 0, r.stderr);
      d = (r.json as { data: PerfResult }).data;
      if (/^img#hero/.test(d.lcp?.element?.selector ?? '')) break;
      await sleep(250);
    }
    assert.ok(d !== undefined && d.lcp !== null, 'LCP recorded');
    assert.match(d.lcp.element?.selector ?? '', /^img#hero/);
    assert.match(d.lcp.url ?? '', /\/hero\.png$/);
    assert.ok(d.lcp.ms >= IMAGE_DELAY_MS, `LCP ${d.lcp.ms} ms comes after the image's ${IMAGE_DELAY_MS} ms delay`);
    assert.ok(d.cls !== null && d.cls.value > 0, `CLS > 0: ${JSON.stringify(d.cls)}`);
    assert.ok(
      d.cls.sources.some((s) => s.selector === 'div#content'),
      `a shifted element is named: ${JSON.stringify(d.cls.sources)}`,
    );
    assert.equal(d.inp, null, 'no interaction: INP is n/a');
    assert.ok(d.fcp !== null && d.fcp > 0);
    assert.ok(d.ttfb !== null && d.ttfb >= 0);
    assert.ok(d.resources.top.some((x) => x.url.endsWith('/hero.png') && x.durationMs >= IMAGE_DELAY_MS));

    const text = await bdg(['page', 'perf'], { sessionDir: dir });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /LCP\s+\d+ ms .*img#hero/);
    assert.match(text.stdout, /CLS\s+0\.\d+/);
    assert.match(text.stdout, /INP\s+n\/a/);
  });

  test('page perf after a click: INP from event timing', async () => {
    const click = await bdg(['dom', 'click', '#content'], { sessionDir: dir });
    assert.equal(click.code, 0, click.stderr);
    const r = await bdg(['page', 'perf', '--json'], { sessionDir: dir });
    const d = (r.json as { data: PerfResult }).data;
    assert.ok(d.inp !== null, 'a click is an interaction');
    assert.ok(d.inp.ms >= 0);
  });

  test('trace start/stop writes a parseable trace with traceEvents; status shows it; stop without start is a user error', async () => {
    const none = await bdg(['page', 'trace', 'stop', join(out, 'none.json'), '--json'], { sessionDir: dir });
    assert.equal(none.code, 81, none.stdout);
    assert.equal(existsSync(join(out, 'none.json')), false);

    const start = await bdg(['page', 'trace', 'start', '--json'], { sessionDir: dir });
    assert.equal(start.code, 0, start.stderr);
    const twice = await bdg(['page', 'trace', 'start'], { sessionDir: dir });
    assert.equal(twice.code, 81);
    const status = await bdg(['status', '--json'], { sessionDir: dir });
    assert.ok((status.json as { data: { trace: { startedAt: string } | null } }).data.trace !== null, 'status shows the trace');
    assert.match((await bdg(['status'], { sessionDir: dir })).stdout, /Trace:\s+recording since/);

    const reload = await bdg(['page', 'reload'], { sessionDir: dir });
    assert.equal(reload.code, 0, reload.stderr);
    const file = join(out, 'trace.json');
    const stop = await bdg(['page', 'trace', 'stop', file, '--json'], { sessionDir: dir, timeoutMs: 130_000 });
    assert.equal(stop.code, 0, stop.stderr);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: Array<{ name?: string; ph?: string; cat?: string }> };
    assert.ok(Array.isArray(doc.traceEvents) && doc.traceEvents.length > 0);
    // What the Performance panel needs to find the page: the tracing-started marker and timeline events.
    assert.ok(doc.traceEvents.some((e) => e.name === 'TracingStartedInBrowser'));
    assert.ok(doc.traceEvents.some((e) => (e.cat ?? '').includes('devtools.timeline')));
    const data = (stop.json as { data: { bytes: number; events: number } }).data;
    assert.equal(data.bytes, statSync(file).size);
    assert.ok(data.events > 0);
    assert.deepEqual(
      readdirSync(out).filter((n) => n.includes('.tmp')),
      [],
      'no temp file left',
    );
    const after = await bdg(['status', '--json'], { sessionDir: dir });
    assert.equal((after.json as { data: { trace: unknown } }).data.trace, null);
  });
});
