import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir } from '../helpers/bdg.js';
import { shownUrl } from '../../src/cli/render.js';

// A page that loads a 4,000-character data: URL, as inline images and fonts do.
const PAYLOAD = 'QUJD'.repeat(1000);
const DATA_URL = `data:text/plain;base64,${PAYLOAD}`;

describe('data: URLs in reports', () => {
  let server: FixtureServer;
  const dir = tempSessionDir('data-url');

  before(async () => {
    server = await FixtureServer.start();
    server.html('/', `<!doctype html><title>inline</title><script>fetch(${JSON.stringify(DATA_URL)}).then(() => fetch('/done'));</script>`);
    server.static('/done', 'text/plain', 'done');
    const done = server.waitForRequest('/done', 30_000);
    const start = await bdg([server.url('/'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(start.code, 0, start.stderr);
    await done;
  });

  after(async () => {
    await teardown(dir);
    await server.close();
  });

  test('shownUrl cuts a data: URL after its MIME type and a few bytes, and leaves other URLs alone', () => {
    assert.equal(shownUrl(DATA_URL), `data:text/plain;base64,${PAYLOAD.slice(0, 16)}… (${DATA_URL.length} chars)`);
    assert.equal(shownUrl('data:,hi'), 'data:,hi');
    assert.equal(shownUrl(`http://127.0.0.1/${'a'.repeat(100)}`), `http://127.0.0.1/${'a'.repeat(100)}`);
  });

  test('network list and peek print the cut form; --json cuts it with a marker, --json --full keeps the whole URL', async () => {
    let listed = '';
    for (let i = 0; i < 50 && !listed.includes('data:'); i++) {
      listed = (await bdg(['network', 'list', '--last', '0'], { sessionDir: dir })).stdout;
      if (!listed.includes('data:')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(listed, /data:text\/plain;base64,QUJDQUJDQUJDQUJD… \(4023 chars\)/);
    assert.ok(!listed.includes(PAYLOAD), 'the whole payload is not printed');
    const peek = (await bdg(['peek', '--last', '0'], { sessionDir: dir })).stdout;
    assert.ok(!peek.includes(PAYLOAD));
    const urlsOf = async (...extra: string[]): Promise<string[]> =>
      (
        (await bdg(['network', 'list', '--last', '0', '--json', ...extra], { sessionDir: dir })).json as { data: { requests: Array<{ url: string }> } }
      ).data.requests.map((r) => r.url);
    assert.ok(
      (await urlsOf()).some((u) => u.startsWith(DATA_URL.slice(0, 1000)) && u.endsWith(`… [${DATA_URL.length - 1000} more chars cut; --full shows all]`)),
      'the JSON listing cuts a long value with a marker',
    );
    assert.ok((await urlsOf('--full')).includes(DATA_URL), 'with --full the JSON has the whole URL');
  });
});
