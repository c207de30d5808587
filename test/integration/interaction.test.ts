import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';

function data<T = Record<string, unknown>>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

interface Triggered {
  urlBefore: string;
  url: string;
  navigated: boolean;
  settled: boolean;
  requests: Array<{ id: string; method: string; url: string; status?: number; state: string }>;
  consoleErrors: Array<{ id: string; text: string }>;
  dialogs: unknown[];
}

const PAGE = `<!doctype html><title>interact</title>
<style>
  body { margin: 0 }
  #hov { width: 200px; height: 50px; background: rgb(238, 238, 238) }
  #hov:hover { background: rgb(255, 0, 0) }
  .spacer { height: 3000px }
</style>
<div id="hov">Hover me</div>
<form id="search" action="/search" method="get"><input id="a" name="a"><input id="q" name="q"><button type="submit">Go</button></form>
<form id="save" action="/nowhere" method="post"><input name="item" value="apple"><button>Save</button></form>
<button id="multi">Do three things</button>
<p id="status">idle</p>
<div class="spacer"></div>
<div id="far" style="height: 40px">Far away</div>
<div class="spacer"></div>
<script>
  window.hovered = [];
  const hov = document.getElementById('hov');
  hov.addEventListener('mouseover', () => hovered.push('over'));
  hov.addEventListener('mouseenter', () => hovered.push('enter'));
  document.getElementById('save').addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await fetch('/api/save', { method: 'POST', body: new URLSearchParams(new FormData(e.target)) });
    document.getElementById('status').textContent = 'saved ' + r.status;
  });
  document.getElementById('multi').addEventListener('click', () => {
    fetch('/api/multi?x=1');
    console.error('multi failed: code 42');
    history.pushState({}, '', '/interact/step2');
  });
</script>`;

/**
 * One session for the whole file. Its start doubles as the DAEMON_ALREADY_STARTING case: the first page load is
 * held back ~2 s, and a second `bdg <url>` is run while the first is still starting.
 */
describe('interaction (real Chromium)', () => {
  let server: FixtureServer;
  let dir: string;
  let notADir: string;
  let first: RunResult;
  let second: RunResult;
  let searchUrls: string[] = [];
  let scriptLoads = 0;
  let slowDone = false;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const fresh = async (): Promise<void> => {
    data(await run('page', 'navigate', server.url('/interact')));
  };
  const evalValue = async <T>(js: string): Promise<T> => data<{ value: T }>(await run('dom', 'eval', js)).value;

  before(async () => {
    server = await FixtureServer.start();
    server.html('/interact', PAGE);
    server.route('/slow-start', (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>slow start</title><p>Finally</p>');
      }, 2_000);
    });
    server.route('/search', (req, res) => {
      searchUrls.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>results</title><p>Results</p>');
    });
    server.route('/api/save', (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"saved":true}');
      }, 400);
    });
    server.static('/api/multi', 'application/json', '{"ok":true}');
    server.route('/api/slow', (_req, res) => {
      setTimeout(() => {
        slowDone = true;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }, 1_500);
    });
    server.html('/cached', '<!doctype html><title>cached</title><script src="/cached.js"></script>');
    server.route('/cached.js', (_req, res) => {
      scriptLoads++;
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' });
      res.end(`window.loadedScript = ${scriptLoads};`);
    });

    dir = tempSessionDir('interaction');
    notADir = join(tmpdir(), `bdg-test-not-a-dir-${process.pid}`);
    writeFileSync(notADir, 'a regular file');

    const firstRun = bdg([server.url('/slow-start'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    // The daemon is up and its page load is being held back: the session is still starting.
    await server.waitForRequest('/slow-start', 30_000);
    second = await bdg([server.url('/interact'), '--json'], { sessionDir: dir, timeoutMs: 30_000 });
    first = await firstRun;
    assert.equal(first.code, 0, first.stderr + first.stdout);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(notADir, { force: true });
  });

  it('exit 86 for a second start while the first is still starting; the first completes', async () => {
    assert.equal(second.code, 86, second.stdout + second.stderr);
    const err = second.json as { code: string; error: string; hint: string };
    assert.equal(err.code, 'DAEMON_ALREADY_STARTING');
    const started = data<{ pid: number; page: { url: string } }>(first);
    assert.match(err.error, new RegExp(`\\(pid ${started.pid}\\)`));
    assert.ok(err.hint.length > 0);
    assert.equal(started.page.url, server.url('/slow-start'));
    const status = data<{ page: { url: string } }>(await run('status'));
    assert.equal(status.page.url, server.url('/slow-start'));
  });

  it('exit 103 when BDG_SESSION_DIR lies inside a regular file', async () => {
    const r = await bdg([server.url('/interact'), '--json'], { sessionDir: join(notADir, 'x'), timeoutMs: 30_000 });
    assert.equal(r.code, 103, r.stdout + r.stderr);
    const err = r.json as { code: string; error: string; hint: string };
    assert.equal(err.code, 'SESSION_FILE_ERROR');
    assert.match(err.error, new RegExp(`${notADir} is a file, not a directory`));
    assert.match(err.hint, /BDG_SESSION_DIR/);
    const human = await bdg([server.url('/interact')], { sessionDir: join(notADir, 'x'), timeoutMs: 30_000 });
    assert.equal(human.code, 103);
    assert.match(human.stderr, /not a directory/);
  });

  it('hover triggers :hover and mouseover handlers', async () => {
    await fresh();
    assert.deepEqual(await evalValue('hovered'), []);
    const h = data<{ action: string; element: { id: string } }>(await run('dom', 'hover', '#hov'));
    assert.equal(h.action, 'hover');
    assert.equal(h.element.id, 'hov');
    const state = await evalValue<[string, boolean, string]>(
      "[hovered.join(','), document.querySelector('#hov').matches(':hover'), getComputedStyle(document.querySelector('#hov')).backgroundColor]",
    );
    assert.deepEqual(state, ['over,enter', true, 'rgb(255, 0, 0)']);
  });

  it('scrolls to a selector, a ref, a position and the bottom', async () => {
    await fresh();
    const centre = "(() => { const r = document.querySelector('#far').getBoundingClientRect(); return Math.round(r.top + r.height / 2 - innerHeight / 2); })()";
    const toSel = data<{ scroll: { y: number } }>(await run('dom', 'scroll', '#far'));
    assert.ok(toSel.scroll.y > 2_000, `scrollY ${toSel.scroll.y}`);
    assert.equal(await evalValue<number>('scrollY'), toSel.scroll.y);
    assert.ok(Math.abs(await evalValue<number>(centre)) <= 2, 'element is centred');

    data(await run('dom', 'scroll', '--y', '800'));
    assert.equal(await evalValue<number>('scrollY'), 800);
    data(await run('dom', 'scroll', '--x', '0', '--y', '0'));
    assert.equal(await evalValue<number>('scrollY'), 0);

    const ref = data<{ nodes: Array<{ ref: string }> }>(await run('dom', 'query', '#far')).nodes[0]?.ref as string;
    const toRef = data<{ element: { ref: string }; scroll: { y: number } }>(await run('dom', 'scroll', ref));
    assert.equal(toRef.element.ref, ref);
    assert.equal(await evalValue<number>('scrollY'), toRef.scroll.y);
    assert.ok(Math.abs(await evalValue<number>(centre)) <= 2, 'element is centred');

    const bottom = data<{ scroll: { y: number; height: number; viewportHeight: number } }>(await run('dom', 'scroll', '--bottom'));
    assert.equal(bottom.scroll.y, bottom.scroll.height - bottom.scroll.viewportHeight);
    assert.equal(await evalValue<number>('scrollY + innerHeight'), await evalValue<number>('document.scrollingElement.scrollHeight'));

    assert.equal((await run('dom', 'scroll')).code, 81);
    assert.equal((await run('dom', 'scroll', '#far', '--bottom')).code, 81);
  });

  it("press Enter submits the focused input's form; Shift+Tab moves focus back; pressKey works", async () => {
    await fresh();
    data(await run('dom', 'fill', '#q', 'hello bdg'));
    assert.equal(await evalValue('document.activeElement.id'), 'q');
    searchUrls = [];
    const searched = server.waitForRequest('/search');
    const p = data<{ key: string; triggered: Triggered }>(await run('dom', 'press', 'Enter'));
    await searched;
    assert.equal(p.key, 'Enter');
    assert.deepEqual(searchUrls, ['/search?a=&q=hello+bdg']);
    assert.equal(p.triggered.navigated, true);
    assert.equal(p.triggered.url, server.url('/search?a=&q=hello+bdg'));

    await fresh();
    const back = data<{ key: string; element: { id: string } }>(await run('dom', 'press', 'Shift+Tab', '--selector', '#q'));
    assert.equal(back.key, 'Shift+Tab');
    assert.equal(back.element.id, 'q');
    assert.equal(await evalValue('document.activeElement.id'), 'a');
    const fwd = data<{ action: string; key: string }>(await run('dom', 'pressKey', 'Tab'));
    assert.equal(fwd.action, 'press');
    assert.equal(fwd.key, 'Tab');
    assert.equal(await evalValue('document.activeElement.id'), 'q');
  });

  it('reload --ignore-cache fetches a cached script from the server again', async () => {
    data(await run('page', 'navigate', server.url('/cached')));
    const afterLoad = scriptLoads;
    assert.ok(afterLoad >= 1);
    // A normal reload revalidates only the main resource; the script comes from the cache (max-age=3600) ...
    data(await run('page', 'reload'));
    const afterReload = scriptLoads;
    assert.equal(afterReload, afterLoad, 'premise: a normal reload takes the script from the cache');
    // ... a cache-bypassing one must not.
    const waited = server.waitForRequest('/cached.js');
    const r = data<{ action: string; loadTimedOut: boolean }>(await run('page', 'reload', '--ignore-cache'));
    const seen = await waited;
    assert.equal(r.action, 'reload');
    assert.equal(r.loadTimedOut, false);
    assert.equal(scriptLoads, afterReload + 1);
    assert.match(String(seen.headers['cache-control'] ?? seen.headers['pragma'] ?? ''), /no-cache/);
    assert.equal(await evalValue('window.loadedScript'), scriptLoads);
  });

  it('submit of a fetching form waits for network quiet and reports the request', async () => {
    await fresh();
    const posted = server.waitForRequest('/api/save');
    const s = data<{ action: string; form: { method: string }; triggered: Triggered }>(await run('dom', 'submit', '#save'));
    const seen = await posted;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.body.toString(), 'item=apple');
    assert.equal(s.action, 'submit');
    assert.equal(s.triggered.navigated, false);
    assert.equal(s.triggered.settled, true);
    assert.equal(s.triggered.url, server.url('/interact'));
    const req = s.triggered.requests.find((r) => r.url === server.url('/api/save'));
    assert.ok(req !== undefined, JSON.stringify(s.triggered.requests));
    assert.match(req.id, /^n\d+$/);
    assert.equal(req.method, 'POST');
    assert.equal(req.state, 'finished');
    assert.equal(req.status, 200);
    // It waited for the response: the page's handler has already run.
    assert.equal(await evalValue('document.querySelector("#status").textContent'), 'saved 200');
  });

  it('a click reports the request, the console error and the URL change it caused', async () => {
    await fresh();
    const c = data<{ triggered: Triggered }>(await run('dom', 'click', '#multi'));
    const t = c.triggered;
    assert.equal(t.urlBefore, server.url('/interact'));
    assert.equal(t.url, server.url('/interact/step2'));
    assert.equal(t.navigated, false);
    const req = t.requests.find((r) => r.url === server.url('/api/multi?x=1'));
    assert.ok(req !== undefined, JSON.stringify(t.requests));
    assert.match(req.id, /^n\d+$/);
    assert.equal(req.status, 200);
    assert.equal(t.consoleErrors.length, 1);
    assert.equal(t.consoleErrors[0]?.text, 'multi failed: code 42');
    assert.match(t.consoleErrors[0]?.id ?? '', /^c\d+$/);
    // The ids are the ones `bdg details` takes.
    const details = data<{ item: { url: string } }>(await run('details', 'network', req.id));
    assert.equal(details.item.url, server.url('/api/multi?x=1'));
    const con = data<{ item: { text: string } }>(await run('details', 'console', t.consoleErrors[0]?.id));
    assert.equal(con.item.text, 'multi failed: code 42');

    await fresh();
    const human = await bdg(['dom', 'click', '#multi'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /-> URL changed to http:\/\/127\.0\.0\.1:\d+\/interact\/step2/);
    assert.match(human.stdout, /-> request n\d+ GET http:\/\/127\.0\.0\.1:\d+\/api\/multi\?x=1 200/);
    assert.match(human.stdout, /-> console error c\d+: multi failed: code 42/);
  });

  it('dom wait for a URL, text and network quiet that come later', async () => {
    await fresh();
    assert.equal(await evalValue("setTimeout(() => history.pushState({}, '', '/interact/later'), 1500); location.pathname"), '/interact');
    const u = data<{ met: Record<string, boolean>; url: string }>(await run('dom', 'wait', '--url', '/interact/later', '--timeout', '10'));
    assert.deepEqual(u.met, { url: true });
    assert.equal(u.url, server.url('/interact/later'));
    // /pattern/flags is a regular expression.
    assert.deepEqual(data<{ met: Record<string, boolean> }>(await run('dom', 'wait', '--url', '/INTERACT\\/later$/i', '--timeout', '1')).met, { url: true });
    assert.equal((await run('dom', 'wait', '--url', '/interact(/', '--timeout', '1')).code, 81);

    assert.equal(
      await evalValue(
        "setTimeout(() => { document.querySelector('#status').textContent = 'Finally ready'; }, 1500); document.querySelector('#status').textContent",
      ),
      'idle',
    );
    const t = data<{ met: Record<string, boolean> }>(await run('dom', 'wait', '--text', 'finally READY', '--timeout', '10'));
    assert.deepEqual(t.met, { text: true });
    assert.equal(await evalValue("document.querySelector('#status').textContent"), 'Finally ready');

    slowDone = false;
    await evalValue("fetch('/api/slow'); 0");
    const n = data<{ met: Record<string, boolean> }>(await run('dom', 'wait', '--network-idle', '--timeout', '10'));
    assert.deepEqual(n.met, { networkIdle: true });
    assert.equal(slowDone, true, 'network-idle returned while /api/slow was in flight');

    const late = await run('dom', 'wait', '--url', '/never', '--timeout', '0.3');
    assert.equal(late.code, 102);
  });
});
