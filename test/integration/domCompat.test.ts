import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';

/**
 * The original bdg's `dom get` / `dom eval` / action options, written from its CLI reference and changelog: `dom get
 * --raw --all --nth --index --node-id --full` and its `{nodes: [...]}` form, `dom eval`'s bounds (`count`, `omitted`,
 * `truncatedFrom`, `--full`), `--index` / `--strict` / `--times` / `--modifiers` / `--wait-navigation` on the actions,
 * image formats in any case, the argument forms of a11y query, pressKey, screenshot and wait, and `-q` / `-j`.
 */
const PAGE = `<!doctype html><title>compat</title>
<button id="pay" class="btn primary">Pay</button> <button id="cancel" class="btn">Cancel</button> <a id="home" href="#home">Home</a>
<ul><li class="row" id="r0">Zero</li><li class="row" id="r1">One</li><li class="row" id="r2">Two</li></ul>
<div id="long" data-n="1">${'<span>word</span> '.repeat(2000)}</div>
<input class="f" id="f0"><input class="f" id="f1"><input id="pw" type="password" value="hunter2">
<div style="position: relative; width: 200px; height: 40px"><button id="under">Under</button><div id="veil" style="position: absolute; inset: 0; background: #fff"></div></div>
<form id="stay"><input name="a"><button>Stay</button></form>
<form id="go" action="/done" method="get"><input name="b" value="1"><button>Go</button></form>
<p id="late-text"></p>
<div style="height: 3000px"></div>
<script>
  window.clicks = [];
  for (const li of document.querySelectorAll('li.row')) li.addEventListener('click', () => window.clicks.push(li.id));
  window.hovered = [];
  document.getElementById('under').addEventListener('mouseenter', () => window.hovered.push('under'));
  document.getElementById('stay').addEventListener('submit', (e) => { e.preventDefault(); document.body.dataset.stay = 'submitted'; });
  setTimeout(() => { document.getElementById('late-text').textContent = 'Order placed'; }, 300);
</script>`;

interface Failure {
  error: string;
  exitCode: number;
  data?: Record<string, unknown>;
}

function data<T = Record<string, unknown>>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

function failed(r: RunResult, code: number): Failure {
  assert.equal(r.code, code, `expected exit ${code}, got ${String(r.code)}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr}`);
  return r.json as Failure;
}

interface RawNode {
  nodeId: number;
  tag: string;
  attributes?: Record<string, string>;
  classes?: string[];
  outerHTML?: string;
  truncatedFrom?: number;
  ref: string;
}

describe('the original bdg: dom get, dom eval and action options', () => {
  let server: FixtureServer;
  let dir: string;
  let files: string;
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 60_000 });
  const plain = (...args: string[]): Promise<RunResult> => bdg(args, { sessionDir: dir, timeoutMs: 60_000 });
  const evalValue = async <T>(expr: string): Promise<T> => data<{ result: T }>(await run('dom', 'eval', expr)).result;
  const home = async (): Promise<void> => void data(await run('page', 'navigate', server.url('/page')));

  before(async () => {
    server = await FixtureServer.start();
    server.html('/page', PAGE).html('/done', '<!doctype html><title>done</title><p>done</p>');
    dir = tempSessionDir('domcompat');
    files = mkdtempSync(join(tmpdir(), 'bdg-domcompat-files-'));
    const r = await bdg([server.url('/page'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(files, { recursive: true, force: true });
  });

  it('dom get: the semantic node and domContext by default; --raw gives {nodes: [{nodeId, tag, attributes, classes, outerHTML}]}', async () => {
    const g = data<{
      node: { role: string; name: string; focusable?: boolean };
      domContext: { tag: string; classes?: string[]; preview?: string };
      id: string;
    }>(await run('dom', 'get', '#pay'));
    assert.equal(g.id, 'pay');
    assert.deepEqual({ role: g.node.role, name: g.node.name, focusable: g.node.focusable }, { role: 'button', name: 'Pay', focusable: true });
    assert.deepEqual(g.domContext, { tag: 'button', classes: ['btn', 'primary'], preview: 'Pay' });
    const raw = data<{ nodes: RawNode[]; count: number; omitted: number }>(await run('dom', 'get', 'button.btn', '--raw'));
    assert.equal(raw.nodes.length, 1);
    const [first] = raw.nodes as [RawNode];
    assert.equal(first.tag, 'button');
    assert.deepEqual(first.attributes, { id: 'pay', class: 'btn primary' });
    assert.deepEqual(first.classes, ['btn', 'primary']);
    assert.equal(first.outerHTML, '<button id="pay" class="btn primary">Pay</button>');
    assert.ok(Number.isInteger(first.nodeId) && first.nodeId > 0);
    assert.match(first.ref, /^e\d+$/);
    // The text form is the HTML itself.
    const text = await plain('dom', 'get', 'button.btn', '--raw');
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout.trim(), '<button id="pay" class="btn primary">Pay</button>');
  });

  it('dom get --nth / --index pick the Nth match (0-based); --all lists every match; --node-id reads one node', async () => {
    const nth = data<{ nodes: RawNode[] }>(await run('dom', 'get', 'li.row', '--raw', '--nth', '2'));
    assert.equal(nth.nodes[0]?.attributes?.['id'], 'r2');
    const index = data<{ nodes: RawNode[] }>(await run('dom', 'get', 'li.row', '--raw', '--index', '1'));
    assert.equal(index.nodes[0]?.attributes?.['id'], 'r1');
    // Without --raw --nth picks the element the semantic form describes.
    assert.equal(data<{ id: string }>(await run('dom', 'get', 'li.row', '--nth', '1')).id, 'r1');
    const all = data<{ nodes: RawNode[]; count: number; omitted: number }>(await run('dom', 'get', 'li.row', '--raw', '--all'));
    assert.deepEqual(
      all.nodes.map((n) => n.attributes?.['id']),
      ['r0', 'r1', 'r2'],
    );
    assert.equal(all.count, 3);
    assert.equal(all.omitted, 0);
    // --all alone is the raw form too.
    assert.equal(data<{ nodes: RawNode[] }>(await run('dom', 'get', 'li.row', '--all')).nodes.length, 3);
    // The nodeId of dom query and dom get --raw reads the same element back.
    const q = data<{ nodes: Array<{ nodeId: number; id?: string }> }>(await run('dom', 'query', 'li.row'));
    const id = q.nodes[1]?.nodeId as number;
    assert.equal(all.nodes[1]?.nodeId, id);
    const byId = data<{ nodes: RawNode[] }>(await run('dom', 'get', '--node-id', String(id)));
    assert.equal(byId.nodes[0]?.attributes?.['id'], 'r1');
    assert.equal(byId.nodes[0]?.nodeId, id);
  });

  it('dom get refuses conflicting options (81) and reports what is not there (83)', async () => {
    failed(await run('dom', 'get', 'li.row', '--node-id', '5'), 81);
    failed(await run('dom', 'get', 'li.row', '--all', '--nth', '1'), 81);
    failed(await run('dom', 'get'), 81);
    const out = failed(await run('dom', 'get', 'li.row', '--raw', '--nth', '3'), 81);
    assert.match(out.error, /out of range.*matches 3/);
    failed(await run('dom', 'get', '#nothing-here', '--raw'), 83);
    failed(await run('dom', 'get', '#nothing-here', '--all'), 83);
    failed(await run('dom', 'get', '--node-id', '987654321'), 83);
  });

  it('dom get cuts long outerHTML (truncatedFrom) unless --full; a secret stays masked in the raw form', async () => {
    const cut = data<{ nodes: RawNode[] }>(await run('dom', 'get', '#long', '--raw'));
    const whole = data<{ nodes: RawNode[] }>(await run('dom', 'get', '#long', '--raw', '--full'));
    const length = whole.nodes[0]?.outerHTML?.length as number;
    assert.ok(length > 30_000, `outerHTML of ${length} characters`);
    assert.equal(whole.nodes[0]?.truncatedFrom, undefined);
    assert.equal(cut.nodes[0]?.outerHTML?.length, 10_000);
    assert.equal(cut.nodes[0]?.truncatedFrom, length);
    const semantic = data<{ outerHTML: string; truncated: boolean }>(await run('dom', 'get', '#long', '--full'));
    assert.equal(semantic.outerHTML.length, length);
    assert.equal(semantic.truncated, false);
    const pw = await run('dom', 'get', '#pw', '--raw');
    assert.equal(pw.code, 0, pw.stderr);
    assert.doesNotMatch(pw.stdout, /hunter2/);
  });

  it('dom eval bounds its result: the first 100 elements of an array (count, omitted), 1 MB of text (truncatedFrom); --full lifts both', async () => {
    const arr = data<{ result: number[]; count: number; omitted: number; truncated: boolean }>(
      await run('dom', 'eval', 'Array.from({ length: 250 }, (_, i) => i)'),
    );
    assert.equal(arr.result.length, 100);
    assert.equal(arr.result[99], 99);
    assert.equal(arr.count, 250);
    assert.equal(arr.omitted, 150);
    assert.equal(arr.truncated, true);
    const fullArr = data<{ result: number[]; count?: number; omitted?: number }>(
      await run('dom', 'eval', 'Array.from({ length: 250 }, (_, i) => i)', '--full'),
    );
    assert.equal(fullArr.result.length, 250);
    assert.equal(fullArr.count, undefined);
    assert.equal(fullArr.omitted, undefined);
    const small = data<Record<string, unknown>>(await run('dom', 'eval', '[1, 2, 3]'));
    assert.deepEqual(small['result'], [1, 2, 3]);
    assert.equal('count' in small || 'omitted' in small || 'truncatedFrom' in small, false);

    const str = data<{ result: string; truncatedFrom: number }>(await run('dom', 'eval', '"x".repeat(1500000)'));
    assert.equal(str.result.length, 1024 * 1024);
    assert.equal(str.truncatedFrom, 1_500_000);
    assert.equal(data<{ result: string }>(await run('dom', 'eval', '"x".repeat(1500000)', '--full')).result.length, 1_500_000);
    // An object whose JSON is over the bound becomes the start of its JSON text.
    const obj = data<{ result: string; truncatedFrom: number }>(await run('dom', 'eval', '({ big: "y".repeat(1200000) })'));
    assert.equal(typeof obj.result, 'string');
    assert.ok(obj.result.startsWith('{"big":"yyy'));
    assert.equal(obj.truncatedFrom, 1_200_010);
    // The human form says what was left out.
    const human = await plain('dom', 'eval', 'Array.from({ length: 150 }, (_, i) => i)');
    assert.match(human.stdout, /50 more of 150 elements; --full for all/);
    // Page exceptions stay 91.
    failed(await run('dom', 'eval', 'throw new Error("boom")'), 91);
  });

  it('--index picks the Nth match for click, fill, hover, pressKey and scroll; out of range is 81, with a ref 81', async () => {
    await home();
    const c = data<{ element: { id: string }; elementType: string }>(await run('dom', 'click', 'li.row', '--index', '2'));
    assert.equal(c.element.id, 'r2');
    assert.deepEqual(await evalValue('window.clicks'), ['r2']);
    assert.match(failed(await run('dom', 'click', 'li.row', '--index', '3'), 81).error, /--index 3 is out of range: "li.row" matches 3/);
    const q = data<{ nodes: Array<{ ref: string }> }>(await run('dom', 'query', 'li.row'));
    failed(await run('dom', 'click', q.nodes[0]?.ref as string, '--index', '1'), 81);
    const f = data<{ element: { id: string } }>(await run('dom', 'fill', 'input.f', 'second', '--index', '1'));
    assert.equal(f.element.id, 'f1');
    assert.deepEqual(await evalValue('[f0.value, f1.value]'), ['', 'second']);
    const k = data<{ element: { id: string }; key: string }>(
      await run('dom', 'pressKey', 'input.f', 'a', '--index', '0', '--modifiers', 'shift', '--times', '2'),
    );
    assert.equal(k.element.id, 'f0');
    assert.equal(k.key, 'Shift+A');
    assert.equal(await evalValue('f0.value'), 'AA');
    failed(await run('dom', 'pressKey', 'input.f', 'a', '--modifiers', 'hyper'), 81);
    const h = data<{ element: { id: string } }>(await run('dom', 'hover', 'button.btn', '--index', '1'));
    assert.equal(h.element.id, 'cancel');
    const s = data<{ element: { id: string } }>(await run('dom', 'scroll', 'li.row', '--index', '1'));
    assert.equal(s.element.id, 'r1');
  });

  it('--no-wait, --no-blur, dom scroll --down/--up/--top, dom hover --off', async () => {
    await home();
    const c = data<{ element: { id: string }; triggered: { settled: boolean } }>(await run('dom', 'click', '#r0', '--no-wait'));
    assert.equal(c.element.id, 'r0');
    const f = data<{ value: string }>(await run('dom', 'fill', '#f0', 'kept', '--no-blur', '--no-wait'));
    assert.equal(f.value, 'kept');
    assert.equal(await evalValue('document.activeElement.id'), 'f0');
    data(await run('dom', 'pressKey', '#f0', 'b', '--no-wait'));
    assert.equal(await evalValue('f0.value'), 'keptb');
    const down = data<{ scroll: { y: number } }>(await run('dom', 'scroll', '--down', '300'));
    assert.equal(down.scroll.y, 300);
    const up = data<{ scroll: { y: number } }>(await run('dom', 'scroll', '--up', '100', '--no-wait'));
    assert.equal(up.scroll.y, 200);
    assert.equal(data<{ scroll: { y: number } }>(await run('dom', 'scroll', '--top')).scroll.y, 0);
    failed(await run('dom', 'scroll', '--down', '10', '--up', '10'), 81);
    failed(await run('dom', 'scroll', '#r0', '--down', '10'), 81);
    data(await run('dom', 'eval', 'window.left = 0; document.getElementById("pay").addEventListener("mouseleave", () => window.left++); 1'));
    data(await run('dom', 'hover', '#pay'));
    const off = data<{ action: string }>(await run('dom', 'hover', '--off'));
    assert.equal(off.action, 'hover-off');
    assert.equal(await evalValue('window.left'), 1);
    failed(await run('dom', 'hover', '#pay', '--off'), 81);
    failed(await run('dom', 'hover'), 81);
  });

  it('--strict: an element a real mouse cannot reach fails with 90 instead of 104 (click and hover)', async () => {
    await home();
    const plainFail = failed(await run('dom', 'click', '#under', '--timeout', '0.3'), 104);
    assert.match(plainFail.error, /another element is on top of it \(div#veil\)/);
    const strict = failed(await run('dom', 'click', '#under', '--strict', '--timeout', '0.3'), 90);
    assert.match(strict.error, /--strict/);
    assert.equal((strict.data as { reason?: string }).reason, 'covered');
    failed(await run('dom', 'hover', '#under', '--strict', '--timeout', '0.3'), 90);
    assert.deepEqual(await evalValue('window.hovered'), []);
    // Reachable elements are clicked as ever with --strict.
    assert.equal(data<{ element: { id: string } }>(await run('dom', 'click', '#pay', '--strict')).element.id, 'pay');
  });

  it('dom submit --wait-navigation: navigationOccurred and the new URL; a form that stays reports false with a warning; --index', async () => {
    await home();
    const go = data<{ navigationOccurred: boolean; navigation?: { url: string }; waitTimeMs: number }>(
      await run('dom', 'submit', 'form', '--index', '1', '--wait-navigation'),
    );
    assert.equal(go.navigationOccurred, true);
    assert.equal(go.navigation?.url, `${server.url('/done')}?b=1`);
    assert.ok(Number.isInteger(go.waitTimeMs) && go.waitTimeMs >= 0);
    await home();
    const stay = data<{ navigationOccurred: boolean; warning?: string }>(
      await run('dom', 'submit', '#stay', '--wait-navigation', '--timeout', '1', '--wait-network', '100'),
    );
    assert.equal(stay.navigationOccurred, false);
    assert.match(stay.warning ?? '', /No navigation within 1 s/);
    assert.equal(await evalValue('document.body.dataset.stay'), 'submitted');
  });

  it('dom screenshot: formats in any case, --format must match a .png/.jpg file, <file> [target] with --no-full-page', async () => {
    await home();
    const upper = data<{ format: string; path: string }>(await run('dom', 'screenshot', join(files, 'shot.PNG')));
    assert.equal(upper.format, 'png');
    assert.deepEqual([...readFileSync(upper.path).subarray(1, 4)], [0x50, 0x4e, 0x47]);
    const jpeg = data<{ format: string; path: string }>(await run('dom', 'screenshot', join(files, 'shot.jpg'), '--format', 'JPEG'));
    assert.equal(jpeg.format, 'jpeg');
    assert.deepEqual([...readFileSync(jpeg.path).subarray(0, 2)], [0xff, 0xd8]);
    assert.equal(data<{ format: string }>(await run('dom', 'screenshot', join(files, 'shot2.jpeg'), '--format', 'jpg')).format, 'jpeg');
    assert.match(failed(await run('dom', 'screenshot', join(files, 'bad.png'), '--format', 'jpeg'), 81).error, /does not match/);
    const el = data<{ mode: string; element: { id: string } }>(await run('dom', 'screenshot', join(files, 'el.png'), '#pay', '--no-full-page'));
    assert.equal(el.mode, 'element');
    assert.equal(el.element.id, 'pay');
    assert.equal(data<{ mode: string }>(await run('dom', 'screenshot', join(files, 'vp.png'), '--no-full-page')).mode, 'viewport');
    // A page wider than a JPEG can be is cut to 16384 px, not written as an empty file.
    data(await run('dom', 'eval', 'document.body.append(Object.assign(document.createElement("div"), { style: "width: 70000px; height: 10px" })); 1'));
    const wide = data<{ bytes: number; width: number; truncated?: boolean }>(await run('dom', 'screenshot', join(files, 'wide.jpg')));
    assert.ok(wide.bytes > 0 && wide.width === 16_384, JSON.stringify(wide));
    assert.equal(wide.truncated, true);
  });

  it('argument forms: a11y query "role=button name=Pay" and role:link, pressKey <target> <key>, wait [selector] --visible --gone --text --load', async () => {
    await home();
    const pay = data<{ matches: Array<{ role: string; name: string }> }>(await run('dom', 'a11y', 'query', 'role=button name=Pay'));
    assert.deepEqual(
      pay.matches.map((m) => [m.role, m.name]),
      [['button', 'Pay']],
    );
    const links = data<{ matches: Array<{ role: string; name: string }> }>(await run('dom', 'a11y', 'query', 'role:link'));
    assert.deepEqual(
      links.matches.map((m) => m.name),
      ['Home'],
    );
    const k = data<{ element: { id: string }; key: string }>(await run('dom', 'pressKey', '#f1', 'x'));
    assert.equal(k.element.id, 'f1');
    assert.equal(data<{ met: Record<string, boolean> }>(await run('dom', 'wait', '--text', 'Order placed', '--timeout', '5')).met['text'], true);
    assert.deepEqual(data<{ met: Record<string, boolean> }>(await run('dom', 'wait', '#pay', '--visible', '--load')).met, { element: true, load: true });
    assert.deepEqual(data<{ met: Record<string, boolean> }>(await run('dom', 'wait', '#gone-already', '--gone')).met, { gone: true });
    failed(await run('dom', 'wait', '#never', '--timeout', '0.3'), 102);
  });

  it('short flags: -j is --json, -q leaves hints and notes out', async () => {
    const j = await bdg(['dom', 'get', '#nothing-here', '-j'], { sessionDir: dir, timeoutMs: 30_000 });
    assert.equal(j.code, 83);
    const doc = j.json as { success: boolean; exitCode: number; suggestion?: string };
    assert.equal(doc.success, false);
    assert.equal(doc.exitCode, 83);
    const loud = await plain('dom', 'get', '#nothing-here');
    assert.equal(loud.code, 83);
    assert.match(loud.stderr, /^Hint: /m);
    const quiet = await plain('-q', 'dom', 'get', '#nothing-here');
    assert.equal(quiet.code, 83);
    assert.match(quiet.stderr, /^Error: No element matches "#nothing-here"\n$/);
    const quietAfter = await plain('dom', 'get', '#nothing-here', '-q');
    assert.equal(quietAfter.stderr, quiet.stderr);
    // Answers are the same with -q.
    const answer = await plain('-q', 'dom', 'eval', '1 + 1');
    assert.equal(answer.stdout.trim(), '2');
  });
});
