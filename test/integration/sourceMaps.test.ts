import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { ConsoleRecord, NetworkRecord } from '../../src/protocol/records.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir } from '../helpers/bdg.js';

/** The original source: each variant is this file built with its own name, minified, with a source map. */
function appSource(variant: string, prefix: string[] = []): string {
  return [
    ...prefix,
    '// Orders, as an app would have them before its build.',
    'interface Order {',
    '  id: number;',
    '}',
    '',
    'export function failOrder(order: Order): never {',
    `  throw new Error('order ' + order.id + ' failed in ${variant}');`,
    '}',
    '',
    'export function reportOrder(order: Order): void {',
    `  console.error('could not save order ' + order.id + ' in ${variant}');`,
    '}',
    '',
    'setTimeout(() => {',
    '  reportOrder({ id: 7 });',
    '  failOrder({ id: 7 });',
    '}, 0);',
    '',
  ].join('\n');
}

/** A page's click handler and a ticking logger, minified with the same build: the functions are renamed. */
const CHECKOUT_SOURCE = [
  '// Checkout, as an app would have it before its build.',
  'function explainFailure(code: number): void {',
  "  console.error('checkout failed with ' + code);",
  '}',
  '',
  'function failCheckout(code: number): never {',
  '  explainFailure(code);',
  "  throw new Error('checkout ' + code + ' refused');",
  '}',
  '',
  "document.querySelector('#pay')?.addEventListener('click', () => failCheckout(402));",
  '',
  'let ticks = 0;',
  'function tick(): void {',
  "  console.log('tick ' + ++ticks);",
  '}',
  "if (location.pathname === '/ticks') setInterval(tick, 200);",
  '',
].join('\n');

/** 1-based line and column of the first `needle` in `source`. */
function positionOf(source: string, needle: string): { line: number; column: number } {
  const lines = source.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, needle);
  return { line: line + 1, column: (lines[line] as string).indexOf(needle) + 1 };
}

/** Minifies the variant's source with esbuild; the map's sources say `../src/app.ts`, as a real build's would. */
async function buildVariant(
  root: string,
  variant: string,
  sourcemap: 'linked' | 'inline',
  prefix: string[] = [],
  text = appSource(variant, prefix),
): Promise<{ js: string; map?: string }> {
  const dir = join(root, variant);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src', 'app.ts'), text);
  const r = await build({
    entryPoints: [join(dir, 'src', 'app.ts')],
    outfile: join(dir, 'dist', 'app.min.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    sourcemap,
    write: false,
    logLevel: 'silent',
  });
  const js = r.outputFiles.find((f) => f.path.endsWith('.js'))?.text;
  const map = r.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  assert.ok(js !== undefined);
  return map !== undefined ? { js, map } : { js };
}

type Message = ConsoleRecord & { count: number };

describe('source-mapped console against headless Chromium', () => {
  const dir = tempSessionDir('sourcemaps');
  const root = mkdtempSync(join(tmpdir(), 'bdg-sm-src-'));
  let server: FixtureServer;
  let rebuilt!: () => void;
  const source = appSource('x');
  // V8 takes an Error's position where it is constructed.
  const thrown = positionOf(source, 'new Error');
  const logged = positionOf(source, "console.error('could not");
  const reported = positionOf(source, 'reportOrder({ id: 7 })');

  const messages = async (): Promise<Message[]> => {
    const r = await bdg(['console', '--json'], { sessionDir: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return (r.json as { data: { messages: Message[] } }).data.messages;
  };
  const find = (ms: Message[], kind: string, variant: string): Message => {
    const m = ms.find((x) => x.kind === kind && x.text.includes(` in ${variant}`));
    assert.ok(m, `${kind} of ${variant} in ${JSON.stringify(ms.map((x) => x.text))}`);
    return m;
  };

  before(async () => {
    server = await FixtureServer.start();
    // external: a map next to the script, named by the comment esbuild writes.
    const external = await buildVariant(root, 'external', 'linked');
    server.static('/external/dist/app.min.js', 'text/javascript', external.js);
    server.static('/external/dist/app.min.js.map', 'application/json', external.map as string);
    // inline: the map is a data: URL in the comment.
    const inline = await buildVariant(root, 'inline', 'inline');
    assert.match(inline.js, /sourceMappingURL=data:application\/json;base64,/);
    server.static('/inline/dist/app.min.js', 'text/javascript', inline.js);
    // missing: the comment names a map the server answers 404 for.
    const missing = await buildVariant(root, 'missing', 'linked');
    server.static('/missing/dist/app.min.js', 'text/javascript', missing.js);
    server.static('/missing/dist/app.min.js.map', 'text/plain', 'not here', 404);
    // big: a valid map padded past the 10 MB cap.
    const big = await buildVariant(root, 'big', 'linked');
    const padded = JSON.parse(big.map as string) as Record<string, unknown>;
    padded['x_padding'] = 'x'.repeat(11 * 1024 * 1024);
    server.static('/big/dist/app.min.js', 'text/javascript', big.js);
    server.static('/big/dist/app.min.js.map', 'application/json', JSON.stringify(padded));
    // earlier: on a page the session navigates away from before anyone asks, so Chrome no longer lists the script.
    const earlier = await buildVariant(root, 'earlier', 'linked');
    server.static('/earlier/dist/app.min.js', 'text/javascript', earlier.js);
    server.static('/earlier/dist/app.min.js.map', 'application/json', earlier.map as string);
    server.html('/earlier', '<!doctype html><title>earlier</title><script src="/earlier/dist/app.min.js"></script>');
    server.html('/after', '<!doctype html><title>after</title><p>nothing here</p>');
    // rebuild: the same script URL and code, a map that changes between two page loads (two lines added on top).
    const firstBuild = await buildVariant(root, 'rebuild', 'linked');
    const secondBuild = await buildVariant(root, 'rebuild', 'linked', ['// added', '// later']);
    assert.equal(firstBuild.js, secondBuild.js, 'comments do not survive minification');
    let rebuildMap = firstBuild.map as string;
    rebuilt = () => (rebuildMap = secondBuild.map as string);
    server.static('/rebuild/dist/app.min.js', 'text/javascript', firstBuild.js, 200, { 'cache-control': 'no-cache' });
    server.route('/rebuild/dist/app.min.js.map', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
      res.end(rebuildMap);
    });
    server.html('/rebuild', '<!doctype html><title>rebuild</title><script src="/rebuild/dist/app.min.js"></script>');
    // checkout: a click handler that logs and throws from renamed functions; /ticks logs on a timer.
    const checkout = await buildVariant(root, 'checkout', 'linked', [], CHECKOUT_SOURCE);
    assert.doesNotMatch(checkout.js, /failCheckout|explainFailure/, 'the build renamed the functions');
    server.static('/checkout/dist/app.min.js', 'text/javascript', checkout.js);
    server.static('/checkout/dist/app.min.js.map', 'application/json', checkout.map as string);
    for (const path of ['/checkout', '/ticks'])
      server.html(path, '<!doctype html><title>checkout</title><button id="pay">Pay</button><script src="/checkout/dist/app.min.js"></script>');
    server.html(
      '/page',
      `<!doctype html><title>maps</title>${['external', 'inline', 'missing', 'big'].map((v) => `<script src="/${v}/dist/app.min.js"></script>`).join('')}`,
    );
    const start = await bdg([server.url('/page'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(start.code, 0, start.stdout + start.stderr);
    let ms: Message[] = [];
    for (let i = 0; i < 50 && ms.filter((m) => m.kind === 'exception').length < 4; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ms = await messages();
    }
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('an exception and a console.error stack resolve to the original file, line and column; the generated position stays in --json', async () => {
    const ms = await messages();
    const ex = find(ms, 'exception', 'external');
    assert.equal(ex.text, 'Error: order 7 failed in external');
    // The generated position: line 1 of the minified file.
    assert.equal(ex.url, server.url('/external/dist/app.min.js'));
    assert.equal(ex.line, 1);
    assert.ok((ex.column ?? 0) > 1);
    assert.deepEqual(ex.original, { url: server.url('/external/src/app.ts'), line: thrown.line, column: thrown.column });
    assert.equal(ex.sourceMapError, undefined);
    // Every frame of the stack is in the original source; the generated stack is kept.
    assert.match(ex.stack ?? '', /app\.min\.js:1:\d+/);
    const frames = (ex.originalStack ?? '').split('\n');
    assert.ok(frames.length >= 2, ex.originalStack);
    assert.ok(
      frames.every((f) => f.includes(server.url('/external/src/app.ts:'))),
      ex.originalStack,
    );
    assert.ok(frames[0]?.includes(`app.ts:${thrown.line}:${thrown.column})`), ex.originalStack);

    const err = find(ms, 'console', 'external');
    assert.equal(err.level, 'error');
    assert.equal(err.original?.url, server.url('/external/src/app.ts'));
    assert.equal(err.original?.line, logged.line);
    assert.equal(err.original?.column, positionOf(source, 'error(').column, 'V8 places a method call at its property name');
    const errFrames = (err.originalStack ?? '').split('\n');
    assert.ok(errFrames[0]?.includes(`app.ts:${logged.line}:`), err.originalStack);
    assert.ok(errFrames[1]?.endsWith(`app.ts:${reported.line}:${reported.column}`), err.originalStack);

    // Text shows the original position.
    const text = await bdg(['console'], { sessionDir: dir });
    assert.equal(text.code, 0, text.stderr);
    const line = text.stdout.split('\n').find((l) => l.includes('failed in external'));
    assert.ok(line?.includes(`/external/src/app.ts:${thrown.line}:${thrown.column})`), text.stdout);
    const details = await bdg(['details', 'console', ex.id], { sessionDir: dir });
    assert.equal(details.code, 0, details.stderr);
    assert.match(details.stdout, new RegExp(`Source: .*/external/src/app\\.ts:${thrown.line}:${thrown.column}  \\(generated: .*app\\.min\\.js:1:\\d+\\)`));
    assert.match(details.stdout, new RegExp(`Stack:\\n\\s+at \\S+ \\(.*/external/src/app\\.ts:${thrown.line}:${thrown.column}\\)`));
  });

  test('peek and bundle show original positions too', async () => {
    const peek = await bdg(['peek', '--console', '--last', '0', '--json'], { sessionDir: dir });
    assert.equal(peek.code, 0, peek.stderr);
    const items = (peek.json as { data: { console: Message[] } }).data.console;
    assert.equal(
      find(
        items.map((m) => ({ ...m, count: 1 })),
        'exception',
        'external',
      ).original?.line,
      thrown.line,
    );
    const out = join(root, 'bundle');
    const b = await bdg(['bundle', out], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(b.code, 0, b.stdout + b.stderr);
    const txt = readFileSync(join(out, 'console.txt'), 'utf8');
    assert.ok(
      txt.split('\n').some((l) => l.includes('failed in external') && l.includes(`/external/src/app.ts:${thrown.line}:${thrown.column})`)),
      txt,
    );
    assert.match(txt, new RegExp(`at \\S+ \\(.*/external/src/app\\.ts:${thrown.line}:${thrown.column}\\)`));
  });

  test('an inline data: map resolves without a fetch', async () => {
    const ms = await messages();
    const ex = find(ms, 'exception', 'inline');
    assert.deepEqual(ex.original, { url: server.url('/inline/src/app.ts'), line: thrown.line, column: thrown.column });
    assert.equal(find(ms, 'console', 'inline').original?.line, logged.line);
  });

  test('a map that 404s keeps the generated position and says why', async () => {
    const ms = await messages();
    const ex = find(ms, 'exception', 'missing');
    assert.equal(ex.original, undefined);
    assert.equal(ex.originalStack, undefined);
    assert.equal(ex.url, server.url('/missing/dist/app.min.js'));
    assert.match(ex.sourceMapError ?? '', /app\.min\.js\.map: HTTP 404/);
    const text = await bdg(['console'], { sessionDir: dir });
    assert.ok(
      text.stdout.split('\n').some((l) => l.includes('failed in missing') && l.includes('/missing/dist/app.min.js:1:')),
      text.stdout,
    );
    const details = await bdg(['details', 'console', ex.id], { sessionDir: dir });
    assert.match(details.stdout, /Source map: .*HTTP 404/);
  });

  test('a map over the size cap is refused, and the generated position stands', async () => {
    const ms = await messages();
    const ex = find(ms, 'exception', 'big');
    assert.equal(ex.original, undefined);
    assert.equal(ex.url, server.url('/big/dist/app.min.js'));
    assert.match(ex.sourceMapError ?? '', /larger than 10 MB/);
  });

  test('maps are fetched once, and not as requests of the page', async () => {
    const seen = server.requests.filter((r) => r.path.endsWith('.map'));
    const external = seen.filter((r) => r.path.startsWith('/external/'));
    assert.equal(external.length, 1, JSON.stringify(seen.map((r) => r.path)));
    const r = await bdg(['network', 'list', '--json'], { sessionDir: dir });
    assert.equal(r.code, 0, r.stderr);
    const rows = (r.json as { data: { requests: NetworkRecord[] } }).data.requests;
    assert.ok(
      rows.some((x) => x.url.endsWith('/external/dist/app.min.js')),
      JSON.stringify(rows.map((x) => x.url)),
    );
    assert.ok(!rows.some((x) => x.url.endsWith('.map')), JSON.stringify(rows.map((x) => x.url)));
  });

  const errorCount = async (): Promise<number> => {
    const st = await bdg(['status', '--json'], { sessionDir: dir });
    assert.equal(st.code, 0, st.stderr);
    return (st.json as { data: { console: { errors: number } } }).data.console.errors;
  };
  /** Waits (bounded) until status counts `n` console errors. */
  const untilErrors = async (n: number): Promise<void> => {
    let now = await errorCount();
    for (let i = 0; i < 50 && now < n; i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await errorCount();
    }
    assert.equal(now, n);
  };

  test('after a rebuild and a reload the new map is used', async () => {
    let errors = await errorCount();
    const nav = await bdg(['page', 'navigate', server.url('/rebuild')], { sessionDir: dir });
    assert.equal(nav.code, 0, nav.stdout + nav.stderr);
    await untilErrors((errors += 2));
    assert.equal(find(await messages(), 'exception', 'rebuild').original?.line, thrown.line);
    rebuilt();
    const reload = await bdg(['page', 'reload'], { sessionDir: dir });
    assert.equal(reload.code, 0, reload.stdout + reload.stderr);
    await untilErrors((errors += 2));
    assert.equal(find(await messages(), 'exception', 'rebuild').original?.line, thrown.line + 2);
  });

  test('a message of an earlier page load resolves through the script it loaded (no longer alive in the page)', async () => {
    const before = await errorCount();
    const nav = await bdg(['page', 'navigate', server.url('/earlier')], { sessionDir: dir });
    assert.equal(nav.code, 0, nav.stdout + nav.stderr);
    // Counted by status, not listed: a listing now would resolve (and cache) the map while the script is alive.
    await untilErrors(before + 2);
    const away = await bdg(['page', 'navigate', server.url('/after')], { sessionDir: dir });
    assert.equal(away.code, 0, away.stdout + away.stderr);
    const r = await bdg(['console', '--history', '--json'], { sessionDir: dir });
    assert.equal(r.code, 0, r.stderr);
    const ms = (r.json as { data: { messages: Message[] } }).data.messages;
    const ex = find(ms, 'exception', 'earlier');
    assert.deepEqual(ex.original, { url: server.url('/earlier/src/app.ts'), line: thrown.line, column: thrown.column });
    // The page's load (the navigate's report may have mapped its console errors then, fetching the map), and last bdg
    // reading the script again for its sourceMappingURL comment, then the map.
    const paths = server.requests.filter((q) => q.path.startsWith('/earlier/')).map((q) => q.path);
    assert.equal(paths[0], '/earlier/dist/app.min.js', JSON.stringify(paths));
    assert.deepEqual(paths.slice(-2), ['/earlier/dist/app.min.js', '/earlier/dist/app.min.js.map'], JSON.stringify(paths));
    assert.equal(paths.filter((p) => p === '/earlier/dist/app.min.js').length, 2, JSON.stringify(paths));
  });

  test("an action's console errors carry their original file:line; a renamed function's frame shows its original name", async () => {
    const nav = await bdg(['page', 'navigate', server.url('/checkout')], { sessionDir: dir });
    assert.equal(nav.code, 0, nav.stdout + nav.stderr);
    const src = server.url('/checkout/src/app.ts');
    const logged = positionOf(CHECKOUT_SOURCE, "error('checkout");
    const thrown = positionOf(CHECKOUT_SOURCE, 'new Error');
    const click = await bdg(['dom', 'click', '#pay', '--json'], { sessionDir: dir });
    assert.equal(click.code, 0, click.stdout + click.stderr);
    type Entry = { id: string; text: string; url?: string; line?: number; column?: number; original?: { url: string; line: number; column: number } };
    const data = (click.json as { data: { triggered: { consoleErrors: Entry[] }; errors: Array<{ text: string; source?: string; originalSource?: string }> } })
      .data;
    const byText = (needle: string): Entry => {
      const e = data.triggered.consoleErrors.find((c) => c.text.includes(needle));
      assert.ok(e, `${needle} in ${JSON.stringify(data.triggered.consoleErrors)}`);
      return e;
    };
    const err = byText('checkout failed with 402');
    assert.deepEqual(err.original, { url: src, line: logged.line, column: positionOf(CHECKOUT_SOURCE, 'error(').column });
    // The generated position stays in --json.
    assert.equal(err.url, server.url('/checkout/dist/app.min.js'));
    assert.equal(err.line, 1);
    const ex = byText('checkout 402 refused');
    assert.deepEqual(ex.original, { url: src, line: thrown.line, column: thrown.column });
    // The original bdg's `errors`: the generated source as before, and the original one.
    const compat = data.errors.find((e) => e.text.includes('refused'));
    assert.match(compat?.source ?? '', /\/checkout\/dist\/app\.min\.js:1$/);
    assert.equal(compat?.originalSource, `${src}:${thrown.line}:${thrown.column}`);

    // The report in text says where, in the original source.
    const again = await bdg(['dom', 'click', '#pay'], { sessionDir: dir });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.ok(
      again.stdout.split('\n').some((l) => /-> console error c\d+: .*refused/.test(l) && l.endsWith(`(${src}:${thrown.line}:${thrown.column})`)),
      again.stdout,
    );

    // The exception's stack: its top frame ran failCheckout, renamed by the build; the original name is shown.
    const details = await bdg(['details', 'console', ex.id, '--json'], { sessionDir: dir });
    assert.equal(details.code, 0, details.stderr);
    const item = (details.json as { data: { item: ConsoleRecord } }).data.item;
    const generatedTop = (item.stack ?? '').split('\n')[0] ?? '';
    assert.doesNotMatch(generatedTop, /failCheckout/, item.stack);
    const frames = (item.originalStack ?? '').split('\n');
    assert.equal(frames[0], `    at failCheckout (${src}:${thrown.line}:${thrown.column})`, item.originalStack);
    // The console.error's stack: explainFailure (renamed), called by failCheckout.
    const logDetails = await bdg(['details', 'console', err.id, '--json'], { sessionDir: dir });
    const logItem = (logDetails.json as { data: { item: ConsoleRecord } }).data.item;
    assert.match((logItem.originalStack ?? '').split('\n')[0] ?? '', new RegExp(`^ {4}at explainFailure \\(.*app\\.ts:${logged.line}:`), logItem.originalStack);
  });

  test('dom wait --console returns the matched message at its original position', async () => {
    const nav = await bdg(['page', 'navigate', server.url('/ticks')], { sessionDir: dir });
    assert.equal(nav.code, 0, nav.stdout + nav.stderr);
    const r = await bdg(['dom', 'wait', '--console', 'tick \\d+', '--timeout', '10', '--json'], { sessionDir: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const found = (r.json as { data: { console?: ConsoleRecord } }).data.console;
    assert.match(found?.text ?? '', /^tick \d+$/);
    assert.equal(found?.url, server.url('/checkout/dist/app.min.js'));
    const logged = positionOf(CHECKOUT_SOURCE, "console.log('tick");
    assert.deepEqual(found?.original, { url: server.url('/checkout/src/app.ts'), line: logged.line, column: positionOf(CHECKOUT_SOURCE, "log('tick").column });
    const text = await bdg(['dom', 'wait', '--console', 'tick \\d+', '--timeout', '10'], { sessionDir: dir });
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, new RegExp(`tick \\d+  \\(${server.url('/checkout/src/app.ts').replace(/[.]/g, '\\.')}:${logged.line}:\\d+\\)`));
  });
});
