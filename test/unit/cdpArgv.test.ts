import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgv, suggestCommands } from '../../src/cli/argv.js';
import { helpJson } from '../../src/cli/help.js';
import { BdgError } from '../../src/util/errors.js';

function hintOf(argv: string[]): string {
  try {
    parseArgv(argv);
  } catch (err) {
    assert.ok(err instanceof BdgError);
    assert.equal(err.code, 'INVALID_ARGUMENTS');
    return `${err.message} | ${err.hint ?? ''}`;
  }
  assert.fail(`bdg ${argv.join(' ')} parsed`);
}

test('bdg cdp parses a method with JSON params, discovery flags and --no-validate', () => {
  const send = parseArgv(['cdp', 'Runtime.evaluate', '--params', '{"expression":"1+1"}', '--json']);
  assert.ok(send.kind === 'run');
  assert.equal(send.command.name, 'cdp');
  assert.deepEqual(send.params, { method: 'Runtime.evaluate', params: '{"expression":"1+1"}' });
  assert.equal(send.json, true);
  const events = parseArgv(['cdp', '--events', 'Network.requestWillBeSent', '--follow', '--last', '0']);
  assert.ok(events.kind === 'run');
  assert.deepEqual(events.params, { events: 'Network.requestWillBeSent', follow: true, last: 0 });
  const raw = parseArgv(['cdp', '--no-validate', 'Foo.bar']);
  assert.ok(raw.kind === 'run');
  assert.deepEqual(raw.params, { validate: false, method: 'Foo.bar' });
  const sub = parseArgv(['cdp', 'send', 'DOM.enable']);
  assert.ok(sub.kind === 'run' && sub.command.name === 'cdp.send' && sub.params['method'] === 'DOM.enable');
  const help = parseArgv(['cdp', '--help']);
  assert.ok(help.kind === 'help' && help.command?.name === 'cdp');
});

test('"did you mean" for multi-word commands, sub-commands and cdp options', () => {
  assert.match(hintOf(['cdpp']), /Did you mean: bdg cdp\b/);
  assert.match(hintOf(['cdp', '--lsit']), /Unknown option --lsit for bdg cdp \| Did you mean .*--list/);
  assert.match(hintOf(['cdp', '--evnts', 'X']), /--events/);
  assert.match(hintOf(['cdp', 'evnts', 'Page']), /Unexpected argument "Page" for bdg cdp \| Did you mean: bdg cdp events\?/);
  assert.match(hintOf(['cdp', '--params']), /--params needs a value/);
});

test('suggestCommands compares as many words as each command has', () => {
  const names = ['cdp', 'cdp send', 'cdp events', 'network list', 'network har', 'status'];
  assert.deepEqual(suggestCommands(['netwrk', 'lsit'], names), ['network list']);
  assert.deepEqual(suggestCommands(['cdp', 'evnts'], names)[0], 'cdp');
  assert.deepEqual(suggestCommands(['evnts'], ['events', 'send']), ['events']);
  assert.deepEqual(suggestCommands(['stauts'], names), ['status']);
  assert.deepEqual(suggestCommands(['zzzzzz'], names), []);
});

test('--help --json describes the cdp commands from the contract', () => {
  const help = helpJson(true) as { commands: { name: string; usage: string; options: { flag: string; negatable?: boolean }[]; examples: string[] }[] };
  const cdp = help.commands.find((c) => c.name === 'cdp');
  assert.ok(cdp !== undefined);
  assert.equal(cdp.usage, 'bdg cdp [method] [options]');
  for (const flag of ['--params', '--list', '--describe', '--search', '--events', '--follow', '--validate'])
    assert.ok(
      cdp.options.some((o) => o.flag === flag),
      flag,
    );
  assert.equal(cdp.options.find((o) => o.flag === '--validate')?.negatable, true);
  assert.ok(cdp.examples.some((e) => e.includes('--describe')));
  assert.ok(help.commands.some((c) => c.name === 'cdp.send') && help.commands.some((c) => c.name === 'cdp.events'));
});
