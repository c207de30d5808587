import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NavigationRecord, NetworkRecord } from '../../src/protocol/records.js';
import { buildHar } from '../../src/telemetry/har.js';

const T0 = Date.parse('2024-06-10T06:13:20.000Z');

const NAVS: NavigationRecord[] = [
  { index: 0, url: 'http://localhost:3000/', timestamp: T0, title: 'Home', domContentLoadedAt: T0 + 120, loadedAt: T0 + 250 },
  { index: 1, url: 'http://localhost:3000/next', timestamp: T0 + 5_000 },
];

function record(over: Partial<NetworkRecord> & Pick<NetworkRecord, 'id' | 'url'>): NetworkRecord {
  return { requestId: over.id, method: 'GET', state: 'finished', requestHeaders: {}, startedAt: T0, navigation: 0, ...over };
}

const RECORDS: NetworkRecord[] = [
  record({
    id: 'n2',
    url: 'http://localhost:3000/api/users?page=2&q=a%20b#frag',
    method: 'POST',
    resourceType: 'Fetch',
    startedAt: T0 + 300,
    status: 201,
    statusText: 'Created',
    mimeType: 'application/json',
    protocol: 'h2',
    remoteAddress: '[::1]:3000',
    requestHeaders: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: 'sid=abc; theme=dark' },
    postData: 'name=Ada&lang=en',
    responseHeaders: { 'content-type': 'application/json', 'set-cookie': 'sid=new; Path=/; HttpOnly\ntrack=1; SameSite=None' },
    responseCookies: [
      { name: 'sid', value: 'new', path: '/', httpOnly: true },
      { name: 'track', value: '1', sameSite: 'None', blockedReasons: ['SameSiteNoneInsecure'] },
    ],
    requestCookies: [
      { name: 'sid', value: 'abc', domain: 'localhost', path: '/' },
      { name: 'theme', value: 'dark', domain: 'localhost', path: '/' },
      { name: 'other', value: 'x', domain: 'localhost', path: '/admin', blockedReasons: ['NotOnPath'] },
    ],
    encodedDataLength: 400,
    decodedBodyLength: 900,
    responseHeadersSize: 100,
    timing: { blocked: 1.5, dns: -1, connect: -1, ssl: -1, send: 0.2, wait: 30.25, receive: 2 },
    body: { data: '{"ok":true}', base64: false, truncated: false, size: 11 },
    initiator: { type: 'script', url: 'http://localhost:3000/app.js', lineNumber: 3 },
    priority: 'High',
  }),
  record({
    id: 'n1',
    url: 'http://localhost:3000/',
    resourceType: 'Document',
    status: 200,
    statusText: 'OK',
    mimeType: 'text/html',
    protocol: 'http/1.1',
    remoteAddress: '127.0.0.1:3000',
    responseHeaders: { 'Content-Type': 'text/html' },
    encodedDataLength: 1000,
    timing: { blocked: 0.5, dns: 0.1, connect: 0.9, ssl: 0.4, send: 0.1, wait: 10, receive: 3 },
    body: { data: 'aGVsbG8=', base64: true, truncated: true, size: 20_000 },
  }),
  record({
    id: 'n3',
    url: 'http://localhost:3001/down',
    state: 'failed',
    errorText: 'net::ERR_CONNECTION_REFUSED',
    resourceType: 'Fetch',
    startedAt: T0 + 400,
    timing: { blocked: 4, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 },
  }),
  record({ id: 'n4', url: 'http://localhost:3000/old', status: 302, responseHeaders: { Location: '/new' }, startedAt: T0 + 500, navigation: 1 }),
  record({ id: 'n5', url: 'http://localhost:3000/stream', state: 'pending', startedAt: T0 + 600, navigation: 7 }),
  record({ id: 'n6', url: 'http://localhost:3000/logo.png', status: 200, fromCache: true, cacheSource: 'memory', mimeType: 'image/png', startedAt: T0 + 700 }),
];

const har = buildHar({ records: RECORDS, navigations: NAVS, creator: { name: 'bdg', version: '1.2.3' }, browserProduct: 'HeadlessChrome/124.0.6367.60' });
const entry = (id: string): (typeof har.log.entries)[number] => {
  const e = har.log.entries.find((x) => x._bdgId === id);
  assert.ok(e, id);
  return e;
};

test('log header: version, creator, browser, one page per navigation with its timings', () => {
  assert.equal(har.log.version, '1.2');
  assert.deepEqual(har.log.creator, { name: 'bdg', version: '1.2.3' });
  assert.deepEqual(har.log.browser, { name: 'HeadlessChrome', version: '124.0.6367.60' });
  assert.deepEqual(har.log.pages, [
    { startedDateTime: '2024-06-10T06:13:20.000Z', id: 'page_0', title: 'Home', pageTimings: { onContentLoad: 120, onLoad: 250 } },
    { startedDateTime: '2024-06-10T06:13:25.000Z', id: 'page_1', title: 'http://localhost:3000/next', pageTimings: { onContentLoad: -1, onLoad: -1 } },
  ]);
});

test('entries are in start order, referencing their page when it is known', () => {
  assert.deepEqual(
    har.log.entries.map((e) => e._bdgId),
    ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'],
  );
  assert.equal(entry('n1').pageref, 'page_0');
  assert.equal(entry('n4').pageref, 'page_1');
  assert.equal('pageref' in entry('n5'), false, 'a navigation no longer kept is not referenced');
});

test('request: url without fragment, query string, headers, sent cookies only, post data with form params', () => {
  const r = entry('n2').request;
  assert.equal(r.url, 'http://localhost:3000/api/users?page=2&q=a%20b');
  assert.equal(r.httpVersion, 'HTTP/2.0');
  assert.deepEqual(r.queryString, [
    { name: 'page', value: '2' },
    { name: 'q', value: 'a b' },
  ]);
  assert.deepEqual(r.headers, [
    { name: 'Content-Type', value: 'application/x-www-form-urlencoded' },
    { name: 'Cookie', value: 'sid=abc; theme=dark' },
  ]);
  assert.deepEqual(
    r.cookies.map((c) => c.name),
    ['sid', 'theme'],
  );
  assert.deepEqual(r.postData, {
    mimeType: 'application/x-www-form-urlencoded',
    text: 'name=Ada&lang=en',
    params: [
      { name: 'name', value: 'Ada' },
      { name: 'lang', value: 'en' },
    ],
  });
  assert.equal(r.bodySize, 16);
  assert.equal(r.headersSize, -1);
  assert.equal(entry('n1').request.bodySize, 0);
  assert.equal(entry('n1').request.postData, undefined);
});

test('response: status, one header per Set-Cookie line, cookies, content text and sizes', () => {
  const r = entry('n2').response;
  assert.equal(r.status, 201);
  assert.equal(r.statusText, 'Created');
  assert.deepEqual(r.headers, [
    { name: 'content-type', value: 'application/json' },
    { name: 'set-cookie', value: 'sid=new; Path=/; HttpOnly' },
    { name: 'set-cookie', value: 'track=1; SameSite=None' },
  ]);
  assert.deepEqual(r.cookies, [
    { name: 'sid', value: 'new', path: '/', httpOnly: true },
    { name: 'track', value: '1', sameSite: 'None', _blockedReasons: ['SameSiteNoneInsecure'] },
  ]);
  assert.deepEqual(r.content, { size: 900, mimeType: 'application/json', compression: 600, text: '{"ok":true}' });
  assert.equal(r.headersSize, 100);
  assert.equal(r.bodySize, 300);
  assert.equal(r._transferSize, 400);
  assert.equal(r._error, null);
  assert.equal(r.redirectURL, '');
});

test('binary and truncated bodies; cache hits; redirects', () => {
  const c = entry('n1').response.content;
  assert.equal(c.text, 'aGVsbG8=');
  assert.equal(c.encoding, 'base64');
  assert.match(c.comment ?? '', /truncated/);
  assert.equal(c.size, 20_000);
  assert.equal(entry('n1').response.bodySize, -1, 'unknown without the raw header size');
  assert.equal(entry('n6').response.bodySize, 0);
  assert.equal(entry('n6')._fromCache, 'memory');
  // HAR wants the redirect target absolute (the original bdg's HAR has it so); Location was relative.
  assert.equal(entry('n4').response.redirectURL, 'http://localhost:3000/new');
});

test('failed and pending requests: status 0 with the error, timings that still add up', () => {
  const failed = entry('n3');
  assert.equal(failed.response.status, 0);
  assert.equal(failed.response.httpVersion, '');
  assert.equal(failed.response._error, 'net::ERR_CONNECTION_REFUSED');
  assert.equal(failed.response.content.mimeType, 'x-unknown');
  assert.equal(failed.time, 4);
  const pending = entry('n5');
  assert.equal(pending._state, 'pending');
  assert.deepEqual(pending.timings, { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 });
  assert.equal(pending.time, 0);
});

test('time is the sum of the phases, ssl not counted twice; extensions as DevTools names them', () => {
  assert.equal(entry('n1').time, 14.6);
  assert.equal(entry('n2').time, 33.95);
  assert.equal(entry('n1').serverIPAddress, '127.0.0.1');
  assert.equal(entry('n2').serverIPAddress, '::1');
  assert.equal(entry('n2')._resourceType, 'fetch');
  assert.equal(entry('n1')._resourceType, 'document');
  assert.equal(entry('n4')._resourceType, 'other');
  assert.deepEqual(entry('n2')._initiator, { type: 'script', url: 'http://localhost:3000/app.js', lineNumber: 3 });
  assert.equal(entry('n2')._priority, 'High');
  assert.deepEqual(entry('n1').cache, {});
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(har)));
});
