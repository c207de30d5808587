/**
 * Collects network requests from CDP Network.* events into a bounded buffer of {@link NetworkRecord}s: one record
 * per hop of a redirect chain, with the raw (extra-info) headers merged in and analytics/ad requests filtered out.
 * One reducer: the redirect-chain bookkeeping (hops sharing a requestId, extra-info matched to hops in arrival order,
 * detached extra-info) only reads correctly in one place. Beside it: webSocketRecords.ts (WebSocket records, sharing
 * this buffer, id sequence and clock), networkBodies.ts (bodies and their budget), networkRecord.ts (pure parts).
 */
import { Buffer } from 'node:buffer';
import type { Protocol } from 'devtools-protocol';
import type { BufferStats, NetworkRecord, WebSocketFrame } from '../protocol/records.js';
import { RingBuffer } from '../util/ringBuffer.js';
import { fromCdpCookie, headerValue, parseSetCookieHeader } from './cookies.js';
import { noteRequestCookies, noteResponseCookies } from './cookiesBlocked.js';
import { RecordBodies } from './networkBodies.js';
import { findRecord, seqOfId } from './recordId.js';
import { intern } from './intern.js';
import { hostOf, isTrackingHost } from './networkClassify.js';
import {
  applyResponse,
  computeTimings,
  packTimings,
  estimateSize,
  isFiniteNumber,
  mergeHeaders,
  noteResponse,
  round3,
  toInitiator,
  type RawTiming,
} from './networkRecord.js';
import type { WebSocketFrameStore, WebSocketLimits } from './webSocket.js';
import { DEFAULT_WEBSOCKET_LIMITS, WEBSOCKET_EVENTS, WebSocketCollector, type SocketHost, type WebSocketStats } from './webSocketRecords.js';

export { isTextMimeType, isTrackingHost } from './networkClassify.js';
export { bodySize, computeTimings, type TimingInput } from './networkRecord.js';
export type { WebSocketFrameStats, WebSocketLimits } from './webSocket.js';
export { DEFAULT_WEBSOCKET_LIMITS, type WebSocketStats } from './webSocketRecords.js';

type RequestExtra = Protocol.Network.RequestWillBeSentExtraInfoEvent;
type ResponseExtra = Protocol.Network.ResponseReceivedExtraInfoEvent;

/** Options for {@link NetworkCollector}. */
export interface NetworkCollectorOptions {
  /** Most records kept; older ones are dropped. */
  maxItems: number;
  /** Most (estimated) bytes kept, bodies included; older records are dropped. */
  maxBytes: number;
  /** Cap on a stored response body; {@link NetworkCollector.setBody} cuts longer bodies and marks them truncated. */
  maxBodyBytes: number;
  /**
   * Most bytes of response bodies held in all (never less than one body of `maxBodyBytes`); past it the bodies of the
   * oldest requests are dropped. Default: no bound beyond the records'.
   */
  maxBodyTotalBytes?: number;
  /** Bounds of the WebSocket frame buffer; defaults to {@link DEFAULT_WEBSOCKET_LIMITS}. */
  webSocket?: WebSocketLimits;
  /** Also record analytics and ad requests (see {@link isTrackingHost}). */
  includeAll: boolean;
  /** Clock (epoch ms) used until CDP timestamps can be mapped to wall time; defaults to Date.now. */
  now?: () => number;
  /** Called when a request (or a redirect hop) finishes or fails, and when a WebSocket closes: the journal's feed. */
  onSettled?: (record: NetworkRecord) => void;
  /** Called when a WebSocket's handshake completed, and for each of its frames kept: the journal's feed too. */
  onWebSocketOpen?: (record: NetworkRecord) => void;
  onWebSocketFrame?: (record: NetworkRecord, frame: WebSocketFrame) => void;
}

/** {@link BufferStats} plus the number of requests not recorded because they went to analytics/ad hosts. */
export interface NetworkStats extends BufferStats {
  filtered: number;
}

/** Most requests whose extra-info arrived without (yet) a record, or that were filtered, remembered at once. */
const MAX_DETACHED = 1000;
/** Requests that keep their place in the chain map through {@link NetworkCollector.compact}, newest first. */
const CHAIN_KEPT = 1000;
/** Most extra-info events buffered per request: a redirect chain is at most 20 hops in Chrome. */
const MAX_EXTRA_PER_CHAIN = 64;

/**
 * All hops sharing one CDP requestId (redirects reuse it), with the extra-info events matched to them.
 *
 * Network.requestWillBeSentExtraInfo / responseReceivedExtraInfo carry no hop number and may arrive before or
 * after the main events. As in DevTools, the k-th extra-info event of a kind belongs to the k-th hop that has extra
 * info; whether a hop has any is only known at its response (`hasExtraInfo`, `redirectHasExtraInfo`), so the
 * merge waits until then, and hops without extra info get a placeholder that shifts later events into place.
 */
interface Chain {
  /** Hops by ordinal; `undefined` once evicted from the buffer. */
  hops: (NetworkRecord | undefined)[];
  /** Per hop: whether extra-info events exist for it (unknown until its response). */
  hasExtra: (boolean | undefined)[];
  /** Extra request/response info by hop ordinal; `null` once merged or for a hop without extra info. */
  requestExtra: (RequestExtra | null)[];
  responseExtra: (ResponseExtra | null)[];
  /** The chain started at an analytics/ad host: its events are ignored. */
  filtered: boolean;
}

function newChain(): Chain {
  return { hops: [], hasExtra: [], requestExtra: [], responseExtra: [], filtered: false };
}

/**
 * What the chain map holds per requestId: the chain, or, for the common request that is over (one hop, settled,
 * its extra-info merged or known not to exist), that hop alone. The chain's object and four arrays cost more than
 * most records; a later event for the request rebuilds the very same chain ({@link NetworkCollector.#chainOf}).
 */
type ChainEntry = Chain | NetworkRecord;

function isChain(e: ChainEntry): e is Chain {
  return (e as Partial<Chain>).hops !== undefined;
}

/** Collects network telemetry; feed it CDP events with {@link NetworkCollector.handle}. */
export class NetworkCollector {
  /** Cap applied by {@link NetworkCollector.setBody}. */
  readonly maxBodyBytes: number;
  /** Whether analytics/ad requests are recorded too. */
  readonly includeAll: boolean;
  /** The frames of the WebSocket records. */
  readonly webSockets: WebSocketFrameStore;
  readonly #buffer: RingBuffer<NetworkRecord>;
  /** The response and request bodies of the records (setBody, noBody, ...; daemon/bodies.ts fetches them). */
  readonly bodies: RecordBodies;
  readonly #sockets: WebSocketCollector;
  readonly #now: () => number;
  readonly #onSettled: ((record: NetworkRecord) => void) | undefined;
  #chains = new Map<string, ChainEntry>();
  /** Hops kept alone in the chain map (see {@link ChainEntry}) that had no extra-info. */
  readonly #noExtra = new WeakSet<NetworkRecord>();
  /** RequestIds of chains holding no buffered record (extra-info seen first, or filtered), oldest first. */
  readonly #detached = new Set<string>();
  /** Monotonic start (CDP seconds) per record, so durations do not depend on the wall-clock mapping. */
  readonly #startMono = new WeakMap<NetworkRecord, number>();
  /** Per record: Chrome's resource timing and when its response headers arrived (CDP seconds), for the breakdown. */
  readonly #timingRaw = new WeakMap<NetworkRecord, RawTiming>();
  /** wallTime − timestamp in ms, learned from requestWillBeSent. */
  #offsetMs: number | undefined;
  #seq = 0;
  #navigation = 0;
  #pending = 0;
  #filtered = 0;

  constructor(opts: NetworkCollectorOptions) {
    this.maxBodyBytes = opts.maxBodyBytes;
    this.includeAll = opts.includeAll;
    this.#now = opts.now ?? Date.now;
    this.#onSettled = opts.onSettled;
    this.#buffer = new RingBuffer<NetworkRecord>(opts.maxItems, opts.maxBytes, (r) => this.#forget(r));
    this.bodies = new RecordBodies({
      maxBodyBytes: opts.maxBodyBytes,
      maxTotalBytes: Math.max(opts.maxBodyTotalBytes ?? Infinity, opts.maxBodyBytes),
      buffered: (record) => this.#byId(record.id) === record,
      latest: (requestId) => this.#latest(requestId),
      resize: (record) => this.#resize(record),
    });
    this.#sockets = new WebSocketCollector(this.#socketHost(), opts.webSocket ?? DEFAULT_WEBSOCKET_LIMITS, {
      onOpen: opts.onWebSocketOpen,
      onFrame: opts.onWebSocketFrame,
      onClosed: opts.onSettled,
    });
    this.webSockets = this.#sockets.frames;
  }

  /** Index of the navigation new records are attributed to. */
  get navigation(): number {
    return this.#navigation;
  }

  /** Attributes records created from now on to main-frame navigation `index`. */
  setNavigation(index: number): void {
    this.#navigation = index;
  }

  /** Consumes one CDP Network.* event; other methods and malformed params are ignored. */
  handle(method: string, params: unknown): void {
    if (typeof params !== 'object' || params === null || typeof (params as { requestId?: unknown }).requestId !== 'string') return;
    if (WEBSOCKET_EVENTS.has(method)) {
      this.#sockets.handle(method, params);
      return;
    }
    switch (method) {
      case 'Network.requestWillBeSent':
        this.#onRequestWillBeSent(params as Protocol.Network.RequestWillBeSentEvent);
        break;
      case 'Network.requestWillBeSentExtraInfo':
        this.#onExtraInfo('request', params as RequestExtra);
        break;
      case 'Network.responseReceivedExtraInfo':
        this.#onExtraInfo('response', params as ResponseExtra);
        break;
      case 'Network.dataReceived': {
        const e = params as Protocol.Network.DataReceivedEvent;
        const record = this.#latest(e.requestId);
        if (record !== undefined && isFiniteNumber(e.dataLength)) record.decodedBodyLength = (record.decodedBodyLength ?? 0) + e.dataLength;
        break;
      }
      case 'Network.responseReceived':
        this.#onResponseReceived(params as Protocol.Network.ResponseReceivedEvent);
        break;
      case 'Network.loadingFinished':
        this.#onLoadingFinished(params as Protocol.Network.LoadingFinishedEvent);
        break;
      case 'Network.loadingFailed':
        this.#onLoadingFailed(params as Protocol.Network.LoadingFailedEvent);
        break;
      case 'Network.requestServedFromCache': {
        const record = this.#latest((params as Protocol.Network.RequestServedFromCacheEvent).requestId);
        if (record !== undefined) {
          record.fromCache = true;
          record.cacheSource = 'memory';
        }
        break;
      }
      default:
        break;
    }
  }

  /** The record with short id `n12`, or the latest hop of CDP request `idOrRequestId`, if still buffered. */
  get(idOrRequestId: string): NetworkRecord | undefined {
    return this.#byId(idOrRequestId) ?? this.#latest(idOrRequestId) ?? this.#sockets.get(idOrRequestId);
  }

  /**
   * {@link get}, and also a request {@link compact} took out of the chain map, by its requestId: what commands ask
   * for. A search of the buffer when the maps do not know the id, so not for the event path.
   */
  find(idOrRequestId: string): NetworkRecord | undefined {
    return this.get(idOrRequestId) ?? this.#buffer.findLast((r) => r.requestId === idOrRequestId);
  }

  /** The newest `n` records, oldest first. */
  last(n: number): NetworkRecord[] {
    return this.#buffer.last(n);
  }

  /** All buffered records, oldest first. */
  all(): NetworkRecord[] {
    return this.#buffer.toArray();
  }

  /** Buffer occupancy, records dropped to stay within the bounds, and requests filtered as tracking. */
  stats(): NetworkStats {
    const b = this.#buffer;
    return { count: b.length, dropped: b.dropped, bytes: b.bytes, maxItems: b.maxItems, maxBytes: b.maxBytes, filtered: this.#filtered };
  }

  /** Buffered requests still waiting for loadingFinished/loadingFailed (open WebSockets are not counted). */
  pending(): number {
    return this.#pending;
  }

  /**
   * Rebuilds the chain map, without the requests that are long over: a request kept alone in the map (settled, all
   * its extra-info merged: {@link ChainEntry}), not among the newest {@link CHAIN_KEPT} records, expects no more events, and {@link find} still finds it by its
   * requestId (a search of the buffer). The map was 0.46 MB for the 10,000 requests of the bench page, and a map
   * keeps the table its busiest moment grew it to. Called once a burst is over (daemon/heapTrim.ts).
   */
  compact(): void {
    const newest = this.#buffer.last(1)[0];
    const before = newest === undefined ? 0 : seqOfId(newest.id) - CHAIN_KEPT;
    const kept = new Map<string, ChainEntry>();
    for (const [requestId, entry] of this.#chains) if (isChain(entry) || seqOfId(entry.id) > before) kept.set(requestId, entry);
    this.#chains = kept;
  }

  /** The buffered record with short id `id` (`n12`): records enter the buffer in id order. */
  #byId(id: string): NetworkRecord | undefined {
    return findRecord(this.#buffer, id, 'n');
  }

  /** The WebSocket records kept, how many are not closed yet, and the frame buffer's occupancy. */
  webSocketStats(): WebSocketStats {
    return this.#sockets.stats();
  }

  #onRequestWillBeSent(e: Protocol.Network.RequestWillBeSentEvent): void {
    if (typeof e.request !== 'object' || e.request === null) return;
    if (isFiniteNumber(e.wallTime) && isFiniteNumber(e.timestamp)) this.#offsetMs = e.wallTime * 1000 - e.timestamp * 1000;
    const existing = this.#chainOf(e.requestId);
    if (e.redirectResponse !== undefined && existing !== undefined && (existing.filtered || existing.hops.length > 0)) {
      if (existing.filtered) return; // the rest of a tracking redirect chain
      // The previous hop ends with the redirect response; the new hop continues under the same requestId.
      const prevIndex = existing.hops.length - 1;
      const prev = existing.hops[prevIndex];
      if (prev !== undefined) {
        applyResponse(prev, e.redirectResponse);
        this.#noteResponse(prev, e.redirectResponse, e.timestamp);
        if (isFiniteNumber(e.redirectResponse.encodedDataLength)) prev.encodedDataLength = e.redirectResponse.encodedDataLength;
        this.#settle(prev, 'finished', e.timestamp);
        // A redirect answer's body is not kept by Chrome (getResponseBody would answer with the final hop's).
        prev.bodyUnavailable = 'empty';
      }
      this.#markHasExtra(existing, prevIndex, e.redirectHasExtraInfo !== false);
      this.#createHop(existing, e, prev?.id);
      return;
    }
    // A new request. Reuse a chain that so far only holds early extra-info; a requestId seen before without a
    // redirect (rare) starts over, leaving the old records to age out of the buffer.
    const chain = existing !== undefined && existing.hops.length === 0 && !existing.filtered ? existing : newChain();
    if (chain !== existing) this.#chains.set(e.requestId, chain);
    if (!this.includeAll && isTrackingHost(hostOf(e.request.url))) {
      this.#filtered++;
      chain.filtered = true;
      chain.requestExtra = [];
      chain.responseExtra = [];
      this.#detach(e.requestId);
      return;
    }
    this.#createHop(chain, e, undefined);
  }

  #createHop(chain: Chain, e: Protocol.Network.RequestWillBeSentEvent, redirectedFrom: string | undefined): void {
    const req = e.request;
    const record: NetworkRecord = {
      id: `n${++this.#seq}`,
      requestId: e.requestId,
      url: req.url + (req.urlFragment ?? ''),
      method: intern(req.method),
      state: 'pending',
      requestHeaders: mergeHeaders({}, req.headers),
      startedAt: isFiniteNumber(e.wallTime) ? round3(e.wallTime * 1000) : this.#wall(e.timestamp),
      navigation: this.#navigation,
    };
    if (e.type !== undefined) record.resourceType = intern(e.type);
    if (typeof req.postData === 'string') record.postData = req.postData;
    else if (req.hasPostData === true) record.hasPostData = true;
    if (typeof req.initialPriority === 'string') record.priority = intern(req.initialPriority);
    const initiator = toInitiator(e.initiator);
    if (initiator !== undefined) record.initiator = initiator;
    if (redirectedFrom !== undefined) record.redirectedFrom = redirectedFrom;
    if (e.frameId !== undefined) record.frameId = intern(e.frameId);
    if (isFiniteNumber(e.timestamp)) this.#startMono.set(record, e.timestamp);

    // Into the chain before the buffer: pushing may evict this chain's older hops, which must not delete it.
    chain.hops.push(record);
    this.#detached.delete(e.requestId);
    this.#pending++;
    this.#buffer.push(record, estimateSize(record));
  }

  #onExtraInfo<K extends 'request' | 'response'>(kind: K, e: K extends 'request' ? RequestExtra : ResponseExtra): void {
    const requestId = e.requestId;
    if (typeof e.headers !== 'object' || e.headers === null) return;
    let chain = this.#chainOf(requestId);
    if (chain === undefined) {
      // Extra-info can precede requestWillBeSent: keep it (bounded) until the request shows up.
      chain = newChain();
      this.#chains.set(requestId, chain);
      this.#detach(requestId);
    }
    if (chain.filtered) return;
    const list: unknown[] = kind === 'request' ? chain.requestExtra : chain.responseExtra;
    if (list.length >= MAX_EXTRA_PER_CHAIN) return;
    list.push(e);
    this.#sync(chain, list.length - 1);
    this.#shrinkChain(requestId);
  }

  #onResponseReceived(e: Protocol.Network.ResponseReceivedEvent): void {
    const chain = this.#chainOf(e.requestId);
    if (chain === undefined || chain.filtered || typeof e.response !== 'object' || e.response === null) return;
    const index = chain.hops.length - 1;
    const record = chain.hops[index];
    if (record === undefined) return;
    applyResponse(record, e.response);
    this.#noteResponse(record, e.response, e.timestamp);
    if (e.type !== undefined) record.resourceType = intern(e.type);
    this.#markHasExtra(chain, index, e.hasExtraInfo !== false);
    this.#resize(record);
  }

  #onLoadingFinished(e: Protocol.Network.LoadingFinishedEvent): void {
    const chain = this.#chainOf(e.requestId);
    if (chain?.filtered === true) {
      this.#dropChain(e.requestId);
      return;
    }
    const record = this.#latest(e.requestId);
    if (record === undefined) return;
    if (isFiniteNumber(e.encodedDataLength)) record.encodedDataLength = e.encodedDataLength;
    this.#settle(record, 'finished', e.timestamp);
    if (record.status === 204 || record.status === 304 || record.method === 'HEAD') record.bodyUnavailable = 'empty';
    else if ((record.decodedBodyLength ?? 0) > this.maxBodyBytes) record.bodyUnavailable = 'too-large';
    this.#shrinkChain(e.requestId);
  }

  #onLoadingFailed(e: Protocol.Network.LoadingFailedEvent): void {
    const chain = this.#chainOf(e.requestId);
    if (chain === undefined) return;
    if (chain.filtered) {
      this.#dropChain(e.requestId);
      return;
    }
    const index = chain.hops.length - 1;
    const record = chain.hops[index];
    if (record === undefined) return;
    if (typeof e.errorText === 'string' && e.errorText !== '') record.errorText = e.errorText;
    if (e.canceled === true) record.canceled = true;
    if (e.blockedReason !== undefined) record.blockedReason = e.blockedReason;
    if (record.resourceType === undefined && e.type !== undefined) record.resourceType = e.type;
    this.#settle(record, 'failed', e.timestamp);
    // A failed hop is the last one: whatever extra-info it got belongs to it.
    if (chain.hasExtra[index] === undefined) this.#markHasExtra(chain, index, true);
    this.#resize(record);
    this.#shrinkChain(e.requestId);
  }

  /** Records whether hop `index` has extra-info and merges what has arrived for it. */
  #markHasExtra(chain: Chain, index: number, hasExtra: boolean): void {
    if (index < 0) return;
    chain.hasExtra[index] = hasExtra;
    if (!hasExtra) {
      // Extra-info already received belongs to later hops: shift it past this one.
      if (chain.requestExtra.length >= index) chain.requestExtra.splice(index, 0, null);
      if (chain.responseExtra.length >= index) chain.responseExtra.splice(index, 0, null);
    }
    this.#sync(chain, index);
  }

  /** Merges the extra-info headers for hop `index` once the hop exists and is known to have extra info. */
  #sync(chain: Chain, index: number): void {
    const record = chain.hops[index];
    if (record === undefined || chain.hasExtra[index] !== true) return;
    const req = chain.requestExtra[index];
    const res = chain.responseExtra[index];
    if (req) {
      // The raw headers are what went on the wire (Cookie, and the HTTP/2 spelling): they win.
      record.requestHeaders = mergeHeaders(record.requestHeaders, req.headers);
      if (Array.isArray(req.associatedCookies) && req.associatedCookies.length > 0) {
        record.requestCookies = req.associatedCookies.map((a) => fromCdpCookie(a.cookie, a.blockedReasons));
      }
      noteRequestCookies(record, req.associatedCookies);
      chain.requestExtra[index] = null;
    }
    if (res) {
      record.responseHeaders = mergeHeaders(record.responseHeaders ?? {}, res.headers);
      if (typeof res.headersText === 'string' && res.headersText !== '') record.responseHeadersSize = Buffer.byteLength(res.headersText);
      // Only extra-info carries Set-Cookie (Chrome strips it from Network.Response) and says which were refused.
      const setCookie = headerValue(record.responseHeaders, 'set-cookie');
      if (setCookie !== undefined) record.responseCookies = parseSetCookieHeader(setCookie, Array.isArray(res.blockedCookies) ? res.blockedCookies : []);
      noteResponseCookies(record, res.blockedCookies, res.exemptedCookies);
      chain.responseExtra[index] = null;
    }
    if (req || res) this.#resize(record);
  }

  #settle(record: NetworkRecord, state: 'finished' | 'failed', timestamp: number | undefined): void {
    if (record.state === 'pending') this.#pending--;
    record.state = state;
    record.finishedAt = this.#wall(timestamp);
    const start = this.#startMono.get(record);
    record.durationMs =
      start !== undefined && isFiniteNumber(timestamp)
        ? round3(Math.max(0, (timestamp - start) * 1000))
        : Math.max(0, round3(record.finishedAt - record.startedAt));
    if (start !== undefined && isFiniteNumber(timestamp)) {
      const raw = this.#timingRaw.get(record);
      record.timing = packTimings(computeTimings({ issueTime: start, timing: raw?.timing, responseTime: raw?.responseAt, endTime: timestamp }));
    }
    // What the timings were computed from is not needed again: Chrome's ResourceTiming alone is ~20 numbers.
    this.#startMono.delete(record);
    this.#timingRaw.delete(record);
    this.#compactChain(record.requestId);
    this.#onSettled?.(record);
  }

  /**
   * Trims a chain's arrays to their length once a hop settled: an array grown by push holds 17 slots, and a chain
   * has four, which cost more than the record itself across 10,000 requests. Later events grow them again.
   */
  #compactChain(requestId: string): void {
    const chain = this.#chainOf(requestId);
    if (chain === undefined) return;
    chain.hops = chain.hops.slice();
    chain.hasExtra = chain.hasExtra.slice();
    chain.requestExtra = chain.requestExtra.slice();
    chain.responseExtra = chain.responseExtra.slice();
  }

  /** Remembers what the timing breakdown needs from a response, and the cache / service-worker source. */
  #noteResponse(record: NetworkRecord, response: Protocol.Network.Response, timestamp: number | undefined): void {
    this.#timingRaw.set(record, noteResponse(record, response, timestamp));
  }

  /** What the WebSocket records share with the requests: the buffer, the id sequence, the clock. */
  #socketHost(): SocketHost {
    const navigation = (): number => this.#navigation;
    return {
      includeAll: this.includeAll,
      get navigation() {
        return navigation();
      },
      nextId: () => `n${++this.#seq}`,
      now: () => this.#now(),
      add: (record) => {
        this.#buffer.push(record, estimateSize(record));
      },
      byId: (id) => this.#byId(id),
      resize: (record) => this.#resize(record),
      clock: (wallTime, timestamp) => {
        this.#offsetMs = wallTime * 1000 - timestamp * 1000;
      },
      wall: (timestamp) => this.#wall(timestamp),
    };
  }

  /** Latest buffered hop of a CDP request. */
  #latest(requestId: string): NetworkRecord | undefined {
    const entry = this.#chains.get(requestId);
    if (entry === undefined || !isChain(entry)) return entry;
    return entry.hops[entry.hops.length - 1];
  }

  /** The chain of a requestId, rebuilt in the map if only its settled hop was kept. */
  #chainOf(requestId: string): Chain | undefined {
    const entry = this.#chains.get(requestId);
    if (entry === undefined || isChain(entry)) return entry;
    const chain: Chain = { hops: [entry], hasExtra: [!this.#noExtra.has(entry)], requestExtra: [null], responseExtra: [null], filtered: false };
    this.#noExtra.delete(entry);
    this.#chains.set(requestId, chain);
    return chain;
  }

  /**
   * Keeps only the hop of a chain that is over: one hop, settled, whether it has extra-info known and all of it
   * merged. Called at the end of an event's handling, never while a handler still holds the chain.
   */
  #shrinkChain(requestId: string): void {
    const chain = this.#chains.get(requestId);
    if (chain === undefined || !isChain(chain) || chain.filtered || chain.hops.length !== 1) return;
    const record = chain.hops[0];
    const hasExtra = chain.hasExtra[0];
    if (record === undefined || record.state === 'pending' || hasExtra === undefined) return;
    if (chain.hasExtra.length !== 1 || chain.requestExtra.length !== 1 || chain.responseExtra.length !== 1) return;
    if (chain.requestExtra[0] !== null || chain.responseExtra[0] !== null) return;
    if (!hasExtra) this.#noExtra.add(record);
    this.#chains.set(requestId, record);
  }

  /** Wall time (epoch ms) of a CDP monotonic timestamp (seconds), or the clock when the mapping is unknown. */
  #wall(timestamp: number | undefined): number {
    if (isFiniteNumber(timestamp) && this.#offsetMs !== undefined) return round3(timestamp * 1000 + this.#offsetMs);
    return this.#now();
  }

  #resize(record: NetworkRecord): void {
    this.#buffer.resize(record, estimateSize(record));
  }

  /** Remembers a chain without buffered records, forgetting the oldest such chains past the bound. */
  #detach(requestId: string): void {
    this.#detached.delete(requestId);
    this.#detached.add(requestId);
    for (const oldest of this.#detached) {
      if (this.#detached.size <= MAX_DETACHED) break;
      this.#dropChain(oldest);
    }
  }

  #dropChain(requestId: string): void {
    this.#detached.delete(requestId);
    this.#chains.delete(requestId);
  }

  /** Called by the ring buffer for each evicted record: forget it in every index. */
  #forget(record: NetworkRecord): void {
    this.bodies.release(record);
    if (record.webSocket !== undefined) {
      this.#sockets.forget(record);
      return;
    }
    if (record.state === 'pending') this.#pending--;
    const chain = this.#chains.get(record.requestId);
    if (chain === undefined) return;
    if (!isChain(chain)) {
      if (chain === record) this.#chains.delete(record.requestId);
      return;
    }
    const index = chain.hops.indexOf(record);
    if (index < 0) return; // a record of an older chain that reused the requestId
    chain.hops[index] = undefined;
    if (chain.hops.every((h) => h === undefined)) this.#chains.delete(record.requestId);
  }
}
