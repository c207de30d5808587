/**
 * The command contract, declared once. The CLI derives its argument parsing, `--help` and `--help --json` from
 * these entries; the daemon validates every request against the same entries and rejects unknown keys.
 * Each command family declares its entries in its own file under commands/.
 */
import { CDP_COMMANDS } from './commands/cdp.js';
import { CONSOLE_COMMANDS } from './commands/console.js';
import { NETWORK_COMMANDS } from './commands/network.js';
import { DOM_COMMANDS } from './commands/dom.js';
import { PAGE_COMMANDS } from './commands/page.js';
import { SESSION_COMMANDS } from './commands/session.js';
import type { CommandSpec, OptionSpec } from './spec.js';

export type { ArgSpec, CommandSpec, OptionSpec, OptionType } from './spec.js';

export const COMMANDS: readonly CommandSpec[] = [...SESSION_COMMANDS, ...CDP_COMMANDS, ...NETWORK_COMMANDS, ...CONSOLE_COMMANDS, ...DOM_COMMANDS, ...PAGE_COMMANDS];

export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', default: false, description: 'Print exactly one JSON document on stdout (errors too)' },
  help: { type: 'boolean', default: false, description: 'Show help (with --json: machine-readable description of every command)' },
  version: { type: 'boolean', default: false, description: 'Print the version' },
};

export function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
