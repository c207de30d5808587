/**
 * The output rule for listings, in one place: a listing shows at most {@link LIST_ROWS} rows per list, with `count`
 * (rows there were) and `omitted` (rows left out), and string values over {@link VALUE_CHARS} characters are cut with
 * a marker saying how many characters were cut; `--full` shows everything. The daemon's dispatcher applies it to
 * every command whose contract entry declares `listing` (and the CLI to the listings it computes itself), so text
 * and `--json` show the same rows, and batch and MCP get them too.
 */

/** Rows a listing shows per list without --full (the original bdg's bound for `--json` lists). */
export const LIST_ROWS = 100;

/** Longest string value a listing shows without --full. */
export const VALUE_CHARS = 1000;

/** What `--full` does on a listing, for its help. */
export const FULL_DESCRIPTION = `Show every row and whole values (without it: ${LIST_ROWS} rows, values cut at ${VALUE_CHARS} characters)`;

/** How a command's result is a listing: which arrays are its rows, and which rows are kept (telemetry: the newest). */
export interface ListingShape {
  rows?: readonly string[];
  keep?: 'first' | 'newest';
}

/** The marker after a cut value: how many characters were left out. */
export function cutMarker(cut: number): string {
  return `… [${cut} more char${cut === 1 ? '' : 's'} cut; --full shows all]`;
}

const CUT_MARKER = /… \[(\d+) more chars? cut; --full shows all\]$/;

/** The length `s` had before {@link cutText} cut it (its own length when it was not cut). */
export function uncutLength(s: string): number {
  const m = CUT_MARKER.exec(s);
  return m === null ? s.length : m.index + Number(m[1]);
}

/** `s` whole when it is at most `max` characters, else its first `max` and the marker. */
export function cutText(s: string, max: number = VALUE_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}${cutMarker(s.length - max)}`;
}

/** A copy of `value` with every string over `max` characters cut ({@link cutText}); `cut` counts them. */
export function cutStrings(value: unknown, max: number = VALUE_CHARS): { value: unknown; cut: number } {
  let cut = 0;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      if (v.length <= max) return v;
      cut++;
      return cutText(v, max);
    }
    // Deeper than any result we build: left as is rather than walked without end.
    if (v === null || typeof v !== 'object' || depth > 64) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
    return out;
  };
  const out = walk(value, 0);
  return { value: out, cut };
}

/** At most `max` of `items`: the first ones, or the newest (the end of a list kept oldest first). */
export function boundRows<T>(items: readonly T[], max: number = LIST_ROWS, keep: 'first' | 'newest' = 'first'): { rows: T[]; omitted: number } {
  if (items.length <= max) return { rows: [...items], omitted: 0 };
  return { rows: keep === 'newest' ? items.slice(items.length - max) : items.slice(0, max), omitted: items.length - max };
}

/**
 * A listing's result as it is shown: each array named by `shape.rows` cut to {@link LIST_ROWS} (with `count` and
 * `omitted` added, summed over the lists; a result that already counts its rows keeps its own), and long strings cut.
 * With `full` the result is returned as it is.
 */
export function boundListing<T>(shape: ListingShape, result: T, full: boolean): T {
  if (full || result === null || typeof result !== 'object' || Array.isArray(result)) return result;
  const data: Record<string, unknown> = { ...(result as Record<string, unknown>) };
  let count = 0;
  let omitted = 0;
  let lists = 0;
  for (const field of shape.rows ?? []) {
    const list = data[field];
    if (!Array.isArray(list)) continue;
    lists++;
    const b = boundRows(list, LIST_ROWS, shape.keep);
    data[field] = b.rows;
    count += list.length;
    omitted += b.omitted;
  }
  if (lists > 0 && typeof data['count'] !== 'number') data['count'] = count;
  if (lists > 0 && typeof data['omitted'] !== 'number') data['omitted'] = omitted;
  else if (lists > 0) data['omitted'] = (data['omitted'] as number) + omitted;
  return cutStrings(data).value as T;
}

/** "1 request", "2 requests"; `many` for irregular plurals. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The text line under a bounded list: how many rows were left out and how to see them; '' when none were. */
export function omittedLine(omitted: number | undefined, one: string, many = `${one}s`, indent = '  '): string {
  if (omitted === undefined || omitted <= 0) return '';
  return `${indent}… ${plural(omitted, `more ${one}`, `more ${many}`)} (--full shows all)`;
}

/** The fields {@link boundListing} adds to a listing's result (absent with --full). */
export interface BoundedFields {
  /** Rows there were, before the bound. */
  count?: number;
  /** Rows left out by the bound (`--full` shows them). */
  omitted?: number;
}
