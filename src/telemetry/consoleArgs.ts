/**
 * What a console record keeps of its arguments' renderings, and how readers get them all back. Kept apart from
 * console.ts so the CLI's journal readers (offline/) need not load the collector.
 */
import type { ConsoleRecord } from '../protocol/records.js';

/**
 * The arguments a console record keeps: none when there were none, or when the one argument rendered is the text
 * itself (`console.log('saved')`, most messages): 10,000 such arrays were 0.9 MB of heap saying nothing the text
 * does not. {@link consoleArgs} gives them back. An empty text is kept as an argument (a zero-argument call has the
 * same text), and assert and clear, whose text is their own, keep theirs.
 */
export function keptArgs(type: string, text: string, args: string[]): string[] | undefined {
  if (args.length === 0) return undefined;
  if (args.length === 1 && args[0] === text && restatesText(type, text)) return undefined;
  return args;
}

function restatesText(type: string, text: string): boolean {
  return text !== '' && type !== 'assert' && type !== 'clear';
}

/** A console record's per-argument renderings, also when it keeps none because its one argument is its text. */
export function consoleArgs(r: ConsoleRecord): string[] | undefined {
  if (r.args !== undefined) return r.args;
  return r.kind === 'console' && restatesText(r.type, r.text) ? [r.text] : undefined;
}

/** `r` with its `args` whole (see {@link consoleArgs}): what `details console` shows. */
export function withConsoleArgs<R extends ConsoleRecord>(r: R): R {
  if (r.args !== undefined) return r;
  const args = consoleArgs(r);
  return args === undefined ? r : { ...r, args };
}
