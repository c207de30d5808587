import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkRecord } from '../../src/protocol/records.js';
import { orderRequests, transferredSize } from '../../src/telemetry/networkOrder.js';
import { pageScope } from '../../src/daemon/handlers/network.js';

function r(n: number, durationMs: number | undefined, size: number | undefined): NetworkRecord {
  const rec: NetworkRecord = {
    id: `n${n}`,
    requestId: `R${n}`,
    url: `http://x/${n}`,
    method: 'GET',
    state: durationMs === undefined ? 'pending' : 'finished',
    requestHeaders: {},
    startedAt: 1000 + n,
    navigation: 0,
  };
  if (durationMs !== undefined) rec.durationMs = durationMs;
  if (size !== undefined) rec.encodedDataLength = size;
  return rec;
}

// n1..n6: durations and sizes in no particular order; n6 still pending (no duration, no size).
const RECORDS = [r(1, 30, 500), r(2, 10, 9000), r(3, 50, 100), r(4, 20, 700), r(5, 40, 300), r(6, undefined, undefined)];
const ids = (list: NetworkRecord[]): string[] => list.map((x) => x.id);

test('--last N keeps the N highest by the key; the sign only orders them', () => {
  assert.deepEqual(ids(orderRequests(RECORDS, 'start', 3)), ['n4', 'n5', 'n6']);
  assert.deepEqual(ids(orderRequests(RECORDS, '-start', 3)), ['n6', 'n5', 'n4']);
  assert.deepEqual(ids(orderRequests(RECORDS, 'duration', 3)), ['n1', 'n5', 'n3']);
  assert.deepEqual(ids(orderRequests(RECORDS, '-duration', 3)), ['n3', 'n5', 'n1']);
  assert.deepEqual(ids(orderRequests(RECORDS, 'size', 2)), ['n4', 'n2']);
  assert.deepEqual(ids(orderRequests(RECORDS, '-size', 2)), ['n2', 'n4']);
  // Everything: pending ones (no duration, no size yet) count as the lowest.
  assert.deepEqual(ids(orderRequests(RECORDS, '-duration', 100)), ['n3', 'n5', 'n1', 'n4', 'n2', 'n6']);
  assert.deepEqual(ids(orderRequests(RECORDS, 'size', 100)), ['n6', 'n3', 'n5', 'n1', 'n4', 'n2']);
  assert.deepEqual(orderRequests(RECORDS, 'size', 0), []);
  // Ties keep request order.
  assert.deepEqual(ids(orderRequests([r(1, 5, 1), r(2, 5, 1)], 'duration', 10)), ['n1', 'n2']);
});

test('a WebSocket counts the bytes of its frames as its size', () => {
  assert.equal(
    transferredSize({
      encodedDataLength: 10,
      webSocket: { state: 'open', framesSent: 1, framesReceived: 1, bytesSent: 5, bytesReceived: 7, framesDropped: 0 },
    }),
    12,
  );
  assert.equal(transferredSize({ encodedDataLength: 10 }), 10);
});

test('--page current|all with --current as an alias; contradicting them is refused', () => {
  assert.equal(pageScope({ current: false }), 'all');
  assert.equal(pageScope({ current: true }), 'current');
  assert.equal(pageScope({ current: false, page: 'current' }), 'current');
  assert.equal(pageScope({ current: true, page: 'current' }), 'current');
  assert.throws(() => pageScope({ current: true, page: 'all' }), /contradict/);
});
