import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgv } from '../../src/cli/argv.js';
import type { NetworkRecord } from '../../src/protocol/records.js';
import { parseNetworkFilter } from '../../src/telemetry/filter.js';
import { buildHar } from '../../src/telemetry/har.js';
import { fetchPatterns, guessContentType, matchRule, parseHeaderLines, parseTarget, type MatchableRule } from '../../src/telemetry/interception.js';
import { BdgError } from '../../src/util/errors.js';

const rule = (pattern: string, extra: Partial<MatchableRule> = {}): MatchableRule & { name: string } => ({
  name: pattern,
  target: parseTarget(pattern),
  active: true,
  ...extra,
});
const req = (url: string, method = 'GET', resourceType = 'Fetch'): { url: string; method: string; resourceType: string } => ({ url, method, resourceType });

test('a pattern without * matches URLs containing it; with * the whole URL; ? and regex characters are literal', () => {
  const contains = parseTarget('/api/users');
  assert.ok(contains.url?.test('http://a.test/api/users?page=2'));
  assert.equal(contains.fetchPattern, '*/api/users*');
  const glob = parseTarget('*/api/*.json');
  assert.ok(glob.url?.test('http://a.test/api/x.json'));
  assert.ok(!glob.url?.test('http://a.test/api/x.json?v=1'));
  assert.ok(!glob.url?.test('http://a.test/api/xXjson'), '. is not a wildcard');
  const query = parseTarget('*/search?q=1');
  assert.ok(query.url?.test('http://a.test/search?q=1'));
  assert.ok(!query.url?.test('http://a.test/searchXq=1'), '? is literal');
  // Chrome's own pattern language has ? as a one-character wildcard and \ as escape: both escaped for it.
  assert.equal(query.fetchPattern, '*/search\\?q=1');
});

test('resource-type: targets, case-insensitive; unknown types, empty and overlong patterns are user errors', () => {
  assert.deepEqual(parseTarget('resource-type:script,IMAGE,script').resourceTypes, ['Script', 'Image']);
  for (const bad of ['resource-type:sprite', '', '   ', `*${'a'.repeat(3000)}`])
    assert.throws(
      () => parseTarget(bad),
      (e: unknown) => e instanceof BdgError && e.code === 'INVALID_ARGUMENTS',
    );
});

test('the newest active matching rule answers; method and --times (inactive) rules are skipped; fragments ignored', () => {
  const rules = [rule('/api/'), rule('/api/users', { method: 'POST' }), rule('/api/users'), rule('/api/users/1', { active: false })];
  assert.equal(matchRule(rules, req('http://a.test/api/users/1#frag'))?.name, '/api/users');
  assert.equal(matchRule(rules, req('http://a.test/api/users', 'POST'))?.name, '/api/users');
  assert.equal(matchRule(rules, req('http://a.test/api/other'))?.name, '/api/');
  assert.equal(matchRule(rules, req('http://a.test/static/x.js')), undefined);
  assert.equal(matchRule([rule('*/x#y')], req('http://a.test/x#y')), undefined, 'the fragment never reaches the rule');
  const types = [rule('resource-type:image')];
  assert.equal(matchRule(types, req('http://a.test/p.png', 'GET', 'Image'))?.name, 'resource-type:image');
  assert.equal(matchRule(types, req('http://a.test/p.png', 'GET', 'Fetch')), undefined);
});

test('Fetch patterns: only for active rules, deduplicated, at the request stage; none without rules', () => {
  assert.deepEqual(fetchPatterns([]), []);
  assert.deepEqual(fetchPatterns([rule('/a', { active: false })]), []);
  assert.deepEqual(fetchPatterns([rule('/a'), rule('/a', { method: 'POST' }), rule('resource-type:font,image')]), [
    { urlPattern: '*/a*', requestStage: 'Request' },
    { urlPattern: '*', resourceType: 'Font', requestStage: 'Request' },
    { urlPattern: '*', resourceType: 'Image', requestStage: 'Request' },
  ]);
});

test('--header lines and the guessed Content-Type', () => {
  assert.deepEqual(parseHeaderLines(['X-A: 1', 'x-b:two: parts', '']), [
    { name: 'X-A', value: '1' },
    { name: 'x-b', value: 'two: parts' },
  ]);
  assert.deepEqual(parseHeaderLines(undefined), []);
  for (const bad of ['no colon', ': empty name', 'bad name: 1'])
    assert.throws(
      () => parseHeaderLines([bad]),
      (e: unknown) => e instanceof BdgError && e.code === 'INVALID_ARGUMENTS',
    );
  assert.equal(guessContentType(Buffer.from('{"a":1}'), undefined), 'application/json');
  assert.equal(guessContentType(Buffer.from('hello'), undefined), 'text/plain; charset=utf-8');
  assert.equal(guessContentType(Buffer.from('x'), 'app.js'), 'text/javascript; charset=utf-8');
  assert.equal(guessContentType(Buffer.from([0xff, 0x00, 0xfe]), undefined), 'application/octet-stream');
});

test('a repeatable option given several times reaches the command as the list of its values', () => {
  const parsed = parseArgv(['network', 'mock', '/api', '--header', 'A: 1', '--header', 'B: 2', '--status', '404', '--status', '500']);
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') return;
  assert.deepEqual(parsed.params['header'], ['A: 1', 'B: 2']);
  // Options that are not repeatable keep their last value, as before.
  assert.equal(parsed.params['status'], 500);
});

test('a flag that is a switch in one command and takes a value in another is read as the named command says', () => {
  const peek = parseArgv(['peek', '--console', '--json']);
  assert.ok(peek.kind === 'run' && peek.params['console'] === true && peek.json);
  const wait = parseArgv(['dom', 'wait', '--console', 'saved', '--json']);
  assert.ok(wait.kind === 'run' && wait.params['console'] === 'saved' && wait.json);
});

test('mocked and blocked records: _bdg in the HAR, is:mocked / is:blocked in the filter', () => {
  const base = { requestHeaders: {}, startedAt: 1_700_000_000_000, navigation: 0, method: 'GET' } as const;
  const records: NetworkRecord[] = [
    { ...base, id: 'n1', requestId: '1', url: 'http://a.test/api', state: 'finished', status: 202, intercepted: { action: 'mocked', rule: 'r1' } },
    { ...base, id: 'n2', requestId: '2', url: 'http://a.test/app.js', state: 'failed', intercepted: { action: 'blocked', rule: 'r2' } },
    { ...base, id: 'n3', requestId: '3', url: 'http://a.test/real', state: 'finished', status: 200 },
  ];
  const entries = buildHar({ records, navigations: [], creator: { name: 'bdg', version: '0' } }).log.entries;
  assert.deepEqual(
    entries.map((e) => e._bdg),
    [{ mocked: 'r1' }, { blocked: 'r2' }, undefined],
  );
  const ids = (f: string): string[] => records.filter((r) => parseNetworkFilter(f).matches(r)).map((r) => r.id);
  assert.deepEqual(ids('is:mocked'), ['n1']);
  assert.deepEqual(ids('is:blocked'), ['n2']);
  assert.deepEqual(ids('-is:mocked -is:blocked'), ['n3']);
});
