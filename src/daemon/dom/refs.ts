/** What a short element reference (`e12`) stands for: one node of one document of one tab. */
export interface RefEntry {
  ref: string;
  targetId: string;
  /** Loader of the main frame's document when the ref was made; a navigation gives a new one. */
  loaderId: string;
  backendNodeId: number;
  /** `button#buy.primary`, for messages. */
  label: string;
}

export const REF_PATTERN = /^(?:ref=)?(e\d+)$/;

/**
 * Short element references handed out by `dom query`, `dom get` and `dom a11y`. Numbers only grow within a
 * session, so an old ref can never come to mean another element: after a navigation it is stale, not reused.
 * The same node of the same document keeps its ref across queries. Bounded: the oldest refs are forgotten.
 */
export class RefRegistry {
  readonly #byRef = new Map<string, RefEntry>();
  readonly #byKey = new Map<string, string>();
  readonly #max: number;
  #seq = 0;

  constructor(max = 10_000) {
    this.#max = max;
  }

  add(targetId: string, loaderId: string, backendNodeId: number, label: string): string {
    const key = `${targetId}|${loaderId}|${backendNodeId}`;
    const existing = this.#byKey.get(key);
    if (existing !== undefined) {
      const entry = this.#byRef.get(existing);
      if (entry !== undefined) {
        entry.label = label;
        return existing;
      }
    }
    const ref = `e${++this.#seq}`;
    this.#byRef.set(ref, { ref, targetId, loaderId, backendNodeId, label });
    this.#byKey.set(key, ref);
    while (this.#byRef.size > this.#max) {
      const oldest = this.#byRef.keys().next().value as string;
      const e = this.#byRef.get(oldest) as RefEntry;
      this.#byRef.delete(oldest);
      this.#byKey.delete(`${e.targetId}|${e.loaderId}|${e.backendNodeId}`);
    }
    return ref;
  }

  get(ref: string): RefEntry | undefined {
    return this.#byRef.get(ref);
  }

  /** True for a ref this session handed out and has since forgotten (too many newer refs). */
  forgotten(ref: string): boolean {
    const n = Number(ref.slice(1));
    return Number.isInteger(n) && n >= 1 && n <= this.#seq && !this.#byRef.has(ref);
  }

  get size(): number {
    return this.#byRef.size;
  }
}
