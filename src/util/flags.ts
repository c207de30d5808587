import { BdgError } from './errors.js';

/**
 * Splits --chrome-flags (or a `bdg batch` line) like a shell would split words, without a shell: quotes group,
 * backslash escapes. `what` names the input in the error.
 */
export function splitFlags(input: string, what = '--chrome-flags'): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let has = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string;
    if (quote !== null) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < input.length) cur += input[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < input.length) {
      cur += input[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur !== '') out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
    }
  }
  if (quote !== null) throw new BdgError('INVALID_ARGUMENTS', `Unterminated ${quote} quote in ${what}`, 'Close the quote or remove it.');
  if (has || cur !== '') out.push(cur);
  return out;
}
