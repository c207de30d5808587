import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';

function data<T = Record<string, unknown>>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

const DOWNLOAD_SIZE = 12_345;

const APP = `<!doctype html><title>drive</title>
<style>
  body { margin: 0; font: 14px sans-serif }
  #cv { display: block; margin: 20px 0 0 30px; border: 0 }
  #list li { height: 30px; margin: 4px; background: #eee; list-style: none }
  #ed { width: 300px; height: 40px; border: 1px solid #999 }
</style>
<canvas id="cv" width="300" height="200"></canvas>
<button id="spot" style="position:absolute; left:400px; top:40px; width:80px; height:30px">Spot</button>
<div id="ed" tabindex="0"></div>
<input id="inp">
<ul id="list"><li id="i1" draggable="true">one</li><li id="i2" draggable="true">two</li><li id="i3" draggable="true">three</li></ul>
<a id="dl" href="/report">Download report</a>
<script>
  // Canvas: draws while the mouse is pressed, and records the path in canvas coordinates.
  window.path = []; window.canvasClicks = [];
  const cv = document.getElementById('cv'), g = cv.getContext('2d');
  let down = false;
  cv.addEventListener('mousedown', (e) => { down = true; path.push(['down', e.offsetX, e.offsetY]); g.beginPath(); g.moveTo(e.offsetX, e.offsetY); });
  cv.addEventListener('mousemove', (e) => { if (!down || (e.buttons & 1) === 0) return; path.push(['move', e.offsetX, e.offsetY]); g.lineTo(e.offsetX, e.offsetY); g.lineWidth = 4; g.stroke(); });
  window.addEventListener('mouseup', (e) => { if (down) path.push(['up']); down = false; });
  cv.addEventListener('click', (e) => canvasClicks.push([e.offsetX, e.offsetY]));
  window.spotClicks = 0;
  document.getElementById('spot').addEventListener('click', () => spotClicks++);
  // A key-listening editor: it builds its text from keydown only (as code editors do) and logs every key event.
  window.keys = []; window.edText = '';
  const ed = document.getElementById('ed');
  ed.addEventListener('keydown', (e) => { keys.push('down:' + e.key + ':' + e.code); if (e.key.length === 1) { edText += e.key; ed.textContent = edText; e.preventDefault(); } });
  ed.addEventListener('keyup', (e) => keys.push('up:' + e.key));
  window.inputEvents = [];
  const inp = document.getElementById('inp');
  for (const t of ['keydown', 'keypress', 'input', 'keyup']) inp.addEventListener(t, (e) => inputEvents.push(t + ':' + (e.key || e.data)));
  // HTML5 drag and drop: the dragged item is inserted before the item it is dropped on.
  const list = document.getElementById('list');
  for (const li of list.children) {
    li.addEventListener('dragstart', (e) => e.dataTransfer.setData('text/plain', li.id));
    li.addEventListener('dragover', (e) => e.preventDefault());
    li.addEventListener('drop', (e) => { e.preventDefault(); const id = e.dataTransfer.getData('text/plain'); list.insertBefore(document.getElementById(id), li.nextSibling); });
  }
</script>`;

// A page that is "logged in" only with the session cookie and the user in localStorage (and the tab's sessionStorage).
const ACCOUNT = `<!doctype html><title>account</title><p id="who">checking</p>
<script>
  const ok = document.cookie.split('; ').includes('sid=s3cret') && localStorage.getItem('user') === 'ada';
  document.getElementById('who').textContent = ok ? 'logged in as ada' + (sessionStorage.getItem('tab') === '7' ? ' (tab 7)' : '') : 'anonymous';
</script>`;

describe('storage, state, downloads, typing and dragging (real Chromium)', () => {
  let server: FixtureServer;
  let other: FixtureServer;
  let dir: string;
  let dir2: string;
  let work: string;
  let stateFile: string;
  const accountCookies: string[] = [];
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const run2 = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir2, timeoutMs: 60_000 });
  const evalIn = async <T>(r: typeof run, js: string): Promise<T> => data<{ value: T }>(await r('dom', 'eval', js)).value;

  before(async () => {
    server = await FixtureServer.start();
    server.html('/app', APP);
    server.route('/account', (req, res) => {
      accountCookies.push(req.headers.cookie ?? '');
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(ACCOUNT);
    });
    server.static('/report', 'text/csv', Buffer.alloc(DOWNLOAD_SIZE, 'a'), 200, { 'content-disposition': 'attachment; filename="report.csv"' });
    // A second loopback port is another origin: a cross-origin frame with storage of its own.
    other = await FixtureServer.start();
    other.html('/inner', '<!doctype html><title>inner</title><script>localStorage.setItem("frameKey", "inside")</script><p>inner</p>');
    server.route('/framed', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>framed</title><iframe src="${other.url('/inner')}"></iframe>`);
    });
    work = mkdtempSync(join(tmpdir(), 'bdg-drive-'));
    stateFile = join(work, 'auth.json');
    dir = tempSessionDir('drive');
    dir2 = tempSessionDir('drive2');
    data(await bdg([server.url('/app'), '--dialog', 'dismiss', '--json'], { sessionDir: dir, timeoutMs: 60_000 }));
  });

  after(async () => {
    await teardown(dir);
    await teardown(dir2);
    await server.close();
    await other.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('storage --origin reads a cross-origin frame; an origin the page has no frame of is 83; --state with no file is 83', async () => {
    data(await run('page', 'navigate', server.url('/framed')));
    const origin = new URL(other.url('/')).origin;
    const items = data<{ origin: string; items: Array<{ key: string; value: string }> }>(await run('storage', 'local', '--origin', origin));
    assert.equal(items.origin, origin);
    assert.deepEqual(
      items.items.map((i) => [i.key, i.value]),
      [['frameKey', 'inside']],
    );
    assert.equal(data<{ items: unknown[] }>(await run('storage', 'local')).items.length, 0);
    const none = await run('storage', 'local', '--origin', 'http://127.0.0.1:9');
    assert.equal(none.code, 83, none.stdout);
    assert.match((none.json as { error: string }).error, /no frame of http:\/\/127\.0\.0\.1:9/);
    const missing = await bdg([server.url('/app'), '--state', join(work, 'nope.json'), '--json'], { sessionDir: dir2, timeoutMs: 30_000 });
    assert.equal(missing.code, 83, missing.stdout);
    data(await run('page', 'navigate', server.url('/app')));
  });

  it('storage local|session: set, get, list, remove, clear; long values cut with a marker', async () => {
    data(await run('storage', 'local', 'set', 'theme', 'dark'));
    data(await run('storage', 'local', 'set', 'big', 'x'.repeat(500)));
    assert.equal(await evalIn(run, 'localStorage.getItem("theme")'), 'dark');
    const got = data<{ found: boolean; items: Array<{ value: string }> }>(await run('storage', 'local', 'get', 'theme'));
    assert.equal(got.found, true);
    assert.equal(got.items[0]?.value, 'dark');
    await evalIn(run, 'localStorage.setItem("fromPage", "1"), sessionStorage.setItem("s1", "v1")');
    const list = data<{ count: number; items: Array<{ key: string; value: string; truncated?: boolean; length: number }> }>(await run('storage', 'local'));
    assert.equal(list.count, 3);
    const big = list.items.find((i) => i.key === 'big');
    assert.equal(big?.truncated, true);
    assert.equal(big?.length, 500);
    assert.match(big?.value ?? '', /… \[300 more chars cut; --full shows all\]$/);
    const full = data<{ items: Array<{ key: string; value: string }> }>(await run('storage', 'local', '--full'));
    assert.equal(full.items.find((i) => i.key === 'big')?.value.length, 500);
    const sess = data<{ items: Array<{ key: string; value: string }> }>(await run('storage', 'session'));
    assert.deepEqual(sess.items, [{ key: 's1', value: 'v1', length: 2 }]);
    const removed = data<{ found: boolean }>(await run('storage', 'local', 'remove', 'theme'));
    assert.equal(removed.found, true);
    assert.equal(await evalIn(run, 'localStorage.getItem("theme")'), null);
    const cleared = data<{ removed: number }>(await run('storage', 'local', 'clear'));
    assert.equal(cleared.removed, 2);
    assert.equal(await evalIn(run, 'localStorage.length'), 0);
    const missing = await run('storage', 'local', 'set', 'onlykey');
    assert.equal(missing.code, 81);
  });

  it('network cookies set/delete: visible to document.cookie and in the listing', async () => {
    data(await run('network', 'cookies', 'set', 'flavour', 'oat', '--same-site', 'Lax'));
    data(await run('network', 'cookies', 'set', 'hidden', 'h1', '--http-only'));
    assert.match(await evalIn<string>(run, 'document.cookie'), /flavour=oat/);
    assert.doesNotMatch(await evalIn<string>(run, 'document.cookie'), /hidden/);
    const list = data<{ cookies: Array<{ name: string; value: string; httpOnly?: boolean }> }>(await run('network', 'cookies'));
    assert.equal(list.cookies.find((c) => c.name === 'flavour')?.value, 'oat');
    assert.ok(list.cookies.some((c) => c.name === 'hidden'));
    const del = data<{ deleted: number }>(await run('network', 'cookies', 'delete', 'flavour'));
    assert.equal(del.deleted, 1);
    assert.doesNotMatch(await evalIn<string>(run, 'document.cookie'), /flavour/);
    data(await run('network', 'cookies', 'delete', 'hidden'));
  });

  it('state save -> a fresh session started with --state is logged in; state load restores a cleared one', async () => {
    data(await run('page', 'navigate', server.url('/account')));
    assert.equal(await evalIn(run, 'document.getElementById("who").textContent'), 'anonymous');
    data(await run('network', 'cookies', 'set', 'sid', 's3cret'));
    data(await run('storage', 'local', 'set', 'user', 'ada'));
    data(await run('storage', 'session', 'clear'));
    data(await run('storage', 'session', 'set', 'tab', '7'));
    const saved = data<{ file: string; cookies: number; localStorage: number; sessionStorage: number; origins: number }>(await run('state', 'save', stateFile));
    assert.equal(saved.file, stateFile);
    assert.deepEqual([saved.cookies, saved.localStorage, saved.sessionStorage, saved.origins], [1, 1, 1, 1]);
    assert.equal(statSync(stateFile).mode & 0o777, 0o600);
    const text = readFileSync(stateFile, 'utf8');
    assert.match(text, /s3cret/);
    // The report says counts, never values.
    const human = await bdg(['state', 'save', stateFile], { sessionDir: dir, timeoutMs: 30_000 });
    assert.equal(human.code, 0, human.stderr);
    assert.doesNotMatch(human.stdout, /s3cret|ada/);
    assert.match(human.stdout, /1 cookie, 1 localStorage and 1 sessionStorage item from 1 origin/);

    // A new session (its own Chrome profile): the first page load already has the cookie and the storage.
    data(await bdg([server.url('/account'), '--state', stateFile, '--prompt-text', 'Bob', '--json'], { sessionDir: dir2, timeoutMs: 60_000 }));
    assert.equal(await evalIn(run2, 'prompt("Your name?", "Ada")'), 'Bob');
    assert.equal(await evalIn(run2, 'document.getElementById("who").textContent'), 'logged in as ada (tab 7)');
    assert.match(accountCookies[accountCookies.length - 1] ?? '', /sid=s3cret/);

    // Cleared, it is anonymous; state load and a reload log it in again.
    data(await run2('network', 'cookies', 'delete', 'sid'));
    data(await run2('storage', 'local', 'clear'));
    data(await run2('page', 'reload'));
    assert.equal(await evalIn(run2, 'document.getElementById("who").textContent'), 'anonymous');
    const loaded = data<{ cookies: number; localStorage: number }>(await run2('state', 'load', stateFile));
    assert.deepEqual([loaded.cookies, loaded.localStorage], [1, 1]);
    data(await run2('page', 'reload'));
    assert.equal(await evalIn(run2, 'document.getElementById("who").textContent'), 'logged in as ada (tab 7)');
    const bad = join(work, 'bad.json');
    writeFileSync(bad, '{"nope":1}');
    assert.equal((await run2('state', 'load', bad)).code, 81);
  });

  it('a download link: dom click reports the file, saved under downloads/ with its size; status counts it', async () => {
    data(await run('page', 'navigate', server.url('/app')));
    const d = data<{ triggered: { downloads?: Array<{ name: string; size: number; path: string; state: string }> } }>(await run('dom', 'click', '#dl'));
    const dl = d.triggered.downloads?.[0];
    assert.ok(dl !== undefined, JSON.stringify(d.triggered));
    assert.equal(dl.name, 'report.csv');
    assert.equal(dl.state, 'completed');
    assert.equal(dl.size, DOWNLOAD_SIZE);
    assert.equal(dl.path, join(dir, 'downloads', 'report.csv'));
    assert.equal(statSync(dl.path).size, DOWNLOAD_SIZE);
    const human = await bdg(['dom', 'click', '#dl'], { sessionDir: dir, timeoutMs: 30_000 });
    assert.match(human.stdout, /download report \(1\)\.csv \(12\.1 KB\) saved to /);
    const st = data<{ downloads: { total: number; completed: number } }>(await run('status'));
    assert.deepEqual([st.downloads.total, st.downloads.completed], [2, 2]);
    assert.match((await bdg(['status'], { sessionDir: dir, timeoutMs: 30_000 })).stdout, /Downloads: 2 \(2 complete\) in .*downloads/);
  });

  it('dom type fires keydown/keypress/input/keyup per character; a key-listening editor gets the text', async () => {
    const r = data<{ typed: number }>(await run('dom', 'type', '#ed', 'Hi, A!'));
    assert.equal(r.typed, 6);
    assert.equal(await evalIn(run, 'edText'), 'Hi, A!');
    const keys = await evalIn<string[]>(run, 'keys');
    assert.deepEqual(
      keys.filter((k) => k.startsWith('down:')),
      ['down:H:KeyH', 'down:i:KeyI', 'down:,:Comma', 'down: :Space', 'down:A:KeyA', 'down:!:Digit1'],
    );
    assert.equal(keys.filter((k) => k.startsWith('up:')).length, 6);
    const t = data<{ value: string }>(await run('dom', 'type', '#inp', 'ab', '--delay', '5'));
    assert.equal(t.value, 'ab');
    assert.deepEqual(await evalIn(run, 'inputEvents'), ['keydown:a', 'keypress:a', 'input:a', 'keyup:a', 'keydown:b', 'keypress:b', 'input:b', 'keyup:b']);
  });

  it('dom drag draws on a canvas with real mouse events; --from-offset and --to in page coordinates', async () => {
    // The canvas's top-left is at page (30, 20).
    const d = data<{ html5: boolean }>(await run('dom', 'drag', '#cv', '--from-offset', '10,10', '--to', '230,120', '--steps', '8'));
    assert.equal(d.html5, false);
    const path = await evalIn<Array<[string, number?, number?]>>(run, 'path');
    assert.deepEqual(path[0], ['down', 10, 10]);
    const moves = path.filter((p) => p[0] === 'move');
    assert.equal(moves.length, 8);
    assert.deepEqual(moves[moves.length - 1], ['move', 200, 100]);
    assert.deepEqual(path[path.length - 1], ['up']);
    // Something was drawn half-way along the line.
    assert.ok((await evalIn<number>(run, 'g.getImageData(105, 55, 1, 1).data[3]')) > 0);
  });

  it('dom drag reorders an HTML5 draggable list', async () => {
    const d = data<{ html5: boolean; target: { id: string } }>(await run('dom', 'drag', '#i1', '#i3'));
    assert.equal(d.html5, true);
    assert.equal(d.target.id, 'i3');
    assert.deepEqual(await evalIn(run, '[...document.querySelectorAll("#list li")].map((li) => li.id)'), ['i2', 'i3', 'i1']);
  });

  it('dom click --at X,Y clicks a page point; --offset a point inside the element', async () => {
    const c = data<{ x: number; y: number; element?: unknown }>(await run('dom', 'click', '--at', '440,55'));
    assert.equal(c.element, undefined);
    assert.equal(await evalIn(run, 'spotClicks'), 1);
    data(await run('dom', 'click', '#cv', '--offset', '5,7'));
    assert.deepEqual(await evalIn(run, 'canvasClicks.at(-1)'), [5, 7]);
    assert.equal((await run('dom', 'click')).code, 81);
  });

  it('bdg eval is dom eval; --dialog dismiss at start makes confirm() return false, an action can still accept', async () => {
    assert.equal(data<{ value: number }>(await run('eval', '6 * 7')).value, 42);
    const r = data<{ value: boolean; triggered: { dialogs: Array<{ action: string }> } }>(await run('eval', 'confirm("Delete?")'));
    assert.equal(r.value, false);
    assert.equal(r.triggered.dialogs[0]?.action, 'dismiss');
    assert.equal(data<{ value: boolean }>(await run('dom', 'eval', 'confirm("Delete?")', '--dialog', 'accept')).value, true);
  });
});

describe('install-skill', () => {
  it('writes the skill for Claude and agents under DIR, unchanged on repeat, refuses a different file without --force', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bdg-skill-'));
    try {
      const opts = { sessionDir: join(home, 'session'), timeoutMs: 30_000 };
      const r = await bdg(['install-skill', home, '--json'], opts);
      const skills = data<{ skills: Array<{ target: string; path: string; status: string }> }>(r).skills;
      assert.deepEqual(
        skills.map((s) => [s.target, s.path, s.status]),
        [
          ['claude', join(home, '.claude/skills/bdg/SKILL.md'), 'installed'],
          ['agents', join(home, '.agents/skills/bdg/SKILL.md'), 'installed'],
        ],
      );
      const text = readFileSync(join(home, '.claude/skills/bdg/SKILL.md'), 'utf8');
      assert.match(text, /^---\nname: bdg\ndescription: /);
      assert.match(text, /<!-- bdg \d+\.\d+\.\d+/);
      const again = data<{ skills: Array<{ status: string }> }>(await bdg(['install-skill', home, '--claude', '--json'], opts));
      assert.deepEqual(
        again.skills.map((s) => s.status),
        ['unchanged'],
      );
      writeFileSync(join(home, '.claude/skills/bdg/SKILL.md'), 'my own notes');
      assert.equal((await bdg(['install-skill', home, '--claude', '--json'], opts)).code, 84);
      const forced = data<{ skills: Array<{ status: string; backup?: string }> }>(await bdg(['install-skill', home, '--claude', '--force', '--json'], opts));
      assert.equal(forced.skills[0]?.status, 'updated');
      assert.equal(readFileSync(forced.skills[0]?.backup ?? '', 'utf8'), 'my own notes');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
