import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgv } from '../../src/cli/argv.js';
import { helpJson } from '../../src/cli/help.js';
import { COMMANDS, camelCase, type CommandSpec, type OptionSpec } from '../../src/protocol/commands.js';
import { validateParams, type Params } from '../../src/protocol/validate.js';
import { BdgError } from '../../src/util/errors.js';

/** Values for a command's required arguments, so that only the option under test can be wrong. */
function requiredArgs(c: CommandSpec): Params {
  const out: Params = {};
  for (const a of c.args) if (a.required) out[a.name] = a.choices?.[0] ?? (c.path.length === 0 ? 'localhost' : 'x1');
  return out;
}

/** The same request typed on the command line: `bdg <path> <args> --flag=value`. */
function argvFor(c: CommandSpec, flag: string, value: string): string[] {
  return [...c.path, ...c.args.filter((a) => a.required).map((a) => String(requiredArgs(c)[a.name])), `--${flag}=${value}`];
}

/** Both ways in: the request the daemon validates, and the argv the CLI parses and then validates. */
function throughBoth(c: CommandSpec, flag: string, value: number | string): Array<() => Params> {
  const key = camelCase(flag);
  return [
    () => validateParams(c, { ...requiredArgs(c), [key]: value }),
    () => {
      const parsed = parseArgv(argvFor(c, flag, String(value)));
      assert.equal(parsed.kind, 'run');
      if (parsed.kind !== 'run') throw new Error('not a run');
      assert.equal(parsed.command.name, c.name, `${argvFor(c, flag, String(value)).join(' ')} parsed as ${parsed.command.name}`);
      return validateParams(parsed.command, parsed.params);
    },
  ];
}

function refusedWith(fn: () => unknown, pattern: RegExp, what: string): void {
  assert.throws(
    fn,
    (err: unknown) => {
      assert.ok(err instanceof BdgError, `${what}: threw ${String(err)}`);
      assert.equal(err.code, 'INVALID_ARGUMENTS', `${what}: ${err.message}`);
      assert.match(err.message, pattern, what);
      return true;
    },
    `${what} was accepted`,
  );
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const numberOptions = COMMANDS.flatMap((c) =>
  Object.entries(c.options as Record<string, OptionSpec>)
    .filter(([, o]) => o.type === 'number')
    .map(([flag, o]) => ({ c: c, flag, o })),
);
const choiceOptions = COMMANDS.flatMap((c) =>
  Object.entries(c.options as Record<string, OptionSpec>)
    .filter(([, o]) => o.choices !== undefined)
    .map(([flag, o]) => ({ c: c, flag, o })),
);

test('the contract has number and choice options to walk', () => {
  assert.ok(numberOptions.length >= 20, `${numberOptions.length} number options`);
  assert.ok(choiceOptions.length >= 3, `${choiceOptions.length} choice options`);
});

test('every number option declares both bounds, and --help --json publishes them', () => {
  const help = helpJson(true) as { commands: Array<{ name: string; options: Array<{ flag: string; type: string; min?: number; max?: number }> }> };
  for (const { c, flag, o } of numberOptions) {
    assert.ok(o.min !== undefined && o.max !== undefined && o.min <= o.max, `${c.name} --${flag}: min ${String(o.min)}, max ${String(o.max)}`);
    if (o.default !== undefined)
      assert.ok(
        typeof o.default === 'number' && o.default >= o.min && o.default <= o.max,
        `${c.name} --${flag}: default ${String(o.default)} out of its own range`,
      );
    const published = help.commands.find((h) => h.name === c.name)?.options.find((h) => h.flag === `--${flag}`);
    assert.equal(published?.min, o.min, `${c.name} --${flag} min in --help --json`);
    assert.equal(published?.max, o.max, `${c.name} --${flag} max in --help --json`);
  }
});

test('every number option: min and max accepted; min-1, max+1 and (for whole numbers) min-0.5 and min+0.5 refused naming the range', () => {
  for (const { c, flag, o } of numberOptions) {
    const min = o.min as number;
    const max = o.max as number;
    const range = new RegExp(
      `^--${esc(flag)} (must be|needs) a ${o.integer === true ? 'whole number' : 'number'} from ${esc(String(min))} to ${esc(String(max))} \\(got `,
    );
    for (const v of [min, max]) {
      for (const run of throughBoth(c, flag, v)) assert.equal(run()[camelCase(flag)], v, `${c.name} --${flag} ${v}`);
    }
    const bad = [min - 1, max + 1];
    if (o.integer === true) {
      bad.push(min - 0.5);
      if (min + 0.5 < max) bad.push(min + 0.5);
    }
    for (const v of bad) {
      // max + 1 of Number.MAX_SAFE_INTEGER is still a distinct double; check the test itself is sound.
      assert.ok(v < min || v > max || !Number.isInteger(v), `${c.name} --${flag}: ${v} is not a bad value`);
      for (const run of throughBoth(c, flag, v)) refusedWith(run, range, `${c.name} --${flag} ${v}`);
    }
  }
});

test('every number option: values that are not finite decimal numbers are refused naming the range', () => {
  for (const { c, flag, o } of numberOptions) {
    const range = new RegExp(`--${esc(flag)} (must be|needs) a (whole )?number from ${esc(String(o.min))} to ${esc(String(o.max))}`);
    const key = camelCase(flag);
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      refusedWith(() => validateParams(c, { ...requiredArgs(c), [key]: v }), range, `${c.name} --${flag} ${v}`);
    }
    for (const text of ['Infinity', '-Infinity', 'NaN', '0x10', '0b1', '1e400', '', ' 1', '1 ', '1,5', 'ten']) {
      refusedWith(() => parseArgv(argvFor(c, flag, text)), range, `${c.name} --${flag}="${text}" (argv)`);
      refusedWith(() => validateParams(c, { ...requiredArgs(c), [key]: text }), range, `${c.name} --${flag}="${text}" (request)`);
    }
    refusedWith(() => validateParams(c, { ...requiredArgs(c), [key]: true }), range, `${c.name} --${flag} true`);
  }
});

test('every choices option and argument: each choice accepted, anything else refused naming all the choices', () => {
  for (const { c, flag, o } of choiceOptions) {
    const choices = o.choices as readonly string[];
    const key = camelCase(flag);
    for (const v of choices) for (const run of throughBoth(c, flag, v)) assert.equal(run()[key], v, `${c.name} --${flag} ${v}`);
    if (o.anyCase === true)
      for (const v of choices) for (const run of throughBoth(c, flag, v.toUpperCase())) assert.equal(run()[key], v, `${c.name} --${flag} ${v}`);
    for (const v of ['not-a-choice', '', ...(o.anyCase === true ? [] : [choices[0]?.toUpperCase() ?? 'X'])]) {
      if (choices.includes(v)) continue;
      for (const run of throughBoth(c, flag, v))
        refusedWith(run, new RegExp(`--${esc(flag)} must be one of: ${esc(choices.join(', '))} \\(got "${esc(v)}"\\)`), `${c.name} --${flag} "${v}"`);
    }
  }
  let args = 0;
  for (const c of COMMANDS as readonly CommandSpec[]) {
    for (const a of c.args) {
      if (a.choices === undefined) continue;
      args++;
      refusedWith(
        () => validateParams(c, { ...requiredArgs(c), [a.name]: 'not-a-choice' }),
        new RegExp(`${esc(a.name)} must be one of: ${esc(a.choices.join(', '))}`),
        `${c.name} ${a.name}`,
      );
      for (const v of a.choices) assert.equal(validateParams(c, { ...requiredArgs(c), [a.name]: v })[a.name], v);
    }
  }
  assert.ok(args >= 1, 'no argument with choices found');
});
