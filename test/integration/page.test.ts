import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';

function data<T = Record<string, unknown>>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('page and tabs commands', () => {
  let server: FixtureServer;
  let dir: string;
  let loads = 0;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });

  before(async () => {
    server = await FixtureServer.start();
    server.html('/a', '<!doctype html><title>A</title><p>Page A</p>');
    server.html('/b', '<!doctype html><title>B</title><p>Page B</p><a id="hash" href="#part">part</a>');
    server.route('/counted', (_req, res) => {
      loads++;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>load ${loads}</title>`);
    });
    server.html(
      '/tab2',
      '<!doctype html><title>Tab two</title><script>fetch("/tab2-api"); console.error("tab2 error")</script><button onclick="alert(1)">Tab button</button>',
    );
    server.static('/tab2-api', 'application/json', '{"ok":true}');
    dir = tempSessionDir('page');
    data(await bdg([server.url('/a'), '--json'], { sessionDir: dir, timeoutMs: 60_000 }));
  });

  after(async () => {
    await teardown(dir);
    await server.close();
  });

  it('navigates, goes back and forward, and reloads, waiting for each load', async () => {
    const nav = data<{ url: string; title: string; loadTimedOut: boolean }>(await run('page', 'navigate', server.url('/b')));
    assert.equal(nav.title, 'B');
    assert.equal(nav.loadTimedOut, false);
    const back = data<{ url: string; title: string }>(await run('page', 'back'));
    assert.equal(back.url, server.url('/a'));
    assert.equal(back.title, 'A');
    const fwd = data<{ url: string }>(await run('page', 'forward'));
    assert.equal(fwd.url, server.url('/b'));
    const noNext = await run('page', 'forward');
    assert.equal(noNext.code, 83);
    data(await run('page', 'navigate', server.url('/counted')));
    const before = loads;
    const re = data<{ title: string }>(await run('page', 'reload'));
    assert.equal(loads, before + 1);
    assert.equal(re.title, `load ${before + 1}`);
    const human = await bdg(['page', 'navigate', server.url('/a')], { sessionDir: dir });
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^Loaded http:\/\/127\.0\.0\.1:\d+\/a {2}"A"/);
  });

  it('reports a navigation that fails, and rejects a bad URL', async () => {
    const port = await closedPort();
    const r = await run('page', 'navigate', `http://127.0.0.1:${port}/`);
    assert.equal(r.code, 104);
    assert.match((r.json as { error: string }).error, /ERR_CONNECTION_REFUSED/);
    assert.equal((await run('page', 'navigate', 'not a url')).code, 80);
    data(await run('page', 'navigate', server.url('/a')));
  });

  it('opens, lists, selects and closes tabs; telemetry and commands follow the selected tab', async () => {
    const opened = data<{ id: string; url: string }>(await run('tabs', 'new', server.url('/tab2')));
    assert.equal(opened.url, server.url('/tab2'));
    const list = data<{ selected: string; tabs: Array<{ id: string; url: string; selected: boolean }> }>(await run('tabs'));
    assert.equal(list.tabs.length, 2);
    assert.equal(list.selected, opened.id);
    const first = list.tabs.find((t) => !t.selected);
    assert.equal(first?.url, server.url('/a'));
    // Telemetry of the new tab is collected.
    const peek = data<{ network: Array<{ url: string }>; console: Array<{ text: string }> }>(await run('peek', '--last', '50'));
    assert.ok(
      peek.network.some((n) => n.url.endsWith('/tab2-api')),
      JSON.stringify(peek.network.map((n) => n.url)),
    );
    assert.ok(peek.console.some((c) => c.text.includes('tab2 error')));
    // Commands act on it, and its dialogs are answered too.
    const click = data<{ triggered: { dialogs: unknown[] } }>(await run('dom', 'click', 'text=Tab button'));
    assert.equal(click.triggered.dialogs.length, 1);
    const ref = data<{ nodes: Array<{ ref: string }> }>(await run('dom', 'query', 'button')).nodes[0]?.ref as string;
    data(await run('tabs', 'select', first?.id));
    assert.equal(data<{ page: { url: string } }>(await run('status')).page.url, server.url('/a'));
    assert.equal(data<{ value: string }>(await run('dom', 'eval', 'document.title')).value, 'A');
    // A ref from the other tab is not used here.
    assert.equal((await run('dom', 'click', ref)).code, 87);
    // Closing the selected tab selects the other one.
    const closed = data<{ selected: string; url: string }>(await run('tabs', 'close', first?.id));
    assert.equal(closed.selected, opened.id);
    assert.equal(closed.url, server.url('/tab2'));
    assert.equal(data<{ tabs: unknown[] }>(await run('tabs')).tabs.length, 1);
    assert.equal((await run('tabs', 'select', 't99')).code, 83);
    const after = data<{ value: string }>(await run('dom', 'eval', 'document.title'));
    assert.equal(after.value, 'Tab two');
  });
});
