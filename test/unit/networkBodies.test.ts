import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyUnavailableText, type NetworkBody, type NetworkRecord } from '../../src/protocol/records.js';
import { buildHar } from '../../src/telemetry/har.js';
import { NetworkCollector } from '../../src/telemetry/network.js';
import { BodyBudget } from '../../src/telemetry/networkBodies.js';

const OFFSET = 1718000000 - 81200;

function collector(over: Partial<ConstructorParameters<typeof NetworkCollector>[0]> = {}): NetworkCollector {
  return new NetworkCollector({ maxItems: 1000, maxBytes: 1e8, maxBodyBytes: 1000, maxBodyTotalBytes: 1e6, includeAll: false, ...over });
}

let seq = 0;
/** A request that got `status` with `mime` and `bytes` of body, and finished (unless `finish` is false). */
function request(net: NetworkCollector, opts: { method?: string; status?: number; mime?: string; bytes?: number; finish?: boolean } = {}): NetworkRecord {
  const requestId = `B.${++seq}`;
  const t = 81200 + seq;
  net.handle('Network.requestWillBeSent', {
    requestId,
    loaderId: 'L',
    documentURL: 'http://127.0.0.1/',
    request: { url: `http://127.0.0.1/r/${seq}`, method: opts.method ?? 'GET', headers: {} },
    timestamp: t,
    wallTime: t + OFFSET,
    initiator: { type: 'other' },
    type: 'Fetch',
  });
  net.handle('Network.responseReceived', {
    requestId,
    loaderId: 'L',
    timestamp: t + 0.01,
    type: 'Fetch',
    response: { url: `http://127.0.0.1/r/${seq}`, status: opts.status ?? 200, statusText: '', headers: {}, mimeType: opts.mime ?? 'application/json' },
  });
  if (opts.bytes !== undefined) net.handle('Network.dataReceived', { requestId, timestamp: t + 0.02, dataLength: opts.bytes, encodedDataLength: opts.bytes });
  if (opts.finish !== false) net.handle('Network.loadingFinished', { requestId, timestamp: t + 0.03, encodedDataLength: (opts.bytes ?? 0) + 100 });
  return net.get(requestId) as NetworkRecord;
}

const text = (n: number): NetworkBody => ({ data: 'x'.repeat(n), base64: false, truncated: false, size: n });

test('which finished requests have their body fetched at once, and why the others have none', () => {
  const net = collector();
  const json = request(net, { bytes: 20 });
  assert.equal(net.bodies.toPrefetch(json.requestId), json);
  const image = request(net, { mime: 'image/png', bytes: 20 });
  assert.equal(net.bodies.toPrefetch(image.requestId), undefined, 'binary: on demand only');
  assert.equal(image.bodyUnavailable, undefined, 'it may still be fetched on demand');
  const big = request(net, { bytes: 5000 });
  assert.equal(net.bodies.toPrefetch(big.requestId), undefined);
  assert.equal(big.bodyUnavailable, 'too-large');
  for (const r of [request(net, { status: 204 }), request(net, { status: 304 }), request(net, { method: 'HEAD' })]) {
    assert.equal(r.bodyUnavailable, 'empty');
    assert.equal(net.bodies.toPrefetch(r.requestId), undefined);
  }
  const running = request(net, { finish: false });
  assert.equal(net.bodies.toPrefetch(running.requestId), undefined);
  net.bodies.setBody(json, text(20));
  assert.equal(net.bodies.toPrefetch(json.requestId), undefined, 'fetched once');
});

test('a redirect hop has no body of its own', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', {
    requestId: 'R.1',
    loaderId: 'L',
    documentURL: 'x',
    request: { url: 'http://127.0.0.1/a', method: 'GET', headers: {} },
    timestamp: 81300,
    wallTime: 81300 + OFFSET,
    initiator: { type: 'other' },
    type: 'Fetch',
  });
  net.handle('Network.requestWillBeSent', {
    requestId: 'R.1',
    loaderId: 'L',
    documentURL: 'x',
    request: { url: 'http://127.0.0.1/b', method: 'GET', headers: {} },
    timestamp: 81300.1,
    wallTime: 81300.1 + OFFSET,
    initiator: { type: 'other' },
    type: 'Fetch',
    redirectResponse: { url: 'http://127.0.0.1/a', status: 302, statusText: 'Found', headers: { Location: '/b' }, mimeType: 'text/html' },
  });
  const [hop, final] = net.all();
  assert.equal(hop?.bodyUnavailable, 'empty');
  assert.equal(final?.bodyUnavailable, undefined);
});

test("the body budget keeps the newest requests' bodies, whatever order they were fetched in", () => {
  const net = collector({ maxBodyBytes: 1000, maxBodyTotalBytes: 2500 });
  const rs = Array.from({ length: 4 }, () => request(net, { bytes: 900 }));
  const [a, b, c, d] = rs as [NetworkRecord, NetworkRecord, NetworkRecord, NetworkRecord];
  net.bodies.setBody(b, text(900));
  assert.equal(net.bodies.wantsBody(a), true, 'room left');
  net.bodies.setBody(c, text(900));
  assert.equal(net.bodies.wantsBody(a), false, 'no room for it, and only newer bodies to drop');
  net.bodies.setBody(d, text(900));
  // Three bodies (and their overhead) pass 2500 bytes: the oldest request's goes.
  assert.equal(b.body, undefined);
  assert.equal(b.bodyUnavailable, 'evicted');
  assert.ok(c.body && d.body);
  // Full of newer bodies: the oldest request would be dropped as soon as it was fetched.
  assert.equal(net.bodies.wantsBody(a), false);
  assert.equal(net.bodies.toPrefetch(a.requestId), undefined);
  // An explicit fetch still gets its body back (details shows it) though the budget does not keep it.
  const shown = net.bodies.setBody(a, text(900));
  assert.equal(shown.data.length, 900);
  assert.equal(a.body, undefined);
  assert.equal(a.bodyUnavailable, 'evicted');
  assert.deepEqual([net.bodies.stats().count, net.bodies.stats().evicted], [2, 2]);
  assert.ok(net.bodies.stats().bytes <= 2500);
});

test('one body of --max-body-size always fits, however small the budget', () => {
  const budget = new BodyBudget(10);
  assert.equal(budget.maxBytes, 10);
  const net = collector({ maxBodyBytes: 5000, maxBodyTotalBytes: 10 });
  const r = request(net, { bytes: 4000 });
  net.bodies.setBody(r, text(4000));
  assert.equal(r.body?.data.length, 4000);
  assert.equal(net.bodies.stats().maxBytes, 5000);
});

test('a reason is cleared by a body that arrives, is not overwritten by a later failure, and says why in the HAR', () => {
  const net = collector();
  const big = request(net, { bytes: 5000 });
  net.bodies.noBody(big, 'not-kept');
  assert.equal(big.bodyUnavailable, 'too-large');
  net.bodies.setBody(big, text(5000));
  assert.equal(big.bodyUnavailable, undefined);
  assert.equal(big.body?.truncated, true);
  const gone = request(net, { bytes: 10 });
  net.bodies.noBody(gone, 'not-kept');
  const har = buildHar({ records: [big, gone], navigations: [], creator: { name: 'bdg', version: 't' } });
  assert.match(har.log.entries[0]?.response.content.comment ?? '', /truncated/);
  assert.equal(har.log.entries[1]?.response.content.comment, bodyUnavailableText('not-kept'));
  assert.equal(har.log.entries[1]?.response.content.text, undefined);
  // A record that left the buffer is not touched.
  const small = collector({ maxItems: 1 });
  const first = request(small, { bytes: 10 });
  request(small, { bytes: 10 });
  small.bodies.setBody(first, text(10));
  small.bodies.noBody(first, 'failed');
  assert.equal(first.body, undefined);
  assert.equal(first.bodyUnavailable, undefined);
  assert.equal(small.bodies.stats().count, 0);
});

test('every reason has its sentence', () => {
  for (const reason of ['empty', 'too-large', 'binary', 'evicted', 'not-kept', 'failed'] as const) assert.ok(bodyUnavailableText(reason).length > 10, reason);
  assert.match(bodyUnavailableText('not-kept'), /navigation/);
  assert.match(bodyUnavailableText('too-large'), /--max-body-size/);
});

test('short identical bodies share one frozen object; the byte count follows bodies replaced and evicted', () => {
  const net = collector({ maxBodyBytes: 100, maxBodyTotalBytes: 500 });
  const ok = (): NetworkBody => ({ data: 'ok', base64: false, truncated: false, size: 2 });
  const [a, b] = [request(net, { bytes: 2 }), request(net, { bytes: 2 })];
  net.bodies.setBody(a, ok());
  net.bodies.setBody(b, ok());
  assert.equal(a.body, b.body, 'one object for the same short text');
  assert.ok(Object.isFrozen(a.body));
  assert.deepEqual(a.body, ok());
  // Base64 and longer bodies are each their own.
  const [c, d] = [request(net, { bytes: 3 }), request(net, { bytes: 3 })];
  net.bodies.setBody(c, { data: 'b2s=', base64: true, truncated: false, size: 2 });
  net.bodies.setBody(d, { data: 'b2s=', base64: true, truncated: false, size: 2 });
  assert.notEqual(c.body, d.body);
  // Each body costs its characters and 96 bytes; a replaced body is no longer counted.
  assert.equal(net.bodies.stats().bytes, 2 * 98 + 2 * 100);
  net.bodies.setBody(a, text(10));
  assert.equal(net.bodies.stats().bytes, 106 + 98 + 2 * 100);
  assert.equal(net.bodies.stats().count, 4);
  // Past 500 bytes the oldest goes, and with it what it counted; the shared body stays with the other record.
  const e = request(net, { bytes: 50 });
  net.bodies.setBody(e, text(50));
  assert.deepEqual([a.body, a.bodyUnavailable, b.body?.data], [undefined, 'evicted', 'ok']);
  assert.equal(net.bodies.stats().count, 4);
  assert.equal(net.bodies.stats().bytes, 98 + 2 * 100 + 146);
});
