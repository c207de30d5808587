import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';

/**
 * A page that replaces the built-ins a DOM helper would use: every query answers `body`, `matches` is always true,
 * `Event` and `dispatchEvent` throw, hit testing answers `body` and boxes are 1 px in the corner. Its own handlers
 * were attached before, so they still work; a click that lands on body says so.
 */
const TAMPERED = `<!doctype html><title>tampered</title>
<style>button, .target, input { display: block; margin: 40px; }</style>
<button id="go" onclick="document.getElementById('out').textContent = 'go clicked'">Go</button>
<div class="target">Target</div>
<input id="name">
<p id="out">nothing</p>
<form id="f" action="/done"><input name="action" value="shadows form.action"><input name="requestSubmit" value="shadows form.requestSubmit"><input id="agree" type="checkbox" name="agree"><button>Send</button></form>
<script>
  const out = document.getElementById('out');
  document.body.addEventListener('click', (e) => { if (e.target === document.body) out.textContent = 'body clicked'; });
  document.getElementById('name').addEventListener('input', (e) => { out.textContent = 'input:' + e.target.value; });
  document.getElementById('f').addEventListener('submit', (e) => { e.preventDefault(); out.textContent = 'submitted'; });
  const body = () => document.body;
  HTMLFormElement.prototype.requestSubmit = function () { out.textContent = 'page requestSubmit'; };
  Object.defineProperty(HTMLInputElement.prototype, 'checked', { get() { return false; }, set() {} });
  for (const P of [Document.prototype, Element.prototype, DocumentFragment.prototype]) {
    P.querySelectorAll = function () { return [document.body]; };
    P.querySelector = body;
  }
  Element.prototype.matches = () => true;
  Element.prototype.closest = body;
  Document.prototype.elementFromPoint = body;
  ShadowRoot.prototype.elementFromPoint = body;
  Element.prototype.getBoundingClientRect = () => ({ left: 0, top: 0, x: 0, y: 0, width: 1, height: 1, right: 1, bottom: 1 });
  window.Event = function () { throw new TypeError('Event is not a constructor (replaced by the page)'); };
  window.InputEvent = window.Event;
  EventTarget.prototype.dispatchEvent = function () { throw new TypeError('dispatchEvent replaced by the page'); };
  Array.prototype.includes = () => false;
  Object.getOwnPropertyDescriptor = () => undefined;
</script>`;

function data<T = Record<string, unknown>>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

describe('pages that replace built-ins', () => {
  let server: FixtureServer;
  let dir: string;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const pageText = async (): Promise<string> => {
    const r = data<{ result: string }>(await run('dom', 'eval', "document.getElementById('out').textContent"));
    return r.result;
  };

  before(async () => {
    server = await FixtureServer.start();
    server.html('/tampered', TAMPERED).html('/plain', '<!doctype html><title>plain</title><div class="target">Plain</div>');
    dir = tempSessionDir('tamper');
    const r = await bdg([server.url('/tampered'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
  });

  it('dom query finds the element, not body', async () => {
    const q = data<{ count: number; nodes: Array<{ preview: string; tag: string }> }>(await run('dom', 'query', '.target'));
    assert.equal(q.count, 1);
    assert.equal(q.nodes[0]?.tag, 'div');
    assert.match(q.nodes[0]?.preview ?? '', /Target/);
    const text = data<{ count: number; nodes: Array<{ tag: string }> }>(await run('dom', 'query', 'button:has-text("Go")'));
    assert.deepEqual(
      text.nodes.map((n) => n.tag),
      ['button'],
    );
  });

  it('dom click clicks the button, not body', async () => {
    const c = data<{ element: { tag: string; id?: string } }>(await run('dom', 'click', '#go'));
    assert.equal(c.element.id, 'go');
    assert.equal(await pageText(), 'go clicked');
  });

  it('dom fill fills and fires input despite the replaced Event and dispatchEvent', async () => {
    const f = data<{ value: string }>(await run('dom', 'fill', '#name', 'Ada'));
    assert.equal(f.value, 'Ada');
    assert.equal(await pageText(), 'input:Ada');
  });

  it('dom submit and a checkbox fill use the real form and input, whatever the page replaced or its controls shadow', async () => {
    const f = data<{ form: { action: string } }>(await run('dom', 'submit', '#f'));
    assert.match(f.form.action, /\/done$/);
    assert.equal(await pageText(), 'submitted');
    const c = data<{ checked: boolean }>(await run('dom', 'fill', '#agree', 'true'));
    assert.equal(c.checked, true);
  });

  it('dom eval runs in the page itself, where the replaced built-ins are', async () => {
    const r = data<{ result: string }>(await run('dom', 'eval', "(() => { try { new Event('x'); return 'native'; } catch (e) { return 'page'; } })()"));
    assert.equal(r.result, 'page');
  });

  it('keeps working after a navigation (a new isolated world per document)', async () => {
    data(await run('page', 'navigate', server.url('/plain')));
    const q = data<{ count: number; nodes: Array<{ preview: string }> }>(await run('dom', 'query', '.target'));
    assert.equal(q.count, 1);
    assert.match(q.nodes[0]?.preview ?? '', /Plain/);
    data(await run('page', 'navigate', server.url('/tampered')));
    data(await run('dom', 'click', '#go'));
    assert.equal(await pageText(), 'go clicked');
  });
});
