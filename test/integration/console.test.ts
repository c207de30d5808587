import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ConsoleRecord, NetworkRecord } from '../../src/protocol/records.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, waitFor } from '../helpers/bdg.js';

type Message = ConsoleRecord & { count: number };
interface ConsoleData {
  navigation: { index: number; url: string } | null;
  messages: Message[];
  matched: number;
  errors: number;
}

describe('bdg console against headless Chromium', () => {
  const dir = tempSessionDir('console');
  let server: FixtureServer;
  let release!: () => void;
  const go = new Promise<void>((r) => {
    release = r;
  });

  const consoleJson = async (...args: string[]): Promise<ConsoleData> => {
    const r = await bdg(['console', ...args, '--json'], { sessionDir: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return (r.json as { data: ConsoleData }).data;
  };

  before(async () => {
    server = await FixtureServer.start();
    server.html(
      '/one',
      `<!doctype html><title>one</title><script>
        console.log('user', { id: 7, profile: { name: 'Ada', tags: ['x', 'y'] } }, [1, 2, 3]);
        for (let i = 0; i < 3; i++) console.log('same again');
        console.warn('careful');
        console.info('fyi');
        console.debug('noise');
        console.error('bad thing', 42);
        function explode() { throw new TypeError('kaboom: ' + 'details'); }
        setTimeout(explode, 0);
        // The test answers /go when it wants this page to navigate away.
        setTimeout(() => fetch('/go').then((r) => r.text()).then((u) => { console.log('leaving'); location.href = u; }), 50);
      </script>`,
    );
    server.route('/go', async (_req, res) => {
      await go;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('/two');
    });
    server.html('/two', `<!doctype html><title>two</title><script>console.log('second page', { ok: true });</script>`);
    const start = await bdg([server.url('/one'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(start.code, 0, start.stdout + start.stderr);
    await server.waitForRequest('/go').catch(() => undefined);
  });

  after(async () => {
    release();
    await teardown(dir);
    await server.close();
  });

  test('messages carry levels, previews, locations and real exception messages; identical ones fold', async () => {
    let data = await consoleJson();
    for (let i = 0; i < 50 && !data.messages.some((m) => m.kind === 'exception'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      data = await consoleJson();
    }
    const texts = data.messages.map((m) => m.text);
    const user = data.messages.find((m) => m.text.startsWith('user '));
    assert.ok(user, texts.join(' | '));
    assert.match(user.text, /^user \{id: 7, profile: \{.*\}\} \[1, 2, 3\]$/);
    assert.equal(user.level, 'log');
    assert.match(user.url ?? '', /\/one$/);
    assert.ok((user.line ?? 0) >= 2);

    const same = data.messages.filter((m) => m.text === 'same again');
    assert.equal(same.length, 1, 'identical messages fold into one line');
    assert.equal(same[0]?.count, 3);

    const ex = data.messages.find((m) => m.kind === 'exception');
    assert.ok(ex, texts.join(' | '));
    assert.equal(ex.text, 'TypeError: kaboom: details');
    assert.equal(ex.level, 'error');
    assert.match(ex.stack ?? '', /at explode \(.*\/one:\d+:\d+\)/);
    assert.equal(data.messages.find((m) => m.text === 'bad thing 42')?.level, 'error');

    const human = await bdg(['console'], { sessionDir: dir });
    assert.match(human.stdout, /same again {2}\(.*\/one:\d+:\d+\) {2}\(×3\)/);
    assert.match(human.stdout, /error {3}TypeError: kaboom: details/);

    const errors = await consoleJson('--level', 'error');
    assert.deepEqual(
      errors.messages.map((m) => m.level).filter((l) => l !== 'error'),
      [],
    );
    assert.ok(errors.messages.length >= 2);
    const warnings = await consoleJson('--level', 'warning');
    assert.ok(warnings.messages.some((m) => m.text === 'careful'));
    assert.ok(!warnings.messages.some((m) => m.text === 'fyi' || m.text === 'same again'));
    const all = await consoleJson('--level', 'debug');
    assert.ok(all.messages.some((m) => m.text === 'noise'));
    assert.equal((await consoleJson('--last', '2')).messages.length, 2);
  });

  test('details console expands object arguments several levels deep while the page holds them', async () => {
    const user = (await consoleJson()).messages.find((m) => m.text.startsWith('user '));
    assert.ok(user);
    const r = await bdg(['details', 'console', user.id, '--json'], { sessionDir: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const d = (r.json as { data: { expanded?: string[] } }).data;
    assert.deepEqual(d.expanded, ['user', '{id: 7, profile: {name: "Ada", tags: ["x", "y"]}}', '[1, 2, 3]']);
    const human = await bdg(['details', 'console', user.id], { sessionDir: dir });
    assert.match(human.stdout, /Arguments \(objects expanded\):/);
  });

  test('after a navigation the default view shows the new page; --history shows both', async () => {
    const before = await consoleJson();
    const firstNav = before.navigation?.index ?? -1;
    release();
    let after = before;
    for (let i = 0; i < 100 && !after.messages.some((m) => m.text.startsWith('second page')); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await consoleJson();
    }
    assert.deepEqual(
      after.messages.map((m) => m.text),
      ['second page {ok: true}'],
    );
    assert.equal(after.navigation?.index, firstNav + 1);
    assert.match(after.navigation?.url ?? '', /\/two$/);

    const history = await consoleJson('--history');
    const texts = history.messages.map((m) => m.text);
    assert.ok(texts.includes('careful') && texts.includes('second page {ok: true}'), texts.join(' | '));
    // Logged by the old page after the new document was requested, before it committed: still the old page's.
    assert.equal(history.messages.find((m) => m.text === 'leaving')?.navigation, firstNav);
    const human = await bdg(['console', '--history'], { sessionDir: dir });
    assert.match(human.stdout, new RegExp(`-- navigation ${firstNav}: .*/one\\n[\\s\\S]*-- navigation ${firstNav + 1}: .*/two\\n`));

    // The document request of the new page belongs to the new navigation; the old page's fetch to the old one.
    const net = await bdg(['network', 'list', '--json'], { sessionDir: dir });
    const requests = (net.json as { data: { requests: NetworkRecord[] } }).data.requests;
    assert.equal(requests.find((r) => r.url.endsWith('/two'))?.navigation, firstNav + 1);
    assert.equal(requests.find((r) => r.url.endsWith('/go'))?.navigation, firstNav);
    const current = await bdg(['network', 'list', '--current', '--json'], { sessionDir: dir });
    const currentUrls = (current.json as { data: { requests: NetworkRecord[] } }).data.requests.map((r) => new URL(r.url).pathname);
    assert.ok(currentUrls.includes('/two') && !currentUrls.includes('/one'), currentUrls.join(' '));
  });

  test('a page crash writes a session.json snapshot and the session keeps running', async () => {
    const status = await bdg(['status', '--verbose', '--json'], { sessionDir: dir });
    const ws = (status.json as { data: { chrome: { wsEndpoint: string | null } } }).data.chrome.wsEndpoint;
    assert.ok(ws !== null, 'the session has a DevTools endpoint');
    // Crash the renderer from a second DevTools client, as an out-of-memory or a renderer bug would.
    const sock = new WebSocket(ws);
    await new Promise((r, j) => sock.once('open', r).once('error', j));
    let id = 0;
    const pending = new Map<number, (v: Record<string, unknown>) => void>();
    sock.on('message', (m: Buffer) => {
      const msg = JSON.parse(m.toString()) as { id?: number; result?: Record<string, unknown> };
      if (msg.id !== undefined) pending.get(msg.id)?.(msg.result ?? {});
    });
    const send = (method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> =>
      new Promise((r) => {
        pending.set(++id, r);
        sock.send(JSON.stringify({ id, method, params, ...(sessionId !== undefined ? { sessionId } : {}) }));
      });
    try {
      const { targetInfos } = (await send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
      const page = targetInfos.find((t) => t.type === 'page' && t.url.endsWith('/two'));
      assert.ok(page, JSON.stringify(targetInfos));
      const { sessionId } = (await send('Target.attachToTarget', { targetId: page.targetId, flatten: true })) as { sessionId: string };
      void send('Page.crash', {}, sessionId);
      const file = join(dir, 'session.json');
      assert.ok(await waitFor(() => existsSync(file), 10_000), 'session.json written after the crash');
      const doc = JSON.parse(readFileSync(file, 'utf8')) as {
        schema: number;
        session: { endReason: string; pageCrashed: boolean };
        console: ConsoleRecord[];
        dom: unknown;
        navigations: unknown[];
      };
      assert.equal(doc.schema, 1);
      assert.equal(doc.session.endReason, 'page-crashed');
      assert.equal(doc.session.pageCrashed, true);
      assert.equal(doc.dom, null);
      assert.ok(doc.console.some((m) => m.text === 'careful'));
      assert.ok(doc.navigations.length >= 2);
    } finally {
      sock.close();
    }
    const after = await bdg(['status', '--json'], { sessionDir: dir });
    assert.equal(after.code, 0, after.stderr);
    const s = (after.json as { data: { running: boolean; pageCrashed: boolean } }).data;
    assert.equal(s.running, true);
    assert.equal(s.pageCrashed, true);
  });
});
