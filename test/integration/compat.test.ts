import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';

/**
 * What scripts written for the original bdg rely on, from its CLI reference and changelog: field names, argument
 * forms and exit codes; and the interaction cases its tests exercise (impossible fills, validation-blocked
 * submissions, a label over its own transparent checkbox).
 */
const SELECTORS = `<!doctype html><title>selectors</title>
<ul id="todos"><li>Write report <input type="checkbox" class="toggle" id="t1"></li><li>Buy milk <input type="checkbox" class="toggle" id="t2"></li></ul>
<nav><a href="/">Home</a> <a href="/homepage">Homepage</a></nav>
<p class="item" id="hidden-item" style="display:none">x hidden</p><p class="item" id="shown-item">x shown</p>
<label>Customer name <input id="cust"></label>
<input id="pw" type="password" value="hunter2"><input id="otp" autocomplete="one-time-code">`;

const FORMS = `<!doctype html><title>forms</title>
<style>
  .check { position: relative; display: inline-block; padding-left: 28px; }
  .check input { position: absolute; left: 0; top: 0; width: 20px; height: 20px; margin: 0; opacity: 0; }
  .check .box { position: absolute; left: 0; top: 0; width: 18px; height: 18px; border: 1px solid #333; }
</style>
<input id="qty" type="number" value="3" min="1" max="10">
<input id="code" maxlength="4" value="ab">
<form id="signup" action="/signed-up" method="post">
  <input id="email" name="email" type="email" required>
  <input id="nick" name="nick">
  <button id="send" type="submit">Send</button>
</form>
<form id="labels" style="position: relative">
  <label class="check" id="remember-label"><input type="checkbox" id="remember"><span class="box"></span>Remember me</label>
  <p style="position: relative"><label for="terms" id="terms-label">Terms</label><input type="checkbox" id="terms" style="opacity: 0; position: absolute; left: 0; top: 0; width: 60px; height: 24px"></p>
</form>
<ul><li class="item">One</li><li class="item">Two</li><li class="item">Three</li></ul>
<p id="out"></p>
<input id="keys" data-downs="0" onkeydown="if (event.key === 'ArrowDown') this.dataset.downs = String(Number(this.dataset.downs) + 1)">
<p id="spinner">Loading…</p>
<script>
  setTimeout(() => { document.getElementById('spinner').remove(); const p = document.createElement('p'); p.id = 'late'; p.textContent = 'Late'; document.body.append(p); }, 400);
  document.getElementById('signup').addEventListener('submit', (e) => { e.preventDefault(); document.getElementById('out').textContent = 'submitted'; });
</script>`;

interface Failure {
  error: string;
  exitCode: number;
  data?: Record<string, unknown>;
}

function data<T = Record<string, unknown>>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

function failed(r: RunResult, code: number): Failure {
  assert.equal(r.code, code, `expected exit ${code}, got ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.json as Failure;
}

describe('compatibility with the original bdg', () => {
  let server: FixtureServer;
  let dir: string;
  let files: string;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const evalValue = async <T>(expr: string): Promise<T> => data<{ result: T }>(await run('dom', 'eval', expr)).result;

  before(async () => {
    server = await FixtureServer.start();
    server.html('/forms', FORMS).html('/selectors', SELECTORS).html('/next', '<!doctype html><title>next</title><li class="item">Elsewhere</li>');
    dir = tempSessionDir('compat');
    files = mkdtempSync(join(tmpdir(), 'bdg-compat-files-'));
    const r = await bdg([server.url('/forms'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    // The start answers the document's readyState, as the original bdg's does.
    assert.equal((r.json as { data: { readyState: string } }).data.readyState, 'complete');
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(files, { recursive: true, force: true });
  });

  it('dom fill refuses "abc" in a number input with 81 and keeps the old value', async () => {
    const f = failed(await run('dom', 'fill', '#qty', 'abc'), 81);
    assert.match(f.error, /did not accept "abc".*not a number/);
    assert.equal(await evalValue('document.getElementById("qty").value'), '3');
    // A number out of min/max is filled, with a warning.
    const w = data<{ value: string; warning?: string }>(await run('dom', 'fill', '#qty', '42'));
    assert.equal(w.value, '42');
    assert.match(w.warning ?? '', /range/);
    assert.equal(data<{ value: string; warning?: string }>(await run('dom', 'fill', '#qty', '7')).warning, undefined);
  });

  it('dom fill refuses text longer than maxlength with 81', async () => {
    const f = failed(await run('dom', 'fill', '#code', 'abcdefg'), 81);
    assert.match(f.error, /7 characters.*at most 4 \(maxlength\)/);
    assert.equal(await evalValue('document.getElementById("code").value'), 'ab');
    assert.equal(data<{ value: string }>(await run('dom', 'fill', '#code', 'abcd')).value, 'abcd');
  });

  it('dom submit with an empty required field reports submitBlocked and exits 81; so do a click and Enter', async () => {
    const s = failed(await run('dom', 'submit', '#signup'), 81);
    const blocked = s.data?.['submitBlocked'] as { field: string; name?: string; validationMessage: string };
    assert.equal(blocked.name, 'email');
    assert.match(blocked.field, /input#email/);
    assert.ok(blocked.validationMessage.length > 0, 'the browser says why');
    assert.match(s.error, /blocked by the browser's form validation/);
    assert.equal(await evalValue('document.getElementById("out").textContent'), '');
    const c = failed(await run('dom', 'click', '#send'), 81);
    assert.equal((c.data?.['submitBlocked'] as { name?: string }).name, 'email');
    const k = failed(await run('dom', 'pressKey', 'Enter', '--selector', '#nick'), 81);
    assert.equal((k.data?.['submitBlocked'] as { name?: string }).name, 'email');
    // Once valid, the same submit goes through.
    data(await run('dom', 'fill', '#email', 'ada@example.com'));
    data(await run('dom', 'submit', '#signup'));
    assert.equal(await evalValue('document.getElementById("out").textContent'), 'submitted');
  });

  it('dom click on a label over its own transparent checkbox, and on the checkbox under its styled box', async () => {
    data(await run('dom', 'click', '#terms-label'));
    assert.equal(await evalValue('document.getElementById("terms").checked'), true);
    data(await run('dom', 'click', '#remember'));
    assert.equal(await evalValue('document.getElementById("remember").checked'), true);
    data(await run('dom', 'click', '#remember-label'));
    assert.equal(await evalValue('document.getElementById("remember").checked'), false);
  });

  it('dom query --json: {count, nodes: [{index, nodeId, preview, role, ref}], omitted}; indexes are targets', async () => {
    const q = data<{ count: number; omitted: number; nodes: Array<{ index: number; nodeId: number; preview: string; role?: string; ref: string }> }>(
      await run('dom', 'query', 'li.item', '--limit', '2'),
    );
    assert.equal(q.count, 3);
    assert.equal(q.omitted, 1);
    assert.deepEqual(
      q.nodes.map((n) => [n.index, n.preview, n.role]),
      [
        [0, 'One', 'listitem'],
        [1, 'Two', 'listitem'],
      ],
    );
    assert.ok(q.nodes.every((n) => Number.isInteger(n.nodeId) && /^e\d+$/.test(n.ref)));
    const got = data<{ text: string; ref: string }>(await run('dom', 'get', '1'));
    assert.equal(got.text, 'Two');
    assert.equal(got.ref, q.nodes[1]?.ref);
    // Past what was listed: 81 with the reason; no match at all: 83.
    assert.match(failed(await run('dom', 'get', '2'), 81).error, /out of range.*first 2 of its 3/);
    failed(await run('dom', 'query', '.nothing-has-this'), 83);
    const human = await bdg(['dom', 'query', 'li.item'], { sessionDir: dir });
    assert.match(human.stdout, /\[0\] +e\d+ +li\.item +"One"/);
  });

  it('dom a11y query takes the original pattern form; no match is 83', async () => {
    const q = data<{ matches: Array<{ role: string; name: string; ref: string }> }>(await run('dom', 'a11y', 'query', 'role=button name=Send'));
    assert.deepEqual(
      q.matches.map((m) => [m.role, m.name]),
      [['button', 'Send']],
    );
    const colon = data<{ matches: Array<{ name: string }> }>(await run('dom', 'a11y', 'query', 'role:checkbox'));
    assert.equal(colon.matches.length, 2);
    failed(await run('dom', 'a11y', 'query', 'role=button name=No such button'), 83);
    failed(await run('dom', 'a11y', 'query', 'button'), 81);
  });

  it("action results carry the original fields next to bdg's", async () => {
    const c = data<{
      method: string;
      elementType: string;
      triggeredRequests: unknown[];
      dialogs: unknown[];
      errors: unknown[];
      triggered: { requests: unknown[] };
    }>(await run('dom', 'click', 'li.item'));
    assert.equal(c.method, 'mouse events');
    assert.equal(c.elementType, 'li');
    assert.deepEqual([c.triggeredRequests, c.dialogs, c.errors], [[], [], []]);
    assert.ok(Array.isArray(c.triggered.requests));
  });

  it('status --json has active, pageState.url, chromePid and port; page navigate has readyState', async () => {
    const st = data<{ active: boolean; pageState: { url: string }; chromePid: number; port: number | null; running: boolean }>(await run('status'));
    assert.equal(st.active, true);
    assert.equal(st.running, true);
    assert.equal(st.pageState.url, server.url('/forms'));
    assert.ok(Number.isInteger(st.chromePid) && st.chromePid > 0);
    assert.ok('port' in st);
    const nav = data<{ readyState: string; url: string }>(await run('page', 'navigate', server.url('/next')));
    assert.equal(nav.readyState, 'complete');
  });

  it('a query index goes stale (87) after a navigation', async () => {
    data(await run('dom', 'query', 'li.item'));
    data(await run('page', 'navigate', server.url('/forms')));
    const f = failed(await run('dom', 'click', '0'), 87);
    assert.match(f.error, /Index 0 is from `dom query "li.item"`.*navigated/);
  });

  it('dom pressKey <target> <key> --times, dom screenshot <file> [target] --no-full-page, dom wait <selector> --visible/--gone/--load', async () => {
    data(await run('page', 'navigate', server.url('/forms')));
    const k = data<{ key: string; element: { id: string } }>(await run('dom', 'pressKey', '#keys', 'ArrowDown', '--times', '3'));
    assert.equal(k.element.id, 'keys');
    assert.equal(await evalValue('document.getElementById("keys").dataset.downs'), '3');
    const shot = join(files, 'vis.png');
    const v = data<{ mode: string; path: string }>(await run('dom', 'screenshot', shot, '--no-full-page'));
    assert.equal(v.mode, 'viewport');
    const el = data<{ mode: string; element: { id: string } }>(await run('dom', 'screenshot', join(files, 'el.png'), '#signup'));
    assert.equal(el.mode, 'element');
    assert.equal(el.element.id, 'signup');
    const present = data<{ met: Record<string, boolean> }>(await run('dom', 'wait', '#late', '--timeout', '5'));
    assert.deepEqual(present.met, { element: true });
    const visible = data<{ met: Record<string, boolean> }>(await run('dom', 'wait', '#late', '--visible', '--load', '--timeout', '5'));
    assert.deepEqual(visible.met, { element: true, load: true });
    const gone = data<{ met: Record<string, boolean> }>(await run('dom', 'wait', '#spinner', '--gone', '--timeout', '5'));
    assert.deepEqual(gone.met, { gone: true });
    failed(await run('dom', 'wait', '#never-there', '--timeout', '0.3'), 102);
  });

  it('selector filters :visible, :text-is(), :has-text() on any step (scoping the rest); a label stands for its control', async () => {
    data(await run('page', 'navigate', server.url('/selectors')));
    const ids = async (sel: string): Promise<Array<string | undefined>> =>
      data<{ nodes: Array<{ id?: string; tag: string; attrs: Record<string, string> }> }>(await run('dom', 'query', sel)).nodes.map(
        (n) => n.id ?? n.attrs['href'],
      );
    assert.deepEqual(await ids('li:has-text("Write report") .toggle'), ['t1']);
    assert.deepEqual(await ids('li:has-text("milk") > input'), ['t2']);
    assert.deepEqual(await ids('nav a:text-is("Home")'), ['/']);
    assert.deepEqual(await ids('nav a:has-text("home")'), ['/', '/homepage']);
    assert.deepEqual(await ids('.item:visible'), ['shown-item']);
    assert.deepEqual(await ids('.item:has-text("x")'), ['hidden-item', 'shown-item']);
    assert.deepEqual(await ids('label:has-text("Customer name") input'), ['cust']);
    assert.match(failed(await run('dom', 'query', 'li:has-text("x") + li'), 81).error, /descendant \(space\) or child/);
    failed(await run('dom', 'query', ':not(:visible)'), 81);
    // dom fill on a label fills its control.
    const f = data<{ element: { id: string; viaLabel?: string }; elementType: string }>(await run('dom', 'fill', 'label:has-text("Customer name")', 'Ada'));
    assert.equal(f.element.id, 'cust');
    assert.equal(f.elementType, 'input (via label)');
    assert.equal(await evalValue('document.getElementById("cust").value'), 'Ada');
  });

  it('secret fields are masked in dom fill, dom get and dom query output', async () => {
    const f = data<{ value: string; masked?: boolean }>(await run('dom', 'fill', '#otp', '123456'));
    assert.equal(f.masked, true);
    assert.doesNotMatch(JSON.stringify(f), /123456/);
    const g = await run('dom', 'get', '#pw');
    assert.equal(g.code, 0);
    assert.doesNotMatch(g.stdout, /hunter2/);
    assert.equal((g.json as { data: { secret?: boolean } }).data.secret, true);
    const q = await run('dom', 'query', 'input');
    assert.doesNotMatch(q.stdout, /hunter2|123456/);
    assert.equal(await evalValue('document.getElementById("otp").value'), '123456');
  });

  it('an unknown subcommand names itself', async () => {
    const r = failed(await run('dom', 'layuot'), 81);
    assert.match(r.error, /^Unknown command "dom layuot"$/);
  });

  it('--last 0 means all', async () => {
    const all = data<{ network: unknown[] }>(await run('peek', '--last', '0', '--network'));
    const one = data<{ network: unknown[] }>(await run('peek', '--last', '1', '--network'));
    assert.equal(one.network.length, 1);
    assert.ok(all.network.length >= 3, `peek --last 0 lists every request (${all.network.length})`);
    const list = data<{ requests: unknown[] }>(await run('network', 'list', '--last', '0'));
    assert.equal(list.requests.length, all.network.length);
  });
});
