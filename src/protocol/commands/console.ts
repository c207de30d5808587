import type { BoundedFields } from '../../util/bounded.js';
import { fullOption } from '../spec.js';
import type { BufferStats, ConsoleRecord, FoldedConsoleRecord, IssueRecord } from '../records.js';
import type { CommandSpec } from '../spec.js';

/** Console telemetry. */
export const CONSOLE_COMMANDS = [
  {
    name: 'console',
    path: ['console'],
    summary: 'Show console messages and uncaught exceptions of the current page load (identical ones folded with a count)',
    args: [],
    options: {
      full: fullOption,
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
      list: {
        type: 'boolean',
        default: false,
        description: 'Every message in order, not folded, with a marker where a new page load starts (with --history)',
      },
      issues: {
        type: 'boolean',
        default: false,
        description: "Only the page's Chrome Issues (blocked cookies, mixed content, CSP, deprecated APIs, …), no messages",
      },
    },
    listing: { rows: ['messages'], keep: 'newest' },
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg console', 'bdg console --level error', 'bdg console --list --history', 'bdg console --issues --json', 'bdg console --follow --json'],
  },
  {
    name: 'console.wait',
    path: ['console', 'wait'],
    summary: 'Wait for the first console message (or uncaught exception) matching a level and/or a regular expression; exits 102 on timeout',
    args: [],
    options: {
      level: {
        type: 'string',
        choices: ['error', 'warning', 'info', 'log', 'debug'],
        placeholder: 'LEVEL',
        description: 'Least severe level shown: error, warning (and errors), info or log (all but debug), debug (everything)',
      },
      match: {
        type: 'string',
        placeholder: 'REGEX',
        description: 'Regular expression on the text (/re/i for flags)',
      },
      timeout: { type: 'number', min: 0, max: 600, default: 30, placeholder: 'S', description: 'Give up after S seconds (exit 102)' },
      since: {
        type: 'string',
        placeholder: 'ID',
        description: 'Also messages after this id (c12) from before the wait',
      },
    },
    readOnly: true,
    runs: 'daemon',
    timeoutMs: 610_000,
    examples: ['bdg console wait --level error', 'bdg console wait --match "order \\d+ saved" --timeout 10', 'bdg console wait --match /ready/i --since c3'],
  },
] as const satisfies readonly CommandSpec[];

export interface ConsoleListResult extends BoundedFields {
  navigation: { index: number; url: string } | null;
  history: boolean;
  level: string | null;
  messages: FoldedConsoleRecord[];
  matched: number;
  errors: number;
  navigations?: { index: number; url: string | null }[] | undefined;
  latestId: string | null;
  stats: BufferStats;
  /** `--list`: every message in order (not folded). */
  list: boolean;
  /** Chrome Issues of the page load (of every page load with --history), oldest first; the original bdg's field. */
  issues: IssueRecord[];
  /** Issues of those page loads no longer kept (the buffer keeps the newest). */
  issuesDropped: number;
}

export interface ConsoleWaitResult {
  item: ConsoleRecord;
  waitedMs: number;
}

export interface ConsoleResults {
  console: ConsoleListResult;
  'console.wait': ConsoleWaitResult;
}
