/**
 * Response and request bodies, fetched from Chrome's buffers: text bodies in the background as their requests
 * finish (Chrome drops bodies after a navigation), one at a time for `details`, many for a HAR export with bodies,
 * and the text bodies still missing for session.json at shutdown. All of them go through one pool, so however these
 * overlap Chrome never has more than `concurrency` body fetches from us in flight; background fetches use at most
 * `backgroundConcurrency` of those slots and give way to any command waiting for one, so they are never on the
 * request path of another command. Sizes, the --max-body-size cut and the body budget are the network collector's
 * (setBody/setPostData/noBody/wantsBody); this module only fetches, and says why when it could not.
 */
import type { SessionSend } from '../cdp/connection.js';
import type { BodyUnavailableReason, NetworkBody, NetworkRecord } from '../protocol/records.js';
import { bodySize, isTextMimeType } from '../telemetry/network.js';
import { BdgError } from '../util/errors.js';
import { BODY_FETCH_CONCURRENCY, BODY_FETCH_TIMEOUT_MS, BODY_PREFETCH_CONCURRENCY, BODY_PREFETCH_QUEUE } from './limits.js';

/** Where fetched bodies go (the network collector, which caps them and keeps them within its budget). */
export interface BodySink {
  /** Stores a body; returns it as stored (cut at --max-body-size), kept by the budget or not. */
  setBody(record: NetworkRecord, body: NetworkBody): NetworkBody;
  setPostData(record: NetworkRecord, data: string): void;
  /** Notes why a record has no body. */
  noBody(record: NetworkRecord, reason: BodyUnavailableReason): void;
  /** False when a body fetched for `record` now would be dropped at once (the budget holds newer ones). */
  wantsBody(record: NetworkRecord): boolean;
}

export interface BodyPoolOptions {
  /** Sends to the page's session. */
  send: SessionSend;
  sink: BodySink;
  /** False once Chrome is gone (or while the page is crashed): nothing is asked then. */
  connected: () => boolean;
  log: { debug(message: string): void };
  /** Calls in flight at once; default BODY_FETCH_CONCURRENCY. */
  concurrency?: number;
  /** Of those, most used by background fetches; default BODY_PREFETCH_CONCURRENCY. */
  backgroundConcurrency?: number;
  /** Most records waiting for a background fetch (the oldest wait is given up past it); default BODY_PREFETCH_QUEUE. */
  backgroundQueue?: number;
  /** Longest one call may take; default BODY_FETCH_TIMEOUT_MS. */
  callTimeoutMs?: number;
}

/**
 * Why Chrome did not give a body: it answers "No resource with given identifier found" / "No data found for
 * resource with given identifier" for a body it no longer holds (after a navigation, or evicted from its buffer).
 */
function reasonOf(err: unknown, record: NetworkRecord): BodyUnavailableReason {
  const message = err instanceof Error ? err.message : String(err);
  if (/no resource with given identifier|no data found for resource/i.test(message)) return isTextMimeType(record.mimeType ?? '') ? 'not-kept' : 'binary';
  return 'failed';
}

/** What fetchAll fetches for each record. */
export interface FetchAllOptions {
  /** Total time for the whole batch: no fetch starts after it, and those in flight are cancelled at it. */
  deadlineMs: number;
  /** Also request bodies Chrome left out of requestWillBeSent (HAR export); response bodies only otherwise. */
  requestBodies: boolean;
}

const needsBody = (r: NetworkRecord): boolean => r.state === 'finished' && r.body === undefined && r.bodyUnavailable !== 'empty' && r.webSocket === undefined;
const needsPostData = (r: NetworkRecord): boolean => r.hasPostData === true && r.postData === undefined;

export class BodyPool {
  readonly #send: SessionSend;
  readonly #sink: BodySink;
  readonly #connected: () => boolean;
  readonly #log: BodyPoolOptions['log'];
  readonly #concurrency: number;
  readonly #backgroundConcurrency: number;
  readonly #backgroundQueue: number;
  readonly #callTimeoutMs: number;
  #active = 0;
  #backgroundActive = 0;
  /** Commands waiting for a slot: served before any background fetch. */
  readonly #waiting: Array<() => void> = [];
  /** Records waiting for a background fetch, oldest first. */
  readonly #background: NetworkRecord[] = [];

  constructor(opts: BodyPoolOptions) {
    this.#send = opts.send;
    this.#sink = opts.sink;
    this.#connected = opts.connected;
    this.#log = opts.log;
    this.#concurrency = Math.max(1, opts.concurrency ?? BODY_FETCH_CONCURRENCY);
    this.#backgroundConcurrency = Math.max(1, Math.min(this.#concurrency, opts.backgroundConcurrency ?? BODY_PREFETCH_CONCURRENCY));
    this.#backgroundQueue = Math.max(1, opts.backgroundQueue ?? BODY_PREFETCH_QUEUE);
    this.#callTimeoutMs = opts.callTimeoutMs ?? BODY_FETCH_TIMEOUT_MS;
  }

  /** Calls in flight now (at most `concurrency`). */
  get active(): number {
    return this.#active;
  }

  /** Background fetches waiting, and in flight. */
  get background(): { queued: number; active: number } {
    return { queued: this.#background.length, active: this.#backgroundActive };
  }

  /**
   * Fetches (once) the response body of a finished request; text-like bodies are stored as text. Resolves with the
   * body as fetched (cut at --max-body-size) even when the body budget did not keep it, so `details` can show it.
   */
  async responseBody(record: NetworkRecord, signal?: AbortSignal): Promise<NetworkBody | undefined> {
    if (!needsBody(record) || !this.#connected()) return record.body;
    let body: NetworkBody | undefined;
    try {
      await this.#inSlot(signal, async () => {
        body = await this.#fetchResponse(record, signal);
      });
    } catch (err) {
      this.#log.debug(`getResponseBody ${record.requestId} failed: ${(err as Error).message}`);
    }
    return body ?? record.body;
  }

  /**
   * Queues a background fetch of `record`'s response body (a text response that just finished). Never waits: past
   * the queue's bound the oldest wait is given up (that body can still be fetched on demand while Chrome holds it).
   */
  prefetch(record: NetworkRecord): void {
    if (!this.#connected()) return;
    this.#background.push(record);
    if (this.#background.length > this.#backgroundQueue) this.#background.shift();
    this.#pump();
  }

  /** The fetch itself, in a slot already held; a failure is noted on the record (unless it was cancelled) and rethrown. */
  async #fetchResponse(record: NetworkRecord, signal: AbortSignal | undefined): Promise<NetworkBody | undefined> {
    if (!needsBody(record)) return record.body; // fetched by someone else while we waited
    try {
      const r = await this.#send('Network.getResponseBody', { requestId: record.requestId }, this.#callOpts(signal));
      let data = r.body;
      let base64 = r.base64Encoded;
      if (base64 && isTextMimeType(record.mimeType ?? '')) {
        data = Buffer.from(r.body, 'base64').toString('utf8');
        base64 = false;
      }
      return this.#sink.setBody(record, { data, base64, truncated: false, size: bodySize(data, base64) });
    } catch (err) {
      if (signal?.aborted !== true && this.#connected()) this.#sink.noBody(record, reasonOf(err, record));
      throw err;
    }
  }

  /** Starts background fetches while slots allow and no command is waiting for one. */
  #pump(): void {
    if (!this.#connected()) {
      this.#background.length = 0; // Chrome is gone: nothing left to ask
      return;
    }
    while (
      this.#background.length > 0 &&
      this.#waiting.length === 0 &&
      this.#active < this.#concurrency &&
      this.#backgroundActive < this.#backgroundConcurrency
    ) {
      const record = this.#background.shift() as NetworkRecord;
      if (!needsBody(record) || !this.#sink.wantsBody(record)) continue;
      this.#active++;
      this.#backgroundActive++;
      void this.#fetchResponse(record, undefined)
        .catch((err: unknown) => this.#log.debug(`background getResponseBody ${record.requestId} failed: ${(err as Error).message}`))
        .finally(() => {
          this.#backgroundActive--;
          this.#release();
        });
    }
  }

  /** A slot is free: a waiting command gets it, else it goes back to the pool (and to background work). */
  #release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) {
      next(); // the slot passes straight to the next waiter
      return;
    }
    this.#active--;
    if (this.#background.length > 0) this.#pump();
  }

  /** Fetches (once) a request body Chrome left out of requestWillBeSent (over its post-data limit, or multipart). */
  async requestBody(record: NetworkRecord, signal?: AbortSignal): Promise<void> {
    if (!needsPostData(record) || !this.#connected()) return;
    try {
      await this.#inSlot(signal, async () => {
        if (!needsPostData(record)) return;
        const r = await this.#send('Network.getRequestPostData', { requestId: record.requestId }, this.#callOpts(signal));
        // Older Chrome leaves base64Encoded out (and sends text).
        this.#sink.setPostData(record, r.base64Encoded === true ? Buffer.from(r.postData, 'base64').toString('utf8') : r.postData);
      });
    } catch (err) {
      this.#log.debug(`getRequestPostData ${record.requestId} failed: ${(err as Error).message}`);
    }
  }

  /** The bodies of many records, newest first, within a total time budget. */
  async fetchAll(records: readonly NetworkRecord[], opts: FetchAllOptions): Promise<void> {
    // One signal for the batch: it stops the workers and cancels the calls still in flight at the same moment.
    const deadline = AbortSignal.timeout(Math.max(1, opts.deadlineMs));
    const queue = records.filter((r) => needsBody(r) || (opts.requestBodies && needsPostData(r)));
    const worker = async (): Promise<void> => {
      for (let r = queue.pop(); r !== undefined && !deadline.aborted; r = queue.pop()) {
        if (opts.requestBodies) await this.requestBody(r, deadline);
        // Newest first: once the budget is full of newer bodies, older ones would be dropped as soon as fetched.
        if (needsBody(r) && !this.#sink.wantsBody(r)) this.#sink.noBody(r, 'evicted');
        else await this.responseBody(r, deadline);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, queue.length) }, worker));
  }

  #callOpts(signal: AbortSignal | undefined): { timeoutMs: number; signal?: AbortSignal } {
    return signal !== undefined ? { timeoutMs: this.#callTimeoutMs, signal } : { timeoutMs: this.#callTimeoutMs };
  }

  /** Runs `task` once a slot is free (or gives up when `signal` fires first). */
  async #inSlot(signal: AbortSignal | undefined, task: () => Promise<void>): Promise<void> {
    if (this.#active >= this.#concurrency) await this.#waitForSlot(signal);
    else this.#active++;
    try {
      await task();
    } finally {
      this.#release();
    }
  }

  #waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new BdgError('TIMEOUT', 'body fetch was cancelled before it started'));
        return;
      }
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(grant);
        if (i !== -1) this.#waiting.splice(i, 1);
        reject(new BdgError('TIMEOUT', 'body fetch was cancelled before it started'));
      };
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }
}
