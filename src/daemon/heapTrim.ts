/**
 * Gives back the memory a burst of telemetry made V8 grow into. After the 10,000-request / 50,000-message page V8
 * kept 91 MB of heap committed for 45 MB in use, and its own memory reducer did not shrink it in the minute that
 * followed (bench/README.md, "Daemon memory"). So once a busy spell of CDP events is over and the page has been quiet
 * for a tick, the daemon runs one full collection, which compacts the old generation and returns the freed pages.
 * Needs `gc`, which the daemon has when started with --expose-gc (the CLI starts it so); without it only the
 * `compact` step runs. That step, just before the collection, is where telemetry packs what it keeps more tightly
 * (the raw CDP event log compresses its events), off the event path and after most of the burst was dropped.
 */

import { getHeapStatistics } from 'node:v8';

export interface HeapTrimOptions {
  /** The collector (`globalThis.gc` under --expose-gc); undefined: never trim. */
  gc: (() => void) | undefined;
  /** Run first, at the same moments: telemetry made smaller before the collection gives back its memory. */
  compact?: (() => void) | undefined;
  /** How often the event count is looked at. */
  intervalMs: number;
  /** Events since the last trim that make a spell busy enough to trim after. */
  burstEvents: number;
  /** At most this many events in the last interval count as quiet. */
  quietEvents: number;
  /**
   * A quiet tick also trims, whatever the event count, once the heap V8 keeps has grown by this many bytes over what
   * the last trim left: the tail of a burst (the events after its first quiet tick) or the commands that read it
   * (a full listing of 10,000 requests). One trim per that much growth, so a steadily filling buffer costs little.
   */
  regrowBytes: number;
  /** V8's committed heap now (defaults to v8.getHeapStatistics().total_heap_size). */
  heapTotal?: (() => number) | undefined;
  log: { debug(message: string): void };
}

export const HEAP_TRIM: Omit<HeapTrimOptions, 'gc' | 'compact' | 'log'> = {
  intervalMs: 1_000,
  burstEvents: 5_000,
  quietEvents: 20,
  regrowBytes: 2 * 1024 * 1024,
};

/** The `gc` function, when the process was started with --expose-gc. */
export function exposedGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as () => void) : undefined;
}

export class HeapTrimmer {
  readonly #opts: HeapTrimOptions;
  readonly #heapTotal: () => number;
  #timer: NodeJS.Timeout | undefined;
  /** Events since the last trim, and at the last tick. */
  #events = 0;
  #atLastTick = 0;
  #trims = 0;
  /** The committed heap the last trim left, or undefined before the first. */
  #afterTrim: number | undefined;

  constructor(opts: HeapTrimOptions) {
    this.#opts = opts;
    this.#heapTotal = opts.heapTotal ?? (() => getHeapStatistics().total_heap_size);
  }

  /** Full collections run so far. */
  get trims(): number {
    return this.#trims;
  }

  /** One CDP event arrived (or any other unit of telemetry work). */
  note(n = 1): void {
    this.#events += n;
  }

  start(): void {
    if ((this.#opts.gc === undefined && this.#opts.compact === undefined) || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#tick(), this.#opts.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const recent = this.#events - this.#atLastTick;
    this.#atLastTick = this.#events;
    if (recent > this.#opts.quietEvents) return;
    const regrown = this.#afterTrim !== undefined && this.#heapTotal() > this.#afterTrim + this.#opts.regrowBytes;
    if (this.#events < this.#opts.burstEvents && !regrown) return;
    const before = process.memoryUsage();
    this.#opts.compact?.();
    // Twice: the second collection takes what the first only let go of (weakly held entries, the maps the compact
    // step replaced) and packs the pages it left half empty. One left V8's heap at 16.8 or 18.0 MB for the same
    // 14.6 MB in use after the 10k burst, two at 16.8 in each run (bench/README.md, "Daemon memory").
    this.#opts.gc?.();
    this.#opts.gc?.();
    this.#trims++;
    this.#afterTrim = this.#heapTotal();
    const after = process.memoryUsage();
    const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
    this.#opts.log.debug(
      `heap trimmed after ${this.#events} events: heap ${mb(before.heapUsed)}/${mb(before.heapTotal)} -> ${mb(after.heapUsed)}/${mb(after.heapTotal)} MB, rss ${mb(before.rss)} -> ${mb(after.rss)} MB`,
    );
    this.#events = 0;
    this.#atLastTick = 0;
  }
}
