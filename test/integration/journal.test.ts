import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleRecord, NetworkRecord } from '../../src/protocol/records.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, isAlive, readPid, teardown, tempSessionDir, waitFor } from '../helpers/bdg.js';

interface Har {
  log: {
    pages: Array<{ id: string }>;
    entries: Array<{
      request: { url: string; method: string; headers: Array<{ name: string; value: string }> };
      response: { status: number; content: { text?: string } };
    }>;
  };
}

describe('journal: the record a daemon killed with SIGKILL leaves', () => {
  let server: FixtureServer;
  let dir: string;
  const out = mkdtempSync(join(tmpdir(), 'bdg-journal-out-'));

  before(async () => {
    server = await FixtureServer.start();
    server.html(
      '/',
      `<!doctype html><title>journal</title><h1>journal</h1>
      <script>
        console.log('boot', 42);
        fetch('/api/items?id=7', { method: 'POST', headers: { authorization: 'Bearer sekrit-' + 'token-' + (100 + 23), 'content-type': 'application/json' }, body: '{"q":1}' })
          .then((r) => r.json()).then((j) => console.warn('items', j.items.length));
        fetch('/missing').then(() => console.error('missing done'));
      </script>`,
    );
    // The token is built by the script, so the page's own HTML (a body in the HAR) does not contain it.
    server.static('/api/items', 'application/json', JSON.stringify({ items: [1, 2, 3] }));
    server.html('/second', '<!doctype html><title>second</title><p>second page</p><script>console.info("second")</script>');
    dir = tempSessionDir('journal');
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(out, { recursive: true, force: true });
  });

  test('kill -9, then status keeps the journal in history/, and details/har/list --from read it', async () => {
    const start = await bdg([server.url('/'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(start.code, 0, start.stderr);
    // The page's two fetches and its console messages, then a second page load.
    await waitFor(() => server.requests.some((r) => r.path === '/missing'), 10_000);
    const nav = await bdg(['page', 'navigate', server.url('/second'), '--json'], { sessionDir: dir });
    assert.equal(nav.code, 0, nav.stderr);
    const live = (await bdg(['network', 'list', '--json'], { sessionDir: dir })).json as { data: { requests: NetworkRecord[] } };
    const liveById = new Map(live.data.requests.map((r) => [r.id, r]));
    // Batches are written every 200 ms (bodies may hold a record back a few rounds): wait for them to land.
    const journal = join(dir, 'journal.ndjson');
    assert.ok(
      await waitFor(
        () => existsSync(journal) && readFileSync(journal, 'utf8').includes('second page') && readFileSync(journal, 'utf8').includes('"second"'),
        10_000,
      ),
      'the journal holds the second page and its console message',
    );
    assert.equal(statSync(journal).mode & 0o777, 0o600);

    const pid = readPid(join(dir, 'daemon.pid'));
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGKILL');
    assert.ok(await waitFor(() => !isAlive(pid), 5_000));

    // The next command finds the dead daemon, keeps the journal in history/ and says where.
    const status = await bdg(['status'], { sessionDir: dir });
    assert.equal(status.code, 83, 'no session (exit 83), but the journal is named');
    const kept = /kept as (\S+journal-[^\s:]+\.ndjson)/.exec(status.stdout + status.stderr)?.[1];
    assert.ok(kept !== undefined, `status names the kept journal:\n${status.stdout}\n${status.stderr}`);
    assert.ok(existsSync(kept), kept);
    assert.ok(kept.startsWith(join(dir, 'history')), kept);
    assert.equal(existsSync(journal), false, 'the journal was moved, not copied');
    assert.equal(existsSync(join(dir, 'session.json')), false, 'no session.json after kill -9: the journal is the record');

    // network list --from: the requests the page made, with the ids the session gave them.
    const list = await bdg(['network', 'list', '--from', kept, '--json'], { sessionDir: dir });
    assert.equal(list.code, 0, list.stderr);
    const requests = (list.json as { data: { requests: NetworkRecord[] } }).data.requests;
    const byPath = (p: string): NetworkRecord => {
      const r = requests.find((x) => new URL(x.url).pathname === p);
      assert.ok(r !== undefined, `${p} journaled: ${requests.map((x) => x.url).join(' ')}`);
      return r;
    };
    const api = byPath('/api/items');
    assert.equal(api.method, 'POST');
    assert.equal(api.status, 200);
    assert.equal(byPath('/missing').status, 404);
    assert.equal(byPath('/second').navigation, 1);
    for (const r of requests) {
      const l = liveById.get(r.id);
      if (l !== undefined) assert.equal(l.url, r.url, `${r.id} is the same request as in the live session`);
    }

    // details network <id> --from: headers, the request body and the response body.
    const details = await bdg(['details', 'network', api.id, '--from', kept, '--json'], { sessionDir: dir });
    assert.equal(details.code, 0, details.stderr);
    const item = (details.json as { data: { type: string; item: NetworkRecord } }).data.item;
    assert.equal(item.requestHeaders['authorization'] ?? item.requestHeaders['Authorization'], 'Bearer sekrit-token-123');
    assert.equal(item.postData, '{"q":1}');
    assert.equal(item.body?.data, JSON.stringify({ items: [1, 2, 3] }));
    const text = await bdg(['details', 'network', api.id, '--from', kept], { sessionDir: dir });
    assert.match(text.stdout, /POST .*\/api\/items/);

    // details console --from: the messages as they arrived.
    const consoleIds = readFileSync(kept, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"t":"console"'))
      .map((l) => (JSON.parse(l) as { r: ConsoleRecord }).r);
    const warn = consoleIds.find((c) => c.text.includes('items 3'));
    assert.ok(warn !== undefined, 'the console.warn after the fetch is journaled');
    const cd = await bdg(['details', 'console', warn.id, '--from', kept, '--json'], { sessionDir: dir });
    assert.equal(cd.code, 0, cd.stderr);
    assert.equal((cd.json as { data: { item: ConsoleRecord } }).data.item.level, 'warning');

    // network har --from: one entry per journaled request, two pages, sanitized by default.
    const harFile = join(out, 'crash.har');
    const har = await bdg(['network', 'har', harFile, '--from', kept, '--json'], { sessionDir: dir });
    assert.equal(har.code, 0, har.stderr);
    assert.equal(statSync(harFile).mode & 0o777, 0o600);
    const doc = JSON.parse(readFileSync(harFile, 'utf8')) as Har;
    assert.equal(doc.log.entries.length, requests.length);
    assert.equal(doc.log.pages.length, 2);
    const apiEntry = doc.log.entries.find((e) => e.request.url.includes('/api/items'));
    assert.ok(apiEntry !== undefined);
    assert.equal(apiEntry.response.content.text, JSON.stringify({ items: [1, 2, 3] }));
    assert.ok(!readFileSync(harFile, 'utf8').includes('sekrit-token-123'), 'the Authorization value is redacted');

    // An unknown id is a user error naming the file.
    const missing = await bdg(['details', 'network', 'n999', '--from', kept], { sessionDir: dir });
    assert.equal(missing.code, 83);

    // A new session keeps the old journal: nothing of the killed session is overwritten.
    const again = await bdg([server.url('/second'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.ok(existsSync(kept));
    const stop = await bdg(['stop', '--json'], { sessionDir: dir, timeoutMs: 30_000 });
    assert.equal(stop.code, 0, stop.stderr);
    // On a normal stop session.json is the record and the journal is removed.
    assert.equal(existsSync(journal), false);
    assert.ok(existsSync(join(dir, 'session.json')));
    assert.ok(readdirSync(join(dir, 'history')).some((n) => n.startsWith('journal-')));
  });
});
