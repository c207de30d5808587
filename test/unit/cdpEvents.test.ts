import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdpEventLog } from '../../src/telemetry/cdpEvents.js';

test('keeps raw events in order, filters by event or domain in any case, newest N', () => {
  const log = new CdpEventLog({ maxItems: 100, maxBytes: 1e6, maxEventBytes: 1e5 });
  log.record('Network.requestWillBeSent', { requestId: '1' }, 'S1', 1000);
  log.record('Page.loadEventFired', { timestamp: 1 }, 'S1', 1001);
  log.record('Network.requestWillBeSent', { requestId: '2' }, 'S1', 1002);
  log.record('Target.targetCreated', { targetInfo: {} }, undefined, 1003);
  const r = log.query({ filter: 'network.requestwillbesent', last: 10 });
  assert.deepEqual(
    r.events.map((e) => e.params),
    [{ requestId: '1' }, { requestId: '2' }],
  );
  assert.deepEqual(r.events[0], { seq: 1, method: 'Network.requestWillBeSent', timestamp: 1000, sessionId: 'S1', params: { requestId: '1' } });
  assert.equal(r.matched, 2);
  assert.equal(r.lastSeq, 4);
  assert.deepEqual(
    log.query({ filter: 'Network.requestWillBeSent', last: 1 }).events.map((e) => e.seq),
    [3],
  );
  assert.deepEqual(
    log.query({ filter: 'Target', last: 10 }).events.map((e) => [e.method, e.sessionId]),
    [['Target.targetCreated', undefined]],
  );
  assert.equal(log.query({ filter: 'Net', last: 10 }).events.length, 0, 'a domain filter matches whole domain names only');
  assert.deepEqual(
    log.query({ filter: 'Network.requestWillBeSent', after: 1, last: 10 }).events.map((e) => e.seq),
    [3],
  );
  assert.deepEqual(log.query({ filter: 'Network.requestWillBeSent', last: 0 }), { events: [], lastSeq: 4, matched: 2 });
});

test('params are a snapshot: later mutation by a collector does not change history', () => {
  const log = new CdpEventLog({ maxItems: 10, maxBytes: 1e6, maxEventBytes: 1e5 });
  const params = { n: 1 };
  log.record('A.b', params, undefined);
  params.n = 2;
  assert.deepEqual(log.query({ filter: 'A.b', last: 1 }).events[0]?.params, { n: 1 });
});

test('bounded by count and bytes, newest kept, dropped counted; oversized params noted, not kept', () => {
  const log = new CdpEventLog({ maxItems: 3, maxBytes: 1e6, maxEventBytes: 1e5 });
  for (let i = 0; i < 10; i++) log.record('A.b', { i }, undefined);
  assert.deepEqual(
    log.query({ filter: 'A.b', last: 10 }).events.map((e) => e.params),
    [{ i: 7 }, { i: 8 }, { i: 9 }],
  );
  assert.equal(log.stats().dropped, 7);
  assert.equal(log.stats().total, 10);

  const small = new CdpEventLog({ maxItems: 1000, maxBytes: 2_000, maxEventBytes: 500 });
  for (let i = 0; i < 50; i++) small.record('A.b', { pad: 'x'.repeat(100), i }, undefined);
  const s = small.stats();
  assert.ok(s.bytes <= 2_000, `bytes ${s.bytes}`);
  assert.ok(s.dropped > 0 && s.count + s.dropped === 50);
  assert.equal((small.query({ filter: 'A.b', last: 1 }).events[0]?.params as { i: number } | undefined)?.i, 49);

  small.record('Big.one', { pad: 'y'.repeat(10_000) }, undefined);
  const big = small.query({ filter: 'Big.one', last: 1 }).events[0];
  assert.equal(big?.params, null);
  assert.ok((big?.truncated?.bytes ?? 0) > 10_000);
});

test('packing compresses the kept events without changing what queries return', () => {
  const log = new CdpEventLog({ maxItems: 500, maxBytes: 1e7, maxEventBytes: 5_000 });
  for (let i = 0; i < 350; i++)
    log.record(i % 3 === 0 ? 'Network.dataReceived' : 'Runtime.consoleAPICalled', { i, text: `message ${i} é 😀`, pad: 'x'.repeat(i % 7) }, 'S1', 1000 + i);
  log.record('Big.one', { pad: 'y'.repeat(10_000) }, undefined, 2000);
  const before = log.query({ filter: 'Network,Runtime,Big', last: 1000 });
  const stats = log.stats();
  log.pack();
  assert.deepEqual(log.query({ filter: 'Network,Runtime,Big', last: 1000 }), before);
  assert.deepEqual(
    log.query({ filter: 'Network.dataReceived', after: 300, last: 2 }).events.map((e) => e.params),
    [
      { i: 345, text: 'message 345 é 😀', pad: 'x'.repeat(345 % 7) },
      { i: 348, text: 'message 348 é 😀', pad: 'x'.repeat(348 % 7) },
    ],
  );
  assert.deepEqual(log.stats(), stats);
  // Events after the pack, and a second pack, mix with the packed ones.
  for (let i = 350; i < 600; i++) log.record('Runtime.consoleAPICalled', { i }, 'S1', 1000 + i);
  log.pack();
  const all = log.query({ filter: 'Runtime', last: 1000 }).events;
  // 601 recorded, 101 dropped (i = 0..100, 67 of them Runtime): 233 - 67 of the first 350 are left, and 250 new.
  assert.equal(all.length, 166 + 250);
  assert.deepEqual(all.at(-1)?.params, { i: 599 });
  assert.equal(log.stats().dropped, 101);
});
