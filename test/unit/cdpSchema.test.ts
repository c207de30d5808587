import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdpSchema, cdpTargetFor, loadCdpSchema, oneLine, parseParamsJson, shellQuote, type ProtocolJson } from '../../src/protocol/cdpSchema.js';
import { BdgError } from '../../src/util/errors.js';

/** A small protocol in the shape of browser_protocol.json, so expectations do not move with Chrome releases. */
const TINY: ProtocolJson = {
  version: { major: '1', minor: '3' },
  domains: [
    {
      domain: 'Runtime',
      description: 'Runtime domain exposes JavaScript runtime.\nSecond sentence.',
      types: [
        { id: 'ExecutionContextId', type: 'integer' },
        {
          id: 'RemoteObject',
          type: 'object',
          properties: [
            { name: 'type', type: 'string', enum: ['object', 'number'] },
            { name: 'value', type: 'any', optional: true },
          ],
        },
        {
          id: 'CallArgument',
          type: 'object',
          properties: [
            { name: 'value', type: 'any', optional: true },
            { name: 'objectId', type: 'string', optional: true },
          ],
        },
      ],
      commands: [
        {
          name: 'evaluate',
          description: 'Evaluates expression on global object.',
          parameters: [
            { name: 'expression', type: 'string' },
            { name: 'returnByValue', type: 'boolean', optional: true },
            { name: 'contextId', $ref: 'ExecutionContextId', optional: true },
            { name: 'timeout', type: 'number', optional: true },
          ],
          returns: [{ name: 'result', $ref: 'RemoteObject' }],
        },
        {
          name: 'callFunctionOn',
          description: 'Calls function with given declaration on the given object.',
          parameters: [
            { name: 'functionDeclaration', type: 'string' },
            { name: 'arguments', type: 'array', optional: true, items: { $ref: 'CallArgument' } },
            { name: 'mode', type: 'string', optional: true, enum: ['fast', 'slow'] },
          ],
        },
        { name: 'enable', description: 'Enables reporting of execution contexts creation.' },
      ],
      events: [{ name: 'consoleAPICalled', description: 'Issued when console API was called.', parameters: [{ name: 'type', type: 'string' }] }],
    },
    {
      domain: 'Page',
      experimental: false,
      commands: [
        {
          name: 'navigate',
          description: 'Navigates current page to the given URL.',
          parameters: [
            { name: 'url', type: 'string' },
            { name: 'frameId', $ref: 'Runtime.ExecutionContextId', optional: true },
          ],
        },
        { name: 'reload', description: 'Reloads given page.' },
        { name: 'getCookies', description: 'Returns all browser cookies.', deprecated: true },
      ],
      events: [{ name: 'loadEventFired' }],
    },
    { domain: 'Browser', experimental: true, commands: [{ name: 'getVersion', description: 'Returns version information.' }] },
  ],
};

const tiny = new CdpSchema([TINY]);

function invalid(fn: () => unknown): BdgError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BdgError, String(err));
    assert.equal(err.code, 'INVALID_ARGUMENTS');
    return err;
  }
  assert.fail('expected INVALID_ARGUMENTS');
}

test('looks up methods, events, domains and types in any case and returns canonical names', () => {
  assert.equal(tiny.command('runtime.EVALUATE')?.name, 'Runtime.evaluate');
  assert.equal(tiny.resolveCommand('page.navigate').name, 'Page.navigate');
  assert.equal(tiny.event('runtime.consoleapicalled')?.name, 'Runtime.consoleAPICalled');
  assert.equal(tiny.domain('RUNTIME')?.domain, 'Runtime');
  assert.equal(tiny.type('ExecutionContextId', 'Runtime')?.name, 'Runtime.ExecutionContextId');
  assert.equal(tiny.type('runtime.remoteobject')?.name, 'Runtime.RemoteObject');
  assert.equal(tiny.command('Runtime.consoleAPICalled'), undefined, 'events are not commands');
  assert.deepEqual(tiny.resolveEventFilter('page'), { domain: 'Page' });
  assert.deepEqual(tiny.resolveEventFilter('page.LOADEVENTFIRED'), { event: 'Page.loadEventFired' });
});

test('suggests at most three close names for typos, wrong domains and bare method names', () => {
  assert.deepEqual(tiny.suggest('Runtime.evalute'), ['Runtime.evaluate']);
  assert.equal(tiny.suggest('Page.evaluate')[0], 'Runtime.evaluate');
  assert.equal(tiny.suggest('evaluate')[0], 'Runtime.evaluate');
  assert.equal(tiny.suggest('Page.relaod')[0], 'Page.reload');
  assert.deepEqual(tiny.suggest('Zzz.qqqqqqq'), []);
  assert.ok(tiny.suggest('Runtime.e').length <= 3);
  assert.deepEqual(tiny.suggest('Runtim', 'domain'), ['Runtime']);
});

test('an unknown method is INVALID_ARGUMENTS with suggestions; events and domains get their own pointers', () => {
  const e = invalid(() => tiny.resolveCommand('Runtime.evalute'));
  assert.match(e.message, /Unknown CDP method "Runtime.evalute"/);
  assert.match(e.hint ?? '', /Did you mean: Runtime\.evaluate\?/);
  assert.deepEqual((e.data as { suggestions: string[] }).suggestions, ['Runtime.evaluate']);
  assert.match(invalid(() => tiny.resolveCommand('Page.loadEventFired')).hint ?? '', /bdg cdp --events Page\.loadEventFired/);
  assert.match(invalid(() => tiny.resolveCommand('page')).hint ?? '', /bdg cdp Page --list/);
  assert.match(invalid(() => tiny.resolveEventFilter('Page.reload')).message, /is a method, not an event/);
  assert.match(invalid(() => tiny.resolveEventFilter('Page.loadEventFird')).hint ?? '', /Page\.loadEventFired/);
  assert.match(invalid(() => tiny.resolveDomain('Pgae')).hint ?? '', /Did you mean: Page/);
});

test('validates params: required, unknown names, primitive types, $ref types, enums, nested arrays', () => {
  const evaluate = tiny.resolveCommand('Runtime.evaluate');
  assert.deepEqual(tiny.checkParams(evaluate, { expression: '1+1', returnByValue: true, contextId: 3, timeout: 1.5 }), []);
  assert.deepEqual(tiny.checkParams(evaluate, {}), ['missing required expression (string)']);
  assert.deepEqual(tiny.checkParams(evaluate, { expression: 1 }), ['expression must be a string (got number)']);
  assert.deepEqual(tiny.checkParams(evaluate, { expression: 'x', contextId: 1.5 }), ['contextId must be an integer (got 1.5)']);
  assert.deepEqual(tiny.checkParams(evaluate, { expression: 'x', returnByValue: 'yes' }), ['returnByValue must be a boolean (got string)']);
  assert.deepEqual(tiny.checkParams(evaluate, { expression: 'x', returnbyvalue: true }), ['unknown parameter returnbyvalue (did you mean returnByValue?)']);
  assert.match(
    tiny.checkParams(evaluate, { expression: 'x', zzz: 1 })[0] ?? '',
    /unknown parameter zzz \(expected: expression, returnByValue, contextId, timeout\)/,
  );
  const call = tiny.resolveCommand('Runtime.callFunctionOn');
  assert.deepEqual(tiny.checkParams(call, { functionDeclaration: 'f', mode: 'medium' }), ['mode must be one of "fast", "slow" (got "medium")']);
  assert.deepEqual(tiny.checkParams(call, { functionDeclaration: 'f', arguments: [{ value: 1 }, { objectId: 2 }, { nope: 1 }] }), [
    'arguments[1].objectId must be a string (got number)',
    'unknown property arguments[2].nope (expected: value, objectId)',
  ]);
  assert.deepEqual(tiny.checkParams(call, { functionDeclaration: 'f', arguments: {} }), ['arguments must be an array (got object)']);
  assert.match(tiny.checkParams(tiny.resolveCommand('Page.reload'), { x: 1 })[0] ?? '', /unknown parameter x \(it takes none\)/);
  const err = invalid(() => tiny.assertParams(evaluate, { expression: 1, bogus: true }));
  assert.match(err.message, /Invalid params for Runtime\.evaluate: expression must be a string \(got number\); unknown parameter bogus/);
  assert.match(err.hint ?? '', /bdg cdp Runtime\.evaluate --describe/);
});

test('parses --params: one JSON object, with a pointer to --describe otherwise', () => {
  assert.deepEqual(parseParamsJson(undefined, 'Page.reload'), {});
  assert.deepEqual(parseParamsJson(' ', 'Page.reload'), {});
  assert.deepEqual(parseParamsJson('{"a":1}', 'Page.reload'), { a: 1 });
  assert.match(invalid(() => parseParamsJson('{a:1}', 'Page.reload')).hint ?? '', /bdg cdp Page\.reload --describe/);
  assert.match(invalid(() => parseParamsJson('[1]', 'Page.reload')).message, /must be a JSON object \(got an array\)/);
  assert.match(invalid(() => parseParamsJson('null', 'Page.reload')).message, /got null/);
});

test('describes methods, events and types with resolved types, enums and an example command', () => {
  const d = tiny.describe('runtime.callfunctionon');
  assert.equal(d.name, 'Runtime.callFunctionOn');
  assert.equal(d.kind, 'command');
  assert.equal(d.target, 'page');
  assert.deepEqual(
    d.parameters?.map((p) => [p.name, p.type, p.optional]),
    [
      ['functionDeclaration', 'string', false],
      ['arguments', 'array of Runtime.CallArgument', true],
      ['mode', 'string', true],
    ],
  );
  assert.deepEqual(d.parameters?.[2]?.enum, ['fast', 'slow']);
  assert.equal(d.example, `bdg cdp Runtime.callFunctionOn --params '{"functionDeclaration":"…"}'`);
  const ev = tiny.describe('Runtime.evaluate');
  assert.equal(ev.parameters?.find((p) => p.name === 'contextId')?.type, 'Runtime.ExecutionContextId (integer)');
  assert.deepEqual(
    ev.returns?.map((r) => r.type),
    ['Runtime.RemoteObject'],
  );
  assert.equal(tiny.describe('Browser.getVersion').target, 'browser');
  assert.equal(tiny.describe('Browser.getVersion').example, 'bdg cdp Browser.getVersion');
  assert.equal(tiny.describe('Page.loadEventFired').kind, 'event');
  const t = tiny.describe('Runtime.RemoteObject');
  assert.equal(t.kind, 'type');
  assert.deepEqual(
    t.properties?.map((p) => p.name),
    ['type', 'value'],
  );
  assert.match(invalid(() => tiny.describe('Runtime.evalute')).hint ?? '', /Runtime\.evaluate/);
});

test('lists domains with counts and marks, and the methods of one domain', () => {
  const domains = tiny.domains();
  assert.deepEqual(
    domains.map((d) => d.name),
    ['Browser', 'Page', 'Runtime'],
  );
  assert.deepEqual(domains[0], { name: 'Browser', description: '', commands: 1, events: 0, experimental: true, deprecated: false });
  assert.equal(domains[2]?.description, 'Runtime domain exposes JavaScript runtime.');
  const page = tiny.listDomain('page');
  assert.equal(page.domain, 'Page');
  assert.deepEqual(
    page.commands.map((c) => c.name),
    ['Page.navigate', 'Page.reload', 'Page.getCookies'],
  );
  assert.equal(page.commands[2]?.deprecated, true);
  assert.deepEqual(
    page.events.map((e) => e.name),
    ['Page.loadEventFired'],
  );
});

test('search ranks name matches above description mentions and needs every word', () => {
  const r = tiny.search('evaluate');
  assert.equal(r.results[0]?.name, 'Runtime.evaluate');
  assert.deepEqual(
    tiny.search('cookies').results.map((h) => h.name),
    ['Page.getCookies'],
  );
  assert.deepEqual(
    tiny.search('object').results.map((h) => h.name),
    ['Runtime.callFunctionOn', 'Runtime.evaluate'],
  );
  assert.deepEqual(
    tiny.search('console').results.map((h) => [h.kind, h.name]),
    [['event', 'Runtime.consoleAPICalled']],
  );
  assert.deepEqual(
    tiny.search('given page').results.map((h) => h.name),
    ['Page.navigate', 'Page.reload'],
  );
  assert.equal(tiny.search('reload navigate').total, 0);
  assert.deepEqual(tiny.search('e', { domain: 'page', limit: 1 }).results.length, 1);
  invalid(() => tiny.search('  '));
});

test('routes browser-level domains to the browser connection', () => {
  assert.equal(cdpTargetFor('Browser.getVersion'), 'browser');
  assert.equal(cdpTargetFor('Target.getTargets'), 'browser');
  assert.equal(cdpTargetFor('SystemInfo.getInfo'), 'browser');
  assert.equal(cdpTargetFor('Runtime.evaluate'), 'page');
  assert.equal(cdpTargetFor('browser.getVersion'), 'browser', 'any case, as typed');
});

test('helpers: one-line descriptions and shell quoting', () => {
  assert.equal(oneLine('First line\nwraps here. Second.'), 'First line wraps here.');
  assert.equal(oneLine(undefined), '');
  assert.equal(oneLine('x'.repeat(200), 10).length, 10);
  assert.equal(shellQuote('Runtime.evaluate'), 'Runtime.evaluate');
  assert.equal(shellQuote(`{"a":"it's"}`), `'{"a":"it'\\''s"}'`);
});

test('the installed devtools-protocol schema loads once and knows the real protocol', async () => {
  const schema = await loadCdpSchema();
  assert.equal(await loadCdpSchema(), schema);
  assert.ok(schema.commandCount > 400 && schema.eventCount > 100);
  assert.equal(schema.resolveCommand('dom.getouterhtml').name, 'DOM.getOuterHTML');
  assert.deepEqual(schema.suggest('Runtime.evalute'), ['Runtime.evaluate']);
  assert.deepEqual(schema.checkParams(schema.resolveCommand('Runtime.evaluate'), { expression: '1+1', returnByValue: true }), []);
  assert.equal(schema.search('requestWillBeSent').results[0]?.name, 'Network.requestWillBeSent');
  assert.equal(schema.search('screenshot').results[0]?.name, 'Page.captureScreenshot', 'a method outranks an event that matches as well');
  assert.ok(schema.domains().some((d) => d.name === 'Network' && d.commands > 10 && d.events > 10));
});
