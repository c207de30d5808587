/**
 * A buffer bounded by item count and by total (estimated) bytes: pushing past either bound drops the oldest
 * items and counts them. Items may grow after insertion (a network request gets its response), so sizes can be
 * updated in place.
 */
export class RingBuffer<T> {
  readonly maxItems: number;
  readonly maxBytes: number;
  #items: (T | undefined)[];
  #sizes: number[];
  #head = 0; // index of the oldest item
  #length = 0;
  #bytes = 0;
  #dropped = 0;
  #onDrop: ((item: T) => void) | undefined;

  constructor(maxItems: number, maxBytes: number, onDrop?: (item: T) => void) {
    if (!(maxItems > 0) || !(maxBytes > 0)) throw new RangeError('RingBuffer bounds must be positive');
    this.maxItems = maxItems;
    this.maxBytes = maxBytes;
    this.#items = new Array<T | undefined>(Math.min(maxItems, 1024));
    this.#sizes = new Array<number>(this.#items.length).fill(0);
    this.#onDrop = onDrop;
  }

  get length(): number {
    return this.#length;
  }
  get bytes(): number {
    return this.#bytes;
  }
  get dropped(): number {
    return this.#dropped;
  }

  /** Occupancy and bounds, as every buffer's `stats` reports them (`BufferStats` in protocol/records.ts). */
  stats(): { count: number; dropped: number; bytes: number; maxItems: number; maxBytes: number } {
    return { count: this.#length, dropped: this.#dropped, bytes: this.#bytes, maxItems: this.maxItems, maxBytes: this.maxBytes };
  }

  #grow(): void {
    const cap = Math.min(this.maxItems, this.#items.length * 2);
    const items = new Array<T | undefined>(cap);
    const sizes = new Array<number>(cap).fill(0);
    for (let i = 0; i < this.#length; i++) {
      const j = (this.#head + i) % this.#items.length;
      items[i] = this.#items[j];
      sizes[i] = this.#sizes[j] ?? 0;
    }
    this.#items = items;
    this.#sizes = sizes;
    this.#head = 0;
  }

  #dropOldest(): void {
    const item = this.#items[this.#head] as T;
    this.#bytes -= this.#sizes[this.#head] ?? 0;
    this.#items[this.#head] = undefined;
    this.#sizes[this.#head] = 0;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
    this.#dropped++;
    this.#onDrop?.(item);
  }

  push(item: T, size: number): void {
    while (this.#length > 0 && (this.#length >= this.maxItems || this.#bytes + size > this.maxBytes)) this.#dropOldest();
    if (this.#length === this.#items.length) this.#grow();
    const idx = (this.#head + this.#length) % this.#items.length;
    this.#items[idx] = item;
    this.#sizes[idx] = size;
    this.#bytes += size;
    this.#length++;
  }

  /** Re-sizes an item already in the buffer (found by identity), evicting older items if the byte bound is passed. */
  resize(item: T, size: number): void {
    for (let i = this.#length - 1; i >= 0; i--) {
      const idx = (this.#head + i) % this.#items.length;
      if (this.#items[idx] === item) {
        this.#bytes += size - (this.#sizes[idx] ?? 0);
        this.#sizes[idx] = size;
        break;
      }
    }
    // Keep the newest: evict from the oldest end (the resized item too, if it is the oldest), never the last one left.
    while (this.#length > 1 && this.#bytes > this.maxBytes) this.#dropOldest();
  }

  /** The newest `n` items, oldest first. */
  last(n: number): T[] {
    const count = Math.max(0, Math.min(n, this.#length));
    const out: T[] = [];
    for (let i = this.#length - count; i < this.#length; i++) out.push(this.#items[(this.#head + i) % this.#items.length] as T);
    return out;
  }

  /**
   * The item whose key is `key`, when the items are in increasing key order (records pushed with rising sequence
   * numbers): a binary search, so no map from id to item is needed beside the buffer.
   */
  findSorted(key: number, keyOf: (item: T) => number): T | undefined {
    let lo = 0;
    let hi = this.#length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.#items[(this.#head + mid) % this.#items.length] as T;
      const k = keyOf(item);
      if (k === key) return item;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** The newest item that `match` accepts (a scan from the newest end). */
  findLast(match: (item: T) => boolean): T | undefined {
    for (let i = this.#length - 1; i >= 0; i--) {
      const item = this.#items[(this.#head + i) % this.#items.length] as T;
      if (match(item)) return item;
    }
    return undefined;
  }

  toArray(): T[] {
    return this.last(this.#length);
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) yield this.#items[(this.#head + i) % this.#items.length] as T;
  }
}
