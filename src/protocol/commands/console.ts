import type { BufferStats, FoldedConsoleRecord } from '../records.js';
import type { CommandSpec } from '../spec.js';

/** Console telemetry. */
export const CONSOLE_COMMANDS = [
  {
    name: 'console',
    path: ['console'],
    summary: 'Show console messages and uncaught exceptions of the current page load (identical ones folded with a count)',
    args: [],
    options: {
      level: {
        type: 'string',
        choices: ['error', 'warning', 'info', 'log', 'debug'],
        placeholder: 'LEVEL',
        description: 'Least severe level shown: error, warning (and errors), info or log (all but debug), debug (everything)',
      },
      last: { type: 'number', integer: true, min: 0, max: 1_000_000, placeholder: 'N', description: 'Only the N newest lines (0: all)' },
      history: { type: 'boolean', default: false, description: 'Messages of every navigation, not only the current page load' },
      since: { type: 'string', placeholder: 'ID', description: 'Only messages newer than this id (e.g. c40), for polling; not folded' },
      follow: { type: 'boolean', default: false, description: 'Keep printing new messages until interrupted' },
    },
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg console', 'bdg console --level error', 'bdg console --history --last 50', 'bdg console --follow --json'],
  },
] as const satisfies readonly CommandSpec[];

export interface ConsoleListResult {
  navigation: { index: number; url: string } | null;
  history: boolean;
  level: string | null;
  messages: FoldedConsoleRecord[];
  matched: number;
  errors: number;
  navigations?: { index: number; url: string | null }[] | undefined;
  latestId: string | null;
  stats: BufferStats;
}

export interface ConsoleResults {
  console: ConsoleListResult;
}
