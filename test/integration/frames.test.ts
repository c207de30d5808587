import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';
import type { FrameRecord } from '../../src/protocol/commands/domInspect.js';

function data<T>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

describe('frames: same-origin and cross-origin (out-of-process) iframes', () => {
  let main: FixtureServer;
  let other: FixtureServer;
  let dir: string;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });

  before(async () => {
    main = await FixtureServer.start();
    other = await FixtureServer.start();
    // Chromium isolates sites: 127.0.0.1 and localhost are different sites, so the second iframe gets its own renderer.
    const crossUrl = `http://localhost:${other.port}/widget`;
    main.html(
      '/page',
      `<!doctype html><title>host</title><h1>Host</h1>
<iframe id="same" name="local" src="/inner"></iframe>
<iframe id="pay" src="${crossUrl}"></iframe>`,
    );
    main.html('/inner', '<!doctype html><title>inner</title><script>window.secret = "same-origin world";</script><button class="b">Inner</button>');
    other.html(
      '/widget',
      '<!doctype html><title>widget</title><script>window.config = { shop: 42 };</script><button class="pay">Pay now</button><button class="pay">Later</button>',
    );
    dir = tempSessionDir('frames');
    const r = await bdg([main.url('/page'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    // The load event waits for every iframe, the out-of-process one included.
  });

  after(async () => {
    await teardown(dir);
    await main.close();
    await other.close();
  });

  it('dom frames lists both with URL, origin, cross-origin and out-of-process', async () => {
    const d = data<{ count: number; frames: FrameRecord[] }>(await run('dom', 'frames'));
    assert.equal(d.count, 2);
    const same = d.frames.find((f) => f.id === 'same');
    const pay = d.frames.find((f) => f.id === 'pay');
    assert.equal(same?.url, main.url('/inner'));
    assert.equal(same?.name, 'local');
    assert.equal(same?.origin, `http://127.0.0.1:${main.port}`);
    assert.equal(same?.crossOrigin, false);
    assert.equal(same?.outOfProcess, false);
    assert.equal(pay?.url, `http://localhost:${other.port}/widget`);
    assert.equal(pay?.origin, `http://localhost:${other.port}`);
    assert.equal(pay?.crossOrigin, true);
    assert.equal(pay?.outOfProcess, true);
    const human = await bdg(['dom', 'frames'], { sessionDir: dir, timeoutMs: 30_000 });
    assert.match(human.stdout, /\[\d\] http:\/\/localhost:\d+\/widget {2}#pay {2}cross-origin, out-of-process/);
    const info = data<{ frames: number }>(await run('page', 'info'));
    assert.equal(info.frames, 2);
  });

  it('dom eval --frame runs in the frame: its origin and its own globals, by id, name, URL part or index', async () => {
    const cross = data<{ value: unknown; frame: string }>(await run('dom', 'eval', '--frame', 'pay', '[location.origin, window.config.shop]'));
    assert.deepEqual(cross.value, [`http://localhost:${other.port}`, 42]);
    assert.equal(cross.frame, `http://localhost:${other.port}/widget`);
    const byUrl = data<{ value: unknown }>(await run('dom', 'eval', '--frame', 'widget', 'document.title'));
    assert.equal(byUrl.value, 'widget');
    const same = data<{ value: unknown }>(await run('dom', 'eval', '--frame', 'local', '[location.origin, window.secret]'));
    assert.deepEqual(same.value, [`http://127.0.0.1:${main.port}`, 'same-origin world']);
    const list = data<{ frames: FrameRecord[] }>(await run('dom', 'frames'));
    const idx = list.frames.find((f) => f.id === 'pay')?.index;
    const byIndex = data<{ value: unknown }>(await run('dom', 'eval', '--frame', String(idx), 'location.pathname'));
    assert.equal(byIndex.value, '/widget');
    // The main page cannot read the cross-origin frame's globals; --frame is the way in.
    const top = data<{ value: unknown }>(await run('dom', 'eval', 'typeof window.config'));
    assert.equal(top.value, 'undefined');
    const stderr = await bdg(['dom', 'eval', '--frame', 'pay', 'location.pathname'], { sessionDir: dir, timeoutMs: 30_000 });
    assert.equal(stderr.stdout.trim(), '/widget');
    assert.match(stderr.stderr, /Frame: http:\/\/localhost:\d+\/widget/);
  });

  it('dom query --frame searches one frame, cross-origin included; unknown frames exit 83, ambiguous ones 81', async () => {
    const cross = data<{ count: number; nodes: Array<{ text: string; ref?: string }>; frame: string }>(await run('dom', 'query', '.pay', '--frame', 'pay'));
    assert.equal(cross.count, 2);
    assert.deepEqual(
      cross.nodes.map((e) => e.text),
      ['Pay now', 'Later'],
    );
    const same = data<{ count: number; nodes: Array<{ text: string; ref?: string }> }>(await run('dom', 'query', 'button', '--frame', 'same'));
    assert.equal(same.count, 1);
    assert.match(same.nodes[0]?.ref ?? '', /^e\d+$/, 'in-process frame elements get refs');
    assert.equal((await run('dom', 'click', same.nodes[0]?.ref ?? '')).code, 0);
    const none = await run('dom', 'eval', '--frame', 'nope', '1');
    assert.equal(none.code, 83);
    const both = await run('dom', 'eval', '--frame', 'http', '1');
    assert.equal(both.code, 81);
  });
});
