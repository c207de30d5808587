/**
 * Waits on telemetry: `network wait`, `console wait`, and `dom wait --request/--console`, against headless
 * Chromium. Each wait runs while another command (a click, an eval) triggers what it waits for, as an agent would
 * run them: the wait holds no lock, so the action is not queued behind it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsoleRecord, NetworkRecord } from '../../src/protocol/records.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, spawnBdg, teardown, tempSessionDir, type Failure, type RunResult } from '../helpers/bdg.js';

function data<T>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

describe('network wait, console wait, dom wait --request/--console', () => {
  const dir = tempSessionDir('waits');
  let server: FixtureServer;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const served = async (): Promise<number> => data<{ ipc?: { served: number } }>(await run('status', '--verbose')).ipc?.served ?? 0;
  /**
   * Starts a wait and resolves once the daemon has dispatched it, so that whatever the test does next happens
   * after the wait started: each status call is one dispatched request, the wait is one more.
   */
  const startWait = async (...args: string[]): Promise<{ done: Promise<RunResult> }> => {
    const base = await served();
    const { done } = spawnBdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    for (let i = 1; i <= 400; i++) {
      if ((await served()) >= base + i + 1) return { done };
    }
    throw new Error(`the wait (${args.join(' ')}) was not dispatched`);
  };

  before(async () => {
    server = await FixtureServer.start();
    server.html(
      '/',
      `<!doctype html><title>waits</title>
      <button id="save" onclick="fetch('/api/save', { method: 'POST', body: 'x' }).then((r) => console.log('saved with ' + r.status))">Save</button>
      <button id="log" onclick="console.warn('order 42 placed')">Log</button>`,
    );
    server.route('/api/save', (_req, res) => {
      // Slow enough that the click has returned before the answer comes.
      setTimeout(() => {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end('{"error":"invalid"}');
      }, 300);
    });
    server.static('/api/ok', 'application/json', '{"ok":true}');
    data(await bdg([server.url('/'), '--json'], { sessionDir: dir, timeoutMs: 60_000 }));
  });

  after(async () => {
    await teardown(dir);
    await server.close();
  });

  test('network wait returns the 4xx a click started in parallel, shown like details network', async () => {
    const waiting = await startWait('network', 'wait', 'status-code:4xx method:POST /api/save', '--timeout', '20');
    data(await run('dom', 'click', '#save'));
    const r = data<{ item: NetworkRecord; waitedMs: number }>(await waiting.done);
    assert.equal(r.item.status, 422);
    assert.equal(r.item.method, 'POST');
    assert.equal(new URL(r.item.url).pathname, '/api/save');
    assert.equal(r.item.body?.data, '{"error":"invalid"}');
    assert.ok(r.item.responseHeaders !== undefined);
    // The text form is the details view.
    const human = spawnBdg(['network', 'wait', '/api/ok', '--timeout', '20'], { sessionDir: dir, timeoutMs: 60_000 }).done;
    await new Promise((res) => setTimeout(res, 500));
    data(await run('dom', 'eval', "fetch('/api/ok').then((r) => r.status)"));
    const text = await human;
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Matched after \d+ ms:\nn\d+ {2}GET http:\/\/127\.0\.0\.1:\d+\/api\/ok\n {2}State: {5}finished/);
    assert.match(text.stdout, /Response headers:/);
  });

  test('only what finishes after the wait starts counts, unless --since says otherwise; timeout exits 102', async () => {
    data(await run('dom', 'eval', "fetch('/api/ok?old=1').then((r) => r.text())"));
    const old = data<{ requests: NetworkRecord[] }>(await run('network', 'list', '--filter', 'old=1')).requests.at(-1);
    assert.ok(old !== undefined);
    const timedOut = await run('network', 'wait', 'old=1', '--timeout', '0.5');
    assert.equal(timedOut.code, 102);
    assert.equal((timedOut.json as Failure).code, 'TIMEOUT');
    assert.match((timedOut.json as Failure).error, /Timed out after 0\.5 s waiting for a request matching "old=1"/);
    const before = `n${Number(old.id.slice(1)) - 1}`;
    const since = data<{ item: NetworkRecord; waitedMs: number }>(await run('network', 'wait', 'old=1', '--since', before, '--timeout', '5'));
    assert.equal(since.item.id, old.id);
    assert.equal((await run('network', 'wait', '/api', '--since', 'x7')).code, 81);
    assert.equal((await run('network', 'wait', 'stauts-code:4xx')).code, 81);
  });

  test('console wait --match returns the first matching message; --level; invalid and overlong REGEX are user errors', async () => {
    const waiting = await startWait('console', 'wait', '--match', '/ORDER \\d+ placed/i', '--timeout', '20');
    data(await run('dom', 'eval', "console.log('unrelated'); 1"));
    data(await run('dom', 'click', '#log'));
    const r = data<{ item: ConsoleRecord; waitedMs: number }>(await waiting.done);
    assert.equal(r.item.text, 'order 42 placed');
    assert.equal(r.item.level, 'warning');

    const errors = await startWait('console', 'wait', '--level', 'error', '--timeout', '20');
    data(await run('dom', 'eval', "console.warn('just a warning'); setTimeout(() => console.error('the error'), 50); 1"));
    assert.equal(data<{ item: ConsoleRecord }>(await errors.done).item.text, 'the error');

    const timedOut = await run('console', 'wait', '--match', 'never-logged', '--timeout', '0.3');
    assert.equal(timedOut.code, 102);
    // --since counts messages that came before the wait.
    const since = data<{ item: ConsoleRecord }>(await run('console', 'wait', '--match', 'order \\d+', '--since', 'c0', '--timeout', '5'));
    assert.equal(since.item.id, r.item.id);
    assert.equal((await run('console', 'wait', '--match', '(unclosed')).code, 81);
    assert.equal((await run('console', 'wait', '--match', 'a'.repeat(1001))).code, 81);
  });

  test('dom wait --request and --console wait on events; combined with a page condition', async () => {
    const waiting = await startWait('dom', 'wait', '--request', '/api/save status-code:422', '--console', 'saved with 422', '--timeout', '20');
    data(await run('dom', 'click', '#save'));
    const r = data<{ met: Record<string, boolean>; request?: NetworkRecord; console?: ConsoleRecord }>(await waiting.done);
    assert.deepEqual(r.met, { request: true, console: true });
    assert.equal(r.request?.status, 422);
    assert.equal(r.console?.text, 'saved with 422');

    const combined = await startWait('dom', 'wait', '--selector', '#done', '--request', '/api/ok', '--timeout', '20');
    data(
      await run(
        'dom',
        'eval',
        "fetch('/api/ok').then(() => { const d = document.createElement('div'); d.id = 'done'; d.textContent = 'done'; document.body.append(d); return 1; })",
      ),
    );
    const c = data<{ met: Record<string, boolean>; request?: NetworkRecord }>(await combined.done);
    assert.deepEqual(c.met, { request: true, selector: true });

    const timedOut = await run('dom', 'wait', '--console', 'nothing like this', '--timeout', '0.3');
    assert.equal(timedOut.code, 102);
    assert.deepEqual((timedOut.json as Failure).data?.['met'], { console: false });
  });
});
