import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from '../../src/util/ringBuffer.js';

test('keeps the newest items and counts the dropped ones', () => {
  const dropped: number[] = [];
  const rb = new RingBuffer<number>(3, 1_000, (n) => dropped.push(n));
  for (let i = 1; i <= 5; i++) rb.push(i, 1);
  assert.deepEqual(rb.toArray(), [3, 4, 5]);
  assert.equal(rb.length, 3);
  assert.equal(rb.dropped, 2);
  assert.deepEqual(dropped, [1, 2]);
  assert.equal(rb.bytes, 3);
  assert.deepEqual([...rb], [3, 4, 5]);
});

test('grows past its initial capacity without losing order', () => {
  const rb = new RingBuffer<number>(5_000, 1e9);
  for (let i = 0; i < 3_000; i++) rb.push(i, 1);
  assert.equal(rb.length, 3_000);
  assert.equal(rb.dropped, 0);
  const all = rb.toArray();
  assert.equal(all[0], 0);
  assert.equal(all[2_999], 2_999);
  assert.ok(all.every((v, i) => v === i));
});

test('wraps around many times and stays ordered', () => {
  const rb = new RingBuffer<number>(7, 1e9);
  for (let i = 0; i < 1_000; i++) rb.push(i, 1);
  assert.deepEqual(rb.toArray(), [993, 994, 995, 996, 997, 998, 999]);
  assert.equal(rb.dropped, 993);
});

test('bounds the total bytes', () => {
  const rb = new RingBuffer<string>(100, 10);
  rb.push('a', 4);
  rb.push('b', 4);
  rb.push('c', 4); // 12 > 10: 'a' goes
  assert.deepEqual(rb.toArray(), ['b', 'c']);
  assert.equal(rb.bytes, 8);
  assert.equal(rb.dropped, 1);
  rb.push('big', 10); // only fits alone
  assert.deepEqual(rb.toArray(), ['big']);
  assert.equal(rb.bytes, 10);
  assert.equal(rb.dropped, 3);
});

test('keeps an item larger than the byte bound rather than nothing', () => {
  const rb = new RingBuffer<string>(10, 5);
  rb.push('a', 1);
  rb.push('huge', 50);
  assert.deepEqual(rb.toArray(), ['huge']);
  assert.equal(rb.bytes, 50);
});

test('resize updates the byte count and evicts older items, never the resized one', () => {
  const dropped: string[] = [];
  const rb = new RingBuffer<{ name: string }>(10, 100, (x) => dropped.push(x.name));
  const a = { name: 'a' };
  const b = { name: 'b' };
  const c = { name: 'c' };
  rb.push(a, 10);
  rb.push(b, 10);
  rb.push(c, 10);
  rb.resize(c, 20);
  assert.equal(rb.bytes, 40);
  assert.equal(rb.length, 3);
  rb.resize(c, 85); // 10 + 10 + 85 > 100: a goes
  assert.deepEqual(dropped, ['a']);
  assert.deepEqual(rb.toArray(), [b, c]);
  rb.resize(c, 95); // 10 + 95 > 100: b goes too
  assert.deepEqual(dropped, ['a', 'b']);
  assert.deepEqual(rb.toArray(), [c]);
  assert.equal(rb.bytes, 95);
  rb.resize(c, 500); // alone: kept although over the bound
  assert.deepEqual(rb.toArray(), [c]);
  assert.equal(rb.dropped, 2);
});

test('resize of an item no longer in the buffer changes nothing', () => {
  const rb = new RingBuffer<{ n: number }>(2, 100);
  const gone = { n: 0 };
  rb.push(gone, 10);
  rb.push({ n: 1 }, 10);
  rb.push({ n: 2 }, 10);
  rb.resize(gone, 90);
  assert.equal(rb.bytes, 20);
  assert.equal(rb.length, 2);
});

test('last(n) returns exactly the newest n, oldest first, for every n', () => {
  const rb = new RingBuffer<number>(10, 1e9);
  for (let i = 0; i < 25; i++) rb.push(i, 1); // wrapped: holds 15..24
  const all = rb.toArray();
  assert.deepEqual(all, [15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  for (let n = 0; n <= 12; n++) {
    const expected = all.slice(Math.max(0, all.length - n));
    assert.deepEqual(rb.last(n), expected, `last(${n})`);
  }
  assert.deepEqual(rb.last(-3), []);
});

test('last(n) on an empty buffer is empty', () => {
  const rb = new RingBuffer<number>(3, 10);
  assert.deepEqual(rb.last(5), []);
  assert.deepEqual(rb.toArray(), []);
});

test('rejects non-positive bounds', () => {
  assert.throws(() => new RingBuffer<number>(0, 10), RangeError);
  assert.throws(() => new RingBuffer<number>(10, 0), RangeError);
});

test('findSorted finds items by a rising key after wrap-around and growth, and nothing that is not there', () => {
  const buf = new RingBuffer<{ seq: number }>(1500, 1e9);
  for (let seq = 1; seq <= 4000; seq += seq % 7 === 0 ? 2 : 1) buf.push({ seq }, 1);
  const kept = buf.toArray().map((x) => x.seq);
  assert.equal(kept.length, 1500);
  for (const seq of kept) assert.equal(buf.findSorted(seq, (x) => x.seq)?.seq, seq);
  const first = kept[0] as number;
  // Gaps inside the kept range (every number after a multiple of 7 was skipped) are not found either.
  const gaps = kept.filter((seq) => seq % 7 === 0).map((seq) => seq + 1);
  assert.ok(gaps.length > 100);
  for (const missing of [first - 1, 0, 4001, ...gaps])
    assert.equal(
      buf.findSorted(missing, (x) => x.seq),
      undefined,
      String(missing),
    );
  assert.equal(
    new RingBuffer<{ seq: number }>(3, 10).findSorted(1, (x) => x.seq),
    undefined,
  );
});
