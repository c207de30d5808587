/**
 * The response bodies the network collector holds, bounded in bytes apart from the records themselves: bodies are
 * fetched when their request finishes (Chrome drops them after a navigation), so together they could outgrow any
 * record budget. The newest requests keep theirs: past the budget, the body of the oldest request goes.
 */
import type { NetworkRecord } from '../protocol/records.js';

/** V8's cost of a kept body beyond its characters (the body object, its slot here). */
const BODY_OVERHEAD = 96;

function seqOf(r: NetworkRecord): number {
  return Number(r.id.slice(1));
}

export class BodyBudget {
  readonly maxBytes: number;
  /** Records holding a body, by request order (oldest first): eviction takes from the front. */
  readonly #held: NetworkRecord[] = [];
  readonly #cost = new WeakMap<NetworkRecord, number>();
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
   * Accounts for the body just put on `record`, then drops the bodies of the oldest requests (`record`'s own too,
   * when it is the oldest) until the total fits. Returns the records whose body must go.
   */
  add(record: NetworkRecord): NetworkRecord[] {
    this.release(record);
    const cost = (record.body?.data.length ?? 0) + BODY_OVERHEAD;
    this.#cost.set(record, cost);
    this.#bytes += cost;
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

  /** Stops accounting for `record`'s body (it was dropped, or the record left the buffer). */
  release(record: NetworkRecord): void {
    const cost = this.#cost.get(record);
    if (cost === undefined) return;
    this.#cost.delete(record);
    this.#bytes -= cost;
    // Records leave the buffer oldest first, so the one released is nearly always the front.
    const i = this.#held[0] === record ? 0 : this.#held.indexOf(record);
    if (i === 0) this.#held.shift();
    else if (i > 0) this.#held.splice(i, 1);
  }
}
