import { ALL_COMMANDS as COMMANDS, GLOBAL_OPTIONS, camelCase, type CommandSpec, type OptionSpec } from '../protocol/commands.js';
import { LIST_ROWS, VALUE_CHARS } from '../util/bounded.js';
import { VERSION } from '../protocol/version.js';
import { EXIT_CODES, EXIT_CODE_DESCRIPTIONS } from '../util/exitCodes.js';
import { usage } from './argv.js';

function optionLine(name: string, o: OptionSpec): string {
  const flag =
    o.type === 'boolean'
      ? o.negatable === true
        ? `--[no-]${name}`
        : `--${name}`
      : o.valueOptional !== undefined
        ? `--${name} [${o.placeholder ?? 'VALUE'}]`
        : `--${name} ${o.placeholder ?? 'VALUE'}`;
  const notes: string[] = [];
  if (o.type === 'number' && (o.min !== undefined || o.max !== undefined))
    notes.push(o.min !== undefined && o.max !== undefined ? `${o.min} to ${o.max}` : o.min !== undefined ? `at least ${o.min}` : `at most ${String(o.max)}`);
  if (o.choices !== undefined) notes.push(o.choices.join('|'));
  if (o.repeatable === true) notes.push('repeatable');
  if (o.default !== undefined && o.type !== 'boolean') notes.push(`default: ${String(o.default)}`);
  return `  ${flag.padEnd(26)} ${o.description}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

export function commandHelp(c: CommandSpec): string {
  const lines = [usage(c), '', c.summary, ''];
  if (c.args.length > 0) {
    lines.push('Arguments:');
    for (const a of c.args) lines.push(`  ${a.name.padEnd(26)} ${a.description}${a.choices !== undefined ? ` (${a.choices.join('|')})` : ''}`);
    lines.push('');
  }
  lines.push('Options:');
  for (const [name, o] of Object.entries(c.options)) lines.push(optionLine(name, o));
  lines.push(
    optionLine('json', GLOBAL_OPTIONS['json'] as OptionSpec),
    optionLine('session', GLOBAL_OPTIONS['session'] as OptionSpec),
    optionLine('help', GLOBAL_OPTIONS['help'] as OptionSpec),
    '',
  );
  if (c.examples.length > 0) lines.push('Examples:', ...c.examples.map((e) => `  ${e}`), '');
  if (c.more !== undefined) lines.push(...c.more, '');
  return lines.join('\n');
}

export function generalHelp(): string {
  const lines = [
    `bdg ${VERSION} — a persistent, scriptable Chrome DevTools Protocol session for agents and developers`,
    '',
    'Usage: bdg <url> [options]          start a session (see bdg <url> --help)',
    '       bdg <command> [options]',
    '',
    'Commands:',
  ];
  for (const c of COMMANDS) lines.push(commandLine(c));
  lines.push('', 'Global options:');
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) lines.push(optionLine(name, o));
  lines.push('', 'Exit codes:');
  for (const [name, code] of Object.entries(EXIT_CODES))
    lines.push(`  ${String(code).padEnd(4)} ${name.padEnd(24)} ${EXIT_CODE_DESCRIPTIONS[name as keyof typeof EXIT_CODES]}`);
  lines.push(
    '',
    'State lives in ~/.bdg (override with BDG_SESSION_DIR); named sessions (--session NAME or BDG_SESSION) in its sessions/NAME/.',
    LISTINGS_RULE,
    '`bdg <command> --help` for details, `bdg dom --help` for a family; `bdg --help --json` for machines (compact; `--full` for everything).',
    '',
  );
  return lines.join('\n');
}

/** The output rule of listings (util/bounded.ts), said once in the general help. */
const LISTINGS_RULE = `Listings show ${LIST_ROWS} rows (JSON: count, omitted; newest for telemetry) and cut values over ${VALUE_CHARS} characters with a marker; --full shows everything.`;

/** A command's line in the general and family help. */
function commandLine(c: CommandSpec): string {
  const words = c.path.length > 0 ? [...c.path, ...c.args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`))].join(' ') : '<url>';
  return `  ${words.padEnd(26)} ${c.summary}`;
}

/** `bdg dom --help`: the commands of one family. */
export function familyHelp(family: string): string {
  const lines = [`bdg ${family} — ${FAMILY_TITLES[family] ?? `${family} commands`}`, '', 'Commands:'];
  for (const c of COMMANDS.filter((c) => c.path[0] === family)) lines.push(commandLine(c));
  lines.push('', `\`bdg ${family} <command> --help\` for one command's options; \`bdg ${family} --help --json\` for machines.`, '');
  return lines.join('\n');
}

const FAMILY_TITLES: Readonly<Record<string, string>> = {
  dom: 'read, query and act on the page (selectors, refs from dom a11y, or the index of the last query)',
  network: 'the requests of the session (list, details, HAR, WebSocket frames)',
  console: 'the console messages of the session',
  page: 'the page itself (navigation, tabs, dialogs)',
  cdp: 'raw Chrome DevTools Protocol',
};

const ENVIRONMENT = {
  BDG_SESSION_DIR: 'Session state directory (default ~/.bdg); named sessions live in its sessions/NAME/',
  BDG_SESSION: 'Session name when --session is not given (default: the default session)',
  BDG_IDLE_TIMEOUT: 'Seconds without a command before a headless session bdg launched stops itself, when --idle-timeout is not given (default 3600; 0 = never)',
  BDG_OWNER_PID: 'Pid of the process whose exit stops the session, when --owner-pid is not given',
  CHROME_PATH: 'Chrome/Chromium executable to launch',
  BDG_DEBUG: 'Set to log debug lines to daemon.log',
};

/** Everything the contract says about one command: what `bdg <command> --help --json` and `--full` print. */
function commandJson(c: CommandSpec): Record<string, unknown> {
  return {
    name: c.name,
    usage: usage(c).replace(/^Usage: /, ''),
    summary: c.summary,
    readOnly: c.readOnly,
    arguments: c.args,
    options: Object.entries(c.options).map(([flag, o]) => ({ flag: `--${flag}`, param: camelCase(flag), ...o })),
    examples: c.examples,
    ...(c.more !== undefined ? { more: c.more } : {}),
  };
}

/** One command in the compact help: its words, arguments, summary and flags (each flag's details are one `--help --json` away). */
function compactJson(c: CommandSpec): Record<string, unknown> {
  const flags = Object.entries(c.options).map(([flag, o]) => (o.type === 'boolean' ? `--${flag}` : `--${flag} ${o.placeholder ?? 'VALUE'}`));
  return {
    command: c.path.length > 0 ? c.path.join(' ') : '<url>',
    ...(c.args.length > 0 ? { arguments: c.args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)).join(' ') } : {}),
    summary: c.summary,
    ...(flags.length > 0 ? { options: flags } : {}),
  };
}

const exitCodesJson = (): unknown =>
  Object.entries(EXIT_CODES).map(([name, code]) => ({ code, name, description: EXIT_CODE_DESCRIPTIONS[name as keyof typeof EXIT_CODES] }));

/**
 * `bdg --help --json`: every command with its flags, the global options, exit codes and environment, compact
 * (an agent reads it whole; the original bdg's is about 29 KB, ours stays under 20 KB); `--full` adds every
 * option's type, default, bounds and description, and the examples.
 */
export function helpJson(full = false): unknown {
  const head = {
    name: 'bdg',
    version: VERSION,
    description: 'A persistent, scriptable Chrome DevTools Protocol session for agents and developers',
    usage: 'bdg <url> [options] | bdg <command> [options]',
    listings: LISTINGS_RULE,
  };
  const tail = {
    globalOptions: Object.entries(GLOBAL_OPTIONS).map(([flag, o]) => ({ flag: `--${flag}`, ...(full ? o : { description: o.description }) })),
    exitCodes: exitCodesJson(),
    environment: ENVIRONMENT,
  };
  if (full) return { ...head, commands: COMMANDS.map(commandJson), ...tail };
  return {
    ...head,
    details: '`bdg <command> --help --json` describes one command (options with types, defaults, bounds; examples); `bdg --help --json --full` all of them.',
    commands: COMMANDS.map(compactJson),
    ...tail,
  };
}

/** `bdg <command> --help --json`: one command in full, with the exit codes. */
export function commandHelpJson(c: CommandSpec): unknown {
  return { name: 'bdg', version: VERSION, command: commandJson(c), exitCodes: exitCodesJson() };
}

/** `bdg dom --help --json`: the family's commands in full. */
export function familyHelpJson(family: string): unknown {
  return { name: 'bdg', version: VERSION, family, commands: COMMANDS.filter((c) => c.path[0] === family).map(commandJson) };
}
