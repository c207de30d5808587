import { RingBuffer } from '../util/ringBuffer.js';
import type { CdpEventRecord } from '../protocol/results.js';

export type { CdpEventRecord } from '../protocol/results.js';

interface Stored {
  seq: number;
  method: string;
  timestamp: number;
  sessionId: string | undefined;
  /** Params kept serialised: the size is exact, and later mutation by a collector cannot change history. */
  json: string | undefined;
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
    this.#buffer.push({ seq: ++this.#seq, method, timestamp: now, sessionId, json, bytes }, (json === undefined ? 0 : bytes) + OVERHEAD);
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
    return { events: picked.map(toRecord), lastSeq: this.#seq, matched: matches.length };
  }

  stats(): { count: number; bytes: number; dropped: number; total: number; maxItems: number; maxBytes: number } {
    return { ...this.#buffer.stats(), total: this.#seq };
  }
}

function toRecord(s: Stored): CdpEventRecord {
  const r: CdpEventRecord = { seq: s.seq, method: s.method, timestamp: s.timestamp, params: s.json === undefined ? null : (JSON.parse(s.json) as unknown) };
  if (s.sessionId !== undefined) r.sessionId = s.sessionId;
  if (s.json === undefined) r.truncated = { bytes: s.bytes };
  return r;
}

/** What the daemon keeps: the newest 2,000 events or 8 MB, whichever bound is hit first; params over 1 MB are noted, not kept. */
export const CDP_EVENT_LIMITS: CdpEventLogLimits = { maxItems: 2_000, maxBytes: 8 * 1024 * 1024, maxEventBytes: 1024 * 1024 };
