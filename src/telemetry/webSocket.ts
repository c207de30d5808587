/**
 * WebSocket frames: a buffer bounded per socket and in all, by count and by bytes, keeping the newest frames and
 * counting the ones it drops; and the pure step from a CDP frame event to a {@link WebSocketFrame}. The socket itself
 * is a network record (network.ts creates it from Network.webSocketCreated and keeps its summary up to date).
 */
import { Buffer } from 'node:buffer';
import type { Protocol } from 'devtools-protocol';
import type { WebSocketFramesResult } from '../protocol/commands/network.js';
import type { NetworkRecord, WebSocketFrame } from '../protocol/records.js';
import { BdgError } from '../util/errors.js';
import { bodySize, capBody } from './networkRecord.js';

/** Bounds of the frame buffer. */
export interface WebSocketLimits {
  /** Most frames kept over all sockets, and their most (estimated) bytes. */
  maxFrames: number;
  maxBytes: number;
  /** Most frames and bytes kept for one socket, so one chatty socket cannot push out every other's frames. */
  perSocketFrames: number;
  perSocketBytes: number;
  /** Longest payload kept per frame (bytes of text, or of the binary payload before base64); longer ones are cut. */
  maxPayloadBytes: number;
}

/** Fixed cost of a kept frame beyond its payload (the object, its queue slots), in the spirit of the network estimate. */
const FRAME_OVERHEAD = 160;

/** A frame as the buffer holds it: the record, its socket and its estimated size; `dead` once dropped. */
interface Slot {
  frame: WebSocketFrame;
  socket: string;
  bytes: number;
  dead: boolean;
}

/** A FIFO queue with O(1) shift (compacted now and then), for frames in arrival order. */
class Queue<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  peek(): T | undefined {
    return this.#items[this.#head];
  }
  shift(): T | undefined {
    const item = this.#items[this.#head];
    if (item === undefined) return undefined;
    this.#head++;
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
  /** Keeps only the items `keep` accepts (order unchanged). */
  filter(keep: (item: T) => boolean): void {
    this.#items = this.#items.slice(this.#head).filter(keep);
    this.#head = 0;
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i] as T;
  }
}

interface SocketFrames {
  queue: Queue<Slot>;
  bytes: number;
  dropped: number;
}

/** Occupancy of the frame buffer, as the other buffers report theirs. */
export interface WebSocketFrameStats {
  count: number;
  bytes: number;
  dropped: number;
  maxItems: number;
  maxBytes: number;
}

/**
 * The frames of every socket, keyed by the socket's record id. Over a socket's bound its own oldest frame goes;
 * over the total bound the oldest frame of all goes. Both are counted per socket and in all.
 */
export class WebSocketFrameStore {
  readonly limits: WebSocketLimits;
  readonly #onDrop: ((socketId: string) => void) | undefined;
  readonly #sockets = new Map<string, SocketFrames>();
  /** Every kept frame in arrival order; frames a socket dropped on its own stay here, `dead`, until they reach the front. */
  readonly #all = new Queue<Slot>();
  #count = 0;
  #bytes = 0;
  #dropped = 0;
  #seq = 0;

  /** `onDrop` hears of every frame dropped to stay within the bounds (not of those a forgotten socket takes along). */
  constructor(limits: WebSocketLimits, onDrop?: (socketId: string) => void) {
    this.limits = limits;
    this.#onDrop = onDrop;
  }

  /** Sequence number of the newest frame so far (0 before the first). */
  get lastSeq(): number {
    return this.#seq;
  }

  /** Keeps a frame of socket `socketId` (dropping older ones past the bounds); returns it with its sequence number. */
  add(socketId: string, frame: Omit<WebSocketFrame, 'seq'>): WebSocketFrame {
    const stored: WebSocketFrame = { seq: ++this.#seq, ...frame };
    let socket = this.#sockets.get(socketId);
    if (socket === undefined) {
      socket = { queue: new Queue<Slot>(), bytes: 0, dropped: 0 };
      this.#sockets.set(socketId, socket);
    }
    const slot: Slot = { frame: stored, socket: socketId, bytes: FRAME_OVERHEAD + stored.data.length, dead: false };
    socket.queue.push(slot);
    socket.bytes += slot.bytes;
    this.#all.push(slot);
    this.#count++;
    this.#bytes += slot.bytes;
    const { perSocketFrames, perSocketBytes, maxFrames, maxBytes } = this.limits;
    while (socket.queue.length > 1 && (socket.queue.length > perSocketFrames || socket.bytes > perSocketBytes)) this.#dropOldestOf(socket);
    while (this.#count > 1 && (this.#count > maxFrames || this.#bytes > maxBytes)) this.#dropOldest();
    // Frames a socket dropped on its own linger in #all until they reach its front: keep that bounded too.
    if (this.#all.length > 2 * maxFrames + 1024) this.#all.filter((s) => !s.dead);
    return stored;
  }

  /** Kept frames of a socket, oldest first: those after `since` (a sequence number), the newest `last` of them. */
  frames(socketId: string, opts: FrameQuery): { frames: WebSocketFrame[]; matched: number } {
    const socket = this.#sockets.get(socketId);
    if (socket === undefined) return { frames: [], matched: 0 };
    return selectFrames(
      [...socket.queue].map((s) => s.frame),
      opts,
    );
  }

  /** Every kept frame of a socket, oldest first (the HAR's `_webSocketMessages`). */
  allOf(socketId: string): WebSocketFrame[] {
    const socket = this.#sockets.get(socketId);
    return socket === undefined ? [] : [...socket.queue].map((s) => s.frame);
  }

  /** Forgets a socket and its frames (its record left the network buffer). */
  forget(socketId: string): void {
    const socket = this.#sockets.get(socketId);
    if (socket === undefined) return;
    for (const slot of socket.queue) {
      slot.dead = true;
      this.#count--;
      this.#bytes -= slot.bytes;
    }
    this.#sockets.delete(socketId);
  }

  stats(): WebSocketFrameStats {
    return { count: this.#count, bytes: this.#bytes, dropped: this.#dropped, maxItems: this.limits.maxFrames, maxBytes: this.limits.maxBytes };
  }

  #dropOldestOf(socket: SocketFrames): void {
    const slot = socket.queue.shift();
    if (slot === undefined) return;
    this.#discard(socket, slot, slot.socket);
  }

  #dropOldest(): void {
    for (let slot = this.#all.shift(); slot !== undefined; slot = this.#all.shift()) {
      if (slot.dead) continue;
      const socket = this.#sockets.get(slot.socket);
      // Arrival order holds within a socket, so the oldest live frame overall is the oldest of its socket.
      if (socket !== undefined && socket.queue.peek() === slot) socket.queue.shift();
      if (socket !== undefined) this.#discard(socket, slot, slot.socket);
      return;
    }
  }

  #discard(socket: SocketFrames, slot: Slot, socketId: string): void {
    slot.dead = true;
    socket.bytes -= slot.bytes;
    socket.dropped++;
    this.#count--;
    this.#bytes -= slot.bytes;
    this.#dropped++;
    this.#onDrop?.(socketId);
  }
}

/**
 * A frame from Network.webSocketFrameSent / webSocketFrameReceived: text as text, a binary payload (base64 in CDP)
 * kept as base64, either cut at `maxPayloadBytes`. `time` is epoch ms.
 */
export function frameOf(
  type: 'send' | 'receive',
  payload: Protocol.Network.WebSocketFrame,
  time: number,
  maxPayloadBytes: number,
): Omit<WebSocketFrame, 'seq'> {
  const opcode = typeof payload.opcode === 'number' ? payload.opcode : 1;
  const raw = typeof payload.payloadData === 'string' ? payload.payloadData : '';
  const base64 = opcode === 2;
  const size = base64 ? bodySize(raw, true) : Buffer.byteLength(raw);
  const cut = capBody({ data: raw, base64, truncated: false, size }, maxPayloadBytes);
  const frame: Omit<WebSocketFrame, 'seq'> = { type, time, opcode, size, data: cut.data };
  if (cut.truncated) frame.truncated = true;
  return frame;
}

/** Which frames a listing wants: those after frame number `since`, the newest `last` of them. */
export interface FrameQuery {
  since?: number;
  last: number;
}

/** The frames of `list` (oldest first) that `q` selects, and how many matched before `last` was applied. Pure. */
export function selectFrames(list: readonly WebSocketFrame[], q: FrameQuery): { frames: WebSocketFrame[]; matched: number } {
  const since = q.since ?? 0;
  const matching = since > 0 ? list.filter((f) => f.seq > since) : [...list];
  return { frames: q.last > 0 ? matching.slice(-q.last) : [], matched: matching.length };
}

/** The error for `network ws` on a record that is no WebSocket. */
export function notAWebSocket(r: NetworkRecord): BdgError {
  return new BdgError(
    'INVALID_ARGUMENTS',
    `${r.id} is not a WebSocket (it is ${(r.resourceType ?? 'a request').toLowerCase()} ${r.url})`,
    'List the sockets with: bdg network list --filter resource-type:websocket',
  );
}

/** What `network ws` answers for socket `r` (a session's or a journal's). Binary payloads are given as their size only. */
export function webSocketFramesResult(
  r: NetworkRecord & { webSocket: NonNullable<NetworkRecord['webSocket']> },
  picked: { frames: WebSocketFrame[]; matched: number },
  lastSeq: number,
): WebSocketFramesResult {
  return {
    id: r.id,
    requestId: r.requestId,
    url: r.url,
    state: r.webSocket.state,
    status: r.status ?? null,
    summary: { ...r.webSocket },
    // Base64 in a terminal helps nobody (the HAR has them).
    frames: picked.frames.map((f) => (f.opcode === 2 ? (({ data: _d, ...rest }) => rest)(f) : f)),
    matched: picked.matched,
    lastSeq,
  };
}
