/**
 * Response and request bodies, fetched from Chrome's buffers on demand: one at a time for `details`, many for a
 * HAR export with bodies, and the text bodies for session.json at shutdown. All of them go through one pool, so
 * however these overlap Chrome never has more than `concurrency` body fetches from us in flight. Sizes and the
 * --max-body-size cut are the network collector's (setBody/setPostData); this module only fetches.
 */
import type { SessionSend } from '../cdp/connection.js';
import type { NetworkBody, NetworkRecord } from '../protocol/records.js';
import { bodySize, isTextMimeType } from '../telemetry/network.js';
import { BdgError } from '../util/errors.js';
import { BODY_FETCH_CONCURRENCY, BODY_FETCH_TIMEOUT_MS } from './limits.js';

/** Where fetched bodies go (the network collector, which caps them and accounts for their size). */
export interface BodySink {
  setBody(record: NetworkRecord, body: NetworkBody): void;
  setPostData(record: NetworkRecord, data: string): void;
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
  /** Longest one call may take; default BODY_FETCH_TIMEOUT_MS. */
  callTimeoutMs?: number;
}

/** What fetchAll fetches for each record. */
export interface FetchAllOptions {
  /** Total time for the whole batch: no fetch starts after it, and those in flight are cancelled at it. */
  deadlineMs: number;
  /** Also request bodies Chrome left out of requestWillBeSent (HAR export); response bodies only otherwise. */
  requestBodies: boolean;
}

const needsBody = (r: NetworkRecord): boolean => r.state === 'finished' && r.body === undefined;
const needsPostData = (r: NetworkRecord): boolean => r.hasPostData === true && r.postData === undefined;

export class BodyPool {
  readonly #send: SessionSend;
  readonly #sink: BodySink;
  readonly #connected: () => boolean;
  readonly #log: BodyPoolOptions['log'];
  readonly #concurrency: number;
  readonly #callTimeoutMs: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(opts: BodyPoolOptions) {
    this.#send = opts.send;
    this.#sink = opts.sink;
    this.#connected = opts.connected;
    this.#log = opts.log;
    this.#concurrency = Math.max(1, opts.concurrency ?? BODY_FETCH_CONCURRENCY);
    this.#callTimeoutMs = opts.callTimeoutMs ?? BODY_FETCH_TIMEOUT_MS;
  }

  /** Calls in flight now (at most `concurrency`). */
  get active(): number {
    return this.#active;
  }

  /** Fetches (once) the response body of a finished request; text-like bodies are stored as text. */
  async responseBody(record: NetworkRecord, signal?: AbortSignal): Promise<void> {
    if (!needsBody(record) || !this.#connected()) return;
    try {
      await this.#inSlot(signal, async () => {
        if (!needsBody(record)) return; // fetched by someone else while we waited
        const r = await this.#send('Network.getResponseBody', { requestId: record.requestId }, this.#callOpts(signal));
        let data = r.body;
        let base64 = r.base64Encoded;
        if (base64 && isTextMimeType(record.mimeType ?? '')) {
          data = Buffer.from(r.body, 'base64').toString('utf8');
          base64 = false;
        }
        this.#sink.setBody(record, { data, base64, truncated: false, size: bodySize(data, base64) });
      });
    } catch (err) {
      this.#log.debug(`getResponseBody ${record.requestId} failed: ${(err as Error).message}`);
    }
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
        await this.responseBody(r, deadline);
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
      const next = this.#waiting.shift();
      if (next !== undefined) next(); // the slot passes straight to the next waiter
      else this.#active--;
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
