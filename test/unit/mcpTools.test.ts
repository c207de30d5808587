/**
 * MCP tools come from the contract: every command is reachable as a tool or an action of one (or is left out for
 * a reason the contract states), a new command shows up without touching the MCP code, and the schemas carry the
 * contract's types, bounds and defaults.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_COMMANDS, camelCase, type CommandSpec } from '../../src/protocol/commands.js';
import { buildTools, toolCommands, toolListBytes, type Tool } from '../../src/mcp/tools.js';

// The schemas as the contract gives them (texts not shortened to fit the budget); the size test builds the real list.
const tools = buildTools(ALL_COMMANDS, Infinity);
const byName = new Map(tools.map((t) => [t.definition.name, t]));

/** Which tool (and action) runs a command. */
function reach(list: readonly Tool[], name: string): { tool: string; action: string } | undefined {
  for (const t of list) for (const [action, c] of t.commands) if (c.name === name) return { tool: t.definition.name, action };
  return undefined;
}

test('every command in the contract is a tool, an action of one, or left out for a reason the contract gives', () => {
  for (const c of ALL_COMMANDS) {
    const where = reach(tools, c.name);
    if (c.frontDoor === true || c.follows === true || c.machine === true) {
      assert.equal(where, undefined, `${c.name} should not be a tool`);
      continue;
    }
    if (c.via !== undefined) {
      assert.equal(where, undefined, `${c.name} is reached through ${c.via}`);
      assert.ok(reach(tools, c.via) !== undefined, `${c.name}: ${c.via} is not a tool`);
      continue;
    }
    assert.ok(where !== undefined, `${c.name} is not reachable over MCP`);
  }
  const names = tools.map((t) => t.definition.name);
  assert.equal(new Set(names).size, names.length, 'tool names are unique');
  for (const n of names) assert.match(n, /^[a-z][a-z0-9_]{0,63}$/);
  assert.deepEqual(
    tools.flatMap((t) => [...t.commands.values()].map((c) => c.name)).sort(),
    toolCommands()
      .map((c) => c.name)
      .sort(),
  );
});

test('a command added to the contract appears as a tool, and joins its family when it has one', () => {
  const added: CommandSpec = {
    name: 'storage',
    path: ['storage'],
    summary: 'Show storage',
    args: [],
    options: { key: { type: 'string', description: 'Only this key' } },
    readOnly: true,
    runs: 'daemon',
    examples: [],
  };
  const inFamily: CommandSpec = {
    name: 'network.throttle',
    path: ['network', 'throttle'],
    summary: 'Throttle',
    args: [],
    options: {},
    readOnly: true,
    runs: 'daemon',
    examples: [],
  };
  const list = buildTools([...ALL_COMMANDS, added, inFamily], Infinity);
  assert.deepEqual(reach(list, 'storage'), { tool: 'storage', action: '' });
  assert.deepEqual(reach(list, 'network.throttle'), { tool: 'network', action: 'throttle' });
  assert.deepEqual(list.find((t) => t.definition.name === 'storage')?.definition.inputSchema.properties['key'], {
    type: 'string',
    description: 'Only this key',
  });
});

test('schemas carry types, bounds, integer, choices, defaults and required arguments from the contract', () => {
  const peek = byName.get('peek')?.definition.inputSchema;
  assert.deepEqual(peek?.properties['last'], {
    type: 'integer',
    description: 'Show the N newest items of each kind (0: all)',
    minimum: 0,
    maximum: 1_000_000,
    default: 10,
  });
  assert.equal(peek?.properties['follow'], undefined, 'following is not offered');
  assert.equal(peek?.additionalProperties, false);

  const details = byName.get('details')?.definition.inputSchema;
  assert.deepEqual(details?.required, ['type', 'id']);
  assert.deepEqual(details?.properties['type']?.enum, ['network', 'console']);
  assert.equal(details?.properties['from'], undefined, 'a journal file is read by the CLI, not through a tool');

  const start = byName.get('start')?.definition.inputSchema;
  assert.deepEqual(start?.required, ['url']);
  assert.equal(start?.properties['maxBodySize']?.default, 5);

  // A group: one action enum; a parameter that differs per action says so, with the widest bounds.
  const dom = byName.get('dom_action')?.definition;
  assert.deepEqual(dom?.inputSchema.required, ['action']);
  assert.deepEqual(dom?.inputSchema.properties['action']?.enum, ['eval', 'click', 'fill', 'type', 'drag', 'hover', 'press', 'submit', 'scroll']);
  const timeout = dom?.inputSchema.properties['timeout'];
  assert.equal(timeout?.maximum, 120);
  assert.match(timeout?.description ?? '', /click 5.*submit 30/);
  assert.deepEqual(dom?.inputSchema.properties['dialog']?.enum, ['accept', 'dismiss']);
  assert.match(dom?.description ?? '', /- fill\(target, value\): Fill/);

  // Every tool takes an optional session; every contract option of its commands is a property, but for following,
  // reading a journal file (which tools do not offer) and the original bdg's other spellings (alias).
  for (const t of tools) {
    assert.deepEqual(t.definition.inputSchema.properties['session']?.type, 'string');
    assert.ok(!(t.definition.inputSchema.required ?? []).includes('session'));
    for (const c of t.commands.values()) {
      for (const [flag, o] of Object.entries(c.options))
        if (flag !== 'follow' && flag !== 'from' && o.alias !== true)
          assert.ok(camelCase(flag) in t.definition.inputSchema.properties, `${t.definition.name}: ${flag}`);
      for (const a of c.args) if (a.alias !== true) assert.ok(a.name in t.definition.inputSchema.properties, `${t.definition.name}: ${a.name}`);
    }
  }
});

test('screenshots: the file may be left out and the width defaults to 1024 for vision models', () => {
  const dom = byName.get('dom')?.definition.inputSchema;
  assert.equal(dom?.properties['maxWidth']?.default, 1024);
  assert.match(dom?.properties['file']?.description ?? '', /default: a new file in the session directory/);
});

test('annotations follow the contract: read-only, destructive when not, idempotent as recorded', () => {
  const hints = (name: string): unknown => byName.get(name)?.definition.annotations;
  assert.deepEqual(hints('status'), { readOnlyHint: true, destructiveHint: false, idempotentHint: true });
  assert.deepEqual(hints('network'), { readOnlyHint: true, destructiveHint: false, idempotentHint: true });
  assert.deepEqual(hints('stop'), { readOnlyHint: false, destructiveHint: true, idempotentHint: true });
  assert.deepEqual(hints('dom_action'), { readOnlyHint: false, destructiveHint: true, idempotentHint: false });
  assert.deepEqual(hints('start'), { readOnlyHint: false, destructiveHint: true, idempotentHint: false });
  for (const t of tools) {
    const cs = [...t.commands.values()];
    assert.equal(
      t.definition.annotations.readOnlyHint,
      cs.every((c) => c.readOnly),
      t.definition.name,
    );
  }
});

test('the tool list stays small: at most 20,000 bytes of JSON (about 5,000 tokens), however many commands there are', () => {
  const bytes = toolListBytes(buildTools());
  assert.ok(bytes <= 20_000, `tools/list is ${bytes} bytes (~${Math.round(bytes / 4)} tokens)`);
  // Twice the commands: texts get shorter, the list stays within the budget, every command is still reachable.
  const doubled = [...ALL_COMMANDS, ...ALL_COMMANDS.map((c) => ({ ...c, name: `${c.name}2`, path: [...c.path, '2'] }))];
  const big = buildTools(doubled);
  assert.ok(toolListBytes(big) <= 20_000 || toolListBytes(big) < toolListBytes(buildTools(doubled, Infinity)) * 0.7, 'shorter texts when the list grows');
  assert.equal(
    [...big.values()].reduce((n, t) => n + t.commands.size, 0),
    toolCommands(doubled).length,
  );
});
