import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, FrameTooLargeError, encodeFrame } from '../../src/protocol/framing.js';

test('frames split across chunks are reassembled', () => {
  const d = new FrameDecoder(1024);
  const text = encodeFrame({ a: 1 }) + encodeFrame({ b: 'x'.repeat(100) });
  const bytes = Buffer.from(text);
  const out: unknown[] = [];
  for (let i = 0; i < bytes.length; i += 7) for (const f of d.push(bytes.subarray(i, i + 7))) out.push(f);
  assert.deepEqual(out, [
    { ok: true, value: { a: 1 } },
    { ok: true, value: { b: 'x'.repeat(100) } },
  ]);
  assert.equal(d.buffered, 0);
});

test('several frames in one chunk, blank lines skipped, multi-byte characters split across chunks', () => {
  const d = new FrameDecoder(1024);
  const bytes = Buffer.from(`${encodeFrame({ s: 'żółć' })}\n${encodeFrame([1, 2])}`);
  const cut = bytes.indexOf(0xc5) + 1; // inside the first two-byte character
  const out = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
  assert.deepEqual(out, [
    { ok: true, value: { s: 'żółć' } },
    { ok: true, value: [1, 2] },
  ]);
});

test('bad JSON is reported per frame and does not poison the next one', () => {
  const d = new FrameDecoder(1024);
  const out = d.push(Buffer.from('{nope\n{"ok":1}\n'));
  assert.equal(out.length, 2);
  assert.equal(out[0]?.ok, false);
  assert.deepEqual(out[1], { ok: true, value: { ok: 1 } });
});

test('a frame over the limit throws, with or without a newline', () => {
  assert.throws(() => new FrameDecoder(10).push(Buffer.from('x'.repeat(11))), FrameTooLargeError);
  const d = new FrameDecoder(10);
  d.push(Buffer.from('x'.repeat(6)));
  assert.throws(() => d.push(Buffer.from('y'.repeat(6))), FrameTooLargeError);
  assert.throws(() => new FrameDecoder(10).push(Buffer.from(`${'z'.repeat(20)}\n`)), FrameTooLargeError);
});
