/**
 * Record ids: a letter and a sequence number (`n12` for a request, `c3` for a console message). Records enter their
 * buffers in sequence order, so an id is found by a binary search over the buffer (RingBuffer.findSorted) instead of a
 * map beside it (10,000 entries: 0.46 MB of heap each).
 */

import type { RingBuffer } from '../util/ringBuffer.js';

/** The sequence number in a record id (`n12` -> 12). */
export function seqOfId(id: string): number {
  return Number(id.slice(1));
}

/** The sequence number of `id` when it is exactly a record id with this prefix (`n12`, no sign, no leading 0), else undefined. */
export function parseRecordId(id: string, prefix: string): number | undefined {
  if (id.length < 2 || id.length > 16 || id[0] !== prefix) return undefined;
  for (let i = 1; i < id.length; i++) {
    const d = id.charCodeAt(i);
    if (d < 48 || d > 57 || (i === 1 && d === 48)) return undefined;
  }
  return Number(id.slice(1));
}

/** The sequence number of a record (its id's). */
export function recordSeq(r: { id: string }): number {
  return seqOfId(r.id);
}

/** The record with exactly id `id` (`prefix` and its number) in a buffer the records entered in id order. */
export function findRecord<T extends { id: string }>(buffer: RingBuffer<T>, id: string, prefix: string): T | undefined {
  const seq = parseRecordId(id, prefix);
  return seq === undefined ? undefined : buffer.findSorted(seq, recordSeq);
}
