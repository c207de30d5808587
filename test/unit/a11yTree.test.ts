import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactA11yTree, matchA11y, states, type AxNode } from '../../src/daemon/dom/a11yTree.js';

/** A small page as Accessibility.getFullAXTree reports it: wrappers, ignored nodes, text that repeats its parent. */
const nodes: AxNode[] = [
  { nodeId: '1', ignored: false, role: { value: 'RootWebArea' }, name: { value: 'Shop' }, childIds: ['2'], backendDOMNodeId: 1 },
  { nodeId: '2', ignored: false, role: { value: 'generic' }, name: { value: '' }, childIds: ['3', '6', '8'], parentId: '1', backendDOMNodeId: 2 },
  {
    nodeId: '3',
    ignored: false,
    role: { value: 'heading' },
    name: { value: 'Cart' },
    properties: [{ name: 'level', value: { value: 2 } }],
    childIds: ['4'],
    parentId: '2',
    backendDOMNodeId: 3,
  },
  { nodeId: '4', ignored: false, role: { value: 'StaticText' }, name: { value: 'Cart' }, childIds: ['5'], parentId: '3' },
  { nodeId: '5', ignored: false, role: { value: 'InlineTextBox' }, name: { value: 'Cart' }, parentId: '4' },
  { nodeId: '6', ignored: true, role: { value: 'none' }, childIds: ['7'], parentId: '2', backendDOMNodeId: 6 },
  {
    nodeId: '7',
    ignored: false,
    role: { value: 'checkbox' },
    name: { value: 'Gift wrap' },
    properties: [
      { name: 'checked', value: { value: 'false' } },
      { name: 'focused', value: { value: true } },
    ],
    parentId: '6',
    backendDOMNodeId: 7,
  },
  {
    nodeId: '8',
    ignored: false,
    role: { value: 'textbox' },
    name: { value: 'Coupon' },
    value: { value: 'SAVE10' },
    childIds: ['9'],
    parentId: '2',
    backendDOMNodeId: 8,
  },
  { nodeId: '9', ignored: false, role: { value: 'StaticText' }, name: { value: 'SAVE10' }, parentId: '8' },
];

test('compact: wrappers and ignored nodes hand their children up; text repeating its parent goes', () => {
  const { tree, count, truncated } = compactA11yTree(nodes, { full: false, limit: 100 });
  assert.equal(truncated, false);
  assert.equal(count, 4);
  assert.deepEqual(tree, [
    {
      role: 'RootWebArea',
      name: 'Shop',
      children: [
        { role: 'heading', name: 'Cart', states: ['level=2'] },
        { role: 'checkbox', name: 'Gift wrap', states: ['not checked', 'focused'] },
        { role: 'textbox', name: 'Coupon', value: 'SAVE10' },
      ],
    },
  ]);
});

test('full keeps every node, ignored ones included', () => {
  const { count } = compactA11yTree(nodes, { full: true, limit: 100 });
  assert.equal(count, nodes.length);
});

test('the limit bounds the nodes kept and says so', () => {
  const { tree, count, truncated, omitted } = compactA11yTree(nodes, { full: false, limit: 2 });
  assert.equal(count, 2);
  assert.equal(truncated, true);
  // The nodes past the limit are counted: together they are what the limit would have shown without it.
  assert.equal(count + omitted, compactA11yTree(nodes, { full: false, limit: 100 }).count);
  assert.ok(omitted > 0);
  assert.deepEqual(
    tree[0]?.children?.map((c) => c.role),
    ['heading'],
  );
});

test('describe decides what each node carries (the daemon adds refs this way)', () => {
  const { tree } = compactA11yTree(nodes, { full: false, limit: 100 }, (n) => ({ role: String(n.role?.value), name: '', ref: `e${n.nodeId}` }));
  assert.deepEqual(
    tree[0]?.children?.map((c) => c.ref),
    ['e3', 'e7', 'e8'],
  );
});

test('an empty tree is empty', () => {
  assert.deepEqual(compactA11yTree([], { full: false, limit: 10 }), { tree: [], count: 0, omitted: 0, truncated: false });
});

test('states: mixed, booleans as strings, negatives only where they mean something', () => {
  assert.deepEqual(
    states({
      nodeId: 'x',
      ignored: false,
      properties: [
        { name: 'checked', value: { value: 'mixed' } },
        { name: 'disabled', value: { value: false } },
        { name: 'expanded', value: { value: false } },
      ],
    }),
    ['checked=mixed', 'not expanded'],
  );
});

test('query matches role exactly and name by substring, both case-insensitive, never inline text boxes', () => {
  assert.deepEqual(
    matchA11y(nodes, 'CHECKBOX', undefined).map((n) => n.nodeId),
    ['7'],
  );
  assert.deepEqual(
    matchA11y(nodes, undefined, 'cart').map((n) => n.nodeId),
    ['3', '4'],
  );
  assert.deepEqual(matchA11y(nodes, 'none', undefined), [], 'ignored nodes are not matched');
});
