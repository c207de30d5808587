import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir } from '../helpers/bdg.js';

describe('what an action says about an element a pointer cannot use', () => {
  let server: FixtureServer;
  const dir = tempSessionDir('actionability');

  before(async () => {
    server = await FixtureServer.start();
    server.html(
      '/',
      `<!doctype html><title>actionability</title>
      <div style="position: relative; width: 200px; height: 60px">
        <div id="under" style="position: absolute; inset: 0; background: #ddd" onclick="document.title = 'under clicked'"></div>
        <button id="ghost" style="position: absolute; inset: 0; pointer-events: none" onclick="document.title = 'ghost clicked'">Ghost</button>
      </div>
      <button id="aria" aria-disabled="true" onclick="document.title = 'aria clicked'">Aria</button>`,
    );
    const start = await bdg([server.url('/'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(start.code, 0, start.stderr);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
  });

  test('pointer-events: none is named as the reason, not "covered by" what lies below, and nothing is clicked', async () => {
    const r = await bdg(['dom', 'click', '#ghost', '--timeout', '1', '--json'], { sessionDir: dir });
    assert.notEqual(r.code, 0);
    const err = r.json as { error: string; data?: { reason?: string } };
    assert.match(err.error, /pointer-events: none/);
    assert.equal(err.data?.reason, 'no-pointer-events');
    const title = await bdg(['dom', 'eval', 'document.title', '--json'], { sessionDir: dir });
    assert.equal((title.json as { data: { result: unknown } }).data.result, 'actionability');
  });

  test('aria-disabled is disabled', async () => {
    const r = await bdg(['dom', 'click', '#aria', '--timeout', '1', '--json'], { sessionDir: dir });
    assert.notEqual(r.code, 0);
    assert.match((r.json as { error: string }).error, /it is disabled/);
  });
});
