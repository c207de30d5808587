import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkCollector } from '../../src/telemetry/network.js';
import { buildHar } from '../../src/telemetry/har.js';
import { frameOf, WebSocketFrameStore, type WebSocketLimits } from '../../src/telemetry/webSocket.js';
import { parseNetworkFilter } from '../../src/telemetry/filter.js';
import { WS_EVENTS } from '../helpers/wsEvents.js';

const WIDE: WebSocketLimits = { maxFrames: 1000, maxBytes: 1e7, perSocketFrames: 1000, perSocketBytes: 1e7, maxPayloadBytes: 1024 };

function collector(webSocket: WebSocketLimits = WIDE): NetworkCollector {
  return new NetworkCollector({ maxItems: 1000, maxBytes: 1e7, maxBodyBytes: 1e6, includeAll: false, now: () => 42, webSocket });
}

/** Feeds the recorded events up to (not including) the first one `stop` accepts. */
function replay(net: NetworkCollector, stop?: (method: string, params: unknown) => boolean): void {
  for (const [method, params] of WS_EVENTS) {
    if (stop?.(method, params) === true) return;
    net.handle(method, params);
  }
}

test('each socket is a record: created, handshake headers, 101, frames counted, closed', () => {
  const net = collector();
  replay(net);
  const [echo, refused] = net.all();
  assert.ok(echo && refused);
  assert.equal(echo.id, 'n1');
  assert.equal(echo.url, 'ws://127.0.0.1:33687/echo?token=abc');
  assert.equal(echo.method, 'GET');
  assert.equal(echo.resourceType, 'WebSocket');
  assert.equal(echo.status, 101);
  assert.equal(echo.statusText, 'Switching Protocols');
  assert.equal(echo.state, 'finished');
  assert.equal(echo.requestHeaders['Sec-WebSocket-Version'], '13');
  assert.equal(echo.responseHeaders?.['Sec-WebSocket-Accept'], 'KzuOUKFYOTHzvuho6+kjr1Oxqv8=');
  assert.equal(echo.initiator?.url, 'http://127.0.0.1:33687/');
  assert.equal(echo.initiator?.lineNumber, 2);
  // Start from the handshake's wall time; duration from the monotonic timestamps (handshake to close).
  assert.equal(echo.startedAt, 1796166080180.187);
  assert.equal(echo.durationMs, 144.455);
  assert.deepEqual(echo.webSocket, {
    state: 'closed',
    framesSent: 2,
    framesReceived: 2,
    bytesSent: 9,
    bytesReceived: 9,
    framesDropped: 0,
    closedAt: echo.finishedAt,
  });

  // The socket whose handshake got a 404: failed, with Chrome's error, and no status.
  assert.equal(refused.state, 'failed');
  assert.equal(refused.status, undefined);
  assert.equal(refused.errorText, 'Error during WebSocket handshake: Unexpected response code: 404');
  assert.equal(refused.webSocket?.state, 'closed');
  assert.equal(refused.webSocket?.error, refused.errorText);
  // Sockets never count as pending requests.
  assert.equal(net.pending(), 0);
  assert.deepEqual(net.webSocketStats(), {
    count: 2,
    open: 0,
    frames: { count: 5, bytes: net.webSocketStats().frames.bytes, dropped: 0, maxItems: 1000, maxBytes: 1e7 },
  });
});

test('frames: direction, time, opcode, size; text as text, binary as base64; the error frame', () => {
  const net = collector();
  replay(net);
  const frames = net.webSockets.allOf('n1');
  assert.deepEqual(
    frames.map((f) => [f.type, f.opcode, f.size, f.data]),
    [
      ['send', 1, 5, 'hello'],
      ['send', 2, 4, 'AQIDBA=='],
      ['receive', 1, 5, 'hello'],
      ['receive', 2, 4, 'AQIDBA=='],
    ],
  );
  // Wall time from the handshake's wallTime/timestamp pair.
  assert.equal(frames[0]?.time, 1796166080191.015);
  assert.deepEqual(
    net.webSockets.allOf('n2').map((f) => [f.type, f.opcode, f.data]),
    [['error', -1, 'Error during WebSocket handshake: Unexpected response code: 404']],
  );
  // --since and --last select by frame number.
  const after = net.webSockets.frames('n1', { since: frames[1]?.seq ?? 0, last: 1 });
  assert.equal(after.matched, 2);
  assert.deepEqual(
    after.frames.map((f) => f.data),
    ['AQIDBA=='],
  );
});

test('an open socket is pending (is:running matches it) but not a pending request; open counted', () => {
  const net = collector();
  replay(net, (m) => m === 'Network.webSocketFrameReceived');
  const echo = net.get('n1');
  assert.equal(echo?.state, 'pending');
  assert.equal(echo?.webSocket?.state, 'open');
  assert.equal(net.pending(), 0);
  assert.equal(net.webSocketStats().open, 2, 'the open one and the one still handshaking');
  assert.ok(parseNetworkFilter('is:running').matches(echo));
  assert.ok(parseNetworkFilter('resource-type:websocket scheme:ws').matches(echo));
  // Looked up by its CDP requestId as well.
  assert.equal(net.get('19389.2'), echo);
});

test('the HAR carries the frames as _webSocketMessages, as DevTools exports them', () => {
  const net = collector();
  replay(net);
  const har = buildHar({ records: net.all(), navigations: [], creator: { name: 'bdg', version: 't' }, webSocketFrames: (r) => net.webSockets.allOf(r.id) });
  const entry = har.log.entries[0];
  assert.equal(entry?._resourceType, 'websocket');
  assert.equal(entry?.response.status, 101);
  assert.deepEqual(entry?._webSocketMessages?.[0], { type: 'send', time: 1796166080.191015, opcode: 1, data: 'hello' });
  assert.deepEqual(
    entry?._webSocketMessages?.map((m) => m.type),
    ['send', 'send', 'receive', 'receive'],
  );
  const error = har.log.entries[1]?._webSocketMessages?.[0];
  assert.deepEqual(error && { ...error, time: Math.round(error.time * 1000) }, {
    type: 'error',
    time: 1796166080316,
    opcode: -1,
    data: 'Error during WebSocket handshake: Unexpected response code: 404',
  });
  assert.ok(!('_webSocketMessages' in (buildHar({ records: [], navigations: [], creator: { name: 'bdg', version: 't' } }).log.entries[0] ?? {})));
});

test('frames are bounded per socket and in all: newest kept, drops counted on the socket and in total', () => {
  const net = collector({ maxFrames: 5, maxBytes: 1e7, perSocketFrames: 3, perSocketBytes: 1e7, maxPayloadBytes: 1024 });
  replay(net, (m) => m === 'Network.webSocketFrameSent');
  const send = (requestId: string, text: string): void =>
    net.handle('Network.webSocketFrameSent', { requestId, timestamp: 3497, response: { opcode: 1, mask: true, payloadData: text } });
  for (let i = 0; i < 5; i++) send('19389.2', `a${i}`);
  assert.deepEqual(
    net.webSockets.allOf('n1').map((f) => f.data),
    ['a2', 'a3', 'a4'],
  );
  assert.equal(net.get('n1')?.webSocket?.framesDropped, 2);
  assert.equal(net.get('n1')?.webSocket?.framesSent, 5, 'counts include dropped frames');
  for (let i = 0; i < 3; i++) send('19389.3', `b${i}`);
  // 6 kept would pass the total of 5: the oldest of all (a2) goes.
  assert.deepEqual(
    net.webSockets.allOf('n1').map((f) => f.data),
    ['a3', 'a4'],
  );
  assert.deepEqual(
    net.webSockets.allOf('n2').map((f) => f.data),
    ['b0', 'b1', 'b2'],
  );
  assert.equal(net.webSockets.stats().count, 5);
  assert.equal(net.webSockets.stats().dropped, 3);
  assert.equal(net.get('n1')?.webSocket?.framesDropped, 3);
});

test('the byte bounds hold too, a payload is cut at its bound, and a socket leaving the buffer takes its frames', () => {
  const store = new WebSocketFrameStore({ maxFrames: 100, maxBytes: 1e6, perSocketFrames: 100, perSocketBytes: 1000, maxPayloadBytes: 300 });
  for (let i = 0; i < 10; i++)
    store.add('n1', frameOf('receive', { opcode: 1, mask: false, payloadData: `${i}`.repeat(400) }, i, store.limits.maxPayloadBytes));
  const kept = store.allOf('n1');
  assert.ok(kept.length >= 1 && kept.length < 10, String(kept.length));
  assert.equal(kept[kept.length - 1]?.data, '9'.repeat(300));
  assert.equal(kept[0]?.truncated, true);
  assert.equal(kept[0]?.size, 400);
  assert.ok(store.stats().bytes <= 1000);
  const bin = frameOf('send', { opcode: 2, mask: true, payloadData: Buffer.alloc(1000, 7).toString('base64') }, 0, 300);
  assert.equal(bin.size, 1000);
  assert.equal(Buffer.from(bin.data, 'base64').length, 300);
  store.forget('n1');
  assert.deepEqual(store.stats(), { count: 0, bytes: 0, dropped: store.stats().dropped, maxItems: 100, maxBytes: 1e6 });
  assert.deepEqual(store.allOf('n1'), []);

  // Through the collector: evicting the socket's record forgets its frames.
  const net = new NetworkCollector({ maxItems: 2, maxBytes: 1e7, maxBodyBytes: 1e6, includeAll: false, webSocket: WIDE });
  replay(net);
  assert.equal(net.webSockets.stats().count, 5);
  net.handle('Network.requestWillBeSent', {
    requestId: 'X.1',
    loaderId: 'L',
    documentURL: 'http://127.0.0.1/',
    request: { url: 'http://127.0.0.1/x', method: 'GET', headers: {} },
    timestamp: 3500,
    wallTime: 1796166084,
    initiator: { type: 'other' },
    type: 'Fetch',
  });
  assert.equal(net.get('n1'), undefined);
  assert.deepEqual(net.webSockets.allOf('n1'), []);
  assert.equal(net.webSockets.stats().count, 1);
  assert.equal(net.webSocketStats().count, 1);
});

test('a socket to an analytics host is not recorded; events of unknown sockets are ignored', () => {
  const net = collector();
  net.handle('Network.webSocketCreated', { requestId: 'T.1', url: 'wss://www.google-analytics.com/collect' });
  net.handle('Network.webSocketFrameSent', { requestId: 'T.1', timestamp: 1, response: { opcode: 1, mask: true, payloadData: 'x' } });
  net.handle('Network.webSocketClosed', { requestId: 'nope', timestamp: 1 });
  assert.equal(net.stats().count, 0);
  assert.equal(net.webSockets.stats().count, 0);
});
