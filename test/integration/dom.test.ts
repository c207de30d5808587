import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';

/** A page that mimics React's value tracking: `el.value = x` updates the tracker, so the input handler ignores it. */
const REACT_LIKE = `<!doctype html><title>react</title>
<input id="name"><p id="echo">state:</p>
<script>
  const input = document.getElementById('name');
  const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
  let tracked = input.value;
  Object.defineProperty(input, 'value', { configurable: true, get() { return native.get.call(this); }, set(v) { tracked = String(v); native.set.call(this, v); } });
  input.addEventListener('input', () => {
    const v = input.value;
    if (v === tracked) return; // React: no change seen, no onChange
    tracked = v;
    document.getElementById('echo').textContent = 'state:' + v;
  });
</script>`;

const FORM = `<!doctype html><title>form</title>
<form id="order" action="/submit" method="post" enctype="multipart/form-data">
  <input id="email" name="email" placeholder="Email">
  <input id="qty" name="qty" type="number">
  <select name="country"><option value="no">Norway</option><option value="se">Sweden</option></select>
  <input id="terms" type="checkbox" name="terms" value="yes">
  <input id="upload" type="file" name="doc">
  <button type="submit">Place order</button>
</form>
<button id="hidden" style="display:none">Hidden</button>
<button id="disabled" disabled>Disabled</button>
<div style="position:relative;margin:20px 0"><button id="under">Under</button><div id="overlay" style="position:absolute;inset:0;background:#fff8"></div></div>
<button id="confirm" onclick="document.getElementById('out').textContent = 'confirm:' + confirm('Sure?')">Confirm</button>
<button id="alert" onclick="alert('Hello'); document.getElementById('out').textContent = 'after alert'">Alert</button>
<p id="out"></p>
<div id="host"></div>
<iframe id="frame" src="/inner"></iframe>
<script>
  document.getElementById('host').attachShadow({ mode: 'open' }).innerHTML = '<button id="shadow-btn" onclick="this.textContent=\\'Shadow clicked\\'">Shadow button</button>';
  setTimeout(() => { const d = document.createElement('p'); d.id = 'late'; d.textContent = 'Arrived late'; document.body.append(d); }, 300);
</script>`;

const INNER = `<!doctype html><title>inner</title><button id="inner-btn" onclick="this.textContent='Inner clicked'">Inner button</button>`;

const TALL = `<!doctype html><title>tall</title><style>body{margin:0} div{width:1000px;height:2400px;background:linear-gradient(red,blue)}</style><div></div>`;

function pngSize(buf: Buffer): { width: number; height: number } {
  assert.equal(buf.readUInt32BE(0), 0x89504e47, 'PNG signature');
  assert.equal(buf.toString('ascii', 12, 16), 'IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

function data<T = Record<string, unknown>>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

describe('dom commands', () => {
  let server: FixtureServer;
  let dir: string;
  let files: string;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });

  before(async () => {
    server = await FixtureServer.start();
    server
      .html('/form', FORM)
      .html('/inner', INNER)
      .html('/react', REACT_LIKE)
      .html('/tall', TALL)
      .html('/other', '<!doctype html><title>other</title><p>Other page</p>');
    server.route('/submit', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>thanks</title><h1>Thanks</h1>');
    });
    dir = tempSessionDir('dom');
    files = mkdtempSync(join(tmpdir(), 'bdg-dom-files-'));
    const r = await bdg([server.url('/form'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(files, { recursive: true, force: true });
  });

  it('queries CSS and text forms, inside shadow roots and iframes, with refs', async () => {
    const q = data<{ count: number; nodes: Array<{ ref: string; tag: string; text: string; visible: boolean }> }>(
      await run('dom', 'query', 'button:has-text("Place order")'),
    );
    assert.equal(q.count, 1);
    assert.match(q.nodes[0]?.ref ?? '', /^e\d+$/);
    assert.equal(q.nodes[0]?.text, 'Place order');
    const shadow = data<{ count: number; nodes: Array<{ inShadowRoot?: boolean }> }>(await run('dom', 'query', 'text=Shadow button'));
    assert.equal(shadow.count, 1);
    assert.equal(shadow.nodes[0]?.inShadowRoot, true);
    const inner = data<{ count: number; nodes: Array<{ frame?: string }> }>(await run('dom', 'query', '#inner-btn'));
    assert.equal(inner.count, 1);
    assert.match(inner.nodes[0]?.frame ?? '', /iframe/);
    const hidden = data<{ nodes: Array<{ visible: boolean }> }>(await run('dom', 'query', '#hidden'));
    assert.equal(hidden.nodes[0]?.visible, false);
    // Same element, same ref.
    const again = data<{ nodes: Array<{ ref: string }> }>(await run('dom', 'query', 'button[type=submit]'));
    assert.equal(again.nodes[0]?.ref, q.nodes[0]?.ref);
    const human = await bdg(['dom', 'query', 'button'], { sessionDir: dir });
    assert.equal(human.code, 0);
    assert.match(human.stdout, /e\d+\s+button/);
  });

  it('clicks inside a shadow root and a same-origin iframe', async () => {
    data(await run('dom', 'click', '#shadow-btn'));
    data(await run('dom', 'click', 'text=Inner button'));
    const v = data<{ value: string }>(
      await run(
        'dom',
        'eval',
        "document.querySelector('#host').shadowRoot.querySelector('button').textContent + '|' + document.querySelector('#frame').contentDocument.querySelector('#inner-btn').textContent",
      ),
    );
    assert.equal(v.value, 'Shadow clicked|Inner clicked');
  });

  it('answers dialogs without hanging and reports them', async () => {
    const a = data<{ triggered: { dialogs: Array<{ type: string; message: string; action: string }> } }>(await run('dom', 'click', '#alert'));
    assert.deepEqual(
      a.triggered.dialogs.map((d) => [d.type, d.message, d.action]),
      [['alert', 'Hello', 'accept']],
    );
    const c = data<{ triggered: { dialogs: Array<{ action: string }> } }>(await run('dom', 'click', '#confirm', '--dialog', 'dismiss'));
    assert.equal(c.triggered.dialogs[0]?.action, 'dismiss');
    assert.equal(data<{ value: string }>(await run('dom', 'eval', "document.querySelector('#out').textContent")).value, 'confirm:false');
    data(await run('dom', 'click', '#confirm'));
    assert.equal(data<{ value: string }>(await run('dom', 'eval', "document.querySelector('#out').textContent")).value, 'confirm:true');
    const list = data<{ dialogs: unknown[] }>(await run('page', 'dialogs'));
    assert.equal(list.dialogs.length, 3);
  });

  it('fails clearly on hidden, disabled, covered and missing elements', async () => {
    const hidden = await run('dom', 'click', '#hidden', '--timeout', '0.3');
    assert.equal(hidden.code, 104);
    assert.match((hidden.json as { error: string }).error, /not visible/);
    const disabled = await run('dom', 'click', '#disabled', '--timeout', '0.3');
    assert.equal(disabled.code, 104);
    assert.match((disabled.json as { error: string }).error, /disabled/);
    const covered = await run('dom', 'click', '#under', '--timeout', '0.3');
    assert.equal(covered.code, 104);
    assert.match((covered.json as { error: string }).error, /on top of it \(div#overlay\)/);
    const missing = await run('dom', 'click', '#nope', '--timeout', '0');
    assert.equal(missing.code, 83);
    const bad = await run('dom', 'query', 'button[');
    assert.equal(bad.code, 81);
  });

  it('waits for late elements, and times out with exit 102', async () => {
    const ok = data<{ met: Record<string, boolean> }>(await run('dom', 'wait', '--text', 'arrived late', '--timeout', '5'));
    assert.equal(ok.met['text'], true);
    const r = await run('dom', 'wait', '--selector', '#never', '--timeout', '0.5');
    assert.equal(r.code, 102);
  });

  it('evaluates with await and by value; a page exception is exit 91 with its message', async () => {
    const v = data<{ value: unknown; type: string }>(
      await run('dom', 'eval', 'await new Promise((r) => setTimeout(() => r({ n: 1 + 1, s: document.title }), 50))'),
    );
    assert.deepEqual(v.value, { n: 2, s: 'form' });
    const err = await run('dom', 'eval', 'throw new TypeError("nope")');
    assert.equal(err.code, 91);
    assert.match((err.json as { error: string }).error, /TypeError: nope/);
    // an expression whose value is a promise (no `await` written) is awaited too
    const p = data<{ value: unknown }>(await run('dom', 'eval', 'new Promise((r) => setTimeout(() => r([1, { two: 2 }]), 50))'));
    assert.deepEqual(p.value, [1, { two: 2 }]);
    const rejected = await run('dom', 'eval', 'Promise.reject(new Error("refused"))');
    assert.equal(rejected.code, 91);
    assert.match((rejected.json as { error: string }).error, /Error: refused/);
    const node = data<{ value: unknown; type: string }>(await run('dom', 'eval', 'document.body'));
    assert.equal(node.type, 'object:node');
    assert.equal(node.value, 'body');
  });

  it('uses modifiers with press (Control+A, Backspace clears the field)', async () => {
    data(await run('dom', 'fill', '#email', 'to-be-cleared'));
    data(await run('dom', 'press', 'Control+A', '--selector', '#email'));
    data(await run('dom', 'pressKey', 'Backspace'));
    assert.equal(data<{ value: string }>(await run('dom', 'eval', "document.querySelector('#email').value")).value, '');
  });

  it('takes full-page, viewport, element and scaled screenshots; unwritable path is exit 82', async () => {
    data(await run('page', 'navigate', server.url('/tall')));
    const full = data<{ width: number; height: number; path: string }>(await run('dom', 'screenshot', join(files, 'full.png')));
    const fullSize = pngSize(readFileSync(join(files, 'full.png')));
    assert.deepEqual(fullSize, { width: full.width, height: full.height });
    assert.ok(fullSize.height >= 2400, `full page height ${fullSize.height}`);
    const vp = pngSize(readFileSync(join(files, 'full.png')));
    data(await run('dom', 'screenshot', join(files, 'vp.png'), '--viewport'));
    const vpSize = pngSize(readFileSync(join(files, 'vp.png')));
    assert.ok(vpSize.height < vp.height, 'viewport shot is shorter than the page');
    data(await run('dom', 'screenshot', join(files, 'small.png'), '--max-width', '300'));
    const small = pngSize(readFileSync(join(files, 'small.png')));
    assert.equal(small.width, 300);
    assert.ok(Math.abs(small.height - Math.round((fullSize.height * 300) / fullSize.width)) <= 2);
    const el = data<{ width: number; height: number }>(await run('dom', 'screenshot', join(files, 'el.jpg'), '--selector', 'div'));
    const jpg = readFileSync(join(files, 'el.jpg'));
    assert.equal(jpg[0], 0xff);
    assert.equal(jpg[1], 0xd8);
    assert.equal(el.width, 1000);
    writeFileSync(join(files, 'a-file'), 'x');
    const denied = await run('dom', 'screenshot', join(files, 'a-file', 'x.png'));
    assert.equal(denied.code, 82);
    const missingDir = await run('dom', 'screenshot', join(files, 'no-such-dir', 'x.png'));
    assert.equal(missingDir.code, 82);
  });

  it('fills a React-style controlled input so its handler sees the change', async () => {
    data(await run('page', 'navigate', server.url('/react')));
    // The fixture ignores a naive assignment, like React does.
    data(await run('dom', 'eval', "const i = document.querySelector('#name'); i.value = 'naive'; i.dispatchEvent(new Event('input', { bubbles: true })); 0"));
    assert.equal(data<{ value: string }>(await run('dom', 'eval', "document.querySelector('#echo').textContent")).value, 'state:');
    data(await run('dom', 'fill', '#name', 'Ada Lovelace'));
    assert.equal(data<{ value: string }>(await run('dom', 'eval', "document.querySelector('#echo').textContent")).value, 'state:Ada Lovelace');
  });

  it('posts a form filled and clicked, and the fixture server sees it', async () => {
    data(await run('page', 'navigate', server.url('/form')));
    const upload = join(files, 'cv.txt');
    writeFileSync(upload, 'curriculum');
    data(await run('dom', 'fill', '#email', 'ada@example.com'));
    data(await run('dom', 'fill', '#qty', '3'));
    const sel = data<{ value: string }>(await run('dom', 'fill', 'select[name=country]', 'Sweden'));
    assert.equal(sel.value, 'se');
    const cb = data<{ checked: boolean }>(await run('dom', 'fill', '#terms', 'true'));
    assert.equal(cb.checked, true);
    const file = data<{ kind: string }>(await run('dom', 'fill', '#upload', upload));
    assert.equal(file.kind, 'file');
    const posted = server.waitForRequest('/submit');
    const click = data<{ triggered: { navigated: boolean; url: string; requests: Array<{ method: string; url: string }> } }>(
      await run('dom', 'click', 'button:has-text("Place order")'),
    );
    const seen = await posted;
    assert.equal(seen.method, 'POST');
    const body = seen.body.toString('latin1');
    assert.match(body, /ada@example\.com/);
    assert.match(body, /name="country"\r\n\r\nse/);
    assert.match(body, /name="terms"\r\n\r\nyes/);
    assert.match(body, /curriculum/);
    assert.equal(click.triggered.navigated, true);
    assert.match(click.triggered.url, /\/submit$/);
    assert.ok(click.triggered.requests.some((r) => r.method === 'POST' && r.url.endsWith('/submit')));
  });

  it('submits a form and waits for the navigation', async () => {
    data(await run('page', 'navigate', server.url('/form')));
    const posted = server.waitForRequest('/submit');
    const r = data<{ triggered: { url: string } }>(await run('dom', 'submit', '#email'));
    await posted;
    assert.match(r.triggered.url, /\/submit$/);
  });

  it('makes refs stale after a navigation (exit 87), never acting on another element', async () => {
    data(await run('page', 'navigate', server.url('/form')));
    const q = data<{ nodes: Array<{ ref: string }> }>(await run('dom', 'query', '#confirm'));
    const ref = q.nodes[0]?.ref as string;
    data(await run('dom', 'click', ref));
    data(await run('page', 'navigate', server.url('/other')));
    const stale = await run('dom', 'click', ref);
    assert.equal(stale.code, 87);
    assert.match((stale.json as { hint: string }).hint, /dom query/);
    // An element removed from the live document is stale too.
    const p = data<{ nodes: Array<{ ref: string }> }>(await run('dom', 'query', 'p'));
    data(await run('dom', 'eval', "document.querySelector('p').remove()"));
    assert.equal((await run('dom', 'get', p.nodes[0]?.ref as string)).code, 87);
  });

  it('a command releasing its page handles never frees those of another running at the same time', async () => {
    // Once one shared object group: a concurrent query (or each poll of `dom wait`) released the promise this eval
    // was awaiting, and it failed with "Could not find object with given id" (exit 110).
    data(await run('page', 'navigate', server.url('/form')));
    const slow = run('dom', 'eval', 'new Promise((resolve) => setTimeout(() => resolve(document.title + ":late"), 800))');
    const waiting = run('dom', 'wait', '#never-there', '--timeout', '1.5');
    const queries = await Promise.all(Array.from({ length: 6 }, () => run('dom', 'query', 'button')));
    for (const q of queries) assert.equal(q.code, 0, q.stdout);
    assert.equal(data<{ result: string }>(await slow).result, `${data<{ result: string }>(await run('dom', 'eval', 'document.title')).result}:late`);
    assert.equal((await waiting).code, 102);
  });

  it('prints an accessibility tree with refs and finds nodes by role and name', async () => {
    data(await run('page', 'navigate', server.url('/form')));
    const tree = await bdg(['dom', 'a11y'], { sessionDir: dir });
    assert.equal(tree.code, 0);
    assert.match(tree.stdout, /- button "Place order" e\d+/);
    assert.match(tree.stdout, /checkbox .*e\d+/);
    const q = data<{ matches: Array<{ ref: string; name: string }> }>(await run('dom', 'a11y', 'query', '--role', 'button', '--name', 'place'));
    assert.equal(q.matches.length, 1);
    const got = data<{ tag: string; text: string }>(await run('dom', 'get', q.matches[0]?.ref as string));
    assert.equal(got.tag, 'button');
    assert.equal(got.text, 'Place order');
  });
});
