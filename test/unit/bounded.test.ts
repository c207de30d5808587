import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIST_ROWS, VALUE_CHARS, boundListing, boundRows, cutMarker, cutStrings, cutText, omittedLine, plural } from '../../src/util/bounded.js';

test('a listing keeps LIST_ROWS rows per list, counts them and what was left out; newest or first as declared', () => {
  const rows = Array.from({ length: 250 }, (_, i) => ({ id: `n${i + 1}` }));
  const newest = boundListing({ rows: ['requests'], keep: 'newest' }, { requests: rows, matched: 250 }, false);
  assert.equal(newest.requests.length, LIST_ROWS);
  assert.equal(newest.requests[0]?.id, 'n151');
  assert.equal((newest as { count?: number }).count, 250);
  assert.equal((newest as { omitted?: number }).omitted, 150);
  const first = boundListing({ rows: ['tabs'] }, { tabs: rows }, false);
  assert.equal(first.tabs[0]?.id, 'n1');
  // --full: untouched, the very same object.
  const input = { requests: rows };
  assert.equal(boundListing({ rows: ['requests'] }, input, true), input);
});

test('several lists: count and omitted are summed; a short list gets omitted 0; an own count is kept', () => {
  const two = boundListing({ rows: ['network', 'console'] }, { network: new Array(120).fill(1), console: [1, 2] }, false) as Record<string, unknown>;
  assert.equal(two['count'], 122);
  assert.equal(two['omitted'], 20);
  const own = boundListing({ rows: ['nodes'] }, { nodes: [1], count: 7, omitted: 6 }, false) as Record<string, unknown>;
  assert.equal(own['count'], 7);
  assert.equal(own['omitted'], 6);
  const none = boundListing({}, { nodes: new Array<string>(500).fill('x') }, false);
  assert.equal(none.nodes.length, 500, 'arrays not declared as rows are left alone');
});

test('long strings are cut anywhere in the result, with a marker saying how many characters were cut', () => {
  const long = 'a'.repeat(VALUE_CHARS + 42);
  const out = boundListing({ rows: ['rows'] }, { rows: [{ url: long, nested: { deep: [long] } }], short: 'ok' }, false);
  assert.equal(out.rows[0]?.url, `${'a'.repeat(VALUE_CHARS)}… [42 more chars cut; --full shows all]`);
  assert.equal(out.rows[0]?.nested.deep[0], out.rows[0]?.url);
  assert.equal(out.short, 'ok');
  assert.equal(cutStrings({ a: long, b: [long, 'x'] }).cut, 2);
  assert.equal(cutText('abcdef', 3), `abc${cutMarker(3)}`);
  assert.equal(cutMarker(1), '… [1 more char cut; --full shows all]');
  assert.equal(cutText('abc', 3), 'abc');
});

test('boundRows, plural and the omitted line', () => {
  assert.deepEqual(boundRows([1, 2, 3], 2), { rows: [1, 2], omitted: 1 });
  assert.deepEqual(boundRows([1, 2, 3], 2, 'newest'), { rows: [2, 3], omitted: 1 });
  assert.equal(plural(1, 'error'), '1 error');
  assert.equal(plural(2, 'match', 'matches'), '2 matches');
  assert.equal(omittedLine(0, 'request'), '');
  assert.equal(omittedLine(undefined, 'request'), '');
  assert.equal(omittedLine(1, 'request'), '  … 1 more request (--full shows all)');
  assert.equal(omittedLine(3, 'match', 'matches'), '  … 3 more matches (--full shows all)');
});
