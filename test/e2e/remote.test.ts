import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { BDG, bdg, chromesOf, daemonsOf, isAlive, startDebuggableChrome, teardown, tempSessionDir, waitFor, type Failure } from '../helpers/bdg.js';

const SECRET = 'tok-5d1c0ffee-never-printed';

interface ProxyOptions {
  /** A header the proxy demands (401 without it), as a browser service's gateway would. */
  header?: { name: string; value: string };
  /** A virtual host the proxy routes by (404 for any other Host), as an ingress in front of a container would. */
  host?: string;
  tls?: { key: string; cert: string };
}

/** What the proxy saw: the path of each request and whether it carried the demanded header and Host. */
interface Seen {
  path: string;
  upgrade: boolean;
  headerOk: boolean;
  host: string | undefined;
}

/**
 * A tiny HTTP + WebSocket proxy on 127.0.0.1 in front of Chrome: it checks the header and Host, then forwards to
 * Chrome with Host set to Chrome's own address (Chrome refuses other hosts), so Chrome's /json/version names its
 * real port, which bdg must not use (it connects where it reached /json/version).
 */
async function startProxy(chromePort: number, opts: ProxyOptions): Promise<{ server: Server; port: number; seen: Seen[]; sockets: Set<Socket> }> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const check = (req: IncomingMessage): { status: number; text: string } | undefined => {
    const headerOk = opts.header === undefined || req.headers[opts.header.name.toLowerCase()] === opts.header.value;
    seen.push({ path: req.url ?? '', upgrade: req.headers.upgrade !== undefined, headerOk, host: req.headers.host });
    if (opts.host !== undefined && req.headers.host !== opts.host) return { status: 404, text: 'no such virtual host' };
    if (!headerOk) return { status: 401, text: 'token required' };
    return undefined;
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const refused = check(req);
    if (refused !== undefined) {
      res.writeHead(refused.status, { 'content-type': 'text/plain' }).end(refused.text);
      return;
    }
    const up = httpRequest(
      { host: '127.0.0.1', port: chromePort, path: req.url, method: req.method, headers: { ...req.headers, host: `127.0.0.1:${chromePort}` } },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  };
  const server = opts.tls !== undefined ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest) : createHttpServer(onRequest);
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const refused = check(req);
    if (refused !== undefined) {
      client.end(`HTTP/1.1 ${refused.status} Refused\r\nContent-Length: ${refused.text.length}\r\nConnection: close\r\n\r\n${refused.text}`);
      return;
    }
    const upstream = connect(chromePort, '127.0.0.1', () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i] as string;
        lines.push(`${name}: ${name.toLowerCase() === 'host' ? `127.0.0.1:${chromePort}` : (req.rawHeaders[i + 1] as string)}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0, seen, sockets };
}

async function closeProxy(p: { server: Server; sockets: Set<Socket> }): Promise<void> {
  for (const s of p.sockets) s.destroy();
  await new Promise<void>((r) => p.server.close(() => r()));
}

/** Every file bdg left in a session directory, read as text (to check that no secret was written). */
function allText(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    try {
      text += readFileSync(join(dir, name), 'utf8');
    } catch {
      /* a directory */
    }
  }
  return text;
}

function rmQuietly(dir: string): Promise<boolean> {
  return waitFor(
    () => {
      try {
        rmSync(dir, { recursive: true, force: true });
        return true;
      } catch {
        return false;
      }
    },
    10_000,
    100,
  );
}

describe('remote browsers: headers, Host, wss, stale URLs', () => {
  let server: FixtureServer;
  let chrome: { proc: ChildProcess; port: number };
  let profile: string;
  const dirs: string[] = [];
  const proxies: Array<{ server: Server; sockets: Set<Socket> }> = [];
  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<title>Remote</title><script>console.log("remote page")</script><img src="/pixel.png">');
    profile = mkdtempSync(join(tmpdir(), 'bdg-remote-chrome-'));
    chrome = await startDebuggableChrome(profile);
  });
  after(async () => {
    for (const d of dirs) await teardown(d);
    for (const p of proxies) await closeProxy(p);
    await server.close();
    chrome.proc.kill('SIGKILL');
    await waitFor(() => !isAlive(chrome.proc.pid as number) && chromesOf(profile, true).length === 0, 10_000);
    await rmQuietly(profile);
  });

  it('attaches through a proxy that demands a header, and fails with a hint without it', async () => {
    const proxy = await startProxy(chrome.port, { header: { name: 'X-Bdg-Token', value: SECRET } });
    proxies.push(proxy);
    const sessionDir = tempSessionDir('remote-hdr');
    dirs.push(sessionDir);
    const endpoint = `http://127.0.0.1:${proxy.port}`;

    const without = await bdg([server.url('/'), '--chrome-ws-url', endpoint, '--json'], { sessionDir });
    assert.equal(without.code, 101, without.stdout + without.stderr);
    const f = without.json as Failure;
    assert.match(f.error, /refused the connection \(HTTP 401 Unauthorized\)/);
    assert.match(f.hint ?? '', /--cdp-header/);
    assert.deepEqual(daemonsOf(sessionDir), []);

    const wrong = await bdg([server.url('/'), '--chrome-ws-url', endpoint, '--cdp-header', 'X-Bdg-Token: wrong-secret-value', '--json'], { sessionDir });
    assert.equal(wrong.code, 101);
    assert.ok(!(wrong.stdout + wrong.stderr).includes('wrong-secret-value'), 'a header value was printed');

    const start = await bdg([server.url('/'), '--chrome-ws-url', endpoint, '--cdp-header', `X-Bdg-Token: ${SECRET}`, '--json'], { sessionDir });
    assert.equal(start.code, 0, start.stdout + start.stderr);
    // bdg reached /json/version through the proxy and opened the WebSocket there too (not Chrome's own port).
    const good = proxy.seen.filter((s) => s.headerOk);
    assert.ok(good.some((s) => s.path === '/json/version' && !s.upgrade));
    assert.ok(good.some((s) => s.path.startsWith('/devtools/browser/') && s.upgrade));
    const status = await bdg(['status', '--json'], { sessionDir });
    const d = (status.json as { data: { remote: { headerNames: string[]; endpoint: string }; chrome: { attached: boolean } } }).data;
    assert.deepEqual(d.remote.headerNames, ['X-Bdg-Token']);
    assert.ok(d.remote.endpoint.startsWith(`ws://127.0.0.1:${proxy.port}/devtools/browser/`));
    const text = await bdg(['status'], { sessionDir });
    assert.match(text.stdout, /Headers: +X-Bdg-Token \(values not shown\)/);
    const evald = await bdg(['dom', 'eval', 'document.title', '--json'], { sessionDir });
    assert.equal((evald.json as { data: { value: unknown } }).data.value, 'Remote');
    const net = await bdg(['network', 'list', '--json'], { sessionDir });
    assert.equal(net.code, 0, net.stderr);
    assert.ok(JSON.stringify(net.json).includes('/pixel.png'));

    // The secret is on no command line and in no file of the session.
    const [daemon] = daemonsOf(sessionDir);
    assert.ok(daemon !== undefined);
    assert.ok(!readFileSync(`/proc/${daemon}/cmdline`, 'utf8').includes(SECRET), 'the header value is on the daemon command line');
    const stop = await bdg(['stop', '--json'], { sessionDir });
    assert.equal(stop.code, 0, stop.stderr);
    assert.ok(!allText(sessionDir).includes(SECRET), 'a session file holds the header value');
    assert.ok(!(start.stdout + status.stdout + text.stdout + stop.stdout).includes(SECRET));
    assert.ok(isAlive(chrome.proc.pid as number), 'stop closed the attached Chrome');
  });

  it('sends a Host header override on /json/version and on the WebSocket handshake', async () => {
    const proxy = await startProxy(chrome.port, { host: 'browser.internal' });
    proxies.push(proxy);
    const sessionDir = tempSessionDir('remote-host');
    dirs.push(sessionDir);
    const endpoint = `127.0.0.1:${proxy.port}`;
    const plain = await bdg([server.url('/'), '--chrome-ws-url', endpoint, '--json'], { sessionDir });
    assert.equal(plain.code, 101, plain.stdout);
    assert.match((plain.json as Failure).error, /did not return a webSocketDebuggerUrl \(HTTP 404\)/);
    const start = await bdg([server.url('/'), '--chrome-ws-url', endpoint, '--cdp-header', 'Host: browser.internal', '--json'], { sessionDir });
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.ok(proxy.seen.some((s) => s.upgrade && s.host === 'browser.internal'));
    const stop = await bdg(['stop'], { sessionDir });
    assert.equal(stop.code, 0, stop.stderr);
  });

  it('connects over https:// and wss:// with the CA in NODE_EXTRA_CA_CERTS, and says what to do without it', async () => {
    const certDir = mkdtempSync(join(tmpdir(), 'bdg-remote-tls-'));
    const key = join(certDir, 'key.pem');
    const cert = join(certDir, 'cert.pem');
    // A self-signed certificate for 127.0.0.1, which is its own CA.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const proxy = await startProxy(chrome.port, { tls: { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') } });
    proxies.push(proxy);
    const sessionDir = tempSessionDir('remote-tls');
    dirs.push(sessionDir);
    try {
      const untrusted = await bdg([server.url('/'), '--chrome-ws-url', `https://127.0.0.1:${proxy.port}`, '--json'], { sessionDir });
      assert.equal(untrusted.code, 101, untrusted.stdout);
      assert.match((untrusted.json as Failure).hint ?? '', /NODE_EXTRA_CA_CERTS/);

      const env = { NODE_EXTRA_CA_CERTS: cert };
      const https = await bdg([server.url('/'), '--chrome-ws-url', `https://127.0.0.1:${proxy.port}`, '--json'], { sessionDir, env });
      assert.equal(https.code, 0, https.stdout + https.stderr);
      const ws = (https.json as { data: { wsEndpoint: string } }).data.wsEndpoint;
      assert.ok(ws.startsWith(`wss://127.0.0.1:${proxy.port}/devtools/browser/`), ws);
      assert.equal((await bdg(['stop'], { sessionDir })).code, 0);

      // A wss:// browser URL as given, straight to the WebSocket.
      const wss = await bdg([server.url('/'), '--chrome-ws-url', ws, '--json'], { sessionDir, env });
      assert.equal(wss.code, 0, wss.stdout + wss.stderr);
      const evald = await bdg(['dom', 'eval', 'location.pathname', '--json'], { sessionDir });
      assert.equal((evald.json as { data: { value: unknown } }).data.value, '/');
      assert.equal((await bdg(['stop'], { sessionDir })).code, 0);
    } finally {
      rmSync(certDir, { recursive: true, force: true });
    }
  });

  it('re-resolves a stale browser WebSocket URL from /json/version and says so', async () => {
    const sessionDir = tempSessionDir('remote-stale');
    dirs.push(sessionDir);
    // The id of a browser that is gone: Chrome answers the handshake with 404.
    const stale = `ws://127.0.0.1:${chrome.port}/devtools/browser/00000000-0000-0000-0000-000000000000`;
    const start = await bdg([server.url('/'), '--chrome-ws-url', stale], { sessionDir });
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.match(
      start.stdout,
      /Note: The WebSocket URL .* is stale \(HTTP 404.*re-resolved from http:\/\/127\.0\.0\.1:\d+\/json\/version to ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\//,
    );
    const status = await bdg(['status', '--json'], { sessionDir });
    const d = (status.json as { data: { remote: { notes: string[]; endpoint: string } } }).data;
    assert.equal(d.remote.notes.length, 1);
    assert.ok(!d.remote.endpoint.includes('00000000-0000'));
    assert.equal((await bdg(['stop'], { sessionDir })).code, 0);
  });

  it('finds an attached browser again when it restarts, and says so', async () => {
    const sessionDir = tempSessionDir('remote-restart');
    dirs.push(sessionDir);
    const own = mkdtempSync(join(tmpdir(), 'bdg-remote-restart-'));
    let first: { proc: ChildProcess; port: number } | undefined = await startDebuggableChrome(join(own, 'one'));
    let second: { proc: ChildProcess; port: number } | undefined;
    try {
      const start = await bdg([server.url('/'), '--chrome-ws-url', `127.0.0.1:${first.port}`, '--json'], { sessionDir });
      assert.equal(start.code, 0, start.stdout + start.stderr);
      // The browser restarts on the same port (a container replaced): another browser id, another process.
      first.proc.kill('SIGKILL');
      await waitFor(() => !isAlive(first?.proc.pid as number) && chromesOf(join(own, 'one'), true).length === 0, 10_000);
      second = await startDebuggableChrome(join(own, 'two'), first.port);
      first = undefined;
      let notes: string[] = [];
      assert.ok(
        await waitFor(
          () => {
            const raw = execFileSync(process.execPath, [BDG, 'status', '--json'], { env: { ...process.env, BDG_SESSION_DIR: sessionDir } }).toString();
            notes = (JSON.parse(raw) as { data: { remote: { notes: string[] } } }).data.remote.notes;
            return notes.length > 0;
          },
          20_000,
          250,
        ),
        'no reconnect note',
      );
      assert.match(notes[0] ?? '', /The connection to the browser was lost .*; re-resolved from http:\/\/127\.0\.0\.1:\d+\/json\/version to ws:/);
      const ev = await bdg(['dom', 'eval', 'document.title', '--json'], { sessionDir });
      assert.equal(ev.code, 0, ev.stdout + ev.stderr);
      assert.equal((ev.json as { data: { value: unknown } }).data.value, 'Remote');
      assert.equal((await bdg(['stop'], { sessionDir })).code, 0);
    } finally {
      for (const c of [first, second]) c?.proc.kill('SIGKILL');
      await waitFor(() => chromesOf(own, true).length === 0, 10_000);
      await rmQuietly(own);
    }
  });

  it('refuses remote-browser options that do not fit together (exit 81)', async () => {
    const sessionDir = tempSessionDir('remote-args');
    dirs.push(sessionDir);
    for (const args of [
      ['--cdp-header', 'X-A: 1'],
      ['--chrome-ws-url', '127.0.0.1:1', '--cdp-header', 'no colon here'],
      ['--grid', 'http://127.0.0.1:1', '--chrome-ws-url', '127.0.0.1:1'],
      ['--capabilities', '{}'],
      ['--grid', 'http://127.0.0.1:1', '--capabilities', '[1]'],
      ['--grid', 'ftp://x'],
    ]) {
      const r = await bdg([server.url('/'), ...args, '--json'], { sessionDir });
      assert.equal(r.code, 81, `${args.join(' ')}: ${r.stdout}`);
    }
  });
});
