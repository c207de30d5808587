/**
 * One copy of each repeated string, and of each repeated header set, in the telemetry records. Every CDP message is
 * parsed on its own, so the same header names and values, MIME types, frame ids and initiator URLs arrive as new
 * strings in every event; kept in 10,000 records they were a fifth of the daemon's heap. Most requests of a page
 * also send the very same headers (and many get the same ones back), so whole header objects are shared too: after
 * the 10,000-request bench page 20,000 header objects were a few dozen. The tables are bounded: past their size they
 * start over (what records already hold stays where it is; only later copies are no longer shared with it).
 */

import type { NetworkBody, NetworkRecord } from '../protocol/records.js';

/** Distinct strings remembered at once. */
const MAX_ENTRIES = 8192;
/** Longer strings are kept as they are: they rarely repeat, and would make the table costly. */
const MAX_LENGTH = 1024;
/** Distinct header sets remembered at once. */
const MAX_HEADER_SETS = 1024;
/** Header sets whose names and values add up to more characters are not shared (their key would cost too much). */
const MAX_HEADER_SET_CHARS = 8192;

/** Distinct initiators remembered at once. */
const MAX_INITIATORS = 1024;

/** Response bodies this short (in characters, whole, not base64) are shared between records. */
const MAX_SHARED_BODY_CHARS = 64;
/** Distinct short bodies remembered at once. */
const MAX_SHARED_BODIES = 256;

let table = new Map<string, string>();
let headerSets = new Map<string, Readonly<Record<string, string>>>();
let initiators = new Map<string, Readonly<Initiator>>();
let bodies = new Map<string, Readonly<NetworkBody>>();

/** A request's initiator as records keep it. */
type Initiator = NonNullable<NetworkRecord['initiator']>;

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

/**
 * A header object with these entries, in this order: the one made for the same entries before if there is one.
 * Shared objects are frozen, so a reader that tried to change one record's headers would fail loudly instead of
 * changing other records' too (nothing does: headers are replaced, never edited).
 */
export function internHeaders(entries: readonly (readonly [string, string])[]): Record<string, string> {
  let chars = 0;
  for (const [k, v] of entries) chars += k.length + v.length + 2;
  if (chars > MAX_HEADER_SET_CHARS) return Object.fromEntries(entries);
  let key = '';
  for (const [k, v] of entries) key += `${k}\u0000${v}\u0000`;
  const known = headerSets.get(key);
  if (known !== undefined) return known;
  const made = Object.freeze(Object.fromEntries(entries) as Record<string, string>);
  if (headerSets.size >= MAX_HEADER_SETS) headerSets = new Map();
  headerSets.set(key, made);
  return made;
}

/**
 * The initiator object for this type, URL and line: the one made before for the same three if there is one (frozen,
 * built whole so its properties are in the object). The requests a script sends in a loop share one: 10,000 of them
 * were 0.7 MB of heap as 10,000 copies.
 */
export function internInitiator(type: string, url?: string, lineNumber?: number): Readonly<Initiator> {
  const key = `${type}\u0000${url ?? ''}\u0000${lineNumber ?? ''}`;
  const known = initiators.get(key);
  if (known !== undefined) return known;
  const made: Initiator =
    url === undefined
      ? { type: intern(type) }
      : lineNumber === undefined
        ? { type: intern(type), url: intern(url) }
        : { type: intern(type), url: intern(url), lineNumber };
  Object.freeze(made);
  if (initiators.size >= MAX_INITIATORS) initiators = new Map();
  initiators.set(key, made);
  return made;
}

/**
 * The body object for a short text body: the one made before for the same text if there is one (frozen). An API a
 * page polls, or a burst of requests to one endpoint, answers the same few bytes again and again (`ok`, `{}`,
 * `[]`): 10,000 of them were 0.5 MB of heap as 10,000 objects. Base64, cut and longer bodies are kept as they are.
 */
export function internBody(body: NetworkBody): NetworkBody {
  if (body.base64 || body.truncated || body.data.length > MAX_SHARED_BODY_CHARS) return body;
  const known = bodies.get(body.data);
  if (known !== undefined && known.size === body.size) return known;
  const made: NetworkBody = { data: intern(body.data), base64: false, truncated: false, size: body.size };
  Object.freeze(made);
  if (bodies.size >= MAX_SHARED_BODIES) bodies = new Map();
  bodies.set(made.data, made);
  return made;
}

/**
 * Forgets every shared copy (the records keep theirs). Called once a burst is over (daemon/heapTrim.ts): the tables
 * fill up during it with values no later record will repeat (a Date header per second, the frame ids of pages gone),
 * and they hold those strings alive after the records that had them were dropped.
 */
export function resetInternTables(): void {
  table = new Map();
  headerSets = new Map();
  initiators = new Map();
  bodies = new Map();
}
