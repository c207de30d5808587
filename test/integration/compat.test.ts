import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';

/**
 * What scripts written for the original bdg rely on, from its CLI reference and changelog: field names, argument
 * forms and exit codes; and the interaction cases its tests exercise (impossible fills, validation-blocked
 * submissions, a label over its own transparent checkbox).
 */
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
<script>
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
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const evalValue = async <T>(expr: string): Promise<T> => data<{ result: T }>(await run('dom', 'eval', expr)).result;

  before(async () => {
    server = await FixtureServer.start();
    server.html('/forms', FORMS).html('/next', '<!doctype html><title>next</title><li class="item">Elsewhere</li>');
    dir = tempSessionDir('compat');
    const r = await bdg([server.url('/forms'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
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
});
