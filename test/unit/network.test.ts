import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from 'devtools-protocol';
import { NetworkCollector, isTextMimeType, isTrackingHost } from '../../src/telemetry/network.js';
import { TIMING } from '../helpers/cdpFixtures.js';

// Events below are shaped as Chrome (HeadlessChrome/124) sends them over CDP.

const FRAME_ID = 'B5C1E0F7A2D94C3E8F6A1B2C3D4E5F60';
const LOADER_ID = '8E1A4C2F0B9D7E6A5C3B1D0F9E8A7C6B';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36';
/** wallTime − timestamp, in seconds, for every event in these tests. */
const WALL_OFFSET_S = 1718000000 - 81200;

function collector(overrides: Partial<ConstructorParameters<typeof NetworkCollector>[0]> = {}): NetworkCollector {
  return new NetworkCollector({ maxItems: 1000, maxBytes: 50 * 1024 * 1024, maxBodyBytes: 1024 * 1024, includeAll: false, now: () => 42, ...overrides });
}

/** A Network.Response as it comes in responseReceived or as a redirectResponse. */
function response(over: Partial<Protocol.Network.Response> & { url: string }): Protocol.Network.Response {
  return {
    status: 200,
    statusText: 'OK',
    headers: { 'Content-Type': 'text/html; charset=utf-8', Date: 'Mon, 10 Jun 2024 06:13:20 GMT', 'Content-Length': '1532' },
    mimeType: 'text/html',
    charset: 'utf-8',
    connectionReused: false,
    connectionId: 41,
    remoteIPAddress: '127.0.0.1',
    remotePort: 3000,
    fromDiskCache: false,
    fromServiceWorker: false,
    fromPrefetchCache: false,
    encodedDataLength: 212,
    timing: TIMING,
    responseTime: 1718000034131.2,
    protocol: 'http/1.1',
    alternateProtocolUsage: 'unspecifiedReason',
    securityState: 'secure',
    ...over,
  };
}

/** A script-initiated fetch to `url`. */
function fetchRequest(requestId: string, url: string, timestamp: number): Protocol.Network.RequestWillBeSentEvent {
  return {
    requestId,
    loaderId: LOADER_ID,
    documentURL: 'http://localhost:3000/',
    request: {
      url,
      method: 'GET',
      headers: { Accept: '*/*', Referer: 'http://localhost:3000/', 'User-Agent': UA, 'sec-ch-ua-platform': '"Linux"' },
      mixedContentType: 'none',
      initialPriority: 'High',
      referrerPolicy: 'strict-origin-when-cross-origin',
      isSameSite: true,
    },
    timestamp,
    wallTime: timestamp + WALL_OFFSET_S,
    initiator: {
      type: 'script',
      stack: { callFrames: [{ functionName: 'loadUsers', scriptId: '17', url: 'http://localhost:3000/static/app.js', lineNumber: 41, columnNumber: 12 }] },
    },
    redirectHasExtraInfo: false,
    type: 'Fetch',
    frameId: FRAME_ID,
    hasUserGesture: false,
  };
}

test('records a request through response and loadingFinished', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', {
    requestId: '2840.17',
    loaderId: LOADER_ID,
    documentURL: 'http://localhost:3000/',
    request: {
      url: 'http://localhost:3000/api/users?page=2',
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', Referer: 'http://localhost:3000/', 'User-Agent': UA },
      postData: '{"filter":"active"}',
      hasPostData: true,
      postDataEntries: [{ bytes: 'eyJmaWx0ZXIiOiJhY3RpdmUifQ==' }],
      mixedContentType: 'none',
      initialPriority: 'High',
      referrerPolicy: 'strict-origin-when-cross-origin',
      isSameSite: true,
    },
    timestamp: 81234.5,
    wallTime: 1718000034.5,
    initiator: {
      type: 'script',
      stack: { callFrames: [{ functionName: 'loadUsers', scriptId: '17', url: 'http://localhost:3000/static/app.js', lineNumber: 41, columnNumber: 12 }] },
    },
    redirectHasExtraInfo: false,
    type: 'Fetch',
    frameId: FRAME_ID,
    hasUserGesture: false,
  });
  assert.equal(net.pending(), 1);
  const pending = net.get('2840.17');
  assert.ok(pending);
  assert.equal(pending.id, 'n1');
  assert.equal(pending.state, 'pending');
  assert.equal(pending.method, 'POST');
  assert.equal(pending.postData, '{"filter":"active"}');
  assert.equal(pending.resourceType, 'Fetch');
  assert.equal(pending.frameId, FRAME_ID);
  assert.equal(pending.startedAt, 1718000034500);
  assert.deepEqual(pending.initiator, { type: 'script', url: 'http://localhost:3000/static/app.js', lineNumber: 42 });
  assert.equal(pending.navigation, 0);

  net.handle('Network.responseReceived', {
    requestId: '2840.17',
    loaderId: LOADER_ID,
    timestamp: 81234.58,
    type: 'Fetch',
    response: response({
      url: 'http://localhost:3000/api/users?page=2',
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      mimeType: 'application/json',
      remoteIPAddress: '::1',
      remotePort: 3000,
      protocol: 'h2',
      statusText: '',
    }),
    hasExtraInfo: false,
    frameId: FRAME_ID,
  });
  net.handle('Network.dataReceived', { requestId: '2840.17', timestamp: 81234.59, dataLength: 5120, encodedDataLength: 0 });
  net.handle('Network.loadingFinished', { requestId: '2840.17', timestamp: 81234.625, encodedDataLength: 1543 });

  const r = net.get('n1');
  assert.ok(r);
  assert.equal(r.state, 'finished');
  assert.equal(r.status, 200);
  assert.equal(r.statusText, undefined, 'HTTP/2 has no status text: the field stays absent');
  assert.equal(r.mimeType, 'application/json');
  assert.equal(r.remoteAddress, '[::1]:3000');
  assert.equal(r.protocol, 'h2');
  assert.equal(r.encodedDataLength, 1543);
  assert.equal(r.finishedAt, 1718000034625);
  assert.equal(r.durationMs, 125);
  assert.equal(r.fromCache, undefined);
  assert.deepEqual(r.responseHeaders, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  assert.equal(net.pending(), 0);
  assert.equal(net.stats().count, 1);
});

test('a redirect chain becomes one record per hop linked by redirectedFrom', () => {
  const net = collector();
  const docRequest = (url: string): Protocol.Network.Request => ({
    url,
    method: 'GET',
    headers: { 'Upgrade-Insecure-Requests': '1', 'User-Agent': UA, Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    mixedContentType: 'none',
    initialPriority: 'VeryHigh',
    referrerPolicy: 'strict-origin-when-cross-origin',
    isSameSite: true,
  });
  net.handle('Network.requestWillBeSent', {
    requestId: LOADER_ID,
    loaderId: LOADER_ID,
    documentURL: 'http://localhost:3000/old',
    request: docRequest('http://localhost:3000/old'),
    timestamp: 81200.1,
    wallTime: 1718000000.1,
    initiator: { type: 'other' },
    redirectHasExtraInfo: false,
    type: 'Document',
    frameId: FRAME_ID,
    hasUserGesture: false,
  });
  net.handle('Network.requestWillBeSentExtraInfo', {
    requestId: LOADER_ID,
    associatedCookies: [],
    headers: { Host: 'localhost:3000', Connection: 'keep-alive', Cookie: 'sid=abc123', 'User-Agent': UA },
    connectTiming: { requestTime: 81200.101 },
    siteHasCookieInOtherPartition: false,
  });
  net.handle('Network.responseReceivedExtraInfo', {
    requestId: LOADER_ID,
    blockedCookies: [],
    headers: { Location: '/login', 'Set-Cookie': 'visited=1; Path=/', 'Content-Length': '0' },
    resourceIPAddressSpace: 'Local',
    statusCode: 301,
    headersText: 'HTTP/1.1 301 Moved Permanently\r\nLocation: /login\r\nSet-Cookie: visited=1; Path=/\r\nContent-Length: 0\r\n\r\n',
  });
  net.handle('Network.requestWillBeSent', {
    requestId: LOADER_ID,
    loaderId: LOADER_ID,
    documentURL: 'http://localhost:3000/login',
    request: docRequest('http://localhost:3000/login'),
    timestamp: 81200.15,
    wallTime: 1718000000.15,
    initiator: { type: 'other' },
    redirectHasExtraInfo: true,
    redirectResponse: response({
      url: 'http://localhost:3000/old',
      status: 301,
      statusText: 'Moved Permanently',
      headers: { Location: '/login', 'Content-Length': '0' },
      mimeType: '',
      encodedDataLength: 120,
    }),
    type: 'Document',
    frameId: FRAME_ID,
    hasUserGesture: false,
  });
  net.handle('Network.requestWillBeSentExtraInfo', {
    requestId: LOADER_ID,
    associatedCookies: [],
    headers: { Host: 'localhost:3000', Cookie: 'sid=abc123; visited=1' },
    connectTiming: { requestTime: 81200.151 },
  });
  net.handle('Network.responseReceivedExtraInfo', {
    requestId: LOADER_ID,
    blockedCookies: [],
    headers: { Location: '/dashboard', 'Content-Length': '0' },
    resourceIPAddressSpace: 'Local',
    statusCode: 302,
  });
  net.handle('Network.requestWillBeSent', {
    requestId: LOADER_ID,
    loaderId: LOADER_ID,
    documentURL: 'http://localhost:3000/dashboard',
    request: docRequest('http://localhost:3000/dashboard'),
    timestamp: 81200.2,
    wallTime: 1718000000.2,
    initiator: { type: 'other' },
    redirectHasExtraInfo: true,
    redirectResponse: response({ url: 'http://localhost:3000/login', status: 302, statusText: 'Found', headers: { Location: '/dashboard' }, mimeType: '' }),
    type: 'Document',
    frameId: FRAME_ID,
    hasUserGesture: false,
  });
  net.handle('Network.responseReceived', {
    requestId: LOADER_ID,
    loaderId: LOADER_ID,
    timestamp: 81200.3,
    type: 'Document',
    response: response({ url: 'http://localhost:3000/dashboard' }),
    hasExtraInfo: false,
    frameId: FRAME_ID,
  });
  net.handle('Network.loadingFinished', { requestId: LOADER_ID, timestamp: 81200.35, encodedDataLength: 1744 });

  const [old, login, dashboard] = net.all();
  assert.ok(old && login && dashboard);
  assert.deepEqual(
    net.all().map((r) => [r.id, r.url, r.status, r.state, r.redirectedFrom]),
    [
      ['n1', 'http://localhost:3000/old', 301, 'finished', undefined],
      ['n2', 'http://localhost:3000/login', 302, 'finished', 'n1'],
      ['n3', 'http://localhost:3000/dashboard', 200, 'finished', 'n2'],
    ],
  );
  assert.equal(old.statusText, 'Moved Permanently');
  assert.equal(old.encodedDataLength, 120);
  assert.equal(old.finishedAt, 1718000000150);
  assert.equal(old.durationMs, 50);
  // Each hop got its own raw headers.
  assert.equal(old.requestHeaders['Cookie'], 'sid=abc123');
  assert.equal(old.responseHeaders?.['Set-Cookie'], 'visited=1; Path=/');
  assert.equal(login.requestHeaders['Cookie'], 'sid=abc123; visited=1');
  assert.equal(login.responseHeaders?.['Location'], '/dashboard');
  assert.equal(dashboard.requestHeaders['Cookie'], undefined);
  assert.equal(dashboard.durationMs, 150);
  // The requestId finds the latest hop; short ids find each hop.
  assert.equal(net.get(LOADER_ID), dashboard);
  assert.equal(net.get('n2'), login);
  assert.equal(net.pending(), 0);
});

test('extra-info that arrives before requestWillBeSent is merged once the request shows up', () => {
  const net = collector();
  net.handle('Network.requestWillBeSentExtraInfo', {
    requestId: '2840.30',
    associatedCookies: [
      {
        cookie: {
          name: 'sid',
          value: 'abc123',
          domain: 'localhost',
          path: '/',
          expires: -1,
          size: 9,
          httpOnly: true,
          secure: false,
          session: true,
          priority: 'Medium',
          sameParty: false,
          sourceScheme: 'NonSecure',
          sourcePort: 3000,
        },
        blockedReasons: [],
      },
    ],
    headers: { ':authority': 'localhost:3000', ':method': 'GET', ':path': '/api/me', cookie: 'sid=abc123', 'user-agent': UA },
    connectTiming: { requestTime: 81240.01 },
  });
  net.handle('Network.responseReceivedExtraInfo', {
    requestId: '2840.30',
    blockedCookies: [],
    headers: { ':status': '200', 'content-type': 'application/json', 'set-cookie': 'seen=1; Path=/\nab=b; Path=/' },
    resourceIPAddressSpace: 'Local',
    statusCode: 200,
  });
  assert.equal(net.stats().count, 0, 'extra-info alone creates no record');
  net.handle('Network.requestWillBeSent', fetchRequest('2840.30', 'http://localhost:3000/api/me', 81240));
  net.handle('Network.responseReceived', {
    requestId: '2840.30',
    loaderId: LOADER_ID,
    timestamp: 81240.05,
    type: 'Fetch',
    response: response({ url: 'http://localhost:3000/api/me', headers: { 'content-type': 'application/json' }, mimeType: 'application/json', protocol: 'h2' }),
    hasExtraInfo: true,
    frameId: FRAME_ID,
  });
  const r = net.get('2840.30');
  assert.ok(r);
  assert.equal(r.requestHeaders['cookie'], 'sid=abc123');
  // The HTTP/2 spelling of the raw header replaces the browser's, no duplicate.
  assert.equal(r.requestHeaders['user-agent'], UA);
  assert.equal(r.requestHeaders['User-Agent'], undefined);
  assert.equal(r.responseHeaders?.['set-cookie'], 'seen=1; Path=/\nab=b; Path=/');
  assert.equal(r.responseHeaders?.['content-type'], 'application/json');
});

test('extra-info that arrives after the response is merged too', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', fetchRequest('2840.31', 'http://localhost:3000/api/cart', 81241));
  net.handle('Network.responseReceived', {
    requestId: '2840.31',
    loaderId: LOADER_ID,
    timestamp: 81241.05,
    type: 'Fetch',
    response: response({ url: 'http://localhost:3000/api/cart', headers: { 'Content-Type': 'application/json' }, mimeType: 'application/json' }),
    hasExtraInfo: true,
    frameId: FRAME_ID,
  });
  const before = net.stats().bytes;
  net.handle('Network.loadingFinished', { requestId: '2840.31', timestamp: 81241.06, encodedDataLength: 300 });
  net.handle('Network.responseReceivedExtraInfo', {
    requestId: '2840.31',
    blockedCookies: [],
    headers: { 'Content-Type': 'application/json', 'Set-Cookie': 'cart=7; Path=/; HttpOnly' },
    resourceIPAddressSpace: 'Local',
    statusCode: 200,
  });
  net.handle('Network.requestWillBeSentExtraInfo', {
    requestId: '2840.31',
    associatedCookies: [],
    headers: { Cookie: 'sid=abc123', Host: 'localhost:3000' },
    connectTiming: { requestTime: 81241.001 },
  });
  const r = net.get('2840.31');
  assert.ok(r);
  assert.equal(r.responseHeaders?.['Set-Cookie'], 'cart=7; Path=/; HttpOnly');
  assert.equal(r.requestHeaders['Cookie'], 'sid=abc123');
  assert.ok(net.stats().bytes > before, 'merged headers count in the byte estimate');
});

test('an internal redirect without extra-info does not take the next hop’s extra-info', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', fetchRequest('2840.40', 'http://example.com/', 81250));
  // Chrome sends the HTTPS hop's raw headers before the internal (HSTS) redirect event itself.
  net.handle('Network.requestWillBeSentExtraInfo', {
    requestId: '2840.40',
    associatedCookies: [],
    headers: { ':authority': 'example.com', ':method': 'GET', ':path': '/', ':scheme': 'https', cookie: 'secure=1' },
    connectTiming: { requestTime: 81250.02 },
  });
  net.handle('Network.requestWillBeSent', {
    ...fetchRequest('2840.40', 'https://example.com/', 81250.01),
    redirectHasExtraInfo: false,
    redirectResponse: response({
      url: 'http://example.com/',
      status: 307,
      statusText: 'Internal Redirect',
      headers: { Location: 'https://example.com/', 'Non-Authoritative-Reason': 'HSTS' },
      mimeType: '',
      remoteIPAddress: '',
      encodedDataLength: 0,
      protocol: 'http/1.1',
    }),
  });
  net.handle('Network.responseReceived', {
    requestId: '2840.40',
    loaderId: LOADER_ID,
    timestamp: 81250.2,
    type: 'Fetch',
    response: response({ url: 'https://example.com/', remoteIPAddress: '93.184.215.14', remotePort: 443, protocol: 'h2' }),
    hasExtraInfo: true,
    frameId: FRAME_ID,
  });
  const [http, https] = net.all();
  assert.ok(http && https);
  assert.equal(http.status, 307);
  assert.equal(http.remoteAddress, undefined);
  assert.equal(http.requestHeaders['cookie'], undefined);
  assert.equal(https.requestHeaders['cookie'], 'secure=1');
  assert.equal(https.remoteAddress, '93.184.215.14:443');
  assert.equal(https.redirectedFrom, http.id);
});

test('a refused connection is a failed record with the net error', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', fetchRequest('2840.50', 'http://localhost:9999/api/health', 81260));
  net.handle('Network.loadingFailed', {
    requestId: '2840.50',
    timestamp: 81260.004,
    type: 'Fetch',
    errorText: 'net::ERR_CONNECTION_REFUSED',
    canceled: false,
  });
  const r = net.get('n1');
  assert.ok(r);
  assert.equal(r.state, 'failed');
  assert.equal(r.errorText, 'net::ERR_CONNECTION_REFUSED');
  assert.equal(r.canceled, undefined);
  assert.equal(r.status, undefined);
  assert.equal(r.durationMs, 4);
  assert.equal(r.finishedAt, 1718000060004);
  assert.equal(net.pending(), 0);
});

test('canceled and blocked requests keep the reason', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', fetchRequest('2840.51', 'http://localhost:3000/api/search?q=a', 81261));
  net.handle('Network.loadingFailed', { requestId: '2840.51', timestamp: 81261.01, type: 'Fetch', errorText: 'net::ERR_ABORTED', canceled: true });
  net.handle('Network.requestWillBeSent', { ...fetchRequest('2840.52', 'http://insecure.example/pixel.gif', 81261.02), type: 'Image' });
  net.handle('Network.loadingFailed', {
    requestId: '2840.52',
    timestamp: 81261.03,
    type: 'Image',
    errorText: 'net::ERR_BLOCKED_BY_CLIENT',
    blockedReason: 'mixed-content',
  });
  const [aborted, blocked] = net.all();
  assert.equal(aborted?.canceled, true);
  assert.equal(aborted?.errorText, 'net::ERR_ABORTED');
  assert.equal(blocked?.blockedReason, 'mixed-content');
  assert.equal(blocked?.resourceType, 'Image');
});

test('cache and service worker flags', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', { ...fetchRequest('2840.60', 'http://localhost:3000/logo.png', 81270), type: 'Image' });
  net.handle('Network.requestServedFromCache', { requestId: '2840.60' });
  net.handle('Network.responseReceived', {
    requestId: '2840.60',
    loaderId: LOADER_ID,
    timestamp: 81270.001,
    type: 'Image',
    response: response({ url: 'http://localhost:3000/logo.png', mimeType: 'image/png', fromDiskCache: false }),
    hasExtraInfo: false,
  });
  net.handle('Network.requestWillBeSent', fetchRequest('2840.61', 'http://localhost:3000/sw-data.json', 81270.01));
  net.handle('Network.responseReceived', {
    requestId: '2840.61',
    loaderId: LOADER_ID,
    timestamp: 81270.02,
    type: 'Fetch',
    response: response({ url: 'http://localhost:3000/sw-data.json', mimeType: 'application/json', fromServiceWorker: true, fromDiskCache: true }),
    hasExtraInfo: false,
  });
  const [memory, sw] = net.all();
  assert.equal(memory?.fromCache, true, 'requestServedFromCache is not undone by the response');
  assert.equal(memory?.resourceType, 'Image');
  assert.equal(sw?.fromCache, true);
  assert.equal(sw?.fromServiceWorker, true);
});

test('isTrackingHost matches exactly or by parent domain, never by substring', () => {
  for (const host of [
    'google-analytics.com',
    'www.google-analytics.com',
    'region1.google-analytics.com',
    'www.googletagmanager.com',
    'stats.g.doubleclick.net',
    'doubleclick.net',
    'pagead2.googlesyndication.com',
    'adservice.google.com',
    'connect.facebook.net',
    'static.hotjar.com',
    'api.segment.io',
    'cdn.segment.com',
    'api-js.mixpanel.com',
    'api2.amplitude.com',
    'edge.fullstory.com',
    'www.clarity.ms',
    'js-agent.newrelic.com',
    'bam.nr-data.net',
    'STATS.G.DOUBLECLICK.NET',
    'www.google-analytics.com.',
    'www.google-analytics.com:443',
  ]) {
    assert.equal(isTrackingHost(host), true, host);
  }
  for (const host of [
    'facebook.com',
    'www.facebook.com',
    'notdoubleclick.net',
    'doubleclick.net.example.com',
    'mydoubleclick.net',
    'google.com',
    'www.google.com',
    'segment.io',
    'newrelic.com',
    'docs.newrelic.com',
    'localhost',
    '',
  ]) {
    assert.equal(isTrackingHost(host), false, host);
  }
});

test('tracking requests are not recorded but counted, and their later events are ignored', () => {
  const net = collector();
  const tracked = [
    ['2840.70', 'https://www.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid=555.666&en=page_view'],
    ['2840.71', 'https://stats.g.doubleclick.net/g/collect?v=2&tid=G-ABC123'],
    ['2840.72', 'https://connect.facebook.net/en_US/fbevents.js'],
  ] as const;
  const kept = [
    ['2840.73', 'https://www.facebook.com/'],
    ['2840.74', 'https://notdoubleclick.net/app.js'],
    ['2840.75', 'https://doubleclick.net.example.com/api'],
  ] as const;
  let ts = 81280;
  for (const [id, url] of [...tracked, ...kept]) net.handle('Network.requestWillBeSent', fetchRequest(id, url, (ts += 0.01)));
  for (const [id, url] of tracked) {
    net.handle('Network.requestWillBeSentExtraInfo', {
      requestId: id,
      associatedCookies: [],
      headers: { cookie: '_ga=GA1.1.555.666' },
      connectTiming: { requestTime: ts },
    });
    net.handle('Network.responseReceived', {
      requestId: id,
      loaderId: LOADER_ID,
      timestamp: ts,
      type: 'Fetch',
      response: response({ url, status: 204 }),
      hasExtraInfo: true,
    });
    net.handle('Network.loadingFinished', { requestId: id, timestamp: ts, encodedDataLength: 80 });
  }
  assert.deepEqual(
    net.all().map((r) => r.url),
    kept.map(([, url]) => url),
  );
  assert.equal(net.stats().filtered, 3);
  assert.equal(net.stats().count, 3);
  assert.equal(net.get('2840.70'), undefined);
  assert.equal(net.pending(), 3);
});

test('a redirect chain that starts at a tracker is filtered as a whole', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', { ...fetchRequest('2840.76', 'https://ad.doubleclick.net/ddm/trackclk/N123', 81290), type: 'Image' });
  net.handle('Network.requestWillBeSent', {
    ...fetchRequest('2840.76', 'https://www.example.com/landing?gclid=xyz', 81290.05),
    redirectHasExtraInfo: true,
    redirectResponse: response({
      url: 'https://ad.doubleclick.net/ddm/trackclk/N123',
      status: 302,
      statusText: 'Found',
      headers: { Location: 'https://www.example.com/landing?gclid=xyz' },
    }),
  });
  assert.equal(net.stats().count, 0);
  assert.equal(net.stats().filtered, 1);
});

test('includeAll records tracking requests', () => {
  const net = collector({ includeAll: true });
  net.handle('Network.requestWillBeSent', fetchRequest('2840.77', 'https://www.googletagmanager.com/gtag/js?id=G-ABC123', 81295));
  assert.equal(net.stats().count, 1);
  assert.equal(net.stats().filtered, 0);
});

test('evicted records are forgotten by every index', () => {
  const net = collector({ maxItems: 50 });
  for (let i = 0; i < 500; i++) net.handle('Network.requestWillBeSent', fetchRequest(`3000.${i}`, `http://localhost:3000/api/item/${i}`, 81300 + i / 100));
  // Responses for old (evicted) and new requests arrive late.
  for (let i = 0; i < 500; i += 2) {
    net.handle('Network.responseReceived', {
      requestId: `3000.${i}`,
      loaderId: LOADER_ID,
      timestamp: 81310,
      type: 'Fetch',
      response: response({ url: `http://localhost:3000/api/item/${i}`, mimeType: 'application/json' }),
      hasExtraInfo: false,
    });
    net.handle('Network.loadingFinished', { requestId: `3000.${i}`, timestamp: 81310.1, encodedDataLength: 512 });
  }
  const stats = net.stats();
  assert.equal(stats.count, 50);
  assert.equal(stats.dropped, 450);
  const all = net.all();
  assert.deepEqual(
    all.map((r) => r.requestId),
    Array.from({ length: 50 }, (_, k) => `3000.${450 + k}`),
  );
  assert.equal(all[0]?.id, 'n451');
  for (let i = 0; i < 450; i++) {
    assert.equal(net.get(`3000.${i}`), undefined, `requestId 3000.${i}`);
    assert.equal(net.get(`n${i + 1}`), undefined, `n${i + 1}`);
  }
  for (let i = 450; i < 500; i++) {
    const r = net.get(`3000.${i}`);
    assert.equal(r?.id, `n${i + 1}`);
    assert.equal(net.get(`n${i + 1}`), r);
    assert.equal(r?.state, i % 2 === 0 ? 'finished' : 'pending');
  }
  // Only the buffered, unfinished ones count as pending (evicted pending ones are not leaked).
  assert.equal(net.pending(), 25);
  // Late events for evicted requests do not resurrect them.
  net.handle('Network.loadingFailed', { requestId: '3000.1', timestamp: 81311, type: 'Fetch', errorText: 'net::ERR_ABORTED', canceled: true });
  assert.equal(net.stats().count, 50);
  assert.equal(net.get('3000.1'), undefined);
  assert.equal(net.pending(), 25);
});

test('the byte bound evicts old records; bodies have a budget of their own and never evict records', () => {
  const net = collector({ maxBytes: 40_000, maxBodyBytes: 50_000 });
  for (let i = 0; i < 10; i++) net.handle('Network.requestWillBeSent', fetchRequest(`3100.${i}`, `http://localhost:3000/r/${i}`, 81400 + i));
  assert.equal(net.stats().count, 10);
  const before = net.stats().bytes;
  assert.ok(before <= 40_000);
  const newest = net.get('3100.9');
  assert.ok(newest);
  net.bodies.setBody(newest, { data: 'x'.repeat(25_000), base64: false, truncated: false, size: 25_000 });
  assert.deepEqual(net.stats().bytes, before);
  assert.equal(net.stats().count, 10);
  assert.equal(newest.body?.data.length, 25_000);
  assert.equal(net.bodies.stats().count, 1);
  assert.ok(net.bodies.stats().bytes >= 25_000);
  // Many more records than fit: the oldest go, and so does the accounting for their bodies.
  for (let i = 10; i < 100; i++) net.handle('Network.requestWillBeSent', fetchRequest(`3100.${i}`, `http://localhost:3000/r/${i}`, 81400 + i));
  assert.ok(net.stats().bytes <= 40_000);
  assert.equal(net.get('3100.0'), undefined);
  assert.equal(net.get('3100.9'), undefined);
  assert.deepEqual(net.bodies.stats(), { count: 0, bytes: 0, maxBytes: net.bodies.stats().maxBytes, evicted: 0 });
});

test('setBody cuts bodies over maxBodyBytes', () => {
  const net = collector({ maxBodyBytes: 10 });
  net.handle('Network.requestWillBeSent', fetchRequest('3200.1', 'http://localhost:3000/a.txt', 81500));
  const r = net.get('n1');
  assert.ok(r);
  net.bodies.setBody(r, { data: 'héllo wörld, more text', base64: false, truncated: false, size: 24 });
  assert.equal(r.body?.truncated, true);
  assert.equal(r.body?.size, 24);
  assert.ok(Buffer.byteLength(r.body?.data ?? '') <= 10);
  net.bodies.setBody(r, { data: Buffer.from('0123456789abcdef').toString('base64'), base64: true, truncated: false, size: 16 });
  assert.equal(r.body?.truncated, true);
  assert.equal(Buffer.from(r.body?.data ?? '', 'base64').toString(), '012345678');
  net.bodies.setBody(r, { data: 'short', base64: false, truncated: false, size: 5 });
  assert.deepEqual(r.body, { data: 'short', base64: false, truncated: false, size: 5 });
});

test('records carry the navigation index current when they started', () => {
  const net = collector();
  net.handle('Network.requestWillBeSent', fetchRequest('3300.1', 'http://localhost:3000/a.js', 81600));
  assert.equal(net.navigation, 0);
  net.setNavigation(1);
  assert.equal(net.navigation, 1);
  net.handle('Network.requestWillBeSent', fetchRequest('3300.2', 'http://localhost:3000/b.js', 81600.1));
  net.handle('Network.loadingFinished', { requestId: '3300.1', timestamp: 81600.2, encodedDataLength: 10 });
  assert.deepEqual(
    net.all().map((r) => [r.id, r.navigation]),
    [
      ['n1', 0],
      ['n2', 1],
    ],
  );
});

test('falls back to the clock until wall time is known, and ignores junk', () => {
  const net = collector({ now: () => 1_700_000_000_000 });
  const e = fetchRequest('3400.1', 'http://localhost:3000/', 81700) as Partial<Protocol.Network.RequestWillBeSentEvent>;
  delete e.wallTime;
  net.handle('Network.requestWillBeSent', e);
  net.handle('Network.loadingFinished', { requestId: '3400.1', timestamp: 81700.25, encodedDataLength: 10 });
  const r = net.get('3400.1');
  assert.equal(r?.startedAt, 1_700_000_000_000);
  assert.equal(r?.finishedAt, 1_700_000_000_000);
  assert.equal(r?.durationMs, 250, 'the duration still comes from the monotonic timestamps');
  net.handle('Network.requestWillBeSent', null);
  net.handle('Network.requestWillBeSent', { requestId: 7 });
  net.handle('Network.webSocketCreated', { requestId: '3400.2' });
  net.handle('Network.webSocketFrameSent', { requestId: '3400.3', timestamp: 81700.3, response: { opcode: 1, mask: true, payloadData: 'x' } });
  net.handle('Page.loadEventFired', { timestamp: 81700.3 });
  assert.equal(net.stats().count, 1);
});

test('isTextMimeType', () => {
  for (const mime of [
    'text/html',
    'text/plain; charset=utf-8',
    'text/css',
    'application/json',
    'application/json; charset=UTF-8',
    'application/javascript',
    'application/x-javascript',
    'text/javascript',
    'application/xml',
    'image/svg+xml',
    'application/ld+json',
    'application/problem+json',
    'application/x-www-form-urlencoded',
    'application/graphql',
    'application/graphql-response+json',
    'application/x-ndjson',
    'APPLICATION/JSON',
  ]) {
    assert.equal(isTextMimeType(mime), true, mime);
  }
  for (const mime of ['image/png', 'image/webp', 'font/woff2', 'application/octet-stream', 'application/wasm', 'video/mp4', 'application/pdf', '', 'json']) {
    assert.equal(isTextMimeType(mime), false, mime);
  }
});

test('a finished request keeps answering by requestId, and a requestId used again starts a new record', () => {
  const net = collector({ maxItems: 3 });
  const finish = (requestId: string, url: string, t: number): void => {
    net.handle('Network.requestWillBeSent', { ...fetchRequest(requestId, url, t), redirectHasExtraInfo: true });
    net.handle('Network.requestWillBeSentExtraInfo', { requestId, associatedCookies: [], headers: { Cookie: 'sid=1' }, connectTiming: { requestTime: t } });
    net.handle('Network.responseReceivedExtraInfo', {
      requestId,
      blockedCookies: [],
      headers: { 'Content-Type': 'text/plain' },
      resourceIPAddressSpace: 'Local',
      statusCode: 200,
    });
    net.handle('Network.responseReceived', {
      requestId,
      loaderId: LOADER_ID,
      timestamp: t + 0.01,
      type: 'Fetch',
      response: response({ url }),
      hasExtraInfo: true,
    });
    net.handle('Network.loadingFinished', { requestId, timestamp: t + 0.02, encodedDataLength: 100 });
  };
  finish('4000.1', 'http://localhost:3000/a', 81400);
  const first = net.get('4000.1');
  assert.equal(first?.state, 'finished');
  assert.equal(first?.requestHeaders['Cookie'], 'sid=1');
  assert.equal(net.get('n1'), first);
  // A late event for the finished request still reaches its record.
  net.handle('Network.requestServedFromCache', { requestId: '4000.1' });
  assert.equal(first?.fromCache, true);
  // The same requestId again, without a redirect: a new record; the old one stays until it ages out.
  finish('4000.1', 'http://localhost:3000/b', 81401);
  const second = net.get('4000.1');
  assert.equal(second?.id, 'n2');
  assert.equal(second?.url, 'http://localhost:3000/b');
  assert.equal(net.get('n1'), first);
  finish('4000.2', 'http://localhost:3000/c', 81402);
  finish('4000.3', 'http://localhost:3000/d', 81403);
  // n1 aged out; evicting it did not take the requestId's newer record with it.
  assert.equal(net.get('n1'), undefined);
  assert.equal(net.get('4000.1'), second);
  net.handle('Network.loadingFailed', { requestId: '4000.1', timestamp: 81404, type: 'Fetch', errorText: 'net::ERR_ABORTED', canceled: true });
  assert.equal(second?.state, 'failed');
  assert.equal(second?.errorText, 'net::ERR_ABORTED');
});

test('requests with the same headers share one frozen header object', () => {
  const net = collector();
  for (const id of ['4100.1', '4100.2']) {
    net.handle('Network.requestWillBeSent', fetchRequest(id, `http://localhost:3000/api/${id}`, 81500));
    net.handle('Network.responseReceived', {
      requestId: id,
      loaderId: LOADER_ID,
      timestamp: 81500.01,
      type: 'Fetch',
      response: response({ url: 'x' }),
      hasExtraInfo: false,
    });
  }
  const [a, b] = [net.get('4100.1'), net.get('4100.2')];
  assert.ok(a !== undefined && b !== undefined);
  assert.equal(a.requestHeaders, b.requestHeaders);
  assert.equal(a.responseHeaders, b.responseHeaders);
  assert.ok(Object.isFrozen(a.requestHeaders));
  assert.deepEqual(a.requestHeaders, { Accept: '*/*', Referer: 'http://localhost:3000/', 'User-Agent': UA, 'sec-ch-ua-platform': '"Linux"' });
});

test('requests from the same script line share one frozen initiator; compact() keeps every lookup and late event working', () => {
  const net = collector({ maxItems: 4 });
  for (let i = 1; i <= 6; i++) {
    const id = `4200.${i}`;
    net.handle('Network.requestWillBeSent', fetchRequest(id, `http://localhost:3000/api/${i}`, 81600 + i));
    if (i <= 5) net.handle('Network.loadingFinished', { requestId: id, timestamp: 81600.01 + i, encodedDataLength: 10 });
  }
  const [a, b] = [net.get('4200.5'), net.get('4200.6')];
  assert.ok(a !== undefined && b !== undefined);
  assert.equal(a.initiator, b.initiator);
  assert.ok(Object.isFrozen(a.initiator));
  assert.deepEqual(a.initiator, { type: 'script', url: 'http://localhost:3000/static/app.js', lineNumber: 42 });
  net.compact();
  // The two oldest aged out before; what is kept answers by id and by requestId, and events still reach it.
  assert.equal(net.get('n1'), undefined);
  assert.equal(net.get('n5'), a);
  assert.equal(net.get('4200.6'), b);
  net.handle('Network.loadingFinished', { requestId: '4200.6', timestamp: 81607, encodedDataLength: 10 });
  assert.equal(b.state, 'finished');
  net.handle('Network.requestServedFromCache', { requestId: '4200.5' });
  assert.equal(a.fromCache, true);
  net.handle('Network.requestWillBeSent', fetchRequest('4200.7', 'http://localhost:3000/api/7', 81608));
  assert.equal(net.get('4200.7')?.id, 'n7');
  assert.equal(net.get('n3'), undefined, 'eviction after compact() still forgets the oldest');
  for (const near of ['n05', 'n5.0', 'n+5', 'c5', 'n0', 'n99']) assert.equal(net.get(near), undefined, near);
  assert.deepEqual(
    net.all().map((r) => r.id),
    ['n4', 'n5', 'n6', 'n7'],
  );
});

test('compact() lets go of requests long over; commands still find them by requestId, and what is pending keeps its events', () => {
  const net = collector({ maxItems: 5000 });
  net.handle('Network.requestWillBeSent', fetchRequest('slow', 'http://localhost:3000/slow', 81000));
  for (let i = 1; i <= 1500; i++) {
    const id = `c.${i}`;
    net.handle('Network.requestWillBeSent', fetchRequest(id, `http://localhost:3000/api/${i}`, 81001 + i / 1000));
    const res = { requestId: id, loaderId: LOADER_ID, timestamp: 81001.0002 + i / 1000, type: 'Fetch' as const, hasExtraInfo: false };
    net.handle('Network.responseReceived', { ...res, response: response({ url: `http://localhost:3000/api/${i}` }) });
    net.handle('Network.loadingFinished', { requestId: id, timestamp: 81001.0005 + i / 1000, encodedDataLength: 10 });
  }
  net.compact();
  // The oldest settled ones left the chain map: not on the event path, found by the commands' lookup.
  assert.equal(net.get('c.1'), undefined);
  assert.equal(net.find('c.1')?.id, 'n2');
  assert.equal(net.find('n2')?.requestId, 'c.1');
  assert.equal(net.find('c.1500')?.id, 'n1501');
  assert.equal(net.get('c.1500')?.id, 'n1501', 'the newest keep their place');
  assert.equal(net.find('nothing'), undefined);
  // An old request still pending keeps its chain: its end is recorded.
  net.handle('Network.loadingFinished', { requestId: 'slow', timestamp: 81003, encodedDataLength: 10 });
  assert.equal(net.get('slow')?.state, 'finished');
  // A late event for a request let go of changes nothing and breaks nothing.
  net.handle('Network.dataReceived', { requestId: 'c.1', timestamp: 81004, dataLength: 5, encodedDataLength: 5 });
  assert.equal(net.find('c.1')?.decodedBodyLength, undefined);
  assert.equal(net.all().length, 1501);
});
