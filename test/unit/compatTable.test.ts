/**
 * README's table of the original bdg's commands and options stays true: every command bdg says it has exists in the
 * contract, every option it says it kept is accepted by the CLI's own parser for that command, every option it says
 * it did not keep is refused as unknown, and a command it says it lacks does not exist (so adding one, or an option,
 * makes this test ask for the table to be updated).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgv } from '../../src/cli/argv.js';
import { repoRoot } from '../helpers/repoRoot.js';
import { ALL_COMMANDS as COMMANDS, type CommandSpec } from '../../src/protocol/commands.js';

interface Row {
  original: string;
  status: 'yes' | 'differs' | 'no';
  command: string;
  kept: string[];
  notKept: string[];
}

const code = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

function rows(): Row[] {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const m = /<!-- compat-table:start -->\n([\s\S]*?)<!-- compat-table:end -->/.exec(readme);
  assert.ok(m !== null, 'README.md has the compat table between its markers');
  const lines = (m[1] as string).trim().split('\n').slice(2);
  return lines.map((line) => {
    const cells = line.split('|').slice(1, -1);
    assert.equal(cells.length, 5, `five cells: ${line}`);
    const [original, status, command, kept, notKept] = cells.map((c) => c.trim()) as [string, string, string, string, string];
    const word = /^(yes|differs|no)\b/.exec(status)?.[1];
    assert.ok(word !== undefined, `status is yes, differs: … or no: … (${line})`);
    return {
      original: code(original)[0] ?? original,
      status: word as Row['status'],
      command: code(command)[0] ?? command,
      kept: code(kept),
      notKept: code(notKept),
    };
  });
}

function commandAt(words: string): CommandSpec | undefined {
  const path = words === '<url>' ? [] : words.split(' ');
  return COMMANDS.find((c) => c.path.length === path.length && c.path.every((w, i) => w === path[i]));
}

/**
 * argv for `command` with placeholders for its required arguments, then `flag` and a word after it: the flag's value
 * if it takes one (a flag other commands give a value must not pass for known by asking for one here).
 */
function argvWith(c: CommandSpec, flag: string): string[] {
  const args = c.args.filter((a) => a.required).map((a, i) => (c.path.length === 0 ? 'example.com' : (a.choices?.[0] ?? `x${i}`)));
  return [...c.path, ...args, flag, '1'];
}

/** Whether the CLI knows `flag` for the command (any other complaint, such as a stray argument, means it does). */
function accepts(c: CommandSpec | undefined, flag: string): boolean {
  const argv = c !== undefined ? argvWith(c, flag) : ['status', flag, '1'];
  try {
    parseArgv(argv);
    return true;
  } catch (err) {
    return !/Unknown option/.test((err as Error).message);
  }
}

test('README compat table: each command bdg has exists; each one it lacks does not', () => {
  const table = rows();
  assert.ok(table.length >= 40, `${table.length} rows`);
  for (const r of table) {
    if (r.original === '(every command)') continue;
    if (r.status === 'no') {
      assert.equal(r.command, '', `${r.original}: no bdg command named`);
      assert.equal(commandAt(r.original), undefined, `bdg now has \`${r.original}\`: mark it supported in README's compat table`);
    } else assert.ok(commandAt(r.command) !== undefined, `README says \`${r.original}\` is \`${r.command}\` in bdg, which has no such command`);
  }
});

test('README compat table: kept options are accepted, options not kept are refused as unknown', () => {
  for (const r of rows()) {
    if (r.status === 'no') continue;
    const c = r.original === '(every command)' ? undefined : commandAt(r.command);
    for (const flag of r.kept) assert.ok(accepts(c, flag), `${r.command}: README says ${flag} is kept, but the CLI refuses it`);
    for (const flag of r.notKept) assert.ok(!accepts(c, flag), `${r.command}: bdg now takes ${flag}; move it to "Options kept" in README's compat table`);
  }
});
