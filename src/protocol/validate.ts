import { BdgError } from '../util/errors.js';
import { camelCase, type CommandSpec, type OptionSpec } from './commands.js';

export type Params = Record<string, unknown>;

/** The values a number option takes, in words: `a whole number from 0 to 65535`, `a number of at least 1`. */
export function rangeText(spec: Pick<OptionSpec, 'integer' | 'min' | 'max'>): string {
  const kind = spec.integer === true ? 'a whole number' : 'a number';
  if (spec.min !== undefined && spec.max !== undefined) return `${kind} from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return `${kind} of at least ${spec.min}`;
  if (spec.max !== undefined) return `${kind} of at most ${spec.max}`;
  return kind;
}

// Plain decimal notation (`42`, `-1`, `0.5`, `1e3`): Number() alone would also take `0x10`, `0b1`, `Infinity`
// and surrounding blanks, none of which anyone means as a port or a count.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number typed on the command line, or NaN when it is not written in plain decimal notation. */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}

function checkValue(flag: string, spec: OptionSpec, value: unknown): unknown {
  switch (spec.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new BdgError('INVALID_ARGUMENTS', `--${flag} takes no value (it is a switch)`);
      return value;
    case 'string':
      if (spec.repeatable === true) {
        const list = typeof value === 'string' ? [value] : value;
        if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) throw new BdgError('INVALID_ARGUMENTS', `--${flag} needs text values`);
        return list as string[];
      }
      if (typeof value !== 'string') throw new BdgError('INVALID_ARGUMENTS', `--${flag} needs a text value`);
      if (spec.choices !== undefined) {
        // `anyCase` choices take any spelling (`--format JPEG`) and hand on the declared one.
        const hit =
          spec.anyCase === true ? spec.choices.find((c) => c.toLowerCase() === value.toLowerCase()) : spec.choices.includes(value) ? value : undefined;
        if (hit === undefined) throw new BdgError('INVALID_ARGUMENTS', `--${flag} must be one of: ${spec.choices.join(', ')} (got "${value}")`);
        return hit;
      }
      return value;
    case 'number': {
      const n = typeof value === 'string' ? parseDecimal(value) : value;
      const range = rangeText(spec);
      const got = typeof value === 'string' ? `"${value}"` : String(value);
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new BdgError('INVALID_ARGUMENTS', `--${flag} needs ${range} (got ${got})`);
      const inRange = (spec.integer !== true || Number.isInteger(n)) && (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max);
      if (!inRange) throw new BdgError('INVALID_ARGUMENTS', `--${flag} must be ${range} (got ${n})`);
      return n;
    }
  }
}

/**
 * Validates request params against a command's contract: args and options by camelCase key, unknown keys
 * rejected with the expected ones named, defaults filled in. Returns a fresh object.
 */
export function validateParams(spec: CommandSpec, raw: unknown): Params {
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new BdgError('INVALID_ARGUMENTS', `${spec.name}: params must be an object`);
  }
  const input = (raw ?? {}) as Params;
  const out: Params = {};
  const known = new Map<string, () => void>();
  for (const arg of spec.args) {
    known.set(arg.name, () => {
      const v = input[arg.name];
      if (v === undefined) return;
      if (typeof v !== 'string') throw new BdgError('INVALID_ARGUMENTS', `${arg.name} must be text`);
      if (arg.choices !== undefined && !arg.choices.includes(v)) {
        throw new BdgError('INVALID_ARGUMENTS', `${arg.name} must be one of: ${arg.choices.join(', ')} (got "${v}")`);
      }
      out[arg.name] = v;
    });
  }
  for (const [flag, opt] of Object.entries(spec.options)) {
    const key = camelCase(flag);
    known.set(key, () => {
      const v = input[key];
      if (v === undefined) {
        if (opt.default !== undefined) out[key] = opt.default;
        return;
      }
      out[key] = checkValue(flag, opt, v);
    });
  }
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    const expected = [...known.keys()];
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `${spec.name}: unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
      expected.length > 0 ? `Expected: ${expected.join(', ')}` : `${spec.name} takes no parameters`,
    );
  }
  for (const apply of known.values()) apply();
  for (const arg of spec.args) {
    if (arg.required && out[arg.name] === undefined) {
      throw new BdgError(
        'INVALID_ARGUMENTS',
        `${spec.name}: missing ${arg.name}`,
        `Usage: bdg ${[...spec.path, ...spec.args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`))].join(' ')}`,
      );
    }
  }
  return out;
}

/** Edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] as number;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] as number;
      dp[j] = Math.min((dp[j] as number) + 1, (dp[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length] as number;
}

export function suggest(input: string, candidates: readonly string[], max = 3): string[] {
  const lower = input.toLowerCase();
  return candidates
    .map((c) => ({ c, d: c.toLowerCase().startsWith(lower) && lower.length >= 2 ? 0 : editDistance(lower, c.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(x.c.length / 3)))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((x) => x.c);
}
