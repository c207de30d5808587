import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { RingBuffer } from '../util/ringBuffer.js';
import type { CdpEventRecord } from '../protocol/results.js';
import { intern } from './intern.js';

export type { CdpEventRecord } from '../protocol/results.js';

/** Consecutive events' params compressed together (see {@link CdpEventLog.pack}). */
interface Pack {
  data: Buffer;
  /** Where each event's JSON ends in the inflated text (characters). */
  ends: Uint32Array;
}

interface Stored {
  seq: number;
  method: string;
  timestamp: number;
  sessionId: string | undefined;
  /** Params kept serialised: the size is exact, and later mutation by a collector cannot change history. */
  json: string | undefined;
  /** Or, once packed, where they went: the pack and this event's index in it. */
  pack: Pack | undefined;
  at: number;
  bytes: number;
}

export interface CdpEventLogLimits {
  maxItems: number;
  maxBytes: number;
  /** Params larger than this are replaced by a note of their size. */
  maxEventBytes: number;
}

export interface CdpEventQuery {
  /** Canonical `Domain.event`s or `Domain`s (all their events), comma-separated; matched case-insensitively. */
  filter: string;
  /** Only events with a larger seq. */
  after?: number;
  /** The newest N matches. */
  last: number;
}

const OVERHEAD = 96; // record fields and map slot, roughly
/** Most events, and characters of JSON, compressed into one pack: reading one event inflates its whole pack. */
const PACK_EVENTS = 100;
const PACK_CHARS = 256 * 1024;

/**
 * The recent raw CDP events of the session, newest kept, bounded by count and bytes; the oldest are dropped and
 * counted. Feeds `bdg cdp --events` for event kinds no collector reduces.
 */
export class CdpEventLog {
  readonly #buffer: RingBuffer<Stored>;
  readonly #maxEventBytes: number;
  #seq = 0;

  constructor(limits: CdpEventLogLimits) {
    this.#buffer = new RingBuffer<Stored>(limits.maxItems, limits.maxBytes);
    this.#maxEventBytes = limits.maxEventBytes;
  }

  record(method: string, params: unknown, sessionId: string | undefined, now = Date.now()): void {
    let json: string | undefined;
    try {
      json = JSON.stringify(params ?? {});
    } catch {
      json = '{}';
    }
    let bytes = json.length;
    if (bytes > this.#maxEventBytes) json = undefined;
    else bytes += method.length;
    // Interned: every event parses into its own copy of the method name and the session id.
    const stored: Stored = {
      seq: ++this.#seq,
      method: intern(method),
      timestamp: now,
      sessionId: sessionId === undefined ? undefined : intern(sessionId),
      json,
      pack: undefined,
      at: 0,
      bytes,
    };
    this.#buffer.push(stored, (json === undefined ? 0 : bytes) + OVERHEAD);
  }

  /**
   * Compresses the params of the events kept so far, a hundred at a time, to a tenth of what their JSON takes in the
   * heap (2,000 events of a busy page: about 1.5 MB). Not on the event path: the daemon calls it once a burst of
   * events is over (daemon/heapTrim.ts), when most of what the burst logged has already been dropped again.
   */
  pack(): void {
    let group: Stored[] = [];
    let chars = 0;
    const flush = (): void => {
      if (group.length > 1) packGroup(group);
      group = [];
      chars = 0;
    };
    for (const s of this.#buffer) {
      if (s.json === undefined) continue;
      group.push(s);
      chars += s.json.length;
      if (group.length >= PACK_EVENTS || chars >= PACK_CHARS) flush();
    }
    flush();
  }

  /** Matching events, oldest first. */
  query(q: CdpEventQuery): { events: CdpEventRecord[]; lastSeq: number; matched: number } {
    const filters = q.filter.toLowerCase().split(',');
    const after = q.after ?? 0;
    const matches: Stored[] = [];
    for (const s of this.#buffer) {
      if (s.seq <= after) continue;
      const m = s.method.toLowerCase();
      if (filters.some((f) => (f.includes('.') ? m === f : m.startsWith(`${f}.`)))) matches.push(s);
    }
    const picked = q.last > 0 ? matches.slice(-q.last) : [];
    const texts = new Map<Pack, string>();
    return { events: picked.map((s) => toRecord(s, texts)), lastSeq: this.#seq, matched: matches.length };
  }

  stats(): { count: number; bytes: number; dropped: number; total: number; maxItems: number; maxBytes: number } {
    return { ...this.#buffer.stats(), total: this.#seq };
  }
}

function packGroup(group: Stored[]): void {
  const ends = new Uint32Array(group.length);
  let text = '';
  group.forEach((s, i) => {
    text += s.json ?? '';
    ends[i] = text.length;
  });
  const pack: Pack = { data: deflateRawSync(Buffer.from(text, 'utf8')), ends };
  group.forEach((s, i) => {
    s.json = undefined;
    s.pack = pack;
    s.at = i;
  });
}

/** An event's params as JSON, inflating its pack once per query (`texts`). */
function jsonOf(s: Stored, texts: Map<Pack, string>): string | undefined {
  if (s.pack === undefined) return s.json;
  let text = texts.get(s.pack);
  if (text === undefined) {
    text = inflateRawSync(s.pack.data).toString('utf8');
    texts.set(s.pack, text);
  }
  return text.slice(s.at === 0 ? 0 : s.pack.ends[s.at - 1], s.pack.ends[s.at]);
}

function toRecord(s: Stored, texts: Map<Pack, string>): CdpEventRecord {
  const json = jsonOf(s, texts);
  const r: CdpEventRecord = { seq: s.seq, method: s.method, timestamp: s.timestamp, params: json === undefined ? null : (JSON.parse(json) as unknown) };
  if (s.sessionId !== undefined) r.sessionId = s.sessionId;
  if (json === undefined) r.truncated = { bytes: s.bytes };
  return r;
}

/** What the daemon keeps: the newest 2,000 events or 8 MB, whichever bound is hit first; params over 1 MB are noted, not kept. */
export const CDP_EVENT_LIMITS: CdpEventLogLimits = { maxItems: 2_000, maxBytes: 8 * 1024 * 1024, maxEventBytes: 1024 * 1024 };
