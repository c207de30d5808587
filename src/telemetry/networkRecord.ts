/**
 * Pure pieces of the network record: HAR-style timings from CDP's ResourceTiming, response fields, initiators,
 * header merging, body caps and the byte estimate that bounds the buffer.
 */
import { Buffer } from 'node:buffer';
import type { Protocol } from 'devtools-protocol';
import { timingsObject, type NetworkBody, type NetworkRecord, type NetworkTimings } from '../protocol/records.js';
import { intern, internHeaders, internInitiator } from './intern.js';

type Headers = Protocol.Network.Headers;

/**
 * Fixed per-record overhead in the byte estimate: the record object, its timing/initiator objects, its hop chain and
 * the index entries. Calibrated against V8 heap growth (10k recorded requests, ~20 headers each, strings interned:
 * ~1.2 KB per record in the heap, ~1.6 KB estimated), so the byte cap bounds real memory.
 */
const RECORD_OVERHEAD = 600;
/** V8 cost of one header entry beyond its characters (its slot; names and values are interned). */
const HEADER_OVERHEAD = 24;

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

/**
 * A request's phase breakdown as the daemon keeps it: the seven numbers in one array of unboxed doubles, read by
 * name (getters) and written out by name (`toJSON`), so JSON, the journal and session.json carry the same object
 * as before. As an object, a breakdown is seven fields and a 16-byte heap number for each fractional one (Node 20
 * has no pointer compression and boxes every double field): 173 bytes on average, 1.7 MB for the 10,000 requests
 * of the bench page; as this array about half. Readers in the daemon take any {@link NetworkTimings} and read the
 * names, never spread it (har.ts).
 */
export class PackedTimings extends Array<number> implements NetworkTimings {
  get blocked(): number {
    return this[0] as number;
  }
  get dns(): number {
    return this[1] as number;
  }
  get connect(): number {
    return this[2] as number;
  }
  get ssl(): number {
    return this[3] as number;
  }
  get send(): number {
    return this[4] as number;
  }
  get wait(): number {
    return this[5] as number;
  }
  get receive(): number {
    return this[6] as number;
  }
  toJSON(): NetworkTimings {
    return timingsObject(this);
  }
}

/** `t` as the daemon keeps it on a record ({@link PackedTimings}). */
export function packTimings(t: NetworkTimings): NetworkTimings {
  return new PackedTimings(t.blocked, t.dns, t.connect, t.ssl, t.send, t.wait, t.receive);
}

function leastNonNegative(values: number[]): number {
  return values.reduce((best, v) => (v >= 0 && v < best ? v : best), Infinity);
}

function roundTimings(t: NetworkTimings): NetworkTimings {
  const r = (n: number): number => (n < 0 ? -1 : round3(n));
  return { blocked: r(t.blocked), dns: r(t.dns), connect: r(t.connect), ssl: r(t.ssl), send: r(t.send), wait: r(t.wait), receive: r(t.receive) };
}

/** Copies response fields onto a record (responseReceived, or a redirect response ending a hop). */
export function applyResponse(record: NetworkRecord, response: Protocol.Network.Response): void {
  if (isFiniteNumber(response.status)) record.status = response.status;
  if (typeof response.statusText === 'string' && response.statusText !== '') record.statusText = intern(response.statusText);
  if (typeof response.mimeType === 'string' && response.mimeType !== '') record.mimeType = intern(response.mimeType);
  // Extra-info headers merged earlier are the raw ones: keep them over the filtered copy.
  record.responseHeaders = mergeHeaders(mergeHeaders({}, response.headers), record.responseHeaders);
  if (response.requestHeaders !== undefined) record.requestHeaders = mergeHeaders(record.requestHeaders, response.requestHeaders);
  if (typeof response.remoteIPAddress === 'string' && response.remoteIPAddress !== '') {
    const ip = response.remoteIPAddress.includes(':') && !response.remoteIPAddress.startsWith('[') ? `[${response.remoteIPAddress}]` : response.remoteIPAddress;
    record.remoteAddress = intern(isFiniteNumber(response.remotePort) ? `${ip}:${response.remotePort}` : ip);
  }
  if (typeof response.protocol === 'string' && response.protocol !== '') record.protocol = intern(response.protocol);
  if (response.fromDiskCache === true || response.fromPrefetchCache === true) record.fromCache = true;
  if (response.fromServiceWorker === true) record.fromServiceWorker = true;
}

/** What the timing breakdown needs from a response until the request ends: Chrome's timing and when headers came. */
export interface RawTiming {
  timing?: Protocol.Network.ResourceTiming;
  responseAt?: number;
}

/**
 * Notes the cache / service-worker source of a response on `record` and returns what the timing breakdown will need
 * of it (CDP seconds).
 */
export function noteResponse(record: NetworkRecord, response: Protocol.Network.Response, timestamp: number | undefined): RawTiming {
  const timing = response.timing !== undefined && isFiniteNumber(response.timing.requestTime) ? response.timing : undefined;
  // As DevTools: the response time is when the headers arrived, or the event time if that is earlier.
  let responseAt = isFiniteNumber(timestamp) ? timestamp : undefined;
  if (timing !== undefined && timing.receiveHeadersEnd >= 0) {
    const headersAt = timing.requestTime + timing.receiveHeadersEnd / 1000;
    if (responseAt === undefined || headersAt < responseAt) responseAt = headersAt;
  }
  const raw: RawTiming = {};
  if (timing !== undefined) raw.timing = timing;
  if (responseAt !== undefined) raw.responseAt = responseAt;
  if (response.fromDiskCache === true) record.cacheSource = 'disk';
  else if (response.fromPrefetchCache === true) record.cacheSource = 'prefetch';
  if (typeof response.serviceWorkerResponseSource === 'string') record.serviceWorkerResponseSource = intern(response.serviceWorkerResponseSource);
  return raw;
}

export function toInitiator(i: Protocol.Network.Initiator | undefined): NetworkRecord['initiator'] {
  if (i === undefined || typeof i.type !== 'string') return undefined;
  // Script initiators name their location only through the stack.
  const frame = i.stack?.callFrames[0];
  const url = i.url ?? frame?.url;
  if (url === undefined || url === '') return internInitiator(i.type);
  // CDP lines are 0-based; records are 1-based like the console ones.
  const line = i.url !== undefined ? i.lineNumber : frame?.lineNumber;
  return internInitiator(i.type, url, isFiniteNumber(line) ? line + 1 : undefined);
}

/**
 * `base` with `extra` merged over it, header names compared case-insensitively (the spelling of `extra` wins).
 * Builds an object with data properties only, so a header named `__proto__` stays a header. Names and values are
 * interned, and so is the whole set (a frozen object shared by the records with the same headers): most requests
 * of a page send and receive the same ones.
 */
export function mergeHeaders(base: Record<string, string>, extra: Headers | undefined): Record<string, string> {
  if (extra === undefined) return base;
  const byLower = new Map<string, [string, string]>();
  for (const [k, v] of Object.entries(base)) byLower.set(k.toLowerCase(), [k, v]);
  for (const [k, v] of Object.entries(extra as Record<string, unknown>)) byLower.set(k.toLowerCase(), [intern(k), intern(String(v))]);
  return internHeaders([...byLower.values()]);
}

/** Bytes `data` stands for: its UTF-8 length, or the decoded length of base64 (without decoding it). */
export function bodySize(data: string, base64: boolean): number {
  if (!base64) return Buffer.byteLength(data);
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

export function capBody(body: NetworkBody, max: number): NetworkBody {
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
  const data = bytes
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return { ...body, data, truncated: true };
}

function headersSize(h: Record<string, string> | undefined): number {
  let n = 0;
  if (h !== undefined) for (const k in h) n += k.length + (h[k]?.length ?? 0) + HEADER_OVERHEAD;
  return n;
}

/**
 * Cheap size estimate: string lengths plus a fixed overhead (no serialization per event). The response body is not
 * in it: bodies have a byte budget of their own (networkBodies.ts), so they can come and go without re-sizing.
 */
export function estimateSize(r: NetworkRecord): number {
  return (
    RECORD_OVERHEAD +
    r.url.length +
    headersSize(r.requestHeaders) +
    headersSize(r.responseHeaders) +
    (r.postData?.length ?? 0) +
    (r.errorText?.length ?? 0) +
    (r.initiator?.url?.length ?? 0) +
    ((r.requestCookies?.length ?? 0) + (r.responseCookies?.length ?? 0)) * 120 +
    ((r.blockedCookies?.length ?? 0) + (r.exemptedCookies?.length ?? 0)) * 80
  );
}

export function isFiniteNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
