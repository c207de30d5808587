import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';
import type { ListenersResult } from '../../src/protocol/commands/domInspect.js';

/**
 * Output that fits an agent: bounded listings (100 rows, count/omitted, long values cut, --full), actions that say
 * why they cannot act (a `disabled` class the page styles as such) or that they had no visible effect, framework
 * handlers in `dom listeners` (jQuery and Preact, their npm builds served from node_modules), plurals and hints.
 */
const NODE_MODULES = fileURLToPath(new URL('../../../node_modules/', import.meta.url));

const PAGE = `<!doctype html><html><head><title>agent output</title>
<style>
  .btn { display: inline-block; padding: 4px 8px; border: 1px solid #333; }
  .btn.disabled { opacity: .65; cursor: not-allowed; }
</style></head><body>
<button id="noop">Nothing</button>
<button id="grow" onclick="document.body.append(Object.assign(document.createElement('p'), { textContent: 'grown' }))">Grow</button>
<button id="log" onclick="console.log('clicked log')">Log</button>
<input type="checkbox" id="cb">
<a id="bs" class="btn disabled" href="#bs" onclick="document.title = 'bs clicked'; return false"><span id="bs-inner">Bootstrap</span></a>
<button id="unstyled" class="disabled" onclick="document.title = 'unstyled clicked'">Unstyled</button>
<div id="jq"><button id="jq-btn">jQuery</button></div>
<div id="pre"></div>
<ul>${Array.from({ length: 30 }, (_, i) => `<li>item ${i}</li>`).join('')}</ul>
<script src="/vendor/jquery/jquery.js"></script>
<script>
  $('#jq-btn').on('click', function jqDirect() { document.title = 'jq'; });
  $(document).on('click', '#jq button', function jqDelegated() { return 1; });
  $(document).on('click', '.nothing-here', function notForThisElement() { return 2; });
  for (let i = 0; i < 150; i++) console.log('message ' + i);
  console.log('L'.repeat(3000));
  console.error('the only error');
  Promise.all(Array.from({ length: 120 }, (_, i) => fetch('/r?i=' + i))).then(() => { document.body.dataset.fetched = '1'; });
</script>
<script type="module">
  import { h, render } from '/vendor/preact/preact.mjs';
  render(h('button', { id: 'pre-btn', onClick: function preactClick() { document.title = 'preact'; } }, 'Preact'), document.getElementById('pre'));
</script></body></html>`;

function data<T = Record<string, unknown>>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

describe('output that fits an agent', () => {
  let server: FixtureServer;
  const dir = tempSessionDir('agentout');
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const text = (...args: string[]): Promise<RunResult> => bdg(args, { sessionDir: dir, timeoutMs: 60_000 });
  const title = async (): Promise<unknown> => data<{ result: unknown }>(await run('dom', 'eval', 'document.title')).result;

  before(async () => {
    server = await FixtureServer.start();
    server.directory('/vendor/jquery/', join(NODE_MODULES, 'jquery/dist'));
    // A module script needs a JavaScript MIME type, which the directory route does not give .mjs files.
    server.static('/vendor/preact/preact.mjs', 'text/javascript', readFileSync(join(NODE_MODULES, 'preact/dist/preact.mjs')));
    server.static('/favicon.ico', 'image/x-icon', '');
    server.route('/r', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    server.html('/', PAGE);
    data(await run(server.url('/')));
    data(await run('dom', 'wait', '#pre-btn'));
    data(await run('dom', 'wait', 'body[data-fetched]'));
  });

  after(async () => {
    await teardown(dir);
    await server.close();
  });

  it('console: 100 newest rows with count and omitted, long values cut with a marker; --full shows all of it', async () => {
    const d = data<{ messages: Array<{ text: string }>; count: number; omitted: number; matched: number }>(await run('console'));
    assert.equal(d.messages.length, 100);
    assert.equal(d.count, d.matched);
    assert.ok(d.count >= 152, `count ${d.count}`);
    assert.equal(d.omitted, d.count - 100);
    assert.equal(d.messages.at(-1)?.text, 'the only error', 'the newest rows are kept');
    const long = d.messages.find((m) => m.text.startsWith('LLLL'));
    assert.equal(long?.text, `${'L'.repeat(1000)}… [2000 more chars cut; --full shows all]`);
    const full = data<{ messages: Array<{ text: string }>; count?: number; omitted?: number }>(await run('console', '--full'));
    assert.equal(full.messages.length, d.count);
    assert.equal(full.omitted, undefined);
    assert.equal(full.messages.find((m) => m.text.startsWith('LLLL'))?.text.length, 3000);
    const t = await text('console');
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, new RegExp(`… ${d.omitted} more messages \\(--full shows all\\)`));
    assert.match(t.stdout, /, 1 error[,\n]/, 'one error is "1 error"');
  });

  it('network list --last 0: still 100 rows (count/omitted) unless --full', async () => {
    const d = data<{ requests: Array<{ id: string }>; count: number; omitted: number }>(await run('network', 'list', '--last', '0'));
    assert.equal(d.requests.length, 100);
    assert.ok(d.count >= 122, `count ${d.count}`);
    assert.equal(d.omitted, d.count - 100);
    const full = data<{ requests: unknown[] }>(await run('network', 'list', '--last', '0', '--full'));
    assert.equal(full.requests.length, d.count);
    const t = await text('network', 'list', '--last', '0');
    assert.match(t.stdout, new RegExp(`… ${d.omitted} more requests \\(--full shows all\\)`));
  });

  it('--full lifts a --limit: dom query shows every match; text says "1 element matches"', async () => {
    const d = data<{ count: number; nodes: unknown[]; omitted: number }>(await run('dom', 'query', 'li'));
    assert.deepEqual([d.count, d.nodes.length, d.omitted], [30, 20, 10]);
    const full = data<{ count: number; nodes: unknown[]; omitted: number }>(await run('dom', 'query', 'li', '--full'));
    assert.deepEqual([full.nodes.length, full.omitted], [30, 0]);
    const t = await text('dom', 'query', '#noop');
    assert.match(t.stdout, /^1 element matches "#noop"/);
    const more = await text('dom', 'query', 'li');
    assert.match(more.stdout, /--full for all/);
  });

  it('an element disabled by a class the page styles as disabled is refused, saying so; an unstyled "disabled" class is not', async () => {
    for (const target of ['#bs', '#bs-inner']) {
      const r = await run('dom', 'click', target, '--timeout', '1');
      assert.notEqual(r.code, 0, `${target}: ${r.stdout}`);
      const err = r.json as { error: string; data?: { reason?: string; disabledBy?: string } };
      assert.equal(err.data?.reason, 'disabled');
      assert.match(err.error, /it is disabled \(class "disabled"/);
      assert.match(err.data?.disabledBy ?? '', /opacity: 0\.65/);
      assert.match(err.data?.disabledBy ?? '', /cursor: not-allowed/);
    }
    assert.equal(await title(), 'agent output', 'nothing was clicked');
    data(await run('dom', 'click', '#unstyled'));
    assert.equal(await title(), 'unstyled clicked');
  });

  it('an action that caused nothing observable says "no visible effect"; one that did does not, and says what', async () => {
    const none = data<{ effect?: string; triggered: { effect?: string; domChanges?: number } }>(await run('dom', 'click', '#noop'));
    assert.equal(none.effect, 'none');
    assert.equal(none.triggered.effect, 'none');
    assert.equal(none.triggered.domChanges, 0);
    const t = await text('dom', 'click', '#noop');
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /no visible effect: no DOM change, request, navigation, dialog or console message within 300 ms/);

    const grew = data<{ effect?: string; triggered: { domChanges?: number } }>(await run('dom', 'click', '#grow'));
    assert.equal(grew.effect, undefined);
    assert.ok((grew.triggered.domChanges ?? 0) > 0);
    const logged = data<{ effect?: string }>(await run('dom', 'click', '#log'));
    assert.equal(logged.effect, undefined, 'a console message is an effect');
    const checked = data<{ effect?: string }>(await run('dom', 'click', '#cb'));
    assert.equal(checked.effect, undefined, 'a checkbox toggled (a property, not an attribute) is an effect');
    const typed = data<{ effect?: string }>(await run('dom', 'press', 'Tab'));
    assert.equal(typed.effect, undefined, 'a key that moves the focus is an effect');
  });

  it('dom listeners: jQuery handlers, direct and delegated (matched by selector), in place of its dispatcher', async () => {
    const d = data<ListenersResult>(await run('dom', 'listeners', '#jq-btn'));
    const direct = d.listeners.find((l) => l.handler.name === 'jqDirect');
    assert.equal(direct?.framework, 'jQuery');
    assert.equal(direct?.on, 'target');
    assert.equal(direct?.type, 'click');
    assert.match(direct?.handler.location ?? '', /^agent output|^\S+:\d+:\d+$/);
    const delegated = d.listeners.find((l) => l.handler.name === 'jqDelegated');
    assert.equal(delegated?.framework, 'jQuery');
    assert.equal(delegated?.on, 'document');
    assert.equal(delegated?.delegateSelector, '#jq button');
    assert.equal(
      d.listeners.find((l) => l.handler.name === 'notForThisElement'),
      undefined,
      'a delegated handler whose selector the element does not match does not run for it',
    );
    assert.equal(
      d.listeners.filter((l) => l.framework === undefined && /dispatch/.test(l.handler.preview)).length,
      0,
      `jQuery's dispatcher is not listed: ${JSON.stringify(d.listeners.map((l) => l.handler.preview))}`,
    );
    const t = await text('dom', 'listeners', '#jq-btn');
    assert.match(t.stdout, /jqDelegated .*\[jQuery, delegated: #jq button\]/);
  });

  it('dom listeners: Preact handlers with their source, in place of its proxy', async () => {
    const d = data<ListenersResult>(await run('dom', 'listeners', '#pre-btn'));
    const p = d.listeners.find((l) => l.framework === 'Preact');
    assert.equal(p?.handler.name, 'preactClick');
    assert.equal(p?.type, 'click');
    assert.equal(p?.on, 'target');
    assert.ok(p?.handler.location !== undefined, 'the handler has a source location');
    assert.equal(
      d.listeners.filter((l) => l.on === 'target' && l.framework === undefined).length,
      0,
      `Preact's proxy is not listed: ${JSON.stringify(d.listeners)}`,
    );
  });

  it('an unknown option gets a hint naming the right one', async () => {
    const r = await run('dom', 'query', 'li', '--limt', '5');
    assert.equal(r.code, 81);
    const err = r.json as { error: string; hint?: string };
    assert.match(`${err.error} ${err.hint ?? ''}`, /--limit/);
    const w = await run('dom', 'wait', '--visibel', '#noop');
    assert.equal(w.code, 81);
    assert.match(`${(w.json as { error: string }).error} ${(w.json as { hint?: string }).hint ?? ''}`, /--visible/);
  });
});
