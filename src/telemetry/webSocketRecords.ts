/**
 * The WebSocket side of the network collector: a socket becomes a network record at Network.webSocketCreated
 * (Chrome sends no requestWillBeSent for it), gets its handshake headers and 101 from the handshake events, counts
 * its frames (kept in a {@link WebSocketFrameStore}) and ends at webSocketClosed. Sockets share the record buffer,
 * the id sequence and the clock with requests, which the {@link NetworkCollector} lends through {@link SocketHost}.
 */
import { Buffer } from 'node:buffer';
import type { Protocol } from 'devtools-protocol';
import type { NetworkRecord, WebSocketFrame } from '../protocol/records.js';
import { headerValue, parseSetCookieHeader } from './cookies.js';
import { hostOf, isTrackingHost } from './networkClassify.js';
import { computeTimings, isFiniteNumber, mergeHeaders, round3, toInitiator } from './networkRecord.js';
import { frameOf, WebSocketFrameStore, type WebSocketFrameStats, type WebSocketLimits } from './webSocket.js';

/** The WebSockets among the records: how many, how many still open, and their frame buffer. */
export interface WebSocketStats {
  count: number;
  open: number;
  frames: WebSocketFrameStats;
}

/** Frame bounds when the caller gives none: 10,000 frames / 8 MB in all, 2,000 / 2 MB per socket, 16 KB per payload. */
export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  maxFrames: 10_000,
  maxBytes: 8 * 1024 * 1024,
  perSocketFrames: 2_000,
  perSocketBytes: 2 * 1024 * 1024,
  maxPayloadBytes: 16 * 1024,
};

/** What the network collector shares with its sockets. */
export interface SocketHost {
  readonly includeAll: boolean;
  /** Main-frame navigation new records are attributed to. */
  readonly navigation: number;
  /** The next record id (`n12`), from the sequence requests use too. */
  nextId(): string;
  now(): number;
  /** Buffers a new record and indexes it by id. */
  add(record: NetworkRecord): void;
  /** The record with this id, while buffered. */
  byId(id: string): NetworkRecord | undefined;
  /** Re-estimates a buffered record's size after it changed. */
  resize(record: NetworkRecord): void;
  /** Learns the CDP monotonic -> wall clock mapping from an event carrying both. */
  clock(wallTime: number, timestamp: number): void;
  /** Wall time (epoch ms) of a CDP monotonic timestamp. */
  wall(timestamp: number | undefined): number;
}

/** Hooks of {@link WebSocketCollector}: the journal's feed. */
export interface SocketHooks {
  /** The handshake completed (the socket is open). */
  onOpen?: ((record: NetworkRecord) => void) | undefined;
  /** A frame was kept (or an error noted) for the socket. */
  onFrame?: ((record: NetworkRecord, frame: WebSocketFrame) => void) | undefined;
  /** The socket closed (or failed before it opened). */
  onClosed?: ((record: NetworkRecord) => void) | undefined;
}

/** The network events that concern WebSockets. */
export const WEBSOCKET_EVENTS: ReadonlySet<string> = new Set([
  'Network.webSocketCreated',
  'Network.webSocketWillSendHandshakeRequest',
  'Network.webSocketHandshakeResponseReceived',
  'Network.webSocketFrameSent',
  'Network.webSocketFrameReceived',
  'Network.webSocketFrameError',
  'Network.webSocketClosed',
]);

/**
 * Socket records and their frames. A socket stays `pending` while open, as DevTools has it (`is:running` matches
 * open sockets); it ends `finished` when it had opened, `failed` (with the error Chrome reported) when not.
 */
export class WebSocketCollector {
  /** The frames of the socket records. */
  readonly frames: WebSocketFrameStore;
  readonly #host: SocketHost;
  readonly #hooks: SocketHooks;
  /** Socket records by CDP requestId (their events carry no hops, and share no ids with requests), while buffered. */
  readonly #sockets = new Map<string, NetworkRecord>();
  /** Handshake start (CDP seconds) per socket, until it closes. */
  readonly #startMono = new WeakMap<NetworkRecord, number>();
  #count = 0;

  constructor(host: SocketHost, limits: WebSocketLimits, hooks: SocketHooks = {}) {
    this.#host = host;
    this.#hooks = hooks;
    this.frames = new WebSocketFrameStore(limits, (id) => {
      const ws = host.byId(id)?.webSocket;
      if (ws !== undefined) ws.framesDropped++;
    });
  }

  /** The socket record of CDP request `requestId`, if still buffered. */
  get(requestId: string): NetworkRecord | undefined {
    return this.#sockets.get(requestId);
  }

  /** The sockets kept, how many are not closed yet, and the frame buffer's occupancy. */
  stats(): WebSocketStats {
    let open = 0;
    for (const r of this.#sockets.values()) if (r.webSocket?.state !== 'closed') open++;
    return { count: this.#count, open, frames: this.frames.stats() };
  }

  /** Consumes one of {@link WEBSOCKET_EVENTS}. */
  handle(method: string, params: unknown): void {
    if (method === 'Network.webSocketCreated') {
      this.#created(params as Protocol.Network.WebSocketCreatedEvent);
      return;
    }
    const record = this.#sockets.get((params as { requestId: string }).requestId);
    if (record === undefined || record.webSocket === undefined) return;
    switch (method) {
      case 'Network.webSocketWillSendHandshakeRequest':
        this.#handshakeRequest(record, params as Protocol.Network.WebSocketWillSendHandshakeRequestEvent);
        break;
      case 'Network.webSocketHandshakeResponseReceived':
        this.#handshakeResponse(record, params as Protocol.Network.WebSocketHandshakeResponseReceivedEvent);
        break;
      case 'Network.webSocketFrameSent':
      case 'Network.webSocketFrameReceived':
        this.#frame(record, method === 'Network.webSocketFrameSent', params as Protocol.Network.WebSocketFrameSentEvent);
        break;
      case 'Network.webSocketFrameError':
        this.#frameError(record, params as Protocol.Network.WebSocketFrameErrorEvent);
        break;
      case 'Network.webSocketClosed':
        this.#closed(record, params as Protocol.Network.WebSocketClosedEvent);
        break;
      default:
        break;
    }
  }

  /** A socket record left the network buffer: forget it and its frames. */
  forget(record: NetworkRecord): void {
    if (this.#sockets.get(record.requestId) === record) this.#sockets.delete(record.requestId);
    this.frames.forget(record.id);
    this.#count--;
  }

  #created(e: Protocol.Network.WebSocketCreatedEvent): void {
    const host = this.#host;
    if (typeof e.url !== 'string' || (!host.includeAll && isTrackingHost(hostOf(e.url)))) return;
    const record: NetworkRecord = {
      id: host.nextId(),
      requestId: e.requestId,
      url: e.url,
      method: 'GET',
      resourceType: 'WebSocket',
      state: 'pending',
      requestHeaders: {},
      startedAt: host.now(),
      navigation: host.navigation,
      webSocket: { state: 'connecting', framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, framesDropped: 0 },
    };
    const initiator = toInitiator(e.initiator);
    if (initiator !== undefined) record.initiator = initiator;
    this.#sockets.set(e.requestId, record);
    this.#count++;
    host.add(record);
  }

  #handshakeRequest(record: NetworkRecord, e: Protocol.Network.WebSocketWillSendHandshakeRequestEvent): void {
    if (isFiniteNumber(e.wallTime) && isFiniteNumber(e.timestamp)) {
      this.#host.clock(e.wallTime, e.timestamp);
      record.startedAt = round3(e.wallTime * 1000);
    }
    if (isFiniteNumber(e.timestamp)) this.#startMono.set(record, e.timestamp);
    record.requestHeaders = mergeHeaders({}, e.request?.headers);
  }

  #handshakeResponse(record: NetworkRecord, e: Protocol.Network.WebSocketHandshakeResponseReceivedEvent): void {
    const res = e.response as Protocol.Network.WebSocketResponse | undefined;
    const ws = record.webSocket;
    if (res === undefined || ws === undefined) return;
    if (isFiniteNumber(res.status)) record.status = res.status;
    if (typeof res.statusText === 'string' && res.statusText !== '') record.statusText = res.statusText;
    record.responseHeaders = mergeHeaders({}, res.headers);
    // The raw request headers (Cookie included) come with the response.
    if (res.requestHeaders !== undefined) record.requestHeaders = mergeHeaders(record.requestHeaders, res.requestHeaders);
    if (typeof res.headersText === 'string' && res.headersText !== '') record.responseHeadersSize = Buffer.byteLength(res.headersText);
    const setCookie = headerValue(record.responseHeaders, 'set-cookie');
    if (setCookie !== undefined) record.responseCookies = parseSetCookieHeader(setCookie, []);
    ws.state = 'open';
    const start = this.#startMono.get(record);
    if (start !== undefined && isFiniteNumber(e.timestamp))
      record.timing = computeTimings({ issueTime: start, responseTime: e.timestamp, endTime: e.timestamp });
    this.#host.resize(record);
    this.#hooks.onOpen?.(record);
  }

  #frame(record: NetworkRecord, sent: boolean, e: Protocol.Network.WebSocketFrameSentEvent): void {
    const ws = record.webSocket;
    if (ws === undefined || typeof e.response !== 'object' || e.response === null) return;
    const frame = this.frames.add(record.id, frameOf(sent ? 'send' : 'receive', e.response, this.#host.wall(e.timestamp), this.frames.limits.maxPayloadBytes));
    if (sent) {
      ws.framesSent++;
      ws.bytesSent += frame.size;
    } else {
      ws.framesReceived++;
      ws.bytesReceived += frame.size;
    }
    this.#hooks.onFrame?.(record, frame);
  }

  #frameError(record: NetworkRecord, e: Protocol.Network.WebSocketFrameErrorEvent): void {
    const ws = record.webSocket;
    if (ws === undefined) return;
    const text = typeof e.errorMessage === 'string' ? e.errorMessage : 'WebSocket error';
    const frame = this.frames.add(record.id, { type: 'error', time: this.#host.wall(e.timestamp), opcode: -1, size: 0, data: text });
    ws.error = text;
    this.#hooks.onFrame?.(record, frame);
  }

  #closed(record: NetworkRecord, e: Protocol.Network.WebSocketClosedEvent): void {
    const ws = record.webSocket;
    if (ws === undefined || ws.state === 'closed') return;
    const opened = ws.state === 'open';
    ws.state = 'closed';
    record.state = opened ? 'finished' : 'failed';
    record.finishedAt = this.#host.wall(e.timestamp);
    ws.closedAt = record.finishedAt;
    const start = this.#startMono.get(record);
    this.#startMono.delete(record);
    record.durationMs =
      start !== undefined && isFiniteNumber(e.timestamp)
        ? round3(Math.max(0, (e.timestamp - start) * 1000))
        : Math.max(0, round3(record.finishedAt - record.startedAt));
    if (!opened) record.errorText = ws.error ?? 'WebSocket closed before its handshake completed';
    this.#host.resize(record);
    this.#hooks.onClosed?.(record);
  }
}
