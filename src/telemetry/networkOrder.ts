/**
 * `network list --sort` and `--last`: one rule for every key. The window is always the N highest by the key (the
 * latest, slowest or largest requests); the sign only says in which order they are listed (`size` ends with the
 * largest, `-size` starts with it). Requests without a value (pending: no duration yet) count as the lowest.
 */
import type { NetworkRecord } from '../protocol/records.js';
import { recordSeq as seqOf } from './recordId.js';

export type SortKey = 'start' | 'duration' | 'size';
export type SortSpec = SortKey | `-${SortKey}`;

/** Bytes a request moved: transferred size, or for a WebSocket its frames' payloads. */
export function transferredSize(r: Pick<NetworkRecord, 'encodedDataLength' | 'webSocket'>): number | undefined {
  if (r.webSocket !== undefined) return r.webSocket.bytesSent + r.webSocket.bytesReceived;
  return r.encodedDataLength;
}

function valueOf(r: NetworkRecord, key: SortKey): number {
  switch (key) {
    case 'start':
      // Records are made as their requests go out, so their order is the start order (and stays the listing ids').
      return seqOf(r);
    case 'duration':
      return r.durationMs ?? -1;
    case 'size':
      return transferredSize(r) ?? -1;
  }
}

/** `records` ordered by `sort` and cut to the `last` highest by its key (ties: the later request counts higher). */
export function orderRequests<R extends NetworkRecord>(records: readonly R[], sort: SortSpec, last: number): R[] {
  const descending = sort.startsWith('-');
  const key = (descending ? sort.slice(1) : sort) as SortKey;
  const ascending = [...records].sort((a, b) => valueOf(a, key) - valueOf(b, key) || seqOf(a) - seqOf(b));
  const window = last > 0 ? ascending.slice(-last) : [];
  return descending ? window.reverse() : window;
}
