import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from 'devtools-protocol';
import { parseSetCookie } from '../../src/telemetry/cookies.js';
import { NetworkCollector, computeTimings } from '../../src/telemetry/network.js';
import { TIMING } from '../helpers/cdpFixtures.js';
import { PackedTimings } from '../../src/telemetry/networkRecord.js';
import { cutStrings } from '../../src/util/bounded.js';
import type { NetworkTimings } from '../../src/protocol/records.js';

const timingNames: (keyof NetworkTimings)[] = ['blocked', 'dns', 'connect', 'ssl', 'send', 'wait', 'receive'];

test('computeTimings follows the DevTools HAR breakdown', () => {
  const t = computeTimings({ issueTime: 81234.5, timing: TIMING, responseTime: 81234.5679 + 0.0083, endTime: 81234.625 });
  assert.deepEqual(t, { blocked: 67.95, dns: 0.35, connect: 0.85, ssl: -1, send: 0.3, wait: 7.1, receive: 48.8 });
  const tls = computeTimings({ issueTime: 10, timing: { ...TIMING, requestTime: 10, sslStart: 0.5, sslEnd: 0.8 }, responseTime: 10.0083, endTime: 10.01 });
  assert.equal(tls.ssl, 0.3);
  assert.equal(tls.blocked, 0.05, 'not queued: only the stall before dns');
});

test('computeTimings without Chrome timing: all blocked when nothing came back, wait/receive from events otherwise', () => {
  assert.deepEqual(computeTimings({ issueTime: 5, endTime: 5.02 }), { blocked: 20, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 });
  const cached = computeTimings({ issueTime: 5, responseTime: 5.001, endTime: 5.003 });
  assert.equal(cached.wait, 1);
  assert.equal(cached.receive, 2);
  const failedAfterConnect = computeTimings({ issueTime: 81234.5679, timing: TIMING, endTime: 81234.6179 });
  assert.equal(failedAfterConnect.wait, 48.8);
  assert.equal(failedAfterConnect.receive, 0);
});

function collector(): NetworkCollector {
  return new NetworkCollector({ maxItems: 100, maxBytes: 1e7, maxBodyBytes: 16, includeAll: false, now: () => 42 });
}

function willBeSent(requestId: string, over: Partial<Protocol.Network.Request> = {}): Protocol.Network.RequestWillBeSentEvent {
  return {
    requestId,
    loaderId: 'L',
    documentURL: 'http://localhost:3000/',
    request: { url: 'http://localhost:3000/api', method: 'GET', headers: {}, initialPriority: 'High', referrerPolicy: 'no-referrer', ...over },
    timestamp: 81234.5,
    wallTime: 1718000034.5,
    initiator: { type: 'other' },
    redirectHasExtraInfo: false,
    type: 'Fetch',
  };
}

function response(over: Partial<Protocol.Network.Response> = {}): Protocol.Network.Response {
  return {
    url: 'http://localhost:3000/api',
    status: 200,
    statusText: 'OK',
    headers: {},
    mimeType: 'application/json',
    charset: '',
    connectionReused: false,
    connectionId: 1,
    encodedDataLength: 100,
    securityState: 'neutral',
    timing: TIMING,
    ...over,
  };
}

test('a finished request gets its timing, decoded size, priority, extra-info cookies and raw header size', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', willBeSent('1'));
  net.handle('Network.requestWillBeSentExtraInfo', {
    requestId: '1',
    headers: { Cookie: 'sid=abc' },
    associatedCookies: [
      {
        blockedReasons: [],
        cookie: {
          name: 'sid',
          value: 'abc',
          domain: 'localhost',
          path: '/',
          expires: -1,
          size: 6,
          httpOnly: true,
          secure: false,
          session: true,
          priority: 'Medium',
          sameParty: false,
          sourceScheme: 'NonSecure',
          sourcePort: 3000,
        },
      },
      {
        blockedReasons: ['NotOnPath'],
        cookie: {
          name: 'adm',
          value: '1',
          domain: 'localhost',
          path: '/admin',
          expires: 1718003600,
          size: 4,
          httpOnly: false,
          secure: false,
          session: false,
          priority: 'Medium',
          sameParty: false,
          sourceScheme: 'NonSecure',
          sourcePort: 3000,
        },
      },
    ],
    connectTiming: { requestTime: 81234.5679 },
  });
  net.handle('Network.responseReceivedExtraInfo', {
    requestId: '1',
    blockedCookies: [{ blockedReasons: ['SameSiteNoneInsecure'], cookieLine: 'track=1; SameSite=None' }],
    headers: { 'Content-Type': 'application/json', 'Set-Cookie': 'sid=new; Path=/; HttpOnly\ntrack=1; SameSite=None' },
    resourceIPAddressSpace: 'Local',
    statusCode: 200,
    headersText: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n',
    cookiePartitionKeyOpaque: false,
  });
  net.handle('Network.responseReceived', { requestId: '1', loaderId: 'L', timestamp: 81234.58, type: 'Fetch', response: response(), hasExtraInfo: true });
  net.handle('Network.dataReceived', { requestId: '1', timestamp: 81234.6, dataLength: 700, encodedDataLength: 0 });
  net.handle('Network.dataReceived', { requestId: '1', timestamp: 81234.61, dataLength: 300, encodedDataLength: 0 });
  net.handle('Network.loadingFinished', { requestId: '1', timestamp: 81234.625, encodedDataLength: 600 });
  const r = net.get('n1');
  assert.ok(r);
  assert.equal(r.decodedBodyLength, 1000);
  assert.equal(r.priority, 'High');
  assert.equal(r.responseHeadersSize, 51);
  const phases = { blocked: 67.95, dns: 0.35, connect: 0.85, ssl: -1, send: 0.3, wait: 7.1, receive: 48.8 };
  // Kept packed (PackedTimings), read by name, written out as the object.
  assert.ok(r.timing instanceof PackedTimings);
  assert.deepEqual(
    timingNames.map((k) => r.timing?.[k]),
    Object.values(phases),
  );
  assert.deepEqual((JSON.parse(JSON.stringify(r)) as { timing: unknown }).timing, phases);
  assert.deepEqual((JSON.parse(JSON.stringify({ ...r })) as { timing: unknown }).timing, phases, 'a copy of the record writes the same');
  // The listings' string cutting walks results: the copy it makes is still the breakdown.
  assert.deepEqual((JSON.parse(JSON.stringify(cutStrings({ item: r }).value)) as { item: { timing: unknown } }).item.timing, phases);
  assert.deepEqual(r.requestCookies, [
    { name: 'sid', value: 'abc', domain: 'localhost', path: '/', httpOnly: true },
    { name: 'adm', value: '1', domain: 'localhost', path: '/admin', expires: '2024-06-10T07:13:20.000Z', blockedReasons: ['NotOnPath'] },
  ]);
  assert.deepEqual(r.responseCookies, [
    { name: 'sid', value: 'new', path: '/', httpOnly: true },
    { name: 'track', value: '1', sameSite: 'None', blockedReasons: ['SameSiteNoneInsecure'] },
  ]);
});

test('a body left out of the event is flagged and stored (capped) once fetched; cache sources are told apart', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', willBeSent('1', { method: 'POST', hasPostData: true }));
  const r = net.get('n1');
  assert.ok(r);
  assert.equal(r.hasPostData, true);
  net.bodies.setPostData(r, 'a'.repeat(40));
  assert.equal(r.postData, 'a'.repeat(16));
  assert.equal(r.postDataTruncated, true);
  assert.equal(r.hasPostData, undefined);

  net.handle('Network.requestWillBeSent', willBeSent('2'));
  net.handle('Network.responseReceived', {
    requestId: '2',
    loaderId: 'L',
    timestamp: 81234.58,
    type: 'Fetch',
    response: response({ fromDiskCache: true }),
    hasExtraInfo: false,
  });
  net.handle('Network.requestWillBeSent', willBeSent('3'));
  net.handle('Network.requestServedFromCache', { requestId: '3' });
  net.handle('Network.requestWillBeSent', willBeSent('4'));
  net.handle('Network.responseReceived', {
    requestId: '4',
    loaderId: 'L',
    timestamp: 81234.58,
    type: 'Fetch',
    response: response({ fromServiceWorker: true, serviceWorkerResponseSource: 'cache-storage' }),
    hasExtraInfo: false,
  });
  assert.equal(net.get('n2')?.cacheSource, 'disk');
  assert.equal(net.get('n3')?.cacheSource, 'memory');
  assert.equal(net.get('n4')?.fromServiceWorker, true);
  assert.equal(net.get('n4')?.serviceWorkerResponseSource, 'cache-storage');
});

test('parseSetCookie reads the attributes case-insensitively; Max-Age wins over Expires', () => {
  assert.deepEqual(parseSetCookie('id=a3f; Domain=.example.com; path=/app; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure; HTTPONLY; samesite=lax'), {
    name: 'id',
    value: 'a3f',
    domain: '.example.com',
    path: '/app',
    expires: '2026-10-21T07:28:00.000Z',
    secure: true,
    httpOnly: true,
    sameSite: 'Lax',
  });
  const c = parseSetCookie('x=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60');
  assert.ok(c?.expires !== undefined && Date.parse(c.expires) > Date.now());
  assert.equal(parseSetCookie('garbage'), undefined);
});
