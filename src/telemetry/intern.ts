/**
 * One copy of each repeated string in the telemetry records. Every CDP message is parsed on its own, so the same
 * header names and values, MIME types, frame ids and initiator URLs arrive as new strings in every event; kept in
 * 10,000 records they were a fifth of the daemon's heap. The table is bounded: past `MAX_ENTRIES` it starts over
 * (strings already in records stay where they are; only later copies are no longer shared with them).
 */

/** Distinct strings remembered at once. */
const MAX_ENTRIES = 8192;
/** Longer strings are kept as they are: they rarely repeat, and would make the table costly. */
const MAX_LENGTH = 1024;

let table = new Map<string, string>();

/** The shared copy of `s` (flattened, so a concatenation keeps no parts alive). */
export function intern(s: string): string {
  if (s.length > MAX_LENGTH) return s;
  const known = table.get(s);
  if (known !== undefined) return known;
  if (table.size >= MAX_ENTRIES) table = new Map();
  table.set(s, s);
  return s;
}

/** {@link intern} for an optional value. */
export function internMaybe(s: string | undefined): string | undefined {
  return s === undefined ? undefined : intern(s);
}
