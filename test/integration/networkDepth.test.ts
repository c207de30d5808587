/**
 * WebSockets as requests, bodies that survive a navigation, the sanitized HAR, `network list --sort/--page` and the
 * document URL after a reload, against headless Chromium and the fixture server (HTTP and WebSocket on one port).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkRecord, WebSocketFrame } from '../../src/protocol/records.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { BDG, bdg, teardown, tempSessionDir, waitFor, type RunResult } from '../helpers/bdg.js';

type Item = Omit<NetworkRecord, 'requestHeaders' | 'responseHeaders' | 'body' | 'postData'>;
interface ListData {
  requests: Item[];
  matched: number;
  sort: string;
  page: string;
  stats: { count: number; pending: number };
}
interface FramesData {
  id: string;
  state: string;
  status: number | null;
  frames: Array<Omit<WebSocketFrame, 'data'> & { data?: string }>;
  matched: number;
  lastSeq: number;
  summary: NonNullable<NetworkRecord['webSocket']>;
}
interface HarDoc {
  log: {
    comment?: string;
    pages: { id: string }[];
    entries: Array<{
      pageref?: string;
      request: {
        url: string;
        headers: { name: string; value: string }[];
        cookies: { name: string; value: string }[];
        queryString: { name: string; value: string }[];
      };
      response: {
        status: number;
        headers: { name: string; value: string }[];
        cookies: { name: string; value: string }[];
        content: { text?: string; comment?: string };
      };
      _resourceType: string;
      _webSocketMessages?: { type: string; time: number; opcode: number; data: string }[];
    }>;
  };
}

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const LARGE = 'z'.repeat(40 * 1024);
const BIG_FRAME = 'y'.repeat(20_000);

function data<T>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

describe('network depth: WebSockets, bodies across navigations, sanitized HAR, sort and page', () => {
  const dir = tempSessionDir('netdepth');
  const out = mkdtempSync(join(tmpdir(), 'bdg-test-netdepth-'));
  let server: FixtureServer;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const list = async (...args: string[]): Promise<ListData> => data<ListData>(await run('network', 'list', ...args));
  const byPath = (items: Item[], path: string): Item => {
    const found = items.find((r) => new URL(r.url).pathname === path);
    assert.ok(found, `no request for ${path} in ${items.map((r) => r.url).join(' ')}`);
    return found;
  };
  const socket = async (): Promise<Item> => byPath((await list('--filter', 'resource-type:websocket')).requests, '/echo');
  const frames = async (id: string, ...args: string[]): Promise<FramesData> => data<FramesData>(await run('network', 'ws', id, ...args));
  const evalJs = async (expression: string): Promise<unknown> => data<{ value: unknown }>(await run('dom', 'eval', expression)).value;

  before(async () => {
    server = await FixtureServer.start();
    server.webSocket('/echo', (ws) => {
      ws.on('message', (msg, isBinary) => {
        if (!isBinary && Buffer.isBuffer(msg) && msg.toString('utf8') === 'big') ws.send(BIG_FRAME);
        else ws.send(msg, { binary: isBinary });
      });
    });
    server.html(
      '/ws',
      `<!doctype html><title>ws fixture</title><script>
        window.received = 0;
        // The socket opens once the cookie is set, so that its handshake sends it. Secrets are put together at run
        // time, so that the page's own source (a body in the HAR) does not hold them.
        fetch('/set-cookie').then(() => {
          const ws = new WebSocket('ws://' + location.host + '/echo?token=WS-' + 'TOKEN');
          ws.binaryType = 'arraybuffer';
          ws.onopen = () => { ws.send('hello'); ws.send(new Uint8Array([1, 2, 3, 4])); };
          ws.onmessage = () => { window.received++; };
          window.ws = ws;
        }).then(() => Promise.all([
          fetch('/api/data.json').then((r) => r.text()),
          fetch('/secret?access_token=AT-' + '123&page=1', { headers: { Authorization: 'Bearer BEARER-' + 'SECRET', 'X-Api-Key': 'KEY-' + '123' } }).then((r) => r.text()),
          fetch('/large').then((r) => r.text()),
          fetch('/image.png').then((r) => r.arrayBuffer()),
        ])).then(() => fetch('/done'));
      </script>`,
    );
    server.route('/set-cookie', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'session=COOKIE-SECRET; Path=/; HttpOnly' });
      res.end('ok');
    });
    server.static('/api/data.json', 'application/json', '{"items":[1,2,3],"refresh_token":"RT-SECRET"}');
    server.static('/secret', 'application/json', '{"ok":true}');
    server.static('/large', 'text/plain', LARGE);
    server.static('/image.png', 'image/png', PNG);
    server.static('/done', 'text/plain', 'done');
    server.html('/next', '<!doctype html><title>next</title><script>fetch("/api/next.json")</script>');
    server.static('/api/next.json', 'application/json', '{"next":true}');
    const done = server.waitForRequest('/done', 30_000);
    data(await bdg([server.url('/ws#one'), '--max-body-size', '0.01', '--json'], { sessionDir: dir, timeoutMs: 60_000 }));
    await done;
    // Both echoes are back, and the finished text requests' bodies are in (fetched in the background).
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      const ws = (await list('--filter', 'resource-type:websocket')).requests[0];
      const status = data<{ buffers: { bodies: { count: number } } }>(await run('status', '--verbose'));
      ready = ws?.webSocket?.framesReceived === 2 && status.buffers.bodies.count >= 4;
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ready, 'the page did not settle');
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(out, { recursive: true, force: true });
  });

  test('an open WebSocket is a row: type websocket, 101, open, frames and bytes; counted in status; in peek', async () => {
    const ws = await socket();
    assert.equal(ws.resourceType, 'WebSocket');
    assert.equal(ws.status, 101);
    assert.equal(ws.method, 'GET');
    assert.equal(ws.state, 'pending');
    assert.deepEqual(ws.webSocket, { state: 'open', framesSent: 2, framesReceived: 2, bytesSent: 9, bytesReceived: 9, framesDropped: 0 });
    assert.equal(
      (await list('--filter', 'is:running')).requests.some((r) => r.id === ws.id),
      true,
    );
    const status = data<{ network: { pending: number; webSockets: { count: number; open: number; frames: number; framesDropped: number } } }>(
      await run('status'),
    );
    assert.deepEqual(status.network.webSockets, { count: 1, open: 1, frames: 4, framesDropped: 0 });
    assert.equal(status.network.pending, 0, 'an open socket is not a pending request');
    const human = await bdg(['network', 'list', '--filter', 'resource-type:websocket'], { sessionDir: dir });
    assert.match(
      human.stdout,
      new RegExp(`${ws.id} +GET +101 +websocket +18 B +open  ws://127\\.0\\.0\\.1:\\d+/echo\\?token=WS-TOKEN  open, 2 sent / 2 received, 18 B`),
    );
    const peek = await bdg(['peek', '--network', '--last', '50'], { sessionDir: dir });
    assert.match(peek.stdout, new RegExp(`${ws.id} +WS +101 +ws://.*/echo.*\\(open, 2 sent / 2 received, 18 B\\)`));
    assert.match((await bdg(['status'], { sessionDir: dir })).stdout, /1 WebSocket \(1 open, 4 frames\)/);
  });

  test('network ws shows the frames: direction, opcode, size, text payload, binary as size only; details has the handshake', async () => {
    const ws = await socket();
    const f = await frames(ws.id);
    assert.equal(f.state, 'open');
    assert.equal(f.status, 101);
    assert.deepEqual(
      f.frames.map((x) => [x.type, x.opcode, x.size, x.data]),
      [
        ['send', 1, 5, 'hello'],
        ['send', 2, 4, undefined],
        ['receive', 1, 5, 'hello'],
        ['receive', 2, 4, undefined],
      ],
    );
    assert.ok(
      f.frames.every((x) => Math.abs(x.time - Date.now()) < 120_000),
      'times are epoch ms',
    );
    assert.deepEqual(
      (await frames(ws.id, '--last', '1')).frames.map((x) => x.type),
      ['receive'],
    );
    assert.equal((await frames(ws.id, '--since', String(f.frames[1]?.seq))).frames.length, 2);
    const human = await bdg(['network', 'ws', ws.id], { sessionDir: dir });
    assert.match(human.stdout, /send +text +5 B +hello/);
    assert.match(human.stdout, /receive +binary +4 B +\[binary, 4 B\]/);
    const details = data<{ item: NetworkRecord }>(await run('details', 'network', ws.id));
    assert.equal(details.item.requestHeaders['Sec-WebSocket-Version'], '13');
    assert.match(details.item.requestHeaders['Cookie'] ?? '', /session=COOKIE-SECRET/);
    assert.ok(details.item.responseHeaders?.['Sec-WebSocket-Accept'] !== undefined, JSON.stringify(details.item.responseHeaders));
    const text = await bdg(['details', 'network', ws.id], { sessionDir: dir });
    assert.match(text.stdout, /Sec-WebSocket-Key: /);
    assert.match(text.stdout, new RegExp(`Frames: bdg network ws ${ws.id}`));
    // Not a socket: said so, with the way to find one.
    const notWs = await run('network', 'ws', byPath((await list()).requests, '/done').id);
    assert.equal(notWs.code, 81, notWs.stdout);
    assert.match((notWs.json as { hint: string }).hint, /resource-type:websocket/);
  });

  test('a long text frame is cut at the frame bound; --follow prints new frames and ends when the socket closes', async () => {
    const ws = await socket();
    const { lastSeq } = await frames(ws.id);
    const follower = spawn(process.execPath, [BDG, 'network', 'ws', ws.id, '--follow', '--json'], {
      env: { ...process.env, BDG_SESSION_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    follower.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => follower.on('close', (code) => resolve(code)));
    try {
      assert.ok(await waitFor(() => stdout.includes('"receive"'), 10_000), 'follow printed the newest frames first');
      await evalJs(
        "window.ws.send('big'); new Promise((r) => { const n = window.received; const t = setInterval(() => { if (window.received > n) { clearInterval(t); r(true); } }, 10); })",
      );
      // --full: the frame as the buffer keeps it (cut at 16 KB); without it the listing cuts it at 1,000 characters.
      const big = (await frames(ws.id, '--since', String(lastSeq), '--full')).frames.find((x) => x.size === BIG_FRAME.length);
      assert.ok(big, 'the 20,000-byte frame');
      assert.equal(big.truncated, true);
      assert.equal(big.data?.length, 16 * 1024);
      const shown = (await frames(ws.id, '--since', String(lastSeq))).frames.find((x) => x.size === BIG_FRAME.length);
      assert.match(shown?.data ?? '', /… \[15384 more chars cut; --full shows all\]$/);
      await evalJs("window.ws.close(1000, 'done'); true");
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 15_000))]);
      assert.equal(code, 0, stdout);
    } finally {
      follower.kill('SIGKILL');
    }
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { version: string; success: boolean; data: { type: string; item: { type?: string; state?: string } } });
    assert.ok(
      lines.every((l) => l.success && typeof l.version === 'string'),
      'every line is a whole envelope',
    );
    assert.ok(lines.some((l) => l.data.type === 'frame' && l.data.item.type === 'send'));
    assert.deepEqual(lines[lines.length - 1]?.data.type, 'closed');
    const closed = await socket();
    assert.equal(closed.state, 'finished');
    assert.equal(closed.webSocket?.state, 'closed');
    assert.ok((closed.durationMs ?? 0) > 0);
    assert.equal(data<{ network: { webSockets: { open: number } } }>(await run('status')).network.webSockets.open, 0);
  });

  test('the HAR is sanitized by default (mode 0600) and carries _webSocketMessages; --include-sensitive keeps the secrets', async () => {
    const file = join(out, 'default.har');
    const r = await bdg(['network', 'har', file], { sessionDir: dir, timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Sanitized: \d+ cookie, credential and token values replaced by \[REDACTED\]/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const raw = readFileSync(file, 'utf8');
    for (const secret of ['COOKIE-SECRET', 'BEARER-SECRET', 'KEY-123', 'AT-123', 'WS-TOKEN', 'RT-SECRET'])
      assert.ok(!raw.includes(secret), `${secret} is in the sanitized HAR`);
    const har = JSON.parse(raw) as HarDoc;
    assert.match(har.log.comment ?? '', /--include-sensitive/);
    const entry = (path: string): HarDoc['log']['entries'][number] => {
      const e = har.log.entries.find((x) => new URL(x.request.url).pathname === path);
      assert.ok(e, `no entry for ${path}`);
      return e;
    };
    const secret = entry('/secret');
    assert.equal(secret.request.headers.find((h) => h.name.toLowerCase() === 'authorization')?.value, '[REDACTED]');
    assert.equal(secret.request.queryString.find((q) => q.name === 'access_token')?.value, '[REDACTED]');
    assert.equal(secret.request.queryString.find((q) => q.name === 'page')?.value, '1');
    assert.deepEqual(
      entry('/set-cookie').response.cookies.map((c) => [c.name, c.value]),
      [['session', '[REDACTED]']],
    );
    const ws = entry('/echo');
    assert.equal(ws._resourceType, 'websocket');
    assert.equal(ws.response.status, 101);
    const messages = ws._webSocketMessages ?? [];
    assert.deepEqual(
      messages.slice(0, 4).map((m) => [m.type, m.opcode, m.data]),
      [
        ['send', 1, 'hello'],
        ['send', 2, 'AQIDBA=='],
        ['receive', 1, 'hello'],
        ['receive', 2, 'AQIDBA=='],
      ],
    );
    assert.ok(
      messages.every((m) => Math.abs(m.time - Date.now() / 1000) < 120),
      'times in epoch seconds',
    );

    const fullFile = join(out, 'full.har');
    const full = await bdg(['network', 'har', fullFile, '--include-sensitive', '--json'], { sessionDir: dir, timeoutMs: 90_000 });
    const fullData = data<{ sanitized: boolean; redacted: number }>(full);
    assert.deepEqual([fullData.sanitized, fullData.redacted], [false, 0]);
    assert.equal(statSync(fullFile).mode & 0o777, 0o600);
    const fullRaw = readFileSync(fullFile, 'utf8');
    for (const secret of ['COOKIE-SECRET', 'BEARER-SECRET', 'KEY-123', 'AT-123', 'WS-TOKEN', 'RT-SECRET'])
      assert.ok(fullRaw.includes(secret), `${secret} is missing with --include-sensitive`);
    assert.ok(!fullRaw.includes('[REDACTED]'));
  });

  test('after page reload the navigation is recorded without its #fragment, as after navigate; the page keeps it', async () => {
    const before = data<{ navigationHistory: { url: string }[] }>(await run('status', '--verbose')).navigationHistory;
    assert.equal(before[before.length - 1]?.url, server.url('/ws'), 'the start navigation (to /ws#one)');
    const reloaded = data<{ url: string }>(await run('page', 'reload'));
    assert.equal(reloaded.url, server.url('/ws#one'));
    const s = data<{ page: { url: string }; navigationHistory: { url: string }[] }>(await run('status', '--verbose'));
    assert.equal(s.page.url, server.url('/ws#one'));
    assert.deepEqual(
      s.navigationHistory.slice(-2).map((n) => n.url),
      [server.url('/ws'), server.url('/ws')],
    );
    const loaded = server.waitForRequest('/done', 30_000);
    data(await run('page', 'navigate', server.url('/ws?b=2#two')));
    await loaded;
    const navigated = data<{ navigationHistory: { url: string }[] }>(await run('status', '--verbose')).navigationHistory;
    assert.equal(navigated[navigated.length - 1]?.url, server.url('/ws?b=2'));
  });

  test('text bodies survive a navigation; a body without one says why (binary, too large) in details and the HAR', async () => {
    const requests = (await list('--filter', '-resource-type:websocket')).requests;
    const json = byPath(
      requests.filter((r) => r.navigation === 0),
      '/api/data.json',
    );
    // The last /ws page's: nothing asked for its image (the HAR above fetched the first page's).
    const last = Math.max(...requests.map((r) => r.navigation));
    const image = byPath(
      requests.filter((r) => r.navigation === last),
      '/image.png',
    );
    const large = byPath(
      requests.filter((r) => r.navigation === last),
      '/large',
    );
    const nextDone = server.waitForRequest('/api/next.json', 30_000);
    data(await run('page', 'navigate', server.url('/next')));
    await nextDone;
    const kept = data<{ item: NetworkRecord }>(await run('details', 'network', json.id)).item;
    assert.deepEqual(JSON.parse(kept.body?.data ?? '{}'), { items: [1, 2, 3], refresh_token: 'RT-SECRET' });
    const img = data<{ item: NetworkRecord }>(await run('details', 'network', image.id)).item;
    assert.equal(img.body, undefined);
    assert.equal(img.bodyUnavailable, 'binary');
    const big = data<{ item: NetworkRecord }>(await run('details', 'network', large.id)).item;
    assert.equal(big.body, undefined);
    assert.equal(big.bodyUnavailable, 'too-large');
    const human = await bdg(['details', 'network', large.id], { sessionDir: dir });
    assert.match(human.stdout, /Response body: not kept: larger than --max-body-size/);
    const file = join(out, 'after.har');
    const r = await bdg(['network', 'har', file, '--include-sensitive'], { sessionDir: dir, timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const har = JSON.parse(readFileSync(file, 'utf8')) as HarDoc;
    const content = (path: string, page = `page_${last}`): { text?: string; comment?: string } => {
      const e = har.log.entries.find((x) => new URL(x.request.url).pathname === path && x.pageref === page);
      assert.ok(e, `no entry for ${path} on ${page}`);
      return e.response.content;
    };
    assert.match(content('/api/data.json', 'page_0').text ?? '', /RT-SECRET/);
    assert.match(content('/api/data.json').text ?? '', /RT-SECRET/, "the last /ws page's too");
    assert.match(content('/image.png').comment ?? '', /binary bodies are fetched on demand only/);
    assert.match(content('/large').comment ?? '', /larger than --max-body-size/);
    assert.match(content('/ws', 'page_0').text ?? '', /ws fixture/, 'the first document too');
  });

  test('network list --sort start|duration|size (- for descending) and --page current|all (--current kept)', async () => {
    const all = await list('--last', '1000');
    const largest = [...all.requests].sort(
      (a, b) => (b.encodedDataLength ?? -1) - (a.encodedDataLength ?? -1) || Number(b.id.slice(1)) - Number(a.id.slice(1)),
    )[0];
    const bySize = await list('--sort', '-size', '--last', '3');
    assert.equal(bySize.sort, '-size');
    assert.equal(bySize.requests.length, 3);
    assert.equal(bySize.requests[0]?.id, largest?.id);
    const sizes = bySize.requests.map((r) => (r.webSocket !== undefined ? r.webSocket.bytesSent + r.webSocket.bytesReceived : (r.encodedDataLength ?? -1)));
    assert.deepEqual(
      sizes,
      [...sizes].sort((a, b) => b - a),
    );
    assert.equal(new URL(bySize.requests[0]?.url ?? 'x:/').pathname, '/large');
    const ascending = await list('--sort', 'duration');
    const durations = ascending.requests.map((r) => r.durationMs ?? -1);
    assert.deepEqual(
      durations,
      [...durations].sort((a, b) => a - b),
    );
    const newestFirst = await list('--sort', '-start', '--last', '2');
    assert.ok(Number(newestFirst.requests[0]?.id.slice(1)) > Number(newestFirst.requests[1]?.id.slice(1)));

    // Chrome may ask for /favicon.ico at any moment: left out.
    const current = await list('--page', 'current', '--filter', '-favicon.ico');
    assert.equal(current.page, 'current');
    assert.deepEqual(current.requests.map((r) => new URL(r.url).pathname).sort(), ['/api/next.json', '/next']);
    assert.deepEqual(
      (await list('--current', '--filter', '-favicon.ico')).requests.map((r) => r.id),
      current.requests.map((r) => r.id),
    );
    assert.equal((await list('--page', 'all')).matched, all.matched);
    const human = await bdg(['network', 'list', '--page', 'current', '--sort', '-size', '--filter', '-favicon.ico'], { sessionDir: dir });
    assert.match(
      human.stdout,
      /^Requests of the current page \(http:\/\/127\.0\.0\.1:\d+\/next\) matching "-favicon.ico": 2 of \d+ recorded.*, by size \(descending\)/,
    );
    assert.equal((await run('network', 'list', '--current', '--page', 'all')).code, 81);
    assert.equal((await run('network', 'list', '--page', 'previous')).code, 81);
    assert.equal((await run('network', 'list', '--sort', 'name')).code, 81);
    assert.equal((await run('network', 'list', '--sort', 'size', '--follow')).code, 81);
  });

  test('network har --current exports the current page load only', async () => {
    const file = join(out, 'current.har');
    const r = data<{ entries: number; pages: number }>(
      await bdg(['network', 'har', file, '--current', '--filter', '-favicon.ico', '--json'], { sessionDir: dir, timeoutMs: 90_000 }),
    );
    assert.deepEqual([r.entries, r.pages], [2, 1]);
    const har = JSON.parse(readFileSync(file, 'utf8')) as HarDoc;
    assert.deepEqual(har.log.entries.map((e) => new URL(e.request.url).pathname).sort(), ['/api/next.json', '/next']);
    assert.ok(har.log.entries.every((e) => e.pageref === har.log.pages[0]?.id));
  });
});
