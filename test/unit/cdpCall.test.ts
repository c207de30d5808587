import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdpSchema, resolveCdpCall, type ProtocolJson } from '../../src/protocol/cdpSchema.js';
import { BdgError } from '../../src/util/errors.js';

const SCHEMA = new CdpSchema([
  {
    version: { major: '1', minor: '3' },
    domains: [{ domain: 'Runtime', commands: [{ name: 'evaluate', parameters: [{ name: 'expression', type: 'string' }] }] }],
  } satisfies ProtocolJson,
]);

const invalid = (err: unknown): boolean => err instanceof BdgError && err.code === 'INVALID_ARGUMENTS';

test('resolveCdpCall: any spelling of a known method becomes its canonical name, params parsed and checked', () => {
  assert.deepEqual(resolveCdpCall(SCHEMA, 'runtime.EVALUATE', '{"expression":"1"}', true), { method: 'Runtime.evaluate', params: { expression: '1' } });
  assert.deepEqual(resolveCdpCall(SCHEMA, 'Runtime.evaluate', undefined, false), { method: 'Runtime.evaluate', params: {} });
  assert.throws(() => resolveCdpCall(SCHEMA, 'Runtime.evaluate', '{}', true), invalid);
  assert.throws(() => resolveCdpCall(SCHEMA, 'Runtime.evaluate', '[1]', true), invalid);
});

test('resolveCdpCall: an unknown method is refused with suggestions, or sent as given without validation', () => {
  assert.throws(
    () => resolveCdpCall(SCHEMA, 'Runtime.evaluat', undefined, true),
    (err: unknown) => invalid(err) && (err as BdgError).hint?.includes('Runtime.evaluate') === true,
  );
  assert.deepEqual(resolveCdpCall(SCHEMA, 'Experimental.thing', '{"a":1}', false), { method: 'Experimental.thing', params: { a: 1 } });
});
