/**
 * Request interception (`network mock`, `network block`, `network mocks`, `network unmock`) and throttling
 * (`network throttle`), against headless Chromium and fixture routes: what the page sees, how the requests are
 * marked in listings, details and the HAR, that requests no rule matches are never stalled, and that a throttled
 * download is slower than an unthrottled one (as a ratio, not a fixed time).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkRecord } from '../../src/protocol/records.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';

type Item = Omit<NetworkRecord, 'requestHeaders' | 'responseHeaders' | 'body' | 'postData'>;
interface Rule {
  id: string;
  action: string;
  pattern: string;
  hits: number;
  active: boolean;
  times: number | null;
  status?: number;
}
interface HarEntry {
  request: { url: string };
  response: { status: number; content: { text?: string } };
  _bdg?: { mocked?: string; blocked?: string };
}
interface Throttle {
  preset: string | null;
  offline: boolean;
  downloadKbps: number | null;
  uploadKbps: number | null;
  latencyMs: number;
}

const BIG = 'b'.repeat(200 * 1024);

function data<T>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

describe('network mock / block / throttle', () => {
  const dir = tempSessionDir('intercept');
  const out = mkdtempSync(join(tmpdir(), 'bdg-test-intercept-'));
  let server: FixtureServer;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const evalJs = async <T>(expression: string): Promise<T> => data<{ value: T }>(await run('dom', 'eval', expression)).value;
  const requests = async (filter: string): Promise<Item[]> =>
    data<{ requests: Item[] }>(await run('network', 'list', '--filter', filter, '--last', '1000')).requests;
  /** The page's own view of a fetch: status, a header and the body text. */
  const pageFetch = (path: string): Promise<{ status: number; header: string | null; type: string | null; text: string }> =>
    evalJs(
      `fetch(${JSON.stringify(path)}, { cache: 'no-store' }).then(async (r) => ({ status: r.status, header: r.headers.get('x-mock'), type: r.headers.get('content-type'), text: await r.text() }))`,
    );

  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<!doctype html><title>intercept</title><p>fixture</p>');
    server.static('/api/user.json', 'application/json', '{"name":"real"}');
    server.static('/api/other.json', 'application/json', '{"other":true}');
    server.static('/app.js', 'text/javascript', 'window.appRan = true;');
    server.html(
      '/scripted',
      `<!doctype html><title>scripted</title><script>
        window.scriptResult = 'pending';
        const s = document.createElement('script');
        s.src = '/app.js?' + Date.now();
        s.onload = () => { window.scriptResult = 'loaded'; };
        s.onerror = () => { window.scriptResult = 'failed'; };
        document.head.appendChild(s);
      </script>`,
    );
    server.route('/big', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end(BIG);
    });
    data(await bdg([server.url('/'), '--json'], { sessionDir: dir, timeoutMs: 60_000 }));
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(out, { recursive: true, force: true });
  });

  test('a mocked JSON route: the page gets the mocked status, header and body; marked in list, details and HAR', async () => {
    const rule = data<Rule>(await run('network', 'mock', '*/api/user.json', '--status', '202', '--body', '{"name":"mocked"}', '--header', 'X-Mock: yes'));
    assert.equal(rule.action, 'mock');
    assert.match(rule.id, /^r\d+$/);
    const seen = server.requests.length;
    const page = await pageFetch('/api/user.json');
    assert.deepEqual(page, { status: 202, header: 'yes', type: 'application/json', text: '{"name":"mocked"}' });
    assert.equal(server.requests.slice(seen).filter((r) => r.path === '/api/user.json').length, 0, 'the mocked request reached the server');
    // A request no rule matches goes to the network as usual, while Fetch is enabled.
    assert.deepEqual(await pageFetch('/api/other.json'), { status: 200, header: null, type: 'application/json', text: '{"other":true}' });

    const mocked = (await requests('/api/user.json')).at(-1);
    assert.ok(mocked !== undefined);
    assert.deepEqual(mocked.intercepted, { action: 'mocked', rule: rule.id });
    assert.equal(mocked.status, 202);
    assert.deepEqual(
      (await requests('is:mocked')).map((r) => r.id),
      [mocked.id],
    );
    assert.equal((await requests('/api/other.json')).at(-1)?.intercepted, undefined);
    const human = await bdg(['network', 'list', '--filter', '/api/user.json'], { sessionDir: dir });
    assert.match(human.stdout, new RegExp(`\\[mocked by ${rule.id}\\]`));
    const details = await bdg(['details', 'network', mocked.id], { sessionDir: dir });
    assert.match(details.stdout, new RegExp(`Intercepted: mocked by rule ${rule.id}`));
    assert.match(details.stdout, /\{"name":"mocked"\}/);

    const file = join(out, 'mocked.har');
    data(await bdg(['network', 'har', file, '--json'], { sessionDir: dir, timeoutMs: 90_000 }));
    const entries = (JSON.parse(readFileSync(file, 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
    const entry = entries.find((e) => e.request.url.endsWith('/api/user.json') && e._bdg !== undefined);
    assert.ok(entry, 'no marked HAR entry');
    assert.deepEqual(entry._bdg, { mocked: rule.id });
    assert.equal(entry.response.status, 202);
    assert.equal(entry.response.content.text, '{"name":"mocked"}');

    const list = data<{ rules: Rule[]; intercepting: boolean }>(await run('network', 'mocks'));
    assert.equal(list.intercepting, true);
    assert.equal(list.rules.find((r) => r.id === rule.id)?.hits, 1);
    // unmock restores the real response, and Fetch is off again with no rule left.
    assert.deepEqual(data<{ removed: string[] }>(await run('network', 'unmock', rule.id)).removed, [rule.id]);
    assert.deepEqual(await pageFetch('/api/user.json'), { status: 200, header: null, type: 'application/json', text: '{"name":"real"}' });
    assert.equal(data<{ intercepting: boolean }>(await run('network', 'mocks')).intercepting, false);
    assert.equal((await run('network', 'unmock', rule.id)).code, 83);
  });

  test('--times 1 answers once, then the real response; --file bodies; rules survive a navigation', async () => {
    const body = join(out, 'user.json');
    writeFileSync(body, '{"name":"from-file"}');
    const rule = data<Rule>(await run('network', 'mock', '/api/user.json', '--file', body, '--times', '1'));
    assert.equal(rule.times, 1);
    // A navigation in between: the rule belongs to the session, not to the document.
    data(await run('page', 'navigate', server.url('/')));
    const first = await pageFetch('/api/user.json');
    assert.deepEqual([first.status, first.type, first.text], [200, 'application/json', '{"name":"from-file"}']);
    assert.equal((await pageFetch('/api/user.json')).text, '{"name":"real"}');
    const spent = data<{ rules: Rule[] }>(await run('network', 'mocks')).rules.find((r) => r.id === rule.id);
    assert.deepEqual([spent?.hits, spent?.active], [1, false]);
    assert.match((await bdg(['network', 'mocks'], { sessionDir: dir })).stdout, /1 hit of 1, used up/);
    data(await run('network', 'unmock', '--all'));
    // Refused before anything reaches Chrome: a file over the cap, both --body and --file, a bad header, no pattern.
    writeFileSync(join(out, 'huge.bin'), Buffer.alloc(600 * 1024));
    assert.equal((await run('network', 'mock', '/x', '--file', join(out, 'huge.bin'))).code, 81);
    assert.equal((await run('network', 'mock', '/x', '--file', body, '--body', 'x')).code, 81);
    assert.equal((await run('network', 'mock', '/x', '--header', 'no colon')).code, 81);
    assert.equal((await run('network', 'mock', '/x', '--file', join(out, 'missing.json'))).code, 83);
    assert.equal((await run('network', 'block', 'resource-type:nonsense')).code, 81);
    assert.equal((await run('network', 'unmock')).code, 81);
  });

  test('a blocked script fails in the page and is marked blocked in the list and the HAR', async () => {
    const rule = data<Rule>(await run('network', 'block', '*/app.js*'));
    data(await run('page', 'navigate', server.url('/scripted')));
    const result = await evalJs<string>(
      "new Promise((r) => { const t = () => (window.scriptResult !== 'pending' ? r(window.scriptResult) : setTimeout(t, 20)); t(); })",
    );
    assert.equal(result, 'failed');
    const blocked = (await requests('/app.js')).at(-1);
    assert.ok(blocked !== undefined);
    assert.equal(blocked.state, 'failed');
    assert.deepEqual(blocked.intercepted, { action: 'blocked', rule: rule.id });
    assert.match(blocked.errorText ?? '', /ERR_BLOCKED_BY_CLIENT/);
    const file = join(out, 'blocked.har');
    data(await bdg(['network', 'har', file, '--json'], { sessionDir: dir, timeoutMs: 90_000 }));
    const entries = (JSON.parse(readFileSync(file, 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
    assert.deepEqual(entries.find((e) => e.request.url.includes('/app.js'))?._bdg, { blocked: rule.id });
    // The same page with the rule gone runs the script.
    data(await run('network', 'unmock', '--all'));
    data(await run('page', 'navigate', server.url('/scripted')));
    const again = await evalJs<string>(
      "new Promise((r) => { const t = () => (window.scriptResult !== 'pending' ? r(window.scriptResult) : setTimeout(t, 20)); t(); })",
    );
    assert.equal(again, 'loaded');
  });

  test('requests no rule matches are not stalled: a method-only rule lets 20 parallel GETs through', async () => {
    // The pattern matches every request, the rule only POSTs: each GET is paused and must be continued at once.
    const rule = data<Rule>(await run('network', 'mock', '*', '--method', 'POST', '--body', 'posted'));
    const results = await evalJs<string[]>(
      "Promise.all(Array.from({ length: 20 }, (_, i) => fetch('/api/other.json?' + i, { cache: 'no-store' }).then((r) => r.text())))",
    );
    assert.equal(results.length, 20);
    assert.ok(results.every((t) => t === '{"other":true}'));
    const posted = await evalJs<string>("fetch('/api/other.json', { method: 'POST' }).then((r) => r.text())");
    assert.equal(posted, 'posted');
    const hits = data<{ rules: Rule[] }>(await run('network', 'mocks')).rules.find((r) => r.id === rule.id)?.hits;
    assert.equal(hits, 1);
    data(await run('network', 'unmock', '--all'));
  });

  test('rules follow the selected tab: a new tab gets them, and so does the first one when it is selected again', async () => {
    data(await run('network', 'mock', '/api/user.json', '--body', '{"name":"every tab"}'));
    const tab = data<{ id: string }>(await run('tabs', 'new', server.url('/')));
    assert.equal((await pageFetch('/api/user.json')).text, '{"name":"every tab"}');
    data(await run('tabs', 'close', tab.id));
    assert.equal((await pageFetch('/api/user.json')).text, '{"name":"every tab"}');
    data(await run('network', 'unmock', '--all'));
    assert.equal((await pageFetch('/api/user.json')).text, '{"name":"real"}');
  });

  test('throttle: slow-3g makes a 200 KB download more than twice as slow as unthrottled; shown in status; off restores', async () => {
    const timed =
      "(async () => { const t = performance.now(); await (await fetch('/big?' + Math.random(), { cache: 'no-store' })).text(); return performance.now() - t; })()";
    const fast = await evalJs<number>(timed);
    const set = data<{ throttle: Throttle; changed: boolean }>(await run('network', 'throttle', 'slow-3g'));
    assert.deepEqual(set.throttle, { preset: 'slow-3g', offline: false, downloadKbps: 400, uploadKbps: 400, latencyMs: 2000 });
    assert.equal(set.changed, true);
    const status = data<{ throttle: Throttle | null }>(await run('status'));
    assert.equal(status.throttle?.preset, 'slow-3g');
    assert.match((await bdg(['status'], { sessionDir: dir })).stdout, /Throttled: slow-3g \(download 400 kbit\/s, upload 400 kbit\/s, latency 2000 ms\)/);
    const slow = await evalJs<number>(timed);
    assert.ok(slow > 2 * fast, `throttled ${slow} ms vs unthrottled ${fast} ms`);
    // By hand, and offline: the page's fetch fails.
    const custom = data<{ throttle: Throttle }>(await run('network', 'throttle', '--download', '8000', '--latency', '5'));
    assert.deepEqual(custom.throttle, { preset: null, offline: false, downloadKbps: 8000, uploadKbps: null, latencyMs: 5 });
    data(await run('network', 'throttle', 'offline'));
    assert.equal(await evalJs<string>("fetch('/api/other.json?' + Math.random()).then(() => 'ok', () => 'failed')"), 'failed');
    const off = data<{ throttle: Throttle | null }>(await run('network', 'throttle', 'off'));
    assert.equal(off.throttle, null);
    assert.equal(data<{ throttle: Throttle | null }>(await run('status')).throttle, null);
    assert.equal(await evalJs<string>("fetch('/api/other.json?' + Math.random()).then(() => 'ok', () => 'failed')"), 'ok');
    assert.equal((await run('network', 'throttle', 'off', '--latency', '5')).code, 81);
    assert.equal((await run('network', 'throttle', 'warp-speed')).code, 81);
  });
});
