import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { transformSync } from 'esbuild';
import type { ConsoleRecord } from '../../src/protocol/records.js';
import {
  DEFAULT_SOURCE_MAP_LIMITS,
  STILL_LOADING,
  SourceMapResolver,
  decodeDataUrl,
  parseSourceMap,
  sourceMappingUrlOf,
  urlsOf,
  withOriginalPositions,
  type LoadResult,
  type ScriptMapRef,
} from '../../src/telemetry/sourceMaps.js';
import { firstOriginalLocation, renamedFrame } from '../../src/telemetry/stackFrames.js';
import { splitErrorDescription } from '../../src/telemetry/preview.js';

const SOURCE = ['function greet(name: string): string {', '  throw new Error("hi " + name);', '}', 'greet("x");', ''].join('\n');
/** esbuild's minified output and map for SOURCE, whose `sources` say `../src/app.ts`. */
const BUILT = transformSync(SOURCE, { loader: 'ts', minify: true, sourcemap: 'external', sourcefile: '../src/app.ts' });
const SCRIPT = 'http://app.test/dist/app.min.js';
/** 1-based generated column of `new Error` in the minified line. */
const NEW_ERROR = BUILT.code.indexOf('new Error') + 1;

function record(extra: Partial<ConsoleRecord> = {}): ConsoleRecord {
  return { id: 'c1', kind: 'exception', level: 'error', type: 'exception', text: 'Error: hi x', timestamp: 0, navigation: 0, ...extra };
}

/** A resolver over fake page answers, counting what it was asked for. */
function fake(refs: Record<string, ScriptMapRef>, files: Record<string, LoadResult>, limits = DEFAULT_SOURCE_MAP_LIMITS, now = () => 0) {
  const asked: string[] = [];
  const loaded: string[] = [];
  const resolver = new SourceMapResolver(
    {
      mapRefOf: (url) => {
        asked.push(url);
        return Promise.resolve(refs[url] ?? { none: true });
      },
      load: (url, max) => {
        loaded.push(url);
        const f = files[url] ?? { error: 'HTTP 404' };
        return Promise.resolve('text' in f && f.text.length > max ? { error: 'too large' } : f);
      },
    },
    limits,
    now,
  );
  return { resolver, asked, loaded };
}

test('a location and the stack frames resolve to the original source; unmapped frames and the generated fields stay', async () => {
  const { resolver, loaded } = fake({ [SCRIPT]: { mapUrl: 'app.min.js.map' } }, { 'http://app.test/dist/app.min.js.map': { text: BUILT.map } });
  const stack = [`    at greet (${SCRIPT}:1:${NEW_ERROR})`, `    at http://other.test/lib.js:3:4`, '    at async Promise.all (index 0)'].join('\n');
  const r = record({ url: SCRIPT, line: 1, column: NEW_ERROR, stack });
  await resolver.prepare(urlsOf(r));
  const out = withOriginalPositions(r, resolver);
  assert.deepEqual(out.original, { url: 'http://app.test/src/app.ts', line: 2, column: 9 });
  assert.equal(out.originalStack?.split('\n')[0], '    at greet (http://app.test/src/app.ts:2:9)');
  assert.equal(out.originalStack?.split('\n')[1], '    at http://other.test/lib.js:3:4');
  assert.equal(out.originalStack?.split('\n')[2], '    at async Promise.all (index 0)');
  assert.equal(out.url, SCRIPT);
  assert.equal(out.stack, stack);
  assert.equal(out.sourceMapError, undefined);
  assert.equal(r.original, undefined, 'the buffered record is not changed');
  // Cached: a second message needs no fetch.
  await resolver.prepare([SCRIPT]);
  assert.deepEqual(loaded, ['http://app.test/dist/app.min.js.map']);
});

test('a record no map covers comes back as it was', async () => {
  const { resolver } = fake({}, {});
  const r = record({ url: 'http://plain.test/a.js', line: 1, column: 1 });
  await resolver.prepare(urlsOf(r));
  assert.equal(withOriginalPositions(r, resolver), r);
  const evalRecord = record({ url: 'VM12:1', line: 1, column: 1 });
  assert.equal(withOriginalPositions(evalRecord, resolver), evalRecord);
  // A failed resource load names the resource, not a script position: nothing to look up.
  assert.deepEqual(urlsOf(record({ kind: 'browser', type: 'network', url: 'http://app.test/missing.png', line: 1 })), []);
});

test('a failing map is a reason, and is tried again after the failure TTL', async () => {
  let clock = 0;
  const files: Record<string, LoadResult> = {};
  const { resolver, loaded } = fake({ [SCRIPT]: { mapUrl: '/maps/app.map' } }, files, DEFAULT_SOURCE_MAP_LIMITS, () => clock);
  const r = record({ url: SCRIPT, line: 1, column: NEW_ERROR });
  await resolver.prepare([SCRIPT]);
  assert.equal(withOriginalPositions(r, resolver).sourceMapError, 'source map http://app.test/maps/app.map: HTTP 404');
  files['http://app.test/maps/app.map'] = { text: BUILT.map };
  await resolver.prepare([SCRIPT]);
  assert.equal(loaded.length, 1, 'within the TTL the failure stands');
  clock = DEFAULT_SOURCE_MAP_LIMITS.failureTtlMs + 1;
  await resolver.prepare([SCRIPT]);
  assert.equal(withOriginalPositions(r, resolver).original?.line, 2);
});

test('a map still loading says so instead of waiting', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const resolver = new SourceMapResolver({
    mapRefOf: () => Promise.resolve({ mapUrl: 'app.min.js.map' }),
    load: async () => {
      await gate;
      return { text: BUILT.map };
    },
  });
  const r = record({ url: SCRIPT, line: 1, column: NEW_ERROR });
  const done = resolver.prepare([SCRIPT]);
  await new Promise((res) => setImmediate(res));
  assert.equal(withOriginalPositions(r, resolver).sourceMapError, STILL_LOADING);
  release();
  await done;
  assert.equal(withOriginalPositions(r, resolver).original?.column, 9);
});

test('inline data: maps, base64 and percent-encoded, resolve against the script', async () => {
  const b64 = `data:application/json;charset=utf-8;base64,${Buffer.from(BUILT.map).toString('base64')}`;
  const pct = `data:application/json,${encodeURIComponent(BUILT.map)}`;
  const other = 'http://app.test/dist/other.js';
  const { resolver, loaded } = fake({ [SCRIPT]: { mapUrl: b64 }, [other]: { mapUrl: pct } }, {});
  await resolver.prepare([SCRIPT, other]);
  assert.deepEqual(withOriginalPositions(record({ url: SCRIPT, line: 1, column: NEW_ERROR }), resolver).original?.url, 'http://app.test/src/app.ts');
  assert.equal(withOriginalPositions(record({ url: other, line: 1, column: NEW_ERROR }), resolver).original?.line, 2);
  assert.deepEqual(loaded, []);
});

test('the size cap refuses a map, and the cache keeps at most maxMaps', async () => {
  const limits = { ...DEFAULT_SOURCE_MAP_LIMITS, maxMapBytes: 100, maxMaps: 2 };
  const big = fake({ [SCRIPT]: { mapUrl: 'app.min.js.map' } }, { 'http://app.test/dist/app.min.js.map': { text: BUILT.map + ' '.repeat(200) } }, limits);
  await big.resolver.prepare([SCRIPT]);
  assert.match(withOriginalPositions(record({ url: SCRIPT, line: 1, column: 1 }), big.resolver).sourceMapError ?? '', /too large/);

  const urls = ['a', 'b', 'c'].map((n) => `http://app.test/${n}.js`);
  const many = fake(Object.fromEntries(urls.map((u) => [u, { mapUrl: `${u}.map` }])), Object.fromEntries(urls.map((u) => [`${u}.map`, { text: BUILT.map }])), {
    ...DEFAULT_SOURCE_MAP_LIMITS,
    maxMaps: 2,
  });
  for (const u of urls) await many.resolver.prepare([u]);
  assert.equal(many.resolver.stats().maps, 2);
  // The first map was evicted: asking again loads it again.
  await many.resolver.prepare([urls[0] as string]);
  assert.equal(many.loaded.filter((u) => u === `${urls[0] as string}.map`).length, 2);
});

test('decodeDataUrl, sourceMappingUrlOf and parseSourceMap', () => {
  assert.deepEqual(decodeDataUrl('data:application/json;base64,eyJhIjoxfQ==', 100), { text: '{"a":1}' });
  assert.deepEqual(decodeDataUrl('data:application/json,%7B%7D', 100), { text: '{}' });
  assert.match((decodeDataUrl(`data:application/json;base64,${'A'.repeat(400)}`, 100) as { error: string }).error, /larger than/);
  assert.match((decodeDataUrl('data:application/json', 100) as { error: string }).error, /without a comma/);
  assert.match((decodeDataUrl('data:,%E0%A4%A', 100) as { error: string }).error, /percent-encoding/);

  assert.equal(sourceMappingUrlOf('a();\n//# sourceMappingURL=one.map\nb();\n//# sourceMappingURL=two.map\n'), 'two.map');
  assert.equal(sourceMappingUrlOf('a();\n//@ sourceMappingURL=old.map'), 'old.map');
  assert.equal(sourceMappingUrlOf('const s = "//# sourceMappingURL=x.map" + y;'), undefined);
  assert.equal(sourceMappingUrlOf('a();'), undefined);

  assert.deepEqual(parseSourceMap('nope', 'http://x/a.map'), { error: 'not valid JSON' });
  assert.deepEqual(parseSourceMap('{"version":3}', 'http://x/a.map'), { error: 'not a source map (no mappings)' });
  assert.ok('map' in parseSourceMap(`)]}'\n${BUILT.map}`, 'http://x/a.map'), 'the XSSI prefix is skipped');
});

/** Functions inside an IIFE, so minification renames them; the stack comes from V8 running the minified code. */
const NAMED = transformSync(
  [
    '(() => {',
    '  function failOrder(id: number): never {',
    '    throw new Error("order " + id);',
    '  }',
    '  const api = { save(id: number) { failOrder(id); } };',
    '  function onSave() {',
    '    api.save(7);',
    '  }',
    '  (globalThis as { go?: unknown }).go = () => onSave();',
    '})();',
    '',
  ].join('\n'),
  { loader: 'ts', minify: true, sourcemap: 'external', sourcefile: '../src/app.ts' },
);

test('a stack frame of a renamed function shows the name its caller called it by; the outermost frame keeps its own', async () => {
  assert.doesNotMatch(NAMED.code, /failOrder|onSave/, 'esbuild renamed the functions');
  const g: { go?: () => void } = {};
  runInNewContext(NAMED.code, { globalThis: g }, { filename: SCRIPT });
  let stack = '';
  try {
    g.go?.();
  } catch (e) {
    stack = splitErrorDescription((e as Error).stack ?? '').stack ?? '';
  }
  const { resolver } = fake({ [SCRIPT]: { mapUrl: 'app.min.js.map' } }, { 'http://app.test/dist/app.min.js.map': { text: NAMED.map } });
  const r = record({ stack });
  await resolver.prepare(urlsOf(r));
  const frames = (withOriginalPositions(r, resolver).originalStack ?? '').split('\n');
  // failOrder, called by the code as `failOrder(id)` in save; save, called as `api.save(7)`, keeps its receiver.
  assert.match(frames[0] ?? '', /^ {4}at failOrder \(http:\/\/app\.test\/src\/app\.ts:3:11\)$/, frames.join('\n'));
  assert.match(frames[1] ?? '', /^ {4}at Object\.save \(http:\/\/app\.test\/src\/app\.ts:5:\d+\)$/, frames.join('\n'));
  assert.match(frames[2] ?? '', /^ {4}at onSave \(http:\/\/app\.test\/src\/app\.ts:7:\d+\)$/, frames.join('\n'));
  // The outermost frame of the page's code: an arrow the test called, named by V8 from its property.
  assert.match(frames[3] ?? '', /^ {4}at globalThis\.go \(http:\/\/app\.test\/src\/app\.ts:9:\d+\)$/, frames.join('\n'));
  assert.ok(!frames.slice(4).some((f) => f.includes('app.test')), 'frames outside the script are left as they were');
  // firstOriginalLocation: the message's own location first, else the first mapped frame.
  assert.deepEqual(firstOriginalLocation(withOriginalPositions(r, resolver)), { url: 'http://app.test/src/app.ts', line: 3, column: 11 });
});

test('renamedFrame keeps the receiver, new, async and [as ...]; anonymous frames and unnamed callers stay', () => {
  assert.equal(renamedFrame('    at o (', 'failOrder'), '    at failOrder (');
  assert.equal(renamedFrame('    at HTMLButtonElement.t (', 'onClick'), '    at HTMLButtonElement.onClick (');
  assert.equal(renamedFrame('    at new n (', 'Order'), '    at new Order (');
  assert.equal(renamedFrame('    at async Promise.o [as run] (', 'load'), '    at async Promise.load [as run] (');
  assert.equal(renamedFrame('    at ', 'x'), '    at ');
  assert.equal(renamedFrame('    at Object.<anonymous> (', 'x'), '    at Object.<anonymous> (');
  assert.equal(renamedFrame('    at o (', undefined), '    at o (');
});

test('firstOriginalLocation: the own location, else the first frame a map moved, else none', () => {
  const own = { url: 'http://a/src/a.ts', line: 3, column: 4 };
  assert.deepEqual(firstOriginalLocation(record({ original: own })), own);
  const stack = ['    at http://lib/x.js:1:2', '    at f (http://a/dist/a.js:1:50)'].join('\n');
  const originalStack = ['    at http://lib/x.js:1:2', '    at f (http://a/src/a.ts:9:3)'].join('\n');
  assert.deepEqual(firstOriginalLocation(record({ stack, originalStack })), { url: 'http://a/src/a.ts', line: 9, column: 3 });
  assert.equal(firstOriginalLocation(record({ stack })), undefined);
});
