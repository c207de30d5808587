import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetworkFilter, type FilterableRecord } from '../../src/telemetry/filter.js';
import { BdgError } from '../../src/util/errors.js';

const rec = (over: Partial<FilterableRecord> & { url: string }): FilterableRecord => ({ method: 'GET', state: 'finished', ...over });

const RECORDS: Record<string, FilterableRecord> = {
  doc: rec({
    url: 'https://app.example.com/',
    status: 200,
    mimeType: 'text/html',
    resourceType: 'Document',
    encodedDataLength: 5_000,
    responseHeaders: { 'Content-Type': 'text/html' },
  }),
  api: rec({
    url: 'https://api.example.com/v2/users?page=2',
    method: 'POST',
    status: 201,
    mimeType: 'application/json; charset=utf-8',
    resourceType: 'Fetch',
    encodedDataLength: 300,
  }),
  missing: rec({ url: 'https://app.example.com/missing.js', status: 404, mimeType: 'text/plain', resourceType: 'Script', encodedDataLength: 120 }),
  boom: rec({ url: 'https://app.example.com/api/boom', status: 503, resourceType: 'XHR', encodedDataLength: 90 }),
  refused: rec({ url: 'http://localhost:3001/health', state: 'failed', resourceType: 'Fetch' }),
  img: rec({
    url: 'https://cdn.other.net/logo.png',
    status: 200,
    mimeType: 'image/png',
    resourceType: 'Image',
    encodedDataLength: 2 * 1024 * 1024,
    fromCache: true,
  }),
  live: rec({ url: 'wss://app.example.com/socket', state: 'pending', resourceType: 'WebSocket' }),
};

function names(filter: string): string[] {
  const f = parseNetworkFilter(filter);
  return Object.entries(RECORDS)
    .filter(([, r]) => f.matches(r))
    .map(([k]) => k);
}

test('an empty filter matches everything', () => {
  assert.equal(names('').length, Object.keys(RECORDS).length);
  assert.equal(names('   ').length, Object.keys(RECORDS).length);
});

test('status-code: exact codes, classes and alternatives', () => {
  assert.deepEqual(names('status-code:404'), ['missing']);
  assert.deepEqual(names('status-code:5xx'), ['boom']);
  assert.deepEqual(names('status-code:404,503'), ['missing', 'boom']);
});

test('domain: whole host names with * wildcards, case-insensitive', () => {
  assert.deepEqual(names('domain:app.example.com'), ['doc', 'missing', 'boom', 'live']);
  assert.deepEqual(names('domain:*.example.com'), ['doc', 'api', 'missing', 'boom', 'live']);
  assert.deepEqual(names('domain:EXAMPLE.com'), [], 'no substring match');
  assert.deepEqual(names('domain:localhost'), ['refused']);
});

test('method, mime-type, resource-type, scheme', () => {
  assert.deepEqual(names('method:post'), ['api']);
  assert.deepEqual(names('mime-type:application/json'), ['api'], 'parameters are ignored');
  assert.deepEqual(names('mime-type:image/*'), ['img']);
  assert.deepEqual(names('resource-type:fetch'), ['api', 'refused']);
  assert.deepEqual(names('resource-type:XHR'), ['boom']);
  assert.deepEqual(names('scheme:http'), ['refused']);
  assert.deepEqual(names('scheme:wss'), ['live']);
});

test('larger-than: transferred bytes with k and M suffixes (1024-based, inclusive)', () => {
  assert.deepEqual(names('larger-than:1k'), ['doc', 'img']);
  assert.deepEqual(names('larger-than:2M'), ['img']);
  assert.deepEqual(names('larger-than:300'), ['doc', 'api', 'img']);
});

test('has-response-header: and the is: states', () => {
  assert.deepEqual(names('has-response-header:content-type'), ['doc']);
  assert.deepEqual(names('is:failed'), ['missing', 'boom', 'refused']);
  assert.deepEqual(names('is:running'), ['live']);
  assert.deepEqual(names('is:from-cache'), ['img']);
});

test('free text and /regex/ search the URL; quoted text may contain a colon; host:port is text', () => {
  assert.deepEqual(names('users'), ['api']);
  assert.deepEqual(names('API'), ['api', 'boom']);
  assert.deepEqual(names('/v\\d+\\/users/'), ['api']);
  assert.deepEqual(names('localhost:3001'), ['refused']);
  assert.deepEqual(names('"page=2"'), ['api']);
  assert.deepEqual(names('"wss:"'), ['live']);
  assert.deepEqual(names('https://cdn'), ['img']);
});

test('- negates any term and several terms must all match', () => {
  assert.deepEqual(names('-is:failed domain:*.example.com'), ['doc', 'api', 'live']);
  assert.deepEqual(names('domain:app.example.com -resource-type:websocket -status-code:404'), ['doc', 'boom']);
  assert.deepEqual(names('-example'), ['refused', 'img']);
  const f = parseNetworkFilter('-is:failed api');
  assert.deepEqual(f.terms, [
    { key: 'is', value: 'failed', negated: true },
    { key: 'text', value: 'api', negated: false },
  ]);
});

test('invalid terms throw INVALID_ARGUMENTS with a hint listing the keys', () => {
  const cases = ['statuscode:404', 'status-code:abc', 'larger-than:big', 'is:bogus', 'resource-type:widget', 'domain:', 'foo:bar', '/(/', '"open'];
  for (const c of cases) {
    assert.throws(
      () => parseNetworkFilter(c),
      (err: unknown) => err instanceof BdgError && err.code === 'INVALID_ARGUMENTS' && (err.hint ?? '').length > 0,
      c,
    );
  }
  try {
    parseNetworkFilter('statuscode:404');
  } catch (err) {
    assert.match((err as BdgError).message, /did you mean status-code:/);
    assert.match((err as BdgError).hint ?? '', /status-code: domain: method: mime-type: resource-type: larger-than: has-response-header: is: scheme:/);
  }
  assert.throws(
    () => parseNetworkFilter('is:bogus'),
    (err: unknown) => err instanceof BdgError && /failed, running, from-cache/.test(err.hint ?? ''),
  );
});
