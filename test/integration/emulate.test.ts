import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, sessionDirs, type RunResult } from '../helpers/bdg.js';
import type { PageInfoResult, PageMetrics } from '../../src/protocol/commands/page.js';
import type { EmulationState } from '../../src/protocol/emulation.js';

function data<T>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

/** What the page's own scripts see. */
const SEEN = `({ w: innerWidth, h: innerHeight, dpr: devicePixelRatio, ua: navigator.userAgent, dark: matchMedia('(prefers-color-scheme: dark)').matches,
  reduced: matchMedia('(prefers-reduced-motion: reduce)').matches, tz: Intl.DateTimeFormat().resolvedOptions().timeZone, lang: navigator.language,
  touch: navigator.maxTouchPoints, coarse: matchMedia('(pointer: coarse)').matches, hour: new Date(Date.UTC(2026, 0, 1, 0, 0)).toLocaleString('en-US', { hour: 'numeric', hour12: false, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }) })`;

interface Seen {
  w: number;
  h: number;
  dpr: number;
  ua: string;
  dark: boolean;
  reduced: boolean;
  tz: string;
  lang: string;
  touch: number;
  coarse: boolean;
  hour: string;
}

describe('page info and page emulate', () => {
  let server: FixtureServer;
  const dirs = sessionDirs();
  const page = `<!doctype html><html><head><title>emu</title><meta name="viewport" content="width=device-width, initial-scale=1"></head><body><h1>Emulation</h1></body></html>`;

  before(async () => {
    server = await FixtureServer.start();
    server.html('/emu', page);
  });

  after(async () => {
    await dirs.teardownAll();
    await server.close();
  });

  it('a session without options lays the page out in a 1920x1080 window; page info shows it all', async () => {
    const dir = dirs.make('emu-default');
    assert.equal((await bdg([server.url('/emu'), '--json'], { sessionDir: dir, timeoutMs: 60_000 })).code, 0);
    const info = data<PageInfoResult>(await bdg(['page', 'info', '--json'], { sessionDir: dir, timeoutMs: 30_000 }));
    assert.equal(info.url, server.url('/emu'));
    assert.equal(info.title, 'emu');
    assert.deepEqual(info.viewport, { width: 1920, height: 1080 });
    assert.equal(info.devicePixelRatio, 1);
    assert.match(info.userAgent, /Chrome\//);
    assert.deepEqual(info.emulation, {});
    assert.equal(info.loadState, 'complete');
    assert.equal(info.frames, 0);
    assert.ok(info.timezone.length > 0 && info.locale.length > 0);
    const human = await bdg(['page', 'info'], { sessionDir: dir, timeoutMs: 30_000 });
    assert.match(human.stdout, /Viewport: +1920x1080 @1x/);
    assert.match(human.stdout, /Emulation: +none/);
    // A tab opened later gets the same size (new headless Chrome opens each in a window of its own).
    assert.equal((await bdg(['tabs', 'new', server.url('/emu'), '--json'], { sessionDir: dir, timeoutMs: 60_000 })).code, 0);
    const tab = data<PageInfoResult>(await bdg(['page', 'info', '--json'], { sessionDir: dir, timeoutMs: 30_000 }));
    assert.deepEqual(tab.viewport, { width: 1920, height: 1080 });
  });

  it('start options and page emulate reach the page; emulation survives a crash and reload; --reset restores', async () => {
    const dir = dirs.make('emu');
    const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    const seen = async (): Promise<Seen> => data<{ value: Seen }>(await run('dom', 'eval', SEEN)).value;
    assert.equal(
      (
        await bdg([server.url('/emu'), '--viewport', '1000x700', '--color-scheme', 'dark', '--user-agent', 'bdg-test-agent/1.0', '--json'], {
          sessionDir: dir,
          timeoutMs: 60_000,
        })
      ).code,
      0,
    );
    const base = await seen();
    assert.deepEqual([base.w, base.h, base.dark, base.ua], [1000, 700, true, 'bdg-test-agent/1.0']);
    const info = data<PageInfoResult>(await run('page', 'info'));
    assert.deepEqual(info.emulation, { viewport: { width: 1000, height: 700 }, colorScheme: 'dark', userAgent: 'bdg-test-agent/1.0' });
    assert.equal(info.colorScheme, 'dark');
    const status = data<{ emulation: EmulationState }>(await run('status'));
    assert.deepEqual(status.emulation, info.emulation);
    assert.match((await bdg(['status'], { sessionDir: dir, timeoutMs: 30_000 })).stdout, /Emulation: 1000x700, dark, UA "bdg-test-agent\/1.0"/);

    const e = data<PageMetrics & { emulated: EmulationState }>(
      await run(
        'page',
        'emulate',
        '--viewport',
        '390x844',
        '--device-scale-factor',
        '2',
        '--touch',
        '--color-scheme',
        'light',
        '--reduced-motion',
        '--user-agent',
        'Phone/1.0',
        '--timezone',
        'Asia/Tokyo',
        '--locale',
        'ja-JP',
        '--geolocation',
        '35.68,139.69',
        '--cpu-throttle',
        '2',
      ),
    );
    assert.deepEqual(e.viewport, { width: 390, height: 844 });
    assert.equal(e.devicePixelRatio, 2);
    assert.equal(e.timezone, 'Asia/Tokyo');
    assert.equal(e.emulated.cpuThrottle, 2);
    const s = await seen();
    assert.deepEqual(
      { w: s.w, h: s.h, dpr: s.dpr, ua: s.ua, dark: s.dark, reduced: s.reduced, tz: s.tz, lang: s.lang, touch: s.touch, coarse: s.coarse, hour: s.hour },
      { w: 390, h: 844, dpr: 2, ua: 'Phone/1.0', dark: false, reduced: true, tz: 'Asia/Tokyo', lang: 'ja-JP', touch: 5, coarse: true, hour: '09' },
    );
    const geo = data<{ value: number[] }>(
      await run(
        'dom',
        'eval',
        'await new Promise((ok, no) => navigator.geolocation.getCurrentPosition((p) => ok([p.coords.latitude, p.coords.longitude]), (err) => no(new Error(err.message))))',
      ),
    );
    assert.deepEqual(geo.value, [35.68, 139.69]);

    // A renderer crash loses the renderer's state; the session puts its emulation back on the one that replaces it.
    await run('cdp', 'Page.crash');
    assert.equal((await run('dom', 'eval', '1')).code, 107);
    assert.equal((await run('page', 'reload')).code, 0);
    const again = await seen();
    assert.deepEqual([again.w, again.dpr, again.ua, again.tz, again.reduced], [390, 2, 'Phone/1.0', 'Asia/Tokyo', true]);

    const mobile = data<{ emulated: EmulationState }>(await run('page', 'emulate', '--reset', '--mobile'));
    assert.deepEqual(mobile.emulated.viewport, { width: 390, height: 844 });
    assert.equal(mobile.emulated.deviceScaleFactor, 3);
    assert.match((await seen()).ua, /Android.*Mobile/);

    const reset = data<{ emulated: EmulationState }>(await run('page', 'emulate', '--reset'));
    assert.deepEqual(reset.emulated, {});
    const r = await seen();
    // Back to the window the session opened (at the start viewport) and Chrome's own settings.
    assert.deepEqual([r.w, r.h, r.dpr, r.reduced, r.touch, r.coarse], [1000, 700, 1, false, 0, false]);
    assert.match(r.ua, /Chrome\//);
    assert.equal(r.tz, Intl.DateTimeFormat().resolvedOptions().timeZone);

    assert.equal((await run('page', 'emulate')).code, 81, 'nothing to emulate');
    assert.equal((await run('page', 'emulate', '--viewport', 'big')).code, 81);
    assert.equal((await run('page', 'emulate', '--timezone', 'Mars/Olympus')).code, 81);
    assert.equal((await bdg([server.url('/emu'), '--viewport', '0x5', '--json'], { sessionDir: dirs.make('emu-bad'), timeoutMs: 30_000 })).code, 81);
  });
});
