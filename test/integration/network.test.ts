import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkRecord } from '../../src/protocol/records.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir } from '../helpers/bdg.js';

type Item = Omit<NetworkRecord, 'requestHeaders' | 'responseHeaders' | 'body' | 'postData'>;
interface ListData {
  requests: Item[];
  matched: number;
  stats: { count: number; dropped: number; pending: number };
}

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

// A 1x1 PNG, and a text body well over the 0.01 MB (10 KiB) --max-body-size the session runs with.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const LARGE = 'x'.repeat(40 * 1024);

/** Checks the HAR 1.2 structure: required fields and their types (http://www.softwareishard.com/blog/har-12-spec/). */
function validateHar(doc: unknown): string[] {
  const problems: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const need = (o: Record<string, unknown>, key: string, type: 'string' | 'number' | 'object' | 'array', where: string): unknown => {
    const v = o[key];
    const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isObj(v) : typeof v === type;
    if (!ok) problems.push(`${where}.${key} should be ${type} (got ${JSON.stringify(v)?.slice(0, 60)})`);
    return v;
  };
  const iso = (v: unknown, where: string): void => {
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v)) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v))
      problems.push(`${where} is not an ISO 8601 date: ${String(v)}`);
  };
  const nameValues = (arr: unknown, where: string): void => {
    if (!Array.isArray(arr)) return;
    arr.forEach((x, i) => {
      if (!isObj(x) || typeof x['name'] !== 'string' || typeof x['value'] !== 'string') problems.push(`${where}[${i}] needs string name and value`);
    });
  };
  if (!isObj(doc) || !isObj(doc['log'])) return ['no log object'];
  const log = doc['log'];
  if (log['version'] !== '1.2') problems.push('log.version should be "1.2"');
  const creator = need(log, 'creator', 'object', 'log');
  if (isObj(creator)) {
    need(creator, 'name', 'string', 'log.creator');
    need(creator, 'version', 'string', 'log.creator');
  }
  const pages = need(log, 'pages', 'array', 'log');
  const pageIds = new Set<string>();
  if (Array.isArray(pages)) {
    pages.forEach((p: unknown, i) => {
      const w = `log.pages[${i}]`;
      if (!isObj(p)) return problems.push(`${w} not an object`);
      iso(p['startedDateTime'], `${w}.startedDateTime`);
      pageIds.add(need(p, 'id', 'string', w) as string);
      need(p, 'title', 'string', w);
      const pt = need(p, 'pageTimings', 'object', w);
      if (isObj(pt))
        for (const k of ['onContentLoad', 'onLoad'])
          if (pt[k] !== undefined && typeof pt[k] !== 'number') problems.push(`${w}.pageTimings.${k} should be a number`);
      return undefined;
    });
  }
  const entries = need(log, 'entries', 'array', 'log');
  if (!Array.isArray(entries)) return problems;
  entries.forEach((e: unknown, i) => {
    const w = `log.entries[${i}]`;
    if (!isObj(e)) return problems.push(`${w} not an object`);
    if (e['pageref'] !== undefined && !pageIds.has(e['pageref'] as string)) problems.push(`${w}.pageref ${JSON.stringify(e['pageref'])} names no page`);
    iso(e['startedDateTime'], `${w}.startedDateTime`);
    const time = need(e, 'time', 'number', w) as number;
    need(e, 'cache', 'object', w);
    if (e['serverIPAddress'] !== undefined && typeof e['serverIPAddress'] !== 'string') problems.push(`${w}.serverIPAddress should be a string`);
    const req = need(e, 'request', 'object', w);
    if (isObj(req)) {
      for (const k of ['method', 'url', 'httpVersion']) need(req, k, 'string', `${w}.request`);
      for (const k of ['cookies', 'headers', 'queryString']) nameValues(need(req, k, 'array', `${w}.request`), `${w}.request.${k}`);
      need(req, 'headersSize', 'number', `${w}.request`);
      need(req, 'bodySize', 'number', `${w}.request`);
      if (req['postData'] !== undefined) {
        const pd = need(req, 'postData', 'object', `${w}.request`);
        if (isObj(pd)) need(pd, 'mimeType', 'string', `${w}.request.postData`);
      }
    }
    const res = need(e, 'response', 'object', w);
    if (isObj(res)) {
      need(res, 'status', 'number', `${w}.response`);
      for (const k of ['statusText', 'httpVersion', 'redirectURL']) need(res, k, 'string', `${w}.response`);
      for (const k of ['cookies', 'headers']) nameValues(need(res, k, 'array', `${w}.response`), `${w}.response.${k}`);
      need(res, 'headersSize', 'number', `${w}.response`);
      need(res, 'bodySize', 'number', `${w}.response`);
      const c = need(res, 'content', 'object', `${w}.response`);
      if (isObj(c)) {
        need(c, 'size', 'number', `${w}.response.content`);
        need(c, 'mimeType', 'string', `${w}.response.content`);
        if (c['text'] !== undefined && typeof c['text'] !== 'string') problems.push(`${w}.response.content.text should be a string`);
        if (c['encoding'] !== undefined && c['encoding'] !== 'base64') problems.push(`${w}.response.content.encoding should be base64`);
      }
    }
    const t = need(e, 'timings', 'object', w);
    if (isObj(t)) {
      for (const k of ['send', 'wait', 'receive']) if (typeof t[k] !== 'number' || t[k] < 0) problems.push(`${w}.timings.${k} should be a number >= 0`);
      for (const k of ['blocked', 'dns', 'connect', 'ssl'])
        if (t[k] !== undefined && (typeof t[k] !== 'number' || t[k] < -1)) problems.push(`${w}.timings.${k} should be a number >= -1`);
      const sum = ['blocked', 'dns', 'connect', 'send', 'wait', 'receive'].reduce((s, k) => s + Math.max(0, t[k] as number), 0);
      if (typeof time === 'number' && Math.abs(sum - time) > 0.01) problems.push(`${w}.time ${time} is not the sum of its timings ${sum}`);
    }
    return undefined;
  });
  return problems;
}

describe('bdg network against headless Chromium', () => {
  const dir = tempSessionDir('network');
  const out = mkdtempSync(join(tmpdir(), 'bdg-test-har-'));
  let server: FixtureServer;
  let refusedUrl: string;

  const list = async (...args: string[]): Promise<ListData> => {
    const r = await bdg(['network', 'list', ...args, '--json'], { sessionDir: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return (r.json as { data: ListData }).data;
  };
  const byPath = (items: Item[], path: string): Item => {
    const found = items.find((r) => new URL(r.url).pathname === path);
    assert.ok(found, `no request for ${path} in ${items.map((r) => r.url).join(' ')}`);
    return found;
  };

  before(async () => {
    refusedUrl = `http://127.0.0.1:${await closedPort()}/refused`;
    server = await FixtureServer.start();
    server.html(
      '/',
      `<!doctype html><title>network fixture</title><script>
        const get = (u, o) => fetch(u, o).then((r) => r.arrayBuffer()).catch(() => null);
        Promise.all([
          get('/status/404'), get('/status/500'), get(${JSON.stringify(refusedUrl)}), get('/redirect/1'),
          get('/large'), get('/image.png'), get('/set-cookie'),
          get('/api/echo?x=1&y=two', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: 'world' }) }),
        ]).then(() => fetch('/done'));
      </script>`,
    );
    server.static('/status/404', 'application/json', '{"error":"missing"}', 404);
    server.static('/status/500', 'text/plain', 'exploded', 500);
    server.route('/redirect/1', (_req, res) => {
      res.writeHead(302, { location: '/redirect/2' });
      res.end();
    });
    server.route('/redirect/2', (_req, res) => {
      res.writeHead(301, { location: '/final' });
      res.end();
    });
    server.static('/final', 'application/json', '{"final":true}');
    server.static('/large', 'text/plain', LARGE);
    server.static('/image.png', 'image/png', PNG);
    server.route('/set-cookie', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['session=s3cr3t; Path=/; HttpOnly', 'pref=blue; Path=/; Max-Age=600'] });
      res.end('ok');
    });
    server.route('/api/echo', (_req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received: body.toString('utf8') }));
    });
    server.static('/done', 'text/plain', 'done');
    const done = server.waitForRequest('/done', 30_000);
    const start = await bdg([server.url('/'), '--max-body-size', '0.01', '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(start.code, 0, start.stdout + start.stderr);
    await done;
    // Every request the page made has settled (none left pending) once /done itself has finished.
    const settled = async (): Promise<boolean> => {
      const d = await list();
      return d.requests.some((r) => r.url.endsWith('/done') && r.state === 'finished') && d.stats.pending === 0;
    };
    for (let i = 0; i < 100 && !(await settled()); i++) await new Promise((r) => setTimeout(r, 100));
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(out, { recursive: true, force: true });
  });

  test('records statuses, failures, redirects, post bodies, cookies, timings and the navigation', async () => {
    const { requests } = await list();
    assert.equal(byPath(requests, '/status/404').status, 404);
    assert.equal(byPath(requests, '/status/500').status, 500);
    const refused = byPath(requests, '/refused');
    assert.equal(refused.state, 'failed');
    assert.match(refused.errorText ?? '', /ERR_CONNECTION_REFUSED/);

    const hop1 = byPath(requests, '/redirect/1');
    const hop2 = byPath(requests, '/redirect/2');
    const final = byPath(requests, '/final');
    assert.equal(hop1.status, 302);
    assert.equal(hop2.status, 301);
    assert.equal(hop2.redirectedFrom, hop1.id);
    assert.equal(final.redirectedFrom, hop2.id);
    assert.equal(final.status, 200);

    const doc = byPath(requests, '/');
    assert.equal(doc.resourceType, 'Document');
    assert.equal(doc.navigation, 0);
    const echo = byPath(requests, '/api/echo');
    assert.equal(echo.navigation, doc.navigation);
    assert.ok(echo.timing !== undefined && echo.timing.wait >= 0 && echo.timing.receive >= 0, JSON.stringify(echo.timing));
    assert.equal(byPath(requests, '/large').decodedBodyLength, LARGE.length);

    const details = await bdg(['details', 'network', echo.id, '--json'], { sessionDir: dir });
    assert.equal(details.code, 0, details.stderr);
    const full = (details.json as { data: { item: NetworkRecord } }).data.item;
    assert.equal(full.method, 'POST');
    assert.equal(full.postData, '{"hello":"world"}');
    assert.equal(full.status, 201);
    assert.deepEqual(JSON.parse(full.body?.data ?? '{}'), { received: '{"hello":"world"}' });

    const cookies = await bdg(['network', 'headers', byPath(requests, '/set-cookie').id, '--json'], { sessionDir: dir });
    assert.equal(cookies.code, 0, cookies.stderr);
    const h = (cookies.json as { data: { responseCookies: { name: string; value: string; httpOnly?: boolean }[] } }).data;
    assert.deepEqual(
      h.responseCookies.map((c) => [c.name, c.value, c.httpOnly === true]),
      [
        ['session', 's3cr3t', true],
        ['pref', 'blue', false],
      ],
    );
    const text = await bdg(['network', 'headers', byPath(requests, '/set-cookie').id], { sessionDir: dir });
    assert.match(text.stdout, /Set-Cookie:\n {2}session=s3cr3t; Path=\/; HttpOnly/);

    const jar = await bdg(['network', 'cookies', '--json'], { sessionDir: dir });
    assert.equal(jar.code, 0, jar.stderr);
    const names = (jar.json as { data: { cookies: { name: string }[] } }).data.cookies.map((c) => c.name).sort();
    assert.deepEqual(names, ['pref', 'session']);
  });

  test('a large body is cut at --max-body-size; a binary body is base64 only when asked for', async () => {
    const { requests } = await list();
    const large = await bdg(['details', 'network', byPath(requests, '/large').id, '--json'], { sessionDir: dir });
    const body = (large.json as { data: { item: NetworkRecord } }).data.item.body;
    assert.ok(body !== undefined);
    assert.equal(body.truncated, true);
    assert.equal(body.size, LARGE.length);
    assert.ok(body.data.length <= 10_486 && body.data.length > 10_000, String(body.data.length));

    const png = byPath(requests, '/image.png');
    const human = await bdg(['details', 'network', png.id], { sessionDir: dir });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /\[binary, 70 B; use --json for base64\]/);
    assert.ok(!human.stdout.includes(PNG.toString('base64').slice(0, 20)));
    const json = await bdg(['details', 'network', png.id, '--json'], { sessionDir: dir });
    const pngBody = (json.json as { data: { item: NetworkRecord } }).data.item.body;
    assert.equal(pngBody?.base64, true);
    assert.deepEqual(Buffer.from(pngBody?.data ?? '', 'base64'), PNG);
  });

  test('DevTools filter terms select, negate and combine; bad terms are 81 with the valid keys', async () => {
    const paths = async (filter: string): Promise<string[]> => (await list('--filter', filter)).requests.map((r) => new URL(r.url).pathname).sort();
    assert.ok((await paths('status-code:404')).includes('/status/404'));
    assert.ok(!(await paths('status-code:404')).includes('/status/500'));
    assert.deepEqual(await paths('status-code:500'), ['/status/500']);
    const failed = await paths('is:failed');
    for (const p of ['/status/404', '/status/500', '/refused']) assert.ok(failed.includes(p), failed.join(' '));
    assert.ok(!failed.includes('/final'));
    assert.deepEqual(await paths('method:POST'), ['/api/echo']);
    assert.deepEqual(await paths('mime-type:image/*'), ['/image.png']);
    assert.deepEqual(await paths('resource-type:document'), ['/']);
    assert.deepEqual(await paths('larger-than:20k'), ['/large']);
    assert.deepEqual(await paths('has-response-header:Location'), ['/redirect/1', '/redirect/2']);
    assert.deepEqual(await paths('redirect -status-code:301'), ['/redirect/1']);
    assert.deepEqual(await paths('domain:127.0.0.* scheme:http method:post'), ['/api/echo']);
    assert.deepEqual(await paths('-domain:127.0.0.1 -is:failed'), []);
    assert.equal((await list('--filter', 'is:running')).requests.length, 0);
    assert.equal((await list('--last', '2')).requests.length, 2);

    const bad = await bdg(['network', 'list', '--filter', 'statuscode:404', '--json'], { sessionDir: dir });
    assert.equal(bad.code, 81);
    const err = bad.json as { code: string; error: string; hint: string };
    assert.equal(err.code, 'INVALID_ARGUMENTS');
    assert.match(err.error, /did you mean status-code:/);
    assert.match(err.hint, /status-code: domain: method: mime-type: resource-type: larger-than: has-response-header: is: scheme:/);
    assert.equal((await bdg(['network', 'list', '--filter', 'is:bogus'], { sessionDir: dir })).code, 81);
  });

  test('network har writes a valid HAR 1.2 file with bodies, cookies, post data and failures', async () => {
    const file = join(out, 'session.har');
    const r = await bdg(['network', 'har', file], { sessionDir: dir, timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`Wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ entries`));
    const har = JSON.parse(readFileSync(file, 'utf8')) as {
      log: {
        creator: { name: string };
        pages: { id: string }[];
        entries: Array<{
          pageref?: string;
          request: { url: string; method: string; postData?: { text: string; mimeType: string }; queryString: { name: string; value: string }[] };
          response: {
            status: number;
            redirectURL: string;
            cookies: { name: string }[];
            content: { text?: string; encoding?: string; comment?: string };
            _error: string | null;
          };
          _resourceType: string;
        }>;
      };
    };
    assert.deepEqual(validateHar(har), []);
    assert.equal(har.log.creator.name, 'bdg');
    assert.ok(har.log.pages.length >= 1);
    const entry = (path: string): (typeof har.log.entries)[number] => {
      const e = har.log.entries.find((x) => new URL(x.request.url).pathname === path);
      assert.ok(e, `no entry for ${path}`);
      return e;
    };
    assert.equal(entry('/').pageref, har.log.pages[0]?.id);
    assert.equal(entry('/').response.content.text?.includes('network fixture'), true);
    const post = entry('/api/echo');
    assert.equal(post.request.method, 'POST');
    assert.deepEqual(post.request.postData, { mimeType: 'application/json', text: '{"hello":"world"}' });
    assert.deepEqual(post.request.queryString, [
      { name: 'x', value: '1' },
      { name: 'y', value: 'two' },
    ]);
    assert.equal(entry('/redirect/1').response.redirectURL, server.url('/redirect/2'));
    assert.deepEqual(
      entry('/set-cookie').response.cookies.map((c) => c.name),
      ['session', 'pref'],
    );
    const png = entry('/image.png').response.content;
    assert.equal(png.encoding, 'base64');
    assert.deepEqual(Buffer.from(png.text ?? '', 'base64'), PNG);
    assert.match(entry('/large').response.content.comment ?? '', /truncated/);
    const refused = entry('/refused');
    assert.equal(refused.response.status, 0);
    assert.match(refused.response._error ?? '', /ERR_CONNECTION_REFUSED/);
    assert.equal(entry('/status/404').response.status, 404);
    assert.equal(post._resourceType, 'fetch');
  });

  test('network har into a directory that does not exist is PERMISSION_DENIED (82)', async () => {
    const r = await bdg(['network', 'har', join(out, 'no', 'such', 'dir.har'), '--json'], { sessionDir: dir });
    assert.equal(r.code, 82, r.stdout + r.stderr);
    assert.equal((r.json as { code: string }).code, 'PERMISSION_DENIED');
  });

  test('status and listings show the buffer counts', async () => {
    const s = await bdg(['status', '--json'], { sessionDir: dir });
    const data = (s.json as { data: { network: { count: number; dropped: number; pending: number } } }).data;
    assert.ok(data.network.count >= 13 && data.network.dropped === 0, JSON.stringify(data.network));
    const human = await bdg(['network', 'list'], { sessionDir: dir });
    assert.match(human.stdout, /^Requests: \d+ of \d+ recorded/);
  });
});
