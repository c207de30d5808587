import type { CommandSpec } from '../spec.js';

/** Other ways in for agents, built from this same contract: many commands in one process (`batch`). */
export const FRONT_DOOR_COMMANDS = [
  {
    name: 'batch',
    path: ['batch'],
    summary: 'Run many commands in one process over one daemon connection: one per line, as on the command line without `bdg`, or JSON Lines {"cmd", "params"}',
    args: [{ name: 'file', required: false, description: 'File with one command per line; - or nothing reads stdin. Blank lines and # comments are skipped' }],
    options: {
      bail: { type: 'boolean', default: false, description: 'Stop at the first failing line and exit with its code (default: run every line; the exit code is the first failure\'s)' },
    },
    readOnly: false,
    runs: 'cli',
    frontDoor: true,
    examples: ['bdg batch steps.txt', 'bdg batch - --json', 'bdg batch steps.txt --bail'],
  },
] as const satisfies readonly CommandSpec[];
