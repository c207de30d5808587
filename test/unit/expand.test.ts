import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandObject } from '../../src/daemon/expand.js';

/** A fake page: objects by id, each a list of own properties as Runtime.getProperties returns them. */
function fakePage(objects: Record<string, Array<{ name: string; value: Record<string, unknown> }>>): {
  send: <T>(m: string, p: object) => Promise<T>;
  calls: () => number;
} {
  let calls = 0;
  return {
    calls: () => calls,
    send: <T>(method: string, params: object): Promise<T> => {
      calls++;
      assert.equal(method, 'Runtime.getProperties');
      const id = (params as { objectId: string }).objectId;
      const props = objects[id] ?? [];
      return Promise.resolve({
        result: [
          ...props.map((p) => ({ ...p, enumerable: true, isOwn: true, configurable: true, writable: true })),
          { name: '__proto__', enumerable: false, isOwn: true, configurable: true, value: { type: 'object', objectId: 'proto' } },
        ],
      } as T);
    },
  };
}

test('expands nested objects and arrays, quoting strings', async () => {
  const page = fakePage({
    root: [
      { name: 'a', value: { type: 'number', value: 1, description: '1' } },
      { name: 'b', value: { type: 'object', objectId: 'b' } },
      { name: 'odd key', value: { type: 'string', value: 'x' } },
    ],
    b: [{ name: 'list', value: { type: 'object', subtype: 'array', objectId: 'list', description: 'Array(2)' } }],
    list: [
      { name: '0', value: { type: 'boolean', value: true } },
      { name: 'length', value: { type: 'number', value: 2 } },
      { name: '1', value: { type: 'object', subtype: 'null', value: null } },
    ],
  });
  assert.equal(await expandObject(page.send, { type: 'object', objectId: 'root' }), '{a: 1, b: {list: [true, null]}, "odd key": "x"}');
});

test('cycles, depth, width and call budget are bounded', async () => {
  const cyclic = fakePage({ self: [{ name: 'me', value: { type: 'object', objectId: 'self' } }] });
  assert.equal(await expandObject(cyclic.send, { type: 'object', objectId: 'self' }), '{me: {…}}');
  const chain: Record<string, Array<{ name: string; value: Record<string, unknown> }>> = {};
  for (let i = 0; i < 10; i++) chain[`o${i}`] = [{ name: 'next', value: { type: 'object', objectId: `o${i + 1}` } }];
  const deep = fakePage(chain);
  assert.equal(await expandObject(deep.send, { type: 'object', objectId: 'o0' }, { depth: 2, propsPerObject: 10, maxCalls: 100 }), '{next: {next: {…}}}');
  const wide = fakePage({ w: Array.from({ length: 5 }, (_, i) => ({ name: `k${i}`, value: { type: 'number', value: i, description: String(i) } })) });
  assert.equal(await expandObject(wide.send, { type: 'object', objectId: 'w' }, { depth: 3, propsPerObject: 2, maxCalls: 10 }), '{k0: 0, k1: 1, …}');
  const budget = fakePage(chain);
  await expandObject(budget.send, { type: 'object', objectId: 'o0' }, { depth: 50, propsPerObject: 10, maxCalls: 3 });
  assert.equal(budget.calls(), 3);
  const opaque = fakePage({});
  assert.equal(await expandObject(opaque.send, { type: 'object', subtype: 'date', objectId: 'd', description: 'Fri Nov 27 2026' }), 'Fri Nov 27 2026');
  assert.equal(opaque.calls(), 0);
});
