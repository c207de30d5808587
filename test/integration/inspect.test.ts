import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';
import type { AuditResult, CssSearchResult, FormResult, InspectResult, LayoutResult, ListenersResult } from '../../src/protocol/commands/domInspect.js';

/** The stylesheet: `.btn` sets a colour that the more specific `.toolbar .btn` (line 6) overrides. */
const APP_CSS = `.btn {
  color: rgb(255, 0, 0);
  padding: 4px 8px;
}
.toolbar .btn {
  color: rgb(0, 0, 255);
  font-weight: 700;
}
.brand { --brand: #123456; }
`;

const APP_JS = `function onSave(e) {
  e.target.dataset.saved = '1';
}
document.getElementById('save').addEventListener('click', onSave);
document.addEventListener('click', function delegated(e) { return e.target; });
`;

const STYLED = `<!doctype html><html><head><title>styled</title><meta name="viewport" content="width=device-width">
<link rel="stylesheet" href="/app.css">
<style>
  body { margin: 0; font-family: sans-serif; }
  .faint { color: #bbbbbb; background: #ffffff; }
  #box { width: 100px; height: 40px; overflow: hidden; }
  #box p { width: 300px; margin: 0; }
</style></head><body>
<div class="toolbar"><button class="btn" id="save">Save</button></div>
<p class="faint">Faint text that is hard to read</p>
<div id="box"><p>Long overflowing content that is cut off by its box</p></div>
<div style="position:relative;width:200px;height:40px"><button id="under">Under</button><div id="overlay" style="position:absolute;inset:0;background:#fff8"></div></div>
<button id="gone" style="display:none">Gone</button>
<div id="react-root"><button id="react-btn">React</button></div>
<div style="height:3000px"></div>
<button id="bottom">Bottom</button>
<script src="/app.js"></script>
<script>
  // What React 17+ leaves on a DOM node: its props, handlers included.
  document.getElementById('react-btn')['__reactProps$x1'] = { onClick: function handleReactClick() {}, children: 'React' };
</script>
</body></html>`;

/** A login form with validation, a one-time code, and a second form inside a web component's shadow root. */
const LOGIN = `<!doctype html><title>login</title>
<form id="login" action="/login" method="post" aria-label="Sign in">
  <label for="email">Email</label><input id="email" name="email" type="email" required>
  <label for="pw">Password</label><input id="pw" name="password" type="password" required value="hunter2secret">
  <label for="otp">Code</label><input id="otp" name="code" autocomplete="one-time-code" value="987654">
  <label for="nick">Nickname</label><input id="nick" name="nick" aria-invalid="true" aria-errormessage="nick-err" value="x">
  <span id="nick-err">Nickname must be at least 3 characters</span>
  <label><input type="checkbox" name="remember"> Remember me</label>
  <button type="submit">Sign in</button>
</form>
<div id="host"></div>
<script>
  document.getElementById('host').attachShadow({ mode: 'open' }).innerHTML =
    '<form id="newsletter"><label for="sub">Subscribe email</label><input id="sub" type="email" required><button>Subscribe</button></form>';
</script>`;

function data<T>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

describe('inspection commands', () => {
  let server: FixtureServer;
  let dir: string;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const text = (...args: string[]): Promise<RunResult> => bdg(args, { sessionDir: dir, timeoutMs: 60_000 });

  before(async () => {
    server = await FixtureServer.start();
    server.html('/styled', STYLED).html('/login', LOGIN).static('/app.css', 'text/css', APP_CSS).static('/app.js', 'text/javascript', APP_JS);
    dir = tempSessionDir('inspect');
    const r = await bdg([server.url('/styled'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
  });

  it('dom inspect: computed styles, box model, and --why names the winning rule and the one it beat with file:line', async () => {
    const d = data<InspectResult>(await run('dom', 'inspect', '#save'));
    assert.equal(d.styles['color'], '#0000ff');
    assert.equal(d.styles['display'], 'inline-block');
    assert.ok(d.box !== undefined && d.box.content.width > 0, 'box model');
    assert.ok(d.rect.width > d.box.content.width, 'the border box is wider than the content (padding 8px)');

    const why = data<InspectResult>(await run('dom', 'inspect', '#save', '--why', 'color'));
    const chain = why.why?.[0]?.chain ?? [];
    assert.equal(why.why?.[0]?.computed, '#0000ff');
    assert.equal(chain[0]?.status, 'applied');
    assert.equal(chain[0]?.rule, '.toolbar .btn');
    assert.equal(chain[0]?.source, 'app.css:6');
    assert.deepEqual(chain[0]?.specificity, [0, 2, 0]);
    const lost = chain.find((s) => s.rule === '.btn');
    assert.equal(lost?.status, 'overridden');
    assert.equal(lost?.source, 'app.css:2');
    assert.match(lost?.reason ?? '', /specificity/);
    const human = await text('dom', 'inspect', '#save', '--why', 'color');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /✓ rgb\(0, 0, 255\)\s+\.toolbar \.btn \[0,2,0\]\s+app\.css:6/);
    assert.match(human.stdout, /✗ rgb\(255, 0, 0\)\s+\.btn \[0,1,0\]\s+app\.css:2/);

    const rules = data<InspectResult>(await run('dom', 'inspect', '#save', '--rules', '--props', 'color,padding-left'));
    assert.deepEqual(rules.styles, { color: '#0000ff', 'padding-left': '8px' });
    const sels = (rules.rules ?? []).map((r) => r.selector);
    assert.ok(sels.indexOf('.toolbar .btn') < sels.indexOf('.btn'), `highest precedence first: ${sels.join(' | ')}`);

    // An inherited property: the body's font-family, from the inline <style>.
    const inh = data<InspectResult>(await run('dom', 'inspect', '#save', '--why', 'font-family'));
    void inh;
    const unknown = await run('dom', 'inspect', '#save', '--why', 'colour');
    assert.equal(unknown.code, 81);
  });

  it('dom layout: in viewport, below the fold, covered, clipped, not rendered', async () => {
    const at = async (sel: string): Promise<LayoutResult['elements'][number]> => {
      const d = data<LayoutResult>(await run('dom', 'layout', sel));
      assert.equal(d.count, 1);
      assert.ok(d.page.viewport.width > 0);
      return d.elements[0] as LayoutResult['elements'][number];
    };
    const save = await at('#save');
    assert.equal(save.inViewport, 'visible');
    assert.deepEqual(save.hiddenReasons, []);
    assert.equal(save.coveredBy, undefined);
    const bottom = await at('#bottom');
    assert.equal(bottom.inViewport, 'below');
    assert.ok(bottom.hiddenReasons.some((r) => r.startsWith('offscreen')));
    const under = await at('#under');
    assert.equal(under.coveredBy, 'div#overlay');
    const inner = await at('#box p');
    assert.match(inner.clippedBy ?? '', /div#box/);
    const gone = await at('#gone');
    assert.equal(gone.inViewport, 'hidden');
    assert.ok(gone.hiddenReasons.includes('display: none'));
    const many = data<LayoutResult>(await run('dom', 'layout', 'button', '--limit', '2'));
    assert.equal(many.elements.length, 2);
    assert.equal(many.omitted, many.count - 2);
  });

  it('dom listeners: own listener with file:line, delegated one on document, React props handler', async () => {
    const d = data<ListenersResult>(await run('dom', 'listeners', '#save'));
    const own = d.listeners.find((l) => l.on === 'target' && l.type === 'click');
    assert.equal(own?.handler.name, 'onSave');
    // V8 places a function at its parameter list: `function onSave(` is column 16.
    assert.equal(own?.handler.location, 'app.js:1:16');
    assert.equal(own?.handler.url, server.url('/app.js'));
    const doc = d.listeners.find((l) => l.on === 'document' && l.type === 'click');
    assert.equal(doc?.handler.name, 'delegated');
    assert.match(doc?.handler.location ?? '', /^app\.js:5:/);
    const react = data<ListenersResult>(await run('dom', 'listeners', '#react-btn', '--type', 'click'));
    const prop = react.listeners.find((l) => l.framework === 'React');
    assert.equal(prop?.reactProp, 'onClick');
    assert.equal(prop?.handler.name, 'handleReactClick');
    assert.match(prop?.handler.location ?? '', /^styled:\d+:\d+$/);
    assert.ok(react.listeners.every((l) => l.type === 'click'));
    // #react-btn has no listener of its own: the document's click listener is delegation.
    const bottom = data<ListenersResult>(await run('dom', 'listeners', '#bottom'));
    assert.deepEqual(bottom.delegated, ['click']);
  });

  it('dom audit: the low-contrast text with its colours and ratio, the overflowing box', async () => {
    const d = data<AuditResult>(await run('dom', 'audit'));
    const faint = d.contrast?.items.find((i) => i.element === 'p.faint');
    assert.ok(faint !== undefined, JSON.stringify(d.contrast));
    assert.equal(faint.color, '#bbbbbb');
    assert.equal(faint.background, '#ffffff');
    assert.ok(faint.ratio > 1.8 && faint.ratio < 2, `ratio ${faint.ratio}`);
    assert.equal(faint.required, 4.5);
    assert.equal(
      d.contrast?.items.some((i) => i.element === 'button#save'),
      false,
      'blue on the button face passes',
    );
    const box = d.overflow?.items.find((i) => i.element === 'div#box');
    assert.ok(box !== undefined, JSON.stringify(d.overflow));
    assert.equal(box.clipped, true);
    assert.match(box.axis, /x/);
    const one = data<AuditResult>(await run('dom', 'audit', 'contrast', '--limit', '1'));
    assert.deepEqual(one.checks, ['contrast']);
    assert.equal(one.overflow, undefined);
    assert.ok((one.contrast?.items.length ?? 0) <= 1);
  });

  it('css search: matches with stylesheet file:line and the rule around them, bounded', async () => {
    const d = data<CssSearchResult>(await run('css', 'search', 'rgb(0, 0, 255)'));
    assert.equal(d.count, 1);
    assert.equal(d.matches[0]?.source, 'app.css:6');
    assert.equal(d.matches[0]?.rule, '.toolbar .btn');
    const custom = data<CssSearchResult>(await bdg(['css', 'search', '--json', '--', '--brand'], { sessionDir: dir, timeoutMs: 60_000 }));
    assert.equal(custom.matches[0]?.rule, '.brand');
    const inline = data<CssSearchResult>(await run('css', 'search', 'overflow: hidden'));
    assert.match(inline.matches[0]?.source ?? '', /^<style> in styled:\d+$/);
    const bounded = data<CssSearchResult>(await run('css', 'search', 'color', '--limit', '1'));
    assert.equal(bounded.matches.length, 1);
    assert.equal(bounded.omitted, bounded.count - 1);
  });

  it('dom form: fields with label, type, required, validity message, masked secrets, fill lines that run; shadow roots too', async () => {
    assert.equal((await run('page', 'navigate', server.url('/login'))).code, 0);
    const r = await run('dom', 'form');
    assert.doesNotMatch(r.stdout, /hunter2secret|987654/, 'secrets never leave the page');
    const d = data<FormResult>(r);
    assert.equal(d.formCount, 2);
    const f = d.forms[0];
    assert.ok(f !== undefined);
    assert.equal(f.name, 'Sign in');
    const email = f.fields.find((x) => x.name === 'email');
    assert.equal(email?.label, 'Email');
    assert.equal(email?.type, 'email');
    assert.equal(email?.required, true);
    assert.equal(email?.valid, false);
    assert.ok((email?.validationMessage ?? '').length > 0, 'the browser says why it is invalid');
    const pw = f.fields.find((x) => x.name === 'password');
    assert.equal(pw?.masked, true);
    assert.equal(f.fields.find((x) => x.name === 'code')?.masked, true);
    const nick = f.fields.find((x) => x.name === 'nick');
    assert.equal(nick?.validationMessage, 'Nickname must be at least 3 characters');
    assert.equal(f.fields.find((x) => x.type === 'checkbox')?.label, 'Remember me');
    assert.equal(f.buttons[0]?.label, 'Sign in');
    assert.equal(f.summary.readyToSubmit, false);
    const fill = f.commands.find((c) => c.includes(email?.ref ?? '?'));
    assert.match(fill ?? '', /^bdg dom fill e\d+ user@example\.com {2}# Email \(required\)$/);
    assert.match(f.commands.at(-1) ?? '', /^bdg dom click e\d+ {2}# Sign in$/);
    // The line runs as printed (up to the comment).
    const args = (fill ?? '').split('  #')[0]?.split(' ').slice(1) ?? [];
    assert.equal((await run(...args)).code, 0);
    const after = data<FormResult>(await run('dom', 'form', '#login'));
    const filled = after.forms[0]?.fields.find((x) => x.name === 'email');
    assert.equal(filled?.value, 'user@example.com');
    assert.equal(filled?.valid, true);

    const all = data<FormResult>(await run('dom', 'form', '--all'));
    const shadow = all.forms.find((x) => x.id === 'newsletter');
    assert.equal(shadow?.inShadowRoot, true);
    assert.equal(shadow?.fields[0]?.label, 'Subscribe email');
    assert.equal(shadow?.fields[0]?.required, true);
    const human = await text('dom', 'form');
    assert.match(human.stdout, /Form "Sign in" #login POST/);
    assert.match(human.stdout, /bdg dom fill e\d+/);
  });
});
