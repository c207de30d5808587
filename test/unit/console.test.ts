import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from 'devtools-protocol';
import { ConsoleCollector } from '../../src/telemetry/console.js';
import { consoleArgs, withConsoleArgs } from '../../src/telemetry/consoleArgs.js';
import { foldConsole } from '../../src/daemon/handlers/console.js';
import type { ConsoleRecord } from '../../src/protocol/records.js';
import { formatConsoleArgs, renderFunction, renderRemoteObject } from '../../src/telemetry/preview.js';

// Events below are shaped as Chrome (HeadlessChrome/124) sends them over CDP.

type RemoteObject = Protocol.Runtime.RemoteObject;

const APP = 'http://localhost:3000/static/app.js';

function collector(overrides: Partial<ConstructorParameters<typeof ConsoleCollector>[0]> = {}): ConsoleCollector {
  return new ConsoleCollector({ maxItems: 1000, maxBytes: 10 * 1024 * 1024, now: () => 42, ...overrides });
}

function consoleCall(type: Protocol.Runtime.ConsoleAPICalledEvent['type'], args: RemoteObject[]): Protocol.Runtime.ConsoleAPICalledEvent {
  return {
    type,
    args,
    executionContextId: 1,
    timestamp: 1718000035123.456,
    stackTrace: {
      callFrames: [
        { functionName: 'render', scriptId: '17', url: APP, lineNumber: 9, columnNumber: 12 },
        { functionName: '', scriptId: '17', url: APP, lineNumber: 49, columnNumber: 0 },
      ],
    },
  };
}

const str = (value: string): RemoteObject => ({ type: 'string', value });
const num = (value: number): RemoteObject => ({ type: 'number', value, description: String(value) });

const userObject: RemoteObject = {
  type: 'object',
  className: 'Object',
  description: 'Object',
  objectId: '-4393839293847748273.1.3',
  preview: {
    type: 'object',
    description: 'Object',
    overflow: false,
    properties: [
      { name: 'a', type: 'number', value: '1' },
      { name: 'b', type: 'string', value: 'x' },
      { name: 'nested', type: 'object', value: 'Object' },
      { name: 'list', type: 'object', value: 'Array(3)', subtype: 'array' },
      { name: 'onClick', type: 'function', value: '' },
      { name: 'nil', type: 'object', value: 'null', subtype: 'null' },
      { name: 'when', type: 'object', value: 'Mon Jun 10 2024 08:13:55 GMT+0200 (Central European Summer Time)', subtype: 'date' },
      { name: 'data-id', type: 'number', value: '7' },
      { name: 'big', type: 'bigint', value: '10n' },
      { name: 'flag', type: 'boolean', value: 'false' },
      { name: 'gone', type: 'undefined', value: 'undefined' },
    ],
  },
};

const arrayObject: RemoteObject = {
  type: 'object',
  subtype: 'array',
  className: 'Array',
  description: 'Array(3)',
  objectId: '-4393839293847748273.1.4',
  preview: {
    type: 'object',
    subtype: 'array',
    description: 'Array(3)',
    overflow: false,
    properties: [
      { name: '0', type: 'number', value: '1' },
      { name: '1', type: 'number', value: '2' },
      { name: '2', type: 'number', value: '3' },
    ],
  },
};

test('console.log with format specifiers is rendered like Chrome', () => {
  const con = collector();
  con.handle(
    'Runtime.consoleAPICalled',
    consoleCall('log', [str('User %s has %d items (%i%%), ratio %.2f, float %f'), str('ana'), num(3.9), num(-7.5), num(0.5), num(1.25), userObject]),
  );
  const [r] = con.all();
  assert.ok(r);
  assert.equal(r.id, 'c1');
  assert.equal(r.kind, 'console');
  assert.equal(r.level, 'log');
  assert.equal(r.type, 'log');
  assert.equal(
    r.text,
    'User ana has 3 items (-7%), ratio 0.50, float 1.25 {a: 1, b: "x", nested: {…}, list: Array(3), onClick: ƒ, nil: null, when: Mon Jun 10 2024 08:13:55 GMT+0200 (Central European Summer Time), "data-id": 7, big: 10n, flag: false, gone: undefined}',
  );
  assert.equal(r.args?.length, 7);
  assert.equal(r.args?.[0], 'User %s has %d items (%i%%), ratio %.2f, float %f');
  assert.equal(r.args?.[1], 'ana');
  // Source location: CDP is 0-based, records are 1-based.
  assert.equal(r.url, APP);
  assert.equal(r.line, 10);
  assert.equal(r.column, 13);
  assert.equal(r.stack, undefined, 'plain logs do not keep the stack');
  assert.equal(r.timestamp, 1718000035123.456);
  assert.equal(r.navigation, 0);
});

test('%c styles are dropped, %o quotes strings, missing arguments leave the specifier', () => {
  const text = (args: RemoteObject[]): string => formatConsoleArgs(args).text;
  assert.equal(text([str('%cBig%c normal'), str('color: red; font-size: 20px'), str('')]), 'Big normal');
  assert.equal(text([str('value: %o'), str('quoted')]), 'value: "quoted"');
  assert.equal(text([str('obj %O!'), arrayObject]), 'obj [1, 2, 3]!');
  assert.equal(text([str('%s and %s'), str('one')]), 'one and %s');
  assert.equal(text([str('%d apples'), str('many')]), 'NaN apples');
  assert.equal(text([str('%d'), { type: 'bigint', unserializableValue: '12n', description: '12n' }]), '12n');
  assert.equal(text([str('100%% sure'), num(1)]), '100% sure 1');
  assert.equal(text([str('%s'), userObject]).startsWith('{a: 1'), true);
  // Only a string first argument is a format.
  assert.equal(
    text([num(42), str('%s'), { type: 'object', subtype: 'null', value: null }, { type: 'undefined' }, { type: 'boolean', value: true }]),
    '42 %s null undefined true',
  );
  assert.equal(text([]), '');
});

test('renders primitives, arrays, maps, class instances and errors', () => {
  assert.equal(renderRemoteObject({ type: 'number', unserializableValue: 'NaN', description: 'NaN' }), 'NaN');
  assert.equal(renderRemoteObject({ type: 'number', unserializableValue: '-0', description: '-0' }), '-0');
  assert.equal(renderRemoteObject({ type: 'bigint', unserializableValue: '9007199254740993n', description: '9007199254740993n' }), '9007199254740993n');
  assert.equal(renderRemoteObject({ type: 'symbol', description: 'Symbol(tag)', objectId: '1.2.3' }), 'Symbol(tag)');
  assert.equal(renderRemoteObject(str('raw "string"')), 'raw "string"');
  assert.equal(renderRemoteObject(arrayObject), '[1, 2, 3]');
  assert.equal(
    renderRemoteObject({
      type: 'object',
      subtype: 'array',
      className: 'Array',
      description: 'Array(5)',
      objectId: '1.2.4',
      preview: {
        type: 'object',
        subtype: 'array',
        description: 'Array(5)',
        overflow: false,
        properties: [
          { name: '0', type: 'number', value: '1' },
          { name: '3', type: 'string', value: 'four' },
        ],
      },
    }),
    '[1, empty × 2, "four", empty]',
  );
  const long: RemoteObject = {
    type: 'object',
    subtype: 'array',
    className: 'Array',
    description: 'Array(120)',
    objectId: '1.2.5',
    preview: {
      type: 'object',
      subtype: 'array',
      description: 'Array(120)',
      overflow: true,
      properties: Array.from({ length: 100 }, (_, i) => ({ name: String(i), type: 'number' as const, value: String(i) })),
    },
  };
  const rendered = renderRemoteObject(long);
  assert.ok(rendered.startsWith('[0, 1, 2, '));
  assert.ok(rendered.endsWith('98, 99, …]'));
  assert.equal(
    renderRemoteObject({
      type: 'object',
      className: 'User',
      description: 'User',
      objectId: '1.2.6',
      preview: {
        type: 'object',
        description: 'User',
        overflow: true,
        properties: [
          { name: 'name', type: 'string', value: 'ana' },
          { name: 'email', type: 'accessor' },
        ],
      },
    }),
    'User {name: "ana", email: (...), …}',
  );
  assert.equal(
    renderRemoteObject({
      type: 'object',
      subtype: 'map',
      className: 'Map',
      description: 'Map(2)',
      objectId: '1.2.7',
      preview: {
        type: 'object',
        subtype: 'map',
        description: 'Map(2)',
        overflow: false,
        properties: [],
        entries: [
          {
            key: { type: 'string', description: 'a', overflow: false, properties: [] },
            value: { type: 'number', description: '1', overflow: false, properties: [] },
          },
          {
            key: { type: 'string', description: 'b', overflow: false, properties: [] },
            value: { type: 'object', description: 'Object', overflow: false, properties: [{ name: 'x', type: 'number', value: '1' }] },
          },
        ],
      },
    }),
    'Map(2) {"a" => 1, "b" => {x: 1}}',
  );
  assert.equal(
    renderRemoteObject({
      type: 'object',
      subtype: 'set',
      className: 'Set',
      description: 'Set(2)',
      objectId: '1.2.8',
      preview: {
        type: 'object',
        subtype: 'set',
        description: 'Set(2)',
        overflow: false,
        properties: [],
        entries: [
          { value: { type: 'number', description: '1', overflow: false, properties: [] } },
          { value: { type: 'number', description: '2', overflow: false, properties: [] } },
        ],
      },
    }),
    'Set(2) {1, 2}',
  );
  const err: RemoteObject = {
    type: 'object',
    subtype: 'error',
    className: 'TypeError',
    description: "TypeError: Cannot read properties of undefined (reading 'id')\n    at render (http://localhost:3000/static/app.js:10:13)",
    objectId: '1.2.9',
  };
  assert.equal(renderRemoteObject(err), err.description);
  assert.equal(
    renderRemoteObject({ type: 'object', subtype: 'node', className: 'HTMLDivElement', description: 'div#app.container', objectId: '1.2.10' }),
    'div#app.container',
  );
});

test('nested previews (console.table rows) are expanded a few levels', () => {
  const rows: RemoteObject = {
    type: 'object',
    subtype: 'array',
    className: 'Array',
    description: 'Array(2)',
    objectId: '1.3.1',
    preview: {
      type: 'object',
      subtype: 'array',
      description: 'Array(2)',
      overflow: false,
      properties: [
        {
          name: '0',
          type: 'object',
          value: 'Object',
          valuePreview: {
            type: 'object',
            description: 'Object',
            overflow: false,
            properties: [
              { name: 'id', type: 'number', value: '1' },
              {
                name: 'tags',
                type: 'object',
                value: 'Array(2)',
                subtype: 'array',
                valuePreview: {
                  type: 'object',
                  subtype: 'array',
                  description: 'Array(2)',
                  overflow: false,
                  properties: [
                    { name: '0', type: 'string', value: 'a' },
                    { name: '1', type: 'string', value: 'b' },
                  ],
                },
              },
            ],
          },
        },
        {
          name: '1',
          type: 'object',
          value: 'Object',
          valuePreview: { type: 'object', description: 'Object', overflow: false, properties: [{ name: 'id', type: 'number', value: '2' }] },
        },
      ],
    },
  };
  assert.equal(renderRemoteObject(rows), '[{id: 1, tags: ["a", "b"]}, {id: 2}]');
  const con = collector();
  con.handle('Runtime.consoleAPICalled', consoleCall('table', [rows]));
  assert.equal(con.last(1)[0]?.level, 'log');
  assert.equal(con.last(1)[0]?.type, 'table');
});

test('functions render as ƒ name(params)', () => {
  assert.equal(renderFunction('function handleClick(event) {\n  console.log(event);\n}'), 'ƒ handleClick(event)');
  assert.equal(renderFunction('async function load(url,\n    opts) { await fetch(url); }'), 'async ƒ load(url, opts)');
  assert.equal(renderFunction('function* ids() { yield 1; }'), 'ƒ* ids()');
  assert.equal(renderFunction('function () { [native code] }'), 'ƒ ()');
  assert.equal(renderFunction('function push() { [native code] }'), 'ƒ push()');
  assert.equal(renderFunction('class Store extends Base { constructor() { super(); } }'), 'class Store');
  assert.equal(renderFunction('(a, b) => a + b'), '(a, b) => {…}');
  assert.equal(renderFunction('x => x * 2'), 'x => {…}');
  assert.equal(renderFunction('save(doc) { return db.put(doc); }'), 'ƒ save(doc)');
  assert.equal(
    renderRemoteObject({ type: 'function', className: 'Function', description: 'function onSubmit(e) { e.preventDefault(); }', objectId: '1.4.1' }),
    'ƒ onSubmit(e)',
  );
});

test('console levels follow DevTools', () => {
  const con = collector();
  const types: Protocol.Runtime.ConsoleAPICalledEvent['type'][] = [
    'log',
    'debug',
    'info',
    'error',
    'warning',
    'dir',
    'dirxml',
    'table',
    'trace',
    'clear',
    'startGroup',
    'startGroupCollapsed',
    'endGroup',
    'assert',
    'count',
    'timeEnd',
  ];
  for (const t of types) con.handle('Runtime.consoleAPICalled', consoleCall(t, [str(`console.${t}`)]));
  assert.deepEqual(Object.fromEntries(con.all().map((r) => [r.type, r.level])), {
    log: 'log',
    debug: 'debug',
    info: 'info',
    error: 'error',
    warning: 'warning',
    dir: 'log',
    dirxml: 'log',
    table: 'log',
    trace: 'log',
    clear: 'log',
    startGroup: 'log',
    startGroupCollapsed: 'log',
    endGroup: 'log',
    assert: 'error',
    count: 'log',
    timeEnd: 'log',
  });
});

test('console.trace keeps the stack, console.assert says the assertion failed', () => {
  const con = collector();
  con.handle('Runtime.consoleAPICalled', consoleCall('trace', [str('console.trace')]));
  con.handle('Runtime.consoleAPICalled', consoleCall('assert', [str('expected %d items'), num(3)]));
  con.handle('Runtime.consoleAPICalled', consoleCall('assert', [str('console.assert')]));
  con.handle('Runtime.consoleAPICalled', consoleCall('count', [str('clicks: 4')]));
  const [trace, assertion, bare, count] = con.all();
  assert.equal(trace?.text, 'console.trace');
  assert.equal(trace?.stack, `    at render (${APP}:10:13)\n    at ${APP}:50:1`);
  assert.equal(assertion?.text, 'Assertion failed: expected 3 items');
  assert.equal(assertion?.level, 'error');
  assert.equal(bare?.text, 'Assertion failed');
  assert.equal(count?.text, 'clicks: 4');
});

test('an uncaught exception keeps the real message and the stack', () => {
  const con = collector();
  const description = `TypeError: user.getName is not a function\n    at onClick (${APP}:25:9)\n    at HTMLButtonElement.<anonymous> (${APP}:61:3)`;
  con.handle('Runtime.exceptionThrown', {
    timestamp: 1718000036001.2,
    exceptionDetails: {
      exceptionId: 3,
      text: 'Uncaught',
      lineNumber: 24,
      columnNumber: 8,
      scriptId: '17',
      url: APP,
      stackTrace: {
        callFrames: [
          { functionName: 'onClick', scriptId: '17', url: APP, lineNumber: 24, columnNumber: 8 },
          { functionName: '', scriptId: '17', url: APP, lineNumber: 60, columnNumber: 2 },
        ],
      },
      exception: {
        type: 'object',
        subtype: 'error',
        className: 'TypeError',
        description,
        objectId: '-4393839293847748273.1.9',
        preview: {
          type: 'object',
          subtype: 'error',
          description,
          overflow: false,
          properties: [
            { name: 'stack', type: 'string', value: description },
            { name: 'message', type: 'string', value: 'user.getName is not a function' },
          ],
        },
      },
      executionContextId: 1,
    },
  });
  const [r] = con.all();
  assert.ok(r);
  assert.equal(r.kind, 'exception');
  assert.equal(r.level, 'error');
  assert.equal(r.type, 'exception');
  assert.equal(r.text, 'TypeError: user.getName is not a function');
  assert.equal(r.stack, `    at onClick (${APP}:25:9)\n    at HTMLButtonElement.<anonymous> (${APP}:61:3)`);
  assert.equal(r.url, APP);
  assert.equal(r.line, 25);
  assert.equal(r.column, 9);
  assert.equal(r.timestamp, 1718000036001.2);
});

test('unhandled rejections, thrown strings and syntax errors are never just "Uncaught"', () => {
  const con = collector();
  con.handle('Runtime.exceptionThrown', {
    timestamp: 1718000036100,
    exceptionDetails: {
      exceptionId: 4,
      text: 'Uncaught (in promise)',
      lineNumber: 0,
      columnNumber: 0,
      stackTrace: { callFrames: [{ functionName: 'load', scriptId: '17', url: APP, lineNumber: 70, columnNumber: 10 }] },
      exception: { type: 'object', subtype: 'error', className: 'Error', description: `Error: boom\n    at load (${APP}:71:11)`, objectId: '1.5.1' },
      executionContextId: 1,
    },
  });
  con.handle('Runtime.exceptionThrown', {
    timestamp: 1718000036200,
    exceptionDetails: {
      exceptionId: 5,
      text: 'Uncaught',
      lineNumber: 80,
      columnNumber: 4,
      scriptId: '17',
      url: APP,
      stackTrace: { callFrames: [{ functionName: 'validate', scriptId: '17', url: APP, lineNumber: 80, columnNumber: 4 }] },
      exception: { type: 'string', value: 'invalid state' },
      executionContextId: 1,
    },
  });
  con.handle('Runtime.exceptionThrown', {
    timestamp: 1718000036300,
    exceptionDetails: {
      exceptionId: 6,
      text: "Uncaught SyntaxError: Unexpected token '}'",
      lineNumber: 11,
      columnNumber: 0,
      scriptId: '18',
      url: 'http://localhost:3000/static/broken.js',
      exception: { type: 'object', subtype: 'error', className: 'SyntaxError', description: "SyntaxError: Unexpected token '}'", objectId: '1.5.2' },
      executionContextId: 1,
    },
  });
  const [rejection, thrown, syntax] = con.all();
  assert.equal(rejection?.text, 'Error: boom');
  assert.equal(rejection?.type, 'unhandledrejection');
  assert.equal(rejection?.stack, `    at load (${APP}:71:11)`);
  // No url in the details: the location comes from the top frame.
  assert.equal(rejection?.url, APP);
  assert.equal(rejection?.line, 71);
  assert.equal(thrown?.text, 'Uncaught invalid state');
  assert.equal(thrown?.stack, `    at validate (${APP}:81:5)`);
  assert.equal(syntax?.text, "SyntaxError: Unexpected token '}'");
  assert.equal(syntax?.stack, undefined);
  assert.equal(syntax?.line, 12);
  assert.equal(syntax?.column, 1);
});

test('Log.entryAdded becomes a browser record', () => {
  const con = collector();
  con.handle('Log.entryAdded', {
    entry: {
      source: 'network',
      level: 'error',
      text: 'Failed to load resource: the server responded with a status of 404 (Not Found)',
      timestamp: 1718000037000.5,
      url: 'http://localhost:3000/missing.png',
      networkRequestId: '2840.90',
    },
  });
  con.handle('Log.entryAdded', { entry: { source: 'violation', level: 'verbose', text: "[Violation] 'click' handler took 254ms", timestamp: 1718000037100 } });
  con.handle('Log.entryAdded', {
    entry: {
      source: 'deprecation',
      level: 'warning',
      text: 'Synchronous XMLHttpRequest on the main thread is deprecated',
      timestamp: 1718000037200,
      url: APP,
      lineNumber: 11,
    },
  });
  con.handle('Log.entryAdded', { entry: { source: 'security', level: 'info', text: 'Mixed content upgraded', timestamp: 1718000037300 } });
  const [net, violation, deprecation, security] = con.all();
  assert.deepEqual(net, {
    id: 'c1',
    kind: 'browser',
    level: 'error',
    type: 'network',
    text: 'Failed to load resource: the server responded with a status of 404 (Not Found)',
    url: 'http://localhost:3000/missing.png',
    timestamp: 1718000037000.5,
    navigation: 0,
  });
  assert.equal(violation?.level, 'debug');
  assert.equal(violation?.type, 'violation');
  assert.equal(deprecation?.level, 'warning');
  assert.equal(deprecation?.line, 12);
  assert.equal(security?.level, 'info');
});

test('bounded by count and bytes; get() forgets dropped records', () => {
  const con = collector({ maxItems: 3 });
  for (let i = 1; i <= 5; i++) con.handle('Runtime.consoleAPICalled', consoleCall('log', [str(`message ${i}`)]));
  assert.deepEqual(
    con.all().map((r) => [r.id, r.text]),
    [
      ['c3', 'message 3'],
      ['c4', 'message 4'],
      ['c5', 'message 5'],
    ],
  );
  assert.equal(con.get('c1'), undefined);
  assert.equal(con.get('c4')?.text, 'message 4');
  assert.deepEqual(
    con.last(2).map((r) => r.id),
    ['c4', 'c5'],
  );
  assert.deepEqual(con.stats(), { count: 3, dropped: 2, bytes: con.stats().bytes, maxItems: 3, maxBytes: 10 * 1024 * 1024 });

  const small = collector({ maxBytes: 2_000 });
  for (let i = 0; i < 50; i++) small.handle('Runtime.consoleAPICalled', consoleCall('log', [str(`line ${i} `.padEnd(100, '.'))]));
  const stats = small.stats();
  assert.ok(stats.bytes <= 2_000, `bytes ${stats.bytes}`);
  assert.ok(stats.count < 50 && stats.count > 0);
  assert.equal(stats.count + stats.dropped, 50);
  assert.ok(small.last(1)[0]?.text.startsWith('line 49 '));
});

test('records carry the navigation index; missing timestamps use the clock; junk is ignored', () => {
  const con = collector({ now: () => 1_700_000_000_000 });
  con.handle('Runtime.consoleAPICalled', consoleCall('log', [str('first page')]));
  con.setNavigation(2);
  assert.equal(con.navigation, 2);
  const e = consoleCall('info', [str('second page')]) as Partial<Protocol.Runtime.ConsoleAPICalledEvent>;
  delete e.timestamp;
  con.handle('Runtime.consoleAPICalled', e);
  con.handle('Runtime.consoleAPICalled', null);
  con.handle('Runtime.exceptionThrown', { timestamp: 1 });
  con.handle('Log.entryAdded', {});
  con.handle('Runtime.executionContextsCleared', {});
  assert.deepEqual(
    con.all().map((r) => [r.text, r.navigation, r.timestamp]),
    [
      ['first page', 0, 1718000035123.456],
      ['second page', 2, 1_700_000_000_000],
    ],
  );
});

test('lookups by id find buffered records only, and only by their exact id', () => {
  const con = collector({ maxItems: 3 });
  const str = (value: string): RemoteObject => ({ type: 'string', value });
  for (let i = 1; i <= 4; i++) con.handle('Runtime.consoleAPICalled', consoleCall('log', [str(`m${i}`)]));
  assert.equal(con.get('c1'), undefined);
  assert.equal(con.get('c2')?.text, 'm2');
  assert.equal(con.get('c4')?.text, 'm4');
  for (const near of ['c02', 'c2.0', 'c+2', 'n2', '2', 'c', 'c5', 'c0', ' c2']) assert.equal(con.get(near), undefined, near);
  con.handle('Runtime.consoleAPICalled', consoleCall('log', [str('m5')]));
  assert.equal(con.get('c2'), undefined, 'the oldest is forgotten once evicted');
  assert.equal(con.get('c3')?.text, 'm3');
  assert.equal(con.get('c5')?.text, 'm5');
  assert.deepEqual(
    con.all().map((r) => r.text),
    ['m3', 'm4', 'm5'],
  );
});

test('foldConsole folds the same text from the same place on the same page, in first-seen order', () => {
  const base = { kind: 'console', level: 'log', type: 'log', navigation: 0, timestamp: 1 } as const;
  const rec = (id: string, text: string, over: Partial<ConsoleRecord> = {}): ConsoleRecord => ({ ...base, id, text, url: APP, line: 3, column: 5, ...over });
  const { url: _u, line: _l, column: _c, ...noPlace } = rec('c7', 'tick');
  const folded = foldConsole([
    rec('c1', 'tick'),
    rec('c2', 'other'),
    rec('c3', 'tick', { timestamp: 9 }),
    rec('c4', 'tick', { line: 4 }),
    rec('c5', 'tick', { navigation: 1 }),
    rec('c6', 'tick', { level: 'warning', type: 'warning' }),
    noPlace,
    rec('c8', 'tick'),
  ]);
  assert.deepEqual(
    folded.map((f) => [f.id, f.count, f.lastId]),
    [
      ['c1', 3, 'c8'],
      ['c2', 1, undefined],
      ['c4', 1, undefined],
      ['c5', 1, undefined],
      ['c6', 1, undefined],
      ['c7', 1, undefined],
    ],
  );
  assert.equal(folded[0]?.lastTimestamp, 1);
});

test('a record keeps its arguments only when they say more than its text; consoleArgs gives them all back', () => {
  const con = collector();
  const str = (value: string): RemoteObject => ({ type: 'string', value });
  const obj: RemoteObject = { type: 'object', className: 'Object', description: 'Object', preview: { type: 'object', overflow: false, properties: [] } };
  const calls: [Protocol.Runtime.ConsoleAPICalledEvent['type'], RemoteObject[]][] = [
    ['log', [str('saved')]],
    ['log', [str('User %s'), str('ana')]],
    ['log', []],
    ['log', [str('')]],
    ['assert', []],
    ['assert', [str('x')]],
    ['log', [{ type: 'number', value: 5, description: '5' }]],
    ['log', [obj]],
    ['warning', [str('a'), str('b')]],
  ];
  for (const [type, args] of calls) con.handle('Runtime.consoleAPICalled', consoleCall(type, args));
  const rs = con.all();
  assert.deepEqual(
    rs.map((r) => r.args),
    [undefined, ['User %s', 'ana'], undefined, [''], undefined, ['x'], undefined, undefined, ['a', 'b']],
  );
  assert.deepEqual(
    rs.map((r) => consoleArgs(r)),
    [['saved'], ['User %s', 'ana'], undefined, [''], undefined, ['x'], ['5'], [rs[7]?.text], ['a', 'b']],
  );
  assert.deepEqual(withConsoleArgs(rs[0] as ConsoleRecord), { ...rs[0], args: ['saved'] });
  assert.equal(withConsoleArgs(rs[2] as ConsoleRecord), rs[2]);
  // Built whole, in the order records always had their fields.
  assert.deepEqual(Object.keys(rs[0] as ConsoleRecord), ['id', 'kind', 'level', 'type', 'text', 'timestamp', 'navigation', 'url', 'line', 'column']);
  assert.deepEqual(Object.keys(rs[1] as ConsoleRecord), ['id', 'kind', 'level', 'type', 'text', 'timestamp', 'navigation', 'args', 'url', 'line', 'column']);
  // A record written before arguments were left out (an older journal) reads the same.
  const older: ConsoleRecord = { id: 'c1', kind: 'console', level: 'log', type: 'log', text: 'saved', args: ['saved'], timestamp: 1, navigation: 0 };
  assert.deepEqual(consoleArgs(older), ['saved']);
});
