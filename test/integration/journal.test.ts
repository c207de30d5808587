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

interface Frame {
  seq: number;
  type: string;
  opcode: number;
  size: number;
  data?: string;
  truncated?: boolean;
}

describe('journal: WebSocket frames survive a SIGKILL of the daemon', () => {
  let server: FixtureServer;
  let dir: string;
  const out = mkdtempSync(join(tmpdir(), 'bdg-journal-ws-out-'));
  // Longer than the 16 KB a kept frame's payload is cut at.
  const BIG = 'q'.repeat(20_000);

  before(async () => {
    server = await FixtureServer.start();
    server.webSocket('/echo', (ws) => {
      ws.on('message', (msg, isBinary) => ws.send(msg, { binary: isBinary }));
    });
    server.html(
      '/',
      `<!doctype html><title>ws journal</title><script>
        window.received = 0;
        const ws = new WebSocket('ws://' + location.host + '/echo');
        ws.binaryType = 'arraybuffer';
        ws.onopen = () => {
          for (let i = 0; i < 30; i++) ws.send('frame ' + i);
          ws.send(new Uint8Array([9, 8, 7]));
          ws.send('${BIG}');
        };
        ws.onmessage = () => { window.received++; };
      </script>`,
    );
    dir = tempSessionDir('journal-ws');
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(out, { recursive: true, force: true });
  });

  test('an open socket and its frames are journaled; network ws and network har --from read them back', async () => {
    const start = await bdg([server.url('/'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(start.code, 0, start.stderr);
    // 32 frames each way: wait until the page has every echo, then until the journal has them all.
    const evalReceived = async (): Promise<number> =>
      ((await bdg(['dom', 'eval', 'window.received', '--json'], { sessionDir: dir })).json as { data: { value: number } }).data.value;
    let received = 0;
    for (let i = 0; i < 100 && received < 32; i++) {
      received = await evalReceived();
      if (received < 32) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(received, 32, 'the page got its 32 echoes');
    // Frames go to their own file beside the journal (the newest survive a chatty socket, and never push requests out).
    const framesFile = join(dir, 'journal-frames.ndjson');
    const journaledFrames = (): number =>
      existsSync(framesFile)
        ? readFileSync(framesFile, 'utf8')
            .split('\n')
            .filter((l) => l.startsWith('{"t":"frames"'))
            .reduce((n, l) => n + (JSON.parse(l) as { f: unknown[] }).f.length, 0)
        : 0;
    assert.ok(await waitFor(() => journaledFrames() === 64, 10_000), `64 frames journaled (${journaledFrames()})`);
    const liveList = (await bdg(['network', 'list', '--filter', 'resource-type:websocket', '--json'], { sessionDir: dir })).json as {
      data: { requests: NetworkRecord[] };
    };
    const socketId = liveList.data.requests[0]?.id ?? 'none';
    // --full: frames as the buffer keeps them (a listing would cut long payloads at 1,000 characters).
    const live = (await bdg(['network', 'ws', socketId, '--last', '0', '--full', '--json'], { sessionDir: dir })).json as { data: { frames: Frame[] } };

    const pid = readPid(join(dir, 'daemon.pid'));
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGKILL');
    assert.ok(await waitFor(() => !isAlive(pid), 5_000));
    const status = await bdg(['status'], { sessionDir: dir });
    const kept = /kept as (\S+journal-[^\s:]+\.ndjson)/.exec(status.stdout + status.stderr)?.[1];
    assert.ok(kept !== undefined, `status names the kept journal:\n${status.stdout}\n${status.stderr}`);
    // Its frames file went to history/ with it.
    assert.ok(existsSync(kept.replace(/\.ndjson$/, '-frames.ndjson')), readdirSync(join(dir, 'history')).join(', '));
    assert.equal(existsSync(framesFile), false);

    // The socket is listed (still open when the daemon died), with the counts of its last journaled frames.
    const list = await bdg(['network', 'list', '--from', kept, '--filter', 'resource-type:websocket', '--json'], { sessionDir: dir });
    assert.equal(list.code, 0, list.stderr);
    const sockets = (list.json as { data: { requests: NetworkRecord[] } }).data.requests;
    assert.equal(sockets.length, 1);
    const socket = sockets[0] as NetworkRecord;
    assert.equal(socket.id, socketId);
    assert.equal(socket.status, 101);
    assert.equal(socket.webSocket?.state, 'open');
    assert.equal(socket.webSocket?.framesSent, 32);
    assert.equal(socket.webSocket?.framesReceived, 32);

    // network ws --from: the same frames as the live session listed, in order, the big one cut, binary as size.
    const ws = await bdg(['network', 'ws', socketId, '--from', kept, '--last', '0', '--full', '--json'], { sessionDir: dir });
    assert.equal(ws.code, 0, ws.stderr);
    const frames = (ws.json as { data: { frames: Frame[]; matched: number; state: string } }).data;
    assert.equal(frames.matched, 64);
    assert.deepEqual(frames.frames, live.data.frames);
    assert.deepEqual(
      frames.frames.slice(0, 2).map((f) => [f.type, f.data]),
      [
        ['send', 'frame 0'],
        ['send', 'frame 1'],
      ],
    );
    const big = frames.frames.find((f) => f.size === BIG.length && f.type === 'receive');
    assert.ok(big?.truncated === true && (big.data?.length ?? 0) === 16 * 1024, 'the 20 KB frame is cut at 16 KB');
    const binary = frames.frames.find((f) => f.opcode === 2);
    assert.ok(binary !== undefined && binary.size === 3 && binary.data === undefined, 'binary frames are listed by size');
    const last = await bdg(['network', 'ws', socketId, '--from', kept, '--last', '3', '--since', String(frames.frames[0]?.seq ?? 0)], { sessionDir: dir });
    assert.equal(last.code, 0, last.stderr);
    assert.match(last.stdout, /q{20}/);
    const page = (await bdg(['network', 'list', '--from', kept, '--json'], { sessionDir: dir })).json as { data: { requests: NetworkRecord[] } };
    const pageId = page.data.requests.find((r) => r.webSocket === undefined)?.id ?? 'none';
    const notSocket = await bdg(['network', 'ws', pageId, '--from', kept], { sessionDir: dir });
    assert.equal(notSocket.code, 81, `the page is no WebSocket: ${notSocket.stderr}`);

    // network har --from: the socket's entry carries its frames as _webSocketMessages.
    const harFile = join(out, 'ws.har');
    const har = await bdg(['network', 'har', harFile, '--from', kept, '--json'], { sessionDir: dir });
    assert.equal(har.code, 0, har.stderr);
    const doc = JSON.parse(readFileSync(harFile, 'utf8')) as {
      log: { entries: Array<{ _resourceType: string; _webSocketMessages?: Array<{ type: string; opcode: number; data: string }> }> };
    };
    const entry = doc.log.entries.find((e) => e._resourceType === 'websocket');
    assert.ok(entry?._webSocketMessages !== undefined, 'the socket entry has its messages');
    assert.equal(entry._webSocketMessages.length, 64);
    assert.deepEqual(entry._webSocketMessages[0], { ...entry._webSocketMessages[0], type: 'send', opcode: 1, data: 'frame 0' });
  });
});
