/**
 * The command contract, declared once. The CLI derives its argument parsing, `--help` and `--help --json` from
 * these entries; the daemon validates every request against the same entries and rejects unknown keys.
 * Each command family declares its entries, and the results its daemon commands answer, in its own file under
 * commands/. The types below tie them together: a command's name, params and result are read off its entry, so a
 * handler, a runner and `call()` cannot disagree about them.
 */
import { BUNDLE_COMMANDS, type BundleResults } from './commands/bundle.js';
import { CDP_COMMANDS, type CdpResults } from './commands/cdp.js';
import { CONSOLE_COMMANDS, type ConsoleResults } from './commands/console.js';
import { CSS_COMMANDS, type CssResults } from './commands/css.js';
import { NETWORK_COMMANDS, type NetworkResults } from './commands/network.js';
import { DOM_COMMANDS, type DomResults } from './commands/dom.js';
import { PAGE_COMMANDS, type PageResults } from './commands/page.js';
import { FRONT_DOOR_COMMANDS } from './commands/frontDoors.js';
import { SESSION_COMMANDS, type SessionResults } from './commands/session.js';
import { SKILL_COMMANDS } from './commands/skill.js';
import { STATE_COMMANDS, STORAGE_COMMANDS, type StorageResults } from './commands/storage.js';
import type { CommandSpec, InputOfSpec, OptionSpec, ParamsOfSpec } from './spec.js';

export type { ArgSpec, CommandSpec, OptionSpec, OptionType } from './spec.js';
export { isFollowing, isIdempotent, locksTab } from './spec.js';

export const COMMANDS = [
  ...SESSION_COMMANDS,
  ...CDP_COMMANDS,
  ...NETWORK_COMMANDS,
  ...CONSOLE_COMMANDS,
  ...DOM_COMMANDS,
  ...PAGE_COMMANDS,
  ...BUNDLE_COMMANDS,
  ...CSS_COMMANDS,
  ...STORAGE_COMMANDS,
  ...STATE_COMMANDS,
  ...SKILL_COMMANDS,
  ...FRONT_DOOR_COMMANDS,
] as const;

/** The same list, seen as plain entries: for code that walks every command (argv, help, tests). */
export const ALL_COMMANDS: readonly CommandSpec[] = COMMANDS;

type Entry = (typeof COMMANDS)[number];

/** Every command's name (`status`, `dom.click`, `start`, ...). */
export type CommandName = Entry['name'];
/** Commands the daemon answers over the socket. */
export type DaemonCommandName = Extract<Entry, { runs: 'daemon' }>['name'];

export type SpecOf<N extends CommandName> = Extract<Entry, { name: N }>;
/** A command's params once validated: required args and options with defaults are present, the rest optional. */
export type ParamsOf<N extends CommandName> = ParamsOfSpec<SpecOf<N>>;
/** What a client sends for a command: options may be left out, the daemon applies the contract's defaults. */
export type InputOf<N extends CommandName> = InputOfSpec<SpecOf<N>>;

/** The commands of one family: its bare name and its dotted sub-commands (`dom`, `dom.click`, ...). */
export type InFamily<F extends string> = Extract<CommandName, F | `${F}.${string}`>;

/** What each daemon command answers; each family declares its part beside its entries. */
export interface CommandResults
  extends SessionResults, CdpResults, NetworkResults, ConsoleResults, DomResults, PageResults, BundleResults, CssResults, StorageResults {}
export type ResultOf<N extends DaemonCommandName> = CommandResults[N];

// The result table and the command list must name the same daemon commands: a command without a declared
// result, or a result for no command, stops the build here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const resultsCoverCommands: Same<keyof CommandResults, DaemonCommandName> = true;
void resultsCoverCommands;

export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', default: false, description: 'Print exactly one JSON document on stdout (errors too)' },
  help: { type: 'boolean', default: false, description: 'Show help (with --json: machine-readable description of every command)' },
  version: { type: 'boolean', default: false, description: 'Print the version' },
  quiet: { type: 'boolean', default: false, description: 'Only the answer: no hints under errors, no notes on stderr (-q)' },
  session: {
    type: 'string',
    placeholder: 'NAME',
    description: 'Use the named session NAME (its own daemon, Chrome and files in sessions/NAME/); default: BDG_SESSION, else the default session',
  },
};

export function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The entry of a command name that came from outside (argv, a socket request); undefined when there is none. */
export function findCommand(name: string): CommandSpec | undefined {
  return ALL_COMMANDS.find((c) => c.name === name);
}

/** The entry of a name the compiler knows. */
export function specOf<N extends CommandName>(name: N): SpecOf<N> {
  return COMMANDS.find((c): c is SpecOf<N> => c.name === name) as SpecOf<N>;
}

/** True when `name` is a command the daemon answers. */
export function isDaemonCommand(name: string): name is DaemonCommandName {
  return findCommand(name)?.runs === 'daemon';
}
