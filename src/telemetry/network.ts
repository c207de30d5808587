/**
 * Collects network requests from CDP Network.* events into a bounded buffer of {@link NetworkRecord}s: one record
 * per hop of a redirect chain, with the raw (extra-info) headers merged in and analytics/ad requests filtered out.
 */
import { Buffer } from 'node:buffer';
import type { Protocol } from 'devtools-protocol';
import type { BufferStats, NetworkBody, NetworkRecord, NetworkTimings } from '../protocol/records.js';
import { RingBuffer } from '../util/ringBuffer.js';
import { fromCdpCookie, headerValue, parseSetCookieHeader } from './cookies.js';

type Headers = Protocol.Network.Headers;
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
  /** Also record analytics and ad requests (see {@link isTrackingHost}). */
  includeAll: boolean;
  /** Clock (epoch ms) used until CDP timestamps can be mapped to wall time; defaults to Date.now. */
  now?: () => number;
}

/** {@link BufferStats} plus the number of requests not recorded because they went to analytics/ad hosts. */
export interface NetworkStats extends BufferStats {
  filtered: number;
}

/**
 * Analytics and ad hosts whose requests are not recorded by default. Matched exactly or as a parent domain
 * (`www.google-analytics.com`), never by substring. Only hosts that serve nothing but tracking/ads are listed, so
 * an app's own requests are never hidden.
 */
const TRACKING_HOSTS: ReadonlySet<string> = new Set([
  'google-analytics.com',
  'analytics.google.com',
  'googletagmanager.com',
  'googletagservices.com',
  'doubleclick.net',
  'googlesyndication.com',
  'googleadservices.com',
  'adservice.google.com',
  'connect.facebook.net',
  'hotjar.com',
  'hotjar.io',
  'api.segment.io',
  'cdn.segment.com',
  'mixpanel.com',
  'amplitude.com',
  'fullstory.com',
  'clarity.ms',
  'js-agent.newrelic.com',
  'nr-data.net',
  'bat.bing.com',
  'static.ads-twitter.com',
  'analytics.tiktok.com',
  'snap.licdn.com',
  'px.ads.linkedin.com',
  'amazon-adsystem.com',
  'adnxs.com',
  'criteo.com',
  'criteo.net',
  'taboola.com',
  'outbrain.com',
  'scorecardresearch.com',
  'quantserve.com',
  'heapanalytics.com',
  'mouseflow.com',
  'crazyegg.com',
]);

/**
 * True when `host` (a hostname, optionally with `:port`) is one of the built-in analytics/ad hosts or a subdomain
 * of one. `facebook.com` and `notdoubleclick.net` are not tracking hosts.
 */
export function isTrackingHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (/:\d+$/.test(h) && !h.includes(']')) h = h.slice(0, h.lastIndexOf(':'));
  if (h.endsWith('.')) h = h.slice(0, -1);
  // Check the host and each parent domain: a.b.doubleclick.net, b.doubleclick.net, doubleclick.net, net.
  for (let suffix = h; suffix !== ''; ) {
    if (TRACKING_HOSTS.has(suffix)) return true;
    const dot = suffix.indexOf('.');
    if (dot < 0) break;
    suffix = suffix.slice(dot + 1);
  }
  return false;
}

const TEXT_SUBTYPES: ReadonlySet<string> = new Set([
  'json',
  'javascript',
  'x-javascript',
  'ecmascript',
  'x-ecmascript',
  'xml',
  'x-www-form-urlencoded',
  'graphql',
  'x-ndjson',
  'ndjson',
  'jsonl',
  'json5',
  'yaml',
  'x-yaml',
  'csv',
  'sql',
  'x-sh',
  'xhtml',
]);

/**
 * True for MIME types whose bodies are text worth showing: `text/*`, JSON, JavaScript, XML (SVG included), form
 * data, GraphQL, YAML and any `+json`/`+xml` type. Parameters (`; charset=utf-8`) are ignored.
 */
export function isTextMimeType(mime: string): boolean {
  const essence = (mime.split(';')[0] ?? '').trim().toLowerCase();
  const slash = essence.indexOf('/');
  if (slash <= 0) return false;
  const type = essence.slice(0, slash);
  const subtype = essence.slice(slash + 1);
  if (type === 'text') return true;
  if (subtype.endsWith('+json') || subtype.endsWith('+xml')) return true;
  return (type === 'application' || type === 'image') && (TEXT_SUBTYPES.has(subtype) || (type === 'application' && subtype.startsWith('graphql')));
}

/** Most requests whose extra-info arrived without (yet) a record, or that were filtered, remembered at once. */
const MAX_DETACHED = 1000;
/** Most extra-info events buffered per request: a redirect chain is at most 20 hops in Chrome. */
const MAX_EXTRA_PER_CHAIN = 64;
/**
 * Fixed per-record overhead in the byte estimate: the record object, its timing/initiator objects and the index
 * entries. Calibrated against V8 heap growth (10k recorded requests, ~20 headers each: ~4 KB per record), so the
 * byte cap bounds real memory, not a quarter of it.
 */
const RECORD_OVERHEAD = 1500;
/** V8 cost of one header entry beyond its characters (dictionary slot, two string headers). */
const HEADER_OVERHEAD = 80;

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

/** Collects network telemetry; feed it CDP events with {@link NetworkCollector.handle}. */
export class NetworkCollector {
  /** Cap applied by {@link NetworkCollector.setBody}. */
  readonly maxBodyBytes: number;
  /** Whether analytics/ad requests are recorded too. */
  readonly includeAll: boolean;
  readonly #buffer: RingBuffer<NetworkRecord>;
  readonly #now: () => number;
  readonly #byId = new Map<string, NetworkRecord>();
  readonly #chains = new Map<string, Chain>();
  /** RequestIds of chains holding no buffered record (extra-info seen first, or filtered), oldest first. */
  readonly #detached = new Set<string>();
  /** Monotonic start (CDP seconds) per record, so durations do not depend on the wall-clock mapping. */
  readonly #startMono = new WeakMap<NetworkRecord, number>();
  /** Per record: Chrome's resource timing and when its response headers arrived (CDP seconds), for the breakdown. */
  readonly #timingRaw = new WeakMap<NetworkRecord, { timing?: Protocol.Network.ResourceTiming; responseAt?: number }>();
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
    this.#buffer = new RingBuffer<NetworkRecord>(opts.maxItems, opts.maxBytes, (r) => this.#forget(r));
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
    return this.#byId.get(idOrRequestId) ?? this.#latest(idOrRequestId);
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

  /** Buffered records still waiting for loadingFinished/loadingFailed. */
  pending(): number {
    return this.#pending;
  }

  /**
   * Stores a fetched response body on `record` (cut at `maxBodyBytes` if the caller did not) and accounts for its
   * size in the buffer, which may drop older records.
   */
  setBody(record: NetworkRecord, body: NetworkBody): void {
    record.body = capBody(body, this.maxBodyBytes);
    if (record.decodedBodyLength === undefined && !record.body.truncated) record.decodedBodyLength = body.size;
    this.#resize(record);
  }

  /** Stores a request body fetched with Network.getRequestPostData (cut at `maxBodyBytes`). */
  setPostData(record: NetworkRecord, data: string): void {
    const capped = capBody({ data, base64: false, truncated: false, size: Buffer.byteLength(data) }, this.maxBodyBytes);
    record.postData = capped.data;
    if (capped.truncated) record.postDataTruncated = true;
    delete record.hasPostData;
    this.#resize(record);
  }

  #onRequestWillBeSent(e: Protocol.Network.RequestWillBeSentEvent): void {
    if (typeof e.request !== 'object' || e.request === null) return;
    if (isFiniteNumber(e.wallTime) && isFiniteNumber(e.timestamp)) this.#offsetMs = e.wallTime * 1000 - e.timestamp * 1000;
    const existing = this.#chains.get(e.requestId);
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
      method: req.method,
      state: 'pending',
      requestHeaders: mergeHeaders({}, req.headers),
      startedAt: isFiniteNumber(e.wallTime) ? round3(e.wallTime * 1000) : this.#wall(e.timestamp),
      navigation: this.#navigation,
    };
    if (e.type !== undefined) record.resourceType = e.type;
    if (typeof req.postData === 'string') record.postData = req.postData;
    else if (req.hasPostData === true) record.hasPostData = true;
    if (typeof req.initialPriority === 'string') record.priority = req.initialPriority;
    const initiator = toInitiator(e.initiator);
    if (initiator !== undefined) record.initiator = initiator;
    if (redirectedFrom !== undefined) record.redirectedFrom = redirectedFrom;
    if (e.frameId !== undefined) record.frameId = e.frameId;
    if (isFiniteNumber(e.timestamp)) this.#startMono.set(record, e.timestamp);

    // Into the chain before the buffer: pushing may evict this chain's older hops, which must not delete it.
    chain.hops.push(record);
    this.#detached.delete(e.requestId);
    this.#byId.set(record.id, record);
    this.#pending++;
    this.#buffer.push(record, estimateSize(record));
  }

  #onExtraInfo<K extends 'request' | 'response'>(kind: K, e: K extends 'request' ? RequestExtra : ResponseExtra): void {
    const requestId = e.requestId;
    if (typeof e.headers !== 'object' || e.headers === null) return;
    let chain = this.#chains.get(requestId);
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
  }

  #onResponseReceived(e: Protocol.Network.ResponseReceivedEvent): void {
    const chain = this.#chains.get(e.requestId);
    if (chain === undefined || chain.filtered || typeof e.response !== 'object' || e.response === null) return;
    const index = chain.hops.length - 1;
    const record = chain.hops[index];
    if (record === undefined) return;
    applyResponse(record, e.response);
    this.#noteResponse(record, e.response, e.timestamp);
    if (e.type !== undefined) record.resourceType = e.type;
    this.#markHasExtra(chain, index, e.hasExtraInfo !== false);
    this.#resize(record);
  }

  #onLoadingFinished(e: Protocol.Network.LoadingFinishedEvent): void {
    const chain = this.#chains.get(e.requestId);
    if (chain?.filtered === true) {
      this.#dropChain(e.requestId);
      return;
    }
    const record = this.#latest(e.requestId);
    if (record === undefined) return;
    if (isFiniteNumber(e.encodedDataLength)) record.encodedDataLength = e.encodedDataLength;
    this.#settle(record, 'finished', e.timestamp);
  }

  #onLoadingFailed(e: Protocol.Network.LoadingFailedEvent): void {
    const chain = this.#chains.get(e.requestId);
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
      chain.requestExtra[index] = null;
    }
    if (res) {
      record.responseHeaders = mergeHeaders(record.responseHeaders ?? {}, res.headers);
      if (typeof res.headersText === 'string' && res.headersText !== '') record.responseHeadersSize = Buffer.byteLength(res.headersText);
      // Only extra-info carries Set-Cookie (Chrome strips it from Network.Response) and says which were refused.
      const setCookie = headerValue(record.responseHeaders, 'set-cookie');
      if (setCookie !== undefined) record.responseCookies = parseSetCookieHeader(setCookie, Array.isArray(res.blockedCookies) ? res.blockedCookies : []);
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
      start !== undefined && isFiniteNumber(timestamp) ? round3(Math.max(0, (timestamp - start) * 1000)) : Math.max(0, round3(record.finishedAt - record.startedAt));
    if (start !== undefined && isFiniteNumber(timestamp)) {
      const raw = this.#timingRaw.get(record);
      record.timing = computeTimings({ issueTime: start, timing: raw?.timing, responseTime: raw?.responseAt, endTime: timestamp });
    }
  }

  /** Remembers what the timing breakdown needs from a response, and the cache / service-worker source. */
  #noteResponse(record: NetworkRecord, response: Protocol.Network.Response, timestamp: number | undefined): void {
    const timing = response.timing !== undefined && isFiniteNumber(response.timing.requestTime) ? response.timing : undefined;
    // As DevTools: the response time is when the headers arrived, or the event time if that is earlier.
    let responseAt = isFiniteNumber(timestamp) ? timestamp : undefined;
    if (timing !== undefined && timing.receiveHeadersEnd >= 0) {
      const headersAt = timing.requestTime + timing.receiveHeadersEnd / 1000;
      if (responseAt === undefined || headersAt < responseAt) responseAt = headersAt;
    }
    const raw: { timing?: Protocol.Network.ResourceTiming; responseAt?: number } = {};
    if (timing !== undefined) raw.timing = timing;
    if (responseAt !== undefined) raw.responseAt = responseAt;
    this.#timingRaw.set(record, raw);
    if (response.fromDiskCache === true) record.cacheSource = 'disk';
    else if (response.fromPrefetchCache === true) record.cacheSource = 'prefetch';
    if (typeof response.serviceWorkerResponseSource === 'string') record.serviceWorkerResponseSource = response.serviceWorkerResponseSource;
  }

  /** Latest buffered hop of a CDP request. */
  #latest(requestId: string): NetworkRecord | undefined {
    const chain = this.#chains.get(requestId);
    return chain?.hops[chain.hops.length - 1];
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
    this.#byId.delete(record.id);
    if (record.state === 'pending') this.#pending--;
    const chain = this.#chains.get(record.requestId);
    if (chain === undefined) return;
    const index = chain.hops.indexOf(record);
    if (index < 0) return; // a record of an older chain that reused the requestId
    chain.hops[index] = undefined;
    if (chain.hops.every((h) => h === undefined)) this.#chains.delete(record.requestId);
  }
}

/** Inputs of {@link computeTimings}: CDP monotonic times in seconds. */
export interface TimingInput {
  /** requestWillBeSent timestamp. */
  issueTime: number;
  /** Network.Response.timing, when Chrome sent one (not for memory-cache or data: responses). */
  timing?: Protocol.Network.ResourceTiming | undefined;
  /** When the response headers arrived; absent when no response came. */
  responseTime?: number | undefined;
  /** loadingFinished / loadingFailed timestamp, or the next hop's start for a redirect. */
  endTime: number;
}

/**
 * The phase breakdown Chrome DevTools puts in its HAR export (devtools-frontend HARLog `buildTimings`): queueing and
 * stalls are `blocked`, `ssl` lies within `connect`, and the phases add up to the entry time (ssl excluded).
 */
export function computeTimings(input: TimingInput): NetworkTimings {
  const { issueTime, timing, responseTime, endTime } = input;
  const ms = (seconds: number): number => seconds * 1000;
  const startTime = timing !== undefined ? timing.requestTime : issueTime;
  const result: NetworkTimings = { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 };
  result.blocked = issueTime < startTime ? ms(startTime - issueTime) : -1;
  let highest = 0;
  if (timing !== undefined) {
    const blockedStart = leastNonNegative([timing.dnsStart, timing.connectStart, timing.sendStart]);
    // The stall before the first phase adds to the queueing time (DevTools adds it to -1 when there was none).
    if (blockedStart !== Infinity) result.blocked = Math.max(0, result.blocked) + blockedStart;
    // Proxy negotiation belongs to blocked; with QUIC it may be all there is.
    if (timing.proxyEnd !== -1) result.blocked = Math.max(result.blocked, timing.proxyEnd - timing.proxyStart);
    const dnsStart = timing.dnsEnd >= 0 ? blockedStart : 0;
    const dnsEnd = timing.dnsEnd >= 0 ? timing.dnsEnd : -1;
    result.dns = dnsEnd - dnsStart;
    const sslStart = timing.sslEnd > 0 ? timing.sslStart : 0;
    const sslEnd = timing.sslEnd > 0 ? timing.sslEnd : -1;
    result.ssl = sslEnd - sslStart;
    const connectStart = timing.connectEnd >= 0 ? leastNonNegative([dnsEnd, blockedStart]) : 0;
    const connectEnd = timing.connectEnd >= 0 ? timing.connectEnd : -1;
    result.connect = connectEnd - connectStart;
    const sendStart = timing.sendEnd >= 0 ? Math.max(connectEnd, dnsEnd, blockedStart) : 0;
    const sendEnd = timing.sendEnd >= 0 ? timing.sendEnd : 0;
    // QUIC can report sendStart before connectEnd (crbug.com/740792).
    result.send = Math.max(0, sendEnd - sendStart);
    highest = Math.max(sendEnd, connectEnd, sslEnd, dnsEnd, blockedStart === Infinity ? 0 : blockedStart, 0);
  } else if (responseTime === undefined) {
    // Nothing is known after the start: all of it counts as blocked.
    result.blocked = ms(endTime - issueTime);
    return roundTimings(result);
  }
  if (responseTime === undefined) {
    // Failed after the connection was set up, before any response: the rest was spent waiting.
    result.wait = Math.max(0, ms(endTime - startTime) - highest);
    return roundTimings(result);
  }
  const waitEnd = ms(responseTime - startTime);
  result.wait = Math.max(0, waitEnd - highest);
  result.receive = Math.max(0, ms(endTime - startTime) - waitEnd);
  return roundTimings(result);
}

function leastNonNegative(values: number[]): number {
  return values.reduce((best, v) => (v >= 0 && v < best ? v : best), Infinity);
}

function roundTimings(t: NetworkTimings): NetworkTimings {
  const r = (n: number): number => (n < 0 ? -1 : round3(n));
  return { blocked: r(t.blocked), dns: r(t.dns), connect: r(t.connect), ssl: r(t.ssl), send: r(t.send), wait: r(t.wait), receive: r(t.receive) };
}

/** Copies response fields onto a record (responseReceived, or a redirect response ending a hop). */
function applyResponse(record: NetworkRecord, response: Protocol.Network.Response): void {
  if (isFiniteNumber(response.status)) record.status = response.status;
  if (typeof response.statusText === 'string' && response.statusText !== '') record.statusText = response.statusText;
  if (typeof response.mimeType === 'string' && response.mimeType !== '') record.mimeType = response.mimeType;
  // Extra-info headers merged earlier are the raw ones: keep them over the filtered copy.
  record.responseHeaders = mergeHeaders(mergeHeaders({}, response.headers), record.responseHeaders);
  if (response.requestHeaders !== undefined) record.requestHeaders = mergeHeaders(record.requestHeaders, response.requestHeaders);
  if (typeof response.remoteIPAddress === 'string' && response.remoteIPAddress !== '') {
    const ip = response.remoteIPAddress.includes(':') && !response.remoteIPAddress.startsWith('[') ? `[${response.remoteIPAddress}]` : response.remoteIPAddress;
    record.remoteAddress = isFiniteNumber(response.remotePort) ? `${ip}:${response.remotePort}` : ip;
  }
  if (typeof response.protocol === 'string' && response.protocol !== '') record.protocol = response.protocol;
  if (response.fromDiskCache === true || response.fromPrefetchCache === true) record.fromCache = true;
  if (response.fromServiceWorker === true) record.fromServiceWorker = true;
}

function toInitiator(i: Protocol.Network.Initiator | undefined): NetworkRecord['initiator'] {
  if (i === undefined || typeof i.type !== 'string') return undefined;
  const out: NonNullable<NetworkRecord['initiator']> = { type: i.type };
  // Script initiators name their location only through the stack.
  const frame = i.stack?.callFrames[0];
  const url = i.url ?? frame?.url;
  if (url !== undefined && url !== '') out.url = url;
  // CDP lines are 0-based; records are 1-based like the console ones.
  const line = i.url !== undefined ? i.lineNumber : frame?.lineNumber;
  if (isFiniteNumber(line) && out.url !== undefined) out.lineNumber = line + 1;
  return out;
}

/**
 * `base` with `extra` merged over it, header names compared case-insensitively (the spelling of `extra` wins).
 * Builds a fresh object with data properties only, so a header named `__proto__` stays a header.
 */
function mergeHeaders(base: Record<string, string>, extra: Headers | undefined): Record<string, string> {
  if (extra === undefined) return base;
  const byLower = new Map<string, [string, string]>();
  for (const [k, v] of Object.entries(base)) byLower.set(k.toLowerCase(), [k, v]);
  for (const [k, v] of Object.entries(extra as Record<string, unknown>)) byLower.set(k.toLowerCase(), [k, String(v)]);
  return Object.fromEntries(byLower.values());
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** Bytes `data` stands for: its UTF-8 length, or the decoded length of base64 (without decoding it). */
export function bodySize(data: string, base64: boolean): number {
  if (!base64) return Buffer.byteLength(data);
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

function capBody(body: NetworkBody, max: number): NetworkBody {
  if (body.base64) {
    if (bodySize(body.data, true) <= max) return body;
    // Whole 3-byte groups only, so the cut stays valid base64.
    return { ...body, data: body.data.slice(0, Math.floor(max / 3) * 4), truncated: true };
  }
  // Most bodies are far below the cap in characters; only count bytes when they might not be.
  if (body.data.length * 3 <= max) return body;
  const bytes = Buffer.from(body.data, 'utf8');
  if (bytes.length <= max) return body;
  // Drop a replacement character left by cutting inside a multi-byte sequence.
  const data = bytes.subarray(0, max).toString('utf8').replace(/\uFFFD$/, '');
  return { ...body, data, truncated: true };
}

function headersSize(h: Record<string, string> | undefined): number {
  let n = 0;
  if (h !== undefined) for (const k in h) n += k.length + (h[k]?.length ?? 0) + HEADER_OVERHEAD;
  return n;
}

/** Cheap size estimate: string lengths plus a fixed overhead (no serialization per event). */
function estimateSize(r: NetworkRecord): number {
  return (
    RECORD_OVERHEAD +
    r.url.length +
    headersSize(r.requestHeaders) +
    headersSize(r.responseHeaders) +
    (r.postData?.length ?? 0) +
    (r.body?.data.length ?? 0) +
    (r.errorText?.length ?? 0) +
    (r.initiator?.url?.length ?? 0) +
    ((r.requestCookies?.length ?? 0) + (r.responseCookies?.length ?? 0)) * 120
  );
}

function isFiniteNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
