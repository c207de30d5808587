import { ALL_COMMANDS as COMMANDS, GLOBAL_OPTIONS, camelCase, type CommandSpec, type OptionSpec } from '../protocol/commands.js';
import { editDistance, parseDecimal, rangeText, suggest, type Params } from '../protocol/validate.js';
import { BdgError } from '../util/errors.js';

export type Parsed =
  /** `family`: the first word of a command group (`bdg dom --help`); `full`: everything (`--help --json --full`). */
  | { kind: 'help'; command: CommandSpec | undefined; family?: string; json: boolean; full: boolean }
  | { kind: 'version'; json: boolean }
  /** `session`: the value of `--session`, when given (resolveSession validates it). */
  | { kind: 'run'; command: CommandSpec; params: Params; json: boolean; session?: string };

/** The original bdg's short flags; each stands for its long option, valid where that option is. */
const SHORT_FLAGS: Readonly<Record<string, string>> = { j: 'json', q: 'quiet', u: 'user-data-dir', f: 'follow', H: 'history', l: 'list', a: 'all' };

interface FlagTables {
  /** Flags whose value may be left out (`--shared-browser` alone), with the value they then stand for. */
  optionalValue: Map<string, string>;
  /** Flags that take a value in any command, so `bdg --port 9222 localhost` reads 9222 as the port's value. */
  value: Set<string>;
  /**
   * Flags that take a value in one command and are switches in another (`--console` of `dom wait` and of `peek`):
   * the command named by the words before the flag decides.
   */
  ambiguous: Set<string>;
}
let flagTables: FlagTables | undefined;

/** The tables, made on first use in one pass over the contract (every command's start-up runs this). */
function flags(): FlagTables {
  if (flagTables !== undefined) return flagTables;
  const optionalValue = new Map<string, string>();
  const value = new Set<string>();
  const boolean = new Set<string>();
  for (const c of COMMANDS)
    for (const [name, o] of Object.entries(c.options)) {
      if (o.type === 'boolean') boolean.add(name);
      else if (o.valueOptional === undefined) value.add(name);
      if (o.valueOptional !== undefined) optionalValue.set(name, o.valueOptional);
    }
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) (o.type === 'boolean' ? boolean : value).add(name);
  flagTables = { optionalValue, value, ambiguous: new Set([...value].filter((name) => boolean.has(name))) };
  return flagTables;
}

/** Whether `--name` (without `=`) takes the next word as its value, given the positionals read so far. */
function takesValue(name: string, positionals: readonly string[]): boolean {
  if (!flags().value.has(name)) return false;
  if (!flags().ambiguous.has(name)) return true;
  const spec = matchCommand([...positionals])?.command.options[name];
  return spec === undefined || spec.type !== 'boolean';
}

function looksLikeUrl(word: string): boolean {
  return /[.:/]/.test(word) || word === 'localhost' || word.startsWith('[');
}

function matchCommand(words: string[]): { command: CommandSpec; consumed: number } | undefined {
  let best: { command: CommandSpec; consumed: number } | undefined;
  for (const c of COMMANDS) {
    if (c.path.length === 0 || c.path.length > words.length) continue;
    if (c.path.every((w, i) => words[i] === w) && (best === undefined || c.path.length > best.consumed)) best = { command: c, consumed: c.path.length };
  }
  return best;
}

const START = COMMANDS.find((c) => c.path.length === 0) as CommandSpec;

interface RawOption {
  name: string;
  value: string | boolean;
  negated: boolean;
}

/** Parses argv (without node and script) against the command contract. Throws INVALID_ARGUMENTS / INVALID_URL. */
export function parseArgv(argv: readonly string[]): Parsed {
  const positionals: string[] = [];
  const options: RawOption[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === '-h') {
      options.push({ name: 'help', value: true, negated: false });
      continue;
    }
    if (token === '-V' || token === '-v') {
      options.push({ name: 'version', value: true, negated: false });
      continue;
    }
    if (token.startsWith('--') && token.length > 2) {
      const eq = token.indexOf('=');
      const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      const implicit = flags().optionalValue.get(name);
      if (eq !== -1) options.push({ name, value: token.slice(eq + 1), negated: false });
      else if (implicit !== undefined) {
        // `bdg --shared-browser localhost:3000` opens the URL in the default shared browser: a URL-like word or a
        // flag is never taken as the value. Other commands take no URL, so there any word but a flag is
        // (`bdg cdp --events Fetch.requestPaused`).
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('-') && (matchCommand([...positionals]) !== undefined || !looksLikeUrl(next))) {
          options.push({ name, value: next, negated: false });
          i++;
        } else options.push({ name, value: implicit, negated: false });
      } else if (takesValue(name, positionals)) {
        const next = argv[i + 1];
        if (next === undefined) throw new BdgError('INVALID_ARGUMENTS', `--${name} needs a value`);
        options.push({ name, value: next, negated: false });
        i++;
      } else if (name.startsWith('no-')) options.push({ name: name.slice(3), value: false, negated: true });
      else options.push({ name, value: true, negated: false });
      continue;
    }
    const short = token.length === 2 && token.startsWith('-') ? SHORT_FLAGS[token.slice(1)] : undefined;
    if (short !== undefined) {
      if (takesValue(short, positionals)) {
        const next = argv[i + 1];
        if (next === undefined) throw new BdgError('INVALID_ARGUMENTS', `${token} (--${short}) needs a value`);
        options.push({ name: short, value: next, negated: false });
        i++;
      } else options.push({ name: short, value: true, negated: false });
      continue;
    }
    if (token.startsWith('-') && token.length > 1 && !/^-\d/.test(token)) {
      throw new BdgError(
        'INVALID_ARGUMENTS',
        `Unknown option ${token}`,
        'Options are long flags such as --json (short ones: -j -q -f -u -H -l -a -h -V); see `bdg --help`.',
      );
    }
    positionals.push(token);
  }

  const json = options.some((o) => o.name === 'json' && o.value !== false && o.value !== 'false');
  const wantsHelp = options.some((o) => o.name === 'help');
  const full = options.some((o) => o.name === 'full' && o.value !== false);
  if (options.some((o) => o.name === 'version') && positionals.length === 0) return { kind: 'version', json };

  let command: CommandSpec;
  let rest: string[];
  const matched = matchCommand(positionals);
  if (matched !== undefined) {
    command = matched.command;
    rest = positionals.slice(matched.consumed);
  } else if (positionals.length === 0) {
    return { kind: 'help', command: undefined, json, full };
  } else if (looksLikeUrl(positionals[0] as string)) {
    command = START;
    rest = positionals;
  } else {
    const word = positionals[0] as string;
    const family = isFamily(word);
    if (wantsHelp) return family ? { kind: 'help', command: undefined, family: word, json, full } : { kind: 'help', command: undefined, json, full };
    if (family) throw unknownInFamily(word, positionals.slice(1));
    const names = [...new Set(COMMANDS.filter((c) => c.path.length > 0).map((c) => c.path.join(' ')))];
    // A known group with an unknown (or missing) subcommand names what was asked: `Unknown command "dom layout"`.
    const group = names.filter((n) => n.startsWith(`${word} `)).map((n) => n.slice(word.length + 1));
    if (group.length > 0) {
      const sub = positionals[1];
      const close = sub !== undefined ? suggestCommands(positionals, names) : [];
      throw new BdgError(
        'INVALID_ARGUMENTS',
        sub !== undefined ? `Unknown command "${word} ${sub}"` : `"${word}" needs a subcommand`,
        `${close.length > 0 ? `Did you mean: ${close.map((c) => `bdg ${c}`).join(', ')}? ` : ''}bdg ${word} commands: ${group.join(', ')}.`,
      );
    }
    const close = suggestCommands(positionals, names);
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `Unknown command "${word}"`,
      close.length > 0
        ? `Did you mean: ${close.map((c) => `bdg ${c}`).join(', ')}? (To open a page, give a URL such as ${word}.com or localhost:3000.)`
        : `Commands: ${names.join(', ')}. To open a page: bdg <url>.`,
    );
  }
  if (wantsHelp) return { kind: 'help', command, json, full };

  const params: Params = {};
  let session: string | undefined;
  for (const o of options) {
    if (o.name === 'session') {
      if (typeof o.value !== 'string') throw new BdgError('INVALID_ARGUMENTS', '--session needs a value', 'For example: --session agent-1');
      session = o.value;
      continue;
    }
    if (o.name in GLOBAL_OPTIONS) continue;
    const spec: OptionSpec | undefined = command.options[o.name];
    if (spec === undefined || (o.negated && spec.negatable !== true)) {
      const flag = o.negated ? `no-${o.name}` : o.name;
      const flags = [
        ...Object.keys(command.options),
        ...Object.entries(command.options)
          .filter(([, s]) => s.negatable === true)
          .map(([n]) => `no-${n}`),
        ...Object.keys(GLOBAL_OPTIONS),
      ];
      const close = suggest(flag, flags);
      const where = command.path.length > 0 ? `bdg ${command.path.join(' ')}` : 'bdg <url>';
      throw new BdgError(
        'INVALID_ARGUMENTS',
        `Unknown option --${flag} for ${where}`,
        close.length > 0 ? `Did you mean ${close.map((c) => `--${c}`).join(', ')}?` : `Options: ${flags.map((f) => `--${f}`).join(' ')}`,
      );
    }
    let value: unknown = o.value;
    if (spec.type === 'boolean' && typeof value === 'string') {
      if (value === 'true') value = true;
      else if (value === 'false') value = false;
      else throw new BdgError('INVALID_ARGUMENTS', `--${o.name} is a switch; it takes no value (got "${value}")`);
    }
    if (spec.type !== 'boolean' && typeof value === 'boolean') throw new BdgError('INVALID_ARGUMENTS', `--${o.name} needs a value`);
    if (spec.type === 'number') {
      const n = typeof value === 'string' ? parseDecimal(value) : Number.NaN;
      if (!Number.isFinite(n)) throw new BdgError('INVALID_ARGUMENTS', `--${o.name} needs ${rangeText(spec)} (got "${String(value)}")`);
      value = n;
    }
    const key = camelCase(o.name);
    if (spec.repeatable === true) params[key] = [...((params[key] as string[] | undefined) ?? []), value];
    else params[key] = value;
  }
  if (rest.length > command.args.length) {
    const where = command.path.length > 0 ? `bdg ${command.path.join(' ')}` : 'bdg <url>';
    const sub = suggestCommands(rest, subcommandWords(command));
    const hint = sub.length > 0 ? `Did you mean: ${sub.map((w) => `${where} ${w}`).join(', ')}? ${usage(command)}` : usage(command);
    throw new BdgError('INVALID_ARGUMENTS', `Unexpected argument "${rest[command.args.length] as string}" for ${where}`, hint);
  }
  command.args.forEach((arg, i) => {
    if (rest[i] !== undefined) params[arg.name] = rest[i];
  });
  return session !== undefined ? { kind: 'run', command, params, json, session } : { kind: 'run', command, params, json };
}

/**
 * Command names (one or more words) closest to what was typed: each name is compared with as many typed words as
 * it has, so `network lsit` finds `network list` rather than every `network ...` command.
 */
export function suggestCommands(typed: readonly string[], names: readonly string[], max = 3): string[] {
  const scored: { name: string; d: number }[] = [];
  for (const name of names) {
    const words = name.split(' ').length;
    const input = typed.slice(0, words).join(' ').toLowerCase();
    if (input === '') continue;
    const d = name.startsWith(input) && input.length >= 2 ? 0 : editDistance(input, name);
    if (d <= Math.max(2, Math.floor(name.length / 3))) scored.push({ name, d });
  }
  return scored
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((x) => x.name);
}

/** True when `word` starts commands of more than one word but is no command itself (`dom`, `network`). */
export function isFamily(word: string): boolean {
  return COMMANDS.some((c) => c.path.length > 1 && c.path[0] === word) && !COMMANDS.some((c) => c.path.length === 1 && c.path[0] === word);
}

/** `bdg dom layuot`: the error names what was typed (`dom layuot`), and the family's commands closest to it. */
function unknownInFamily(family: string, rest: readonly string[]): BdgError {
  const names = [...new Set(COMMANDS.filter((c) => c.path[0] === family).map((c) => c.path.slice(1).join(' ')))];
  if (rest.length === 0)
    return new BdgError('INVALID_ARGUMENTS', `"${family}" needs a subcommand`, `${family} commands: ${names.join(', ')} (bdg ${family} --help).`);
  const close = suggestCommands(rest, names);
  return new BdgError(
    'INVALID_ARGUMENTS',
    `Unknown command "${family} ${rest[0] ?? ''}"`,
    close.length > 0
      ? `Did you mean: ${close.map((c) => `bdg ${family} ${c}`).join(', ')}?`
      : `${family} commands: ${names.join(', ')} (bdg ${family} --help).`,
  );
}

/** The words that continue a command into a longer one (`cdp` -> `send`, `events`). */
function subcommandWords(command: CommandSpec): string[] {
  const n = command.path.length;
  if (n === 0) return [];
  return [...new Set(COMMANDS.filter((c) => c.path.length > n && command.path.every((w, i) => c.path[i] === w)).map((c) => c.path.slice(n).join(' ')))];
}

export function usage(c: CommandSpec): string {
  const words = ['bdg', ...c.path, ...c.args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`))];
  if (Object.keys(c.options).length > 0) words.push('[options]');
  return `Usage: ${words.join(' ')}`;
}
