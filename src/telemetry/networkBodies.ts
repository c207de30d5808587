/**
 * The response bodies the network collector holds, bounded in bytes apart from the records themselves: bodies are
 * fetched when their request finishes (Chrome drops them after a navigation), so together they could outgrow any
 * record budget. The newest requests keep theirs: past the budget, the body of the oldest request goes.
 */
import { Buffer } from 'node:buffer';
import type { BodyUnavailableReason, NetworkBody, NetworkRecord } from '../protocol/records.js';
import { isTextMimeType } from './networkClassify.js';
import { internBody } from './intern.js';
import { capBody } from './networkRecord.js';
import { recordSeq as seqOf } from './recordId.js';

/** V8's cost of a kept body beyond its characters (the body object, its slot here). */
const BODY_OVERHEAD = 96;

function costOf(r: NetworkRecord): number {
  return (r.body?.data.length ?? 0) + BODY_OVERHEAD;
}

export class BodyBudget {
  readonly maxBytes: number;
  /**
   * Records holding a body, by request order (oldest first): eviction takes from the front. A record is here exactly
   * while it has a `body` (RecordBodies keeps it so), so what a body costs is read off the body itself.
   */
  readonly #held: NetworkRecord[] = [];
  #bytes = 0;
  #evicted = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }
  get count(): number {
    return this.#held.length;
  }
  /** Bodies dropped so far to stay within the budget. */
  get evicted(): number {
    return this.#evicted;
  }

  /**
   * Whether a body for `record` would be kept now: there is room, or an older request holds one that would make room.
   * Lets a batch fetch (HAR, shutdown) skip bodies it would drop at once.
   */
  wouldKeep(record: NetworkRecord): boolean {
    // The size Chrome reported so far (the whole body, unless it is cut later).
    const expected = Math.min(record.decodedBodyLength ?? 0, this.maxBytes) + BODY_OVERHEAD;
    if (this.#bytes + expected <= this.maxBytes) return true;
    const oldest = this.#held[0];
    return oldest !== undefined && seqOf(oldest) < seqOf(record);
  }

  /**
   * Accounts for the body just put on `record` (its previous one released first: RecordBodies.setBody), then drops the bodies of the oldest requests (`record`'s own too,
   * when it is the oldest) until the total fits. Returns the records whose body must go.
   */
  add(record: NetworkRecord): NetworkRecord[] {
    this.#bytes += costOf(record);
    // Bodies mostly arrive in request order: the insertion point is nearly always the end.
    const seq = seqOf(record);
    let i = this.#held.length;
    while (i > 0 && seqOf(this.#held[i - 1] as NetworkRecord) > seq) i--;
    this.#held.splice(i, 0, record);
    const out: NetworkRecord[] = [];
    while (this.#bytes > this.maxBytes && this.#held.length > 0) {
      const oldest = this.#held[0] as NetworkRecord;
      this.release(oldest);
      this.#evicted++;
      out.push(oldest);
    }
    return out;
  }

  /** Stops accounting for `record`'s body (before it is dropped or replaced, or as the record leaves the buffer). */
  release(record: NetworkRecord): void {
    if (record.body === undefined) return;
    this.#bytes -= costOf(record);
    // Records leave the buffer oldest first, so the one released is nearly always the front.
    const i = this.#held[0] === record ? 0 : this.#held.indexOf(record);
    if (i === 0) this.#held.shift();
    else if (i > 0) this.#held.splice(i, 1);
  }
}

/** What {@link RecordBodies} needs of the network collector. */
export interface RecordBodiesOptions {
  /** Cap applied by {@link RecordBodies.setBody} (--max-body-size). */
  maxBodyBytes: number;
  /** Most bytes of response bodies held in all. */
  maxTotalBytes: number;
  /** Whether `record` is still in the collector's buffer (bodies of dropped records are left alone). */
  buffered(record: NetworkRecord): boolean;
  /** The latest buffered hop of a CDP request. */
  latest(requestId: string): NetworkRecord | undefined;
  /** Re-estimates a record's size after a change (request bodies count in the record's estimate). */
  resize(record: NetworkRecord): void;
}

/** The records' bodies: the --max-body-size cut, the {@link BodyBudget}, and why a record has none. */
export class RecordBodies {
  readonly maxBodyBytes: number;
  readonly #opts: RecordBodiesOptions;
  readonly #budget: BodyBudget;

  constructor(opts: RecordBodiesOptions) {
    this.#opts = opts;
    this.maxBodyBytes = opts.maxBodyBytes;
    this.#budget = new BodyBudget(opts.maxTotalBytes);
  }

  /** Response bodies held: how many, their bytes, the budget, and how many were dropped to stay within it. */
  stats(): { count: number; bytes: number; maxBytes: number; evicted: number } {
    const b = this.#budget;
    return { count: b.count, bytes: b.bytes, maxBytes: b.maxBytes, evicted: b.evicted };
  }

  /**
   * Stores a fetched response body on `record` (cut at `maxBodyBytes` if the caller did not) within the body budget,
   * which may drop the bodies of older requests (or this one's, when it is the oldest: then `record.body` stays
   * unset and says `evicted`). Returns the body as cut, kept or not. A record no longer buffered is left alone.
   */
  setBody(record: NetworkRecord, body: NetworkBody): NetworkBody {
    const capped = internBody(capBody(body, this.maxBodyBytes));
    if (!this.#opts.buffered(record)) return capped;
    this.#budget.release(record);
    record.body = capped;
    delete record.bodyUnavailable;
    if (record.decodedBodyLength === undefined && !capped.truncated) record.decodedBodyLength = body.size;
    for (const old of this.#budget.add(record)) {
      // Released by the budget already: the body goes now, so the two agree again.
      delete old.body;
      old.bodyUnavailable = 'evicted';
    }
    return capped;
  }

  /**
   * Notes why `record` has no body (a fetch failed, or was not made). A known reason is not overwritten by a later
   * failure: a body over --max-body-size that Chrome also dropped stays `too-large`.
   */
  noBody(record: NetworkRecord, reason: BodyUnavailableReason): void {
    if (record.body !== undefined || !this.#opts.buffered(record)) return;
    if (record.bodyUnavailable === 'too-large' || record.bodyUnavailable === 'empty') return;
    record.bodyUnavailable = reason;
  }

  /** Whether a body fetched for `record` now would be kept (a batch fetch skips those the budget would drop at once). */
  wantsBody(record: NetworkRecord): boolean {
    return this.#opts.buffered(record) && this.#budget.wouldKeep(record);
  }

  /**
   * The record of a request that just finished when its body should be fetched now, before a navigation makes Chrome
   * drop it: text-like, within --max-body-size, not known to be empty. Binary bodies are left for an explicit ask.
   */
  toPrefetch(requestId: string): NetworkRecord | undefined {
    const r = this.#opts.latest(requestId);
    if (r === undefined || r.state !== 'finished' || r.body !== undefined || r.bodyUnavailable !== undefined || r.webSocket !== undefined) return undefined;
    return isTextMimeType(r.mimeType ?? '') && this.#budget.wouldKeep(r) ? r : undefined;
  }

  /** Stores a request body fetched with Network.getRequestPostData (cut at `maxBodyBytes`). */
  setPostData(record: NetworkRecord, data: string): void {
    const capped = capBody({ data, base64: false, truncated: false, size: Buffer.byteLength(data) }, this.maxBodyBytes);
    record.postData = capped.data;
    if (capped.truncated) record.postDataTruncated = true;
    delete record.hasPostData;
    this.#opts.resize(record);
  }

  /** Stops accounting for `record`'s body (it left the buffer). */
  release(record: NetworkRecord): void {
    this.#budget.release(record);
  }
}
