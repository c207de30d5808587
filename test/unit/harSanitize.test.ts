import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkRecord } from '../../src/protocol/records.js';
import { buildHar, type Har } from '../../src/telemetry/har.js';
import { isSecretHeader, isSecretParam, REDACTED, sanitizeHar } from '../../src/telemetry/harSanitize.js';

const T0 = Date.parse('2024-06-10T06:13:20.000Z');

/** One request carrying every kind of secret the sanitizer knows, and a few look-alikes it must leave alone. */
function secretRecords(): NetworkRecord[] {
  return [
    {
      id: 'n1',
      requestId: 'R1',
      url: 'https://api.example.com/v1/items?access_token=AT1&token=T1&api_key=K1&password=P1&sig=S1&signature=SG1&page=2&X-Amz-Signature=AWS1#top',
      method: 'POST',
      state: 'finished',
      status: 200,
      mimeType: 'application/json',
      resourceType: 'Fetch',
      startedAt: T0,
      navigation: 0,
      requestHeaders: {
        Authorization: 'Bearer eyJhbGciOi.secret',
        'Proxy-Authorization': 'Basic dXNlcjpwYXNz',
        Cookie: 'sid=abc; theme=dark',
        'X-Api-Key': 'key-123',
        'X-Auth-Token': 'tok-456',
        'X-CSRF-Token': 'csrf-789',
        'X-My-App-Token': 'custom-1',
        'Content-Type': 'application/json',
        Referer: 'https://app.example.com/callback?code=ok&id_token=IDT&state=s',
        ':path': '/v1/items?token=T1&page=2',
        Accept: 'application/json',
      },
      postData: '{"user":"ada","password":"hunter2","nested":{"refresh_token":"RT","keep":"yes"},"list":[{"apiKey":"AK"}]}',
      requestCookies: [
        { name: 'sid', value: 'abc', domain: 'api.example.com', path: '/' },
        { name: 'theme', value: 'dark', domain: 'api.example.com', path: '/' },
      ],
      responseHeaders: {
        'Content-Type': 'application/json',
        'Set-Cookie': 'sid=new; Path=/; HttpOnly\ntrack=1',
        Location: '/next?token=NEXT&x=1',
        'X-Request-Id': 'rid-1',
      },
      responseCookies: [{ name: 'sid', value: 'new', path: '/', httpOnly: true }],
      body: { data: '{"access_token":"RESP-AT","expires_in":3600,"user":{"name":"Ada"}}', base64: false, truncated: false, size: 60 },
      initiator: { type: 'script', url: 'https://app.example.com/app.js?signature=INIT' },
    },
    {
      id: 'n2',
      requestId: 'R2',
      url: 'https://app.example.com/login',
      method: 'POST',
      state: 'finished',
      status: 302,
      startedAt: T0 + 1,
      navigation: 0,
      requestHeaders: { 'Content-Type': 'application/x-www-form-urlencoded' },
      postData: 'user=ada&password=hunter2&remember=1&csrf_token=CS',
      responseHeaders: { location: 'https://app.example.com/home?session=SESS' },
    },
    {
      id: 'n3',
      requestId: 'R3',
      url: 'wss://live.example.com/socket?token=WST&room=1',
      method: 'GET',
      resourceType: 'WebSocket',
      state: 'finished',
      status: 101,
      startedAt: T0 + 2,
      navigation: 0,
      requestHeaders: { Cookie: 'sid=abc', 'Sec-WebSocket-Key': 'q9+75s4g8i6pbrLX1TnOvA==' },
      webSocket: { state: 'closed', framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, framesDropped: 0 },
    },
  ];
}

function har(): Har {
  return buildHar({ records: secretRecords(), navigations: [], creator: { name: 'bdg', version: 't' } });
}

const SECRETS = [
  'AT1',
  'T1&',
  'K1',
  'P1',
  'S1',
  'SG1',
  'AWS1',
  'eyJhbGciOi',
  'dXNlcjpwYXNz',
  'sid=abc',
  'key-123',
  'tok-456',
  'csrf-789',
  'custom-1',
  'IDT',
  'hunter2',
  'RT"',
  'AK"',
  'sid=new',
  'RESP-AT',
  'NEXT',
  'SESS',
  'WST',
  'INIT',
  '"abc"',
  '"dark"',
  '"new"',
  'csrf_token=CS',
];

test('every secret kind is replaced: cookies, auth and secret headers, tokens in URLs, form and JSON bodies', () => {
  const doc = har();
  const redacted = sanitizeHar(doc);
  const text = JSON.stringify(doc);
  // Quotes inside JSON strings (post data, bodies) are escaped in the document: look at them unescaped.
  const plain = text.replace(/\\"/g, '"');
  for (const s of SECRETS) assert.ok(!plain.includes(s), `${s} survived`);
  const [api, login, ws] = doc.log.entries;
  assert.ok(api && login && ws);
  const header = (list: { name: string; value: string }[], name: string): string | undefined =>
    list.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
  for (const name of ['Authorization', 'Proxy-Authorization', 'Cookie', 'X-Api-Key', 'X-Auth-Token', 'X-CSRF-Token', 'X-My-App-Token'])
    assert.equal(header(api.request.headers, name), REDACTED, name);
  assert.deepEqual(
    api.response.headers.filter((h) => h.name === 'Set-Cookie').map((h) => h.value),
    [REDACTED, REDACTED],
  );
  // Names and the harmless rest stay, byte for byte; the fragment too (it is out of the HAR URL anyway).
  assert.equal(
    api.request.url,
    `https://api.example.com/v1/items?access_token=${REDACTED}&token=${REDACTED}&api_key=${REDACTED}&password=${REDACTED}&sig=${REDACTED}&signature=${REDACTED}&page=2&X-Amz-Signature=${REDACTED}`,
  );
  assert.deepEqual(
    api.request.queryString.map((q) => `${q.name}=${q.value}`),
    ['access_token', 'token', 'api_key', 'password', 'sig', 'signature'].map((n) => `${n}=${REDACTED}`).concat(['page=2', `X-Amz-Signature=${REDACTED}`]),
  );
  assert.equal(header(api.request.headers, 'Referer'), `https://app.example.com/callback?code=ok&id_token=${REDACTED}&state=s`);
  assert.equal(header(api.request.headers, ':path'), `/v1/items?token=${REDACTED}&page=2`);
  assert.equal(header(api.request.headers, 'Accept'), 'application/json');
  assert.equal(header(api.response.headers, 'X-Request-Id'), 'rid-1');
  assert.equal(api.response.redirectURL, `https://api.example.com/next?token=${REDACTED}&x=1`);
  assert.deepEqual(
    api.request.cookies.map((c) => [c.name, c.value]),
    [
      ['sid', REDACTED],
      ['theme', REDACTED],
    ],
  );
  assert.deepEqual(
    api.response.cookies.map((c) => [c.name, c.value, c.httpOnly]),
    [['sid', REDACTED, true]],
  );
  assert.deepEqual(JSON.parse(api.request.postData?.text ?? ''), {
    user: 'ada',
    password: REDACTED,
    nested: { refresh_token: REDACTED, keep: 'yes' },
    list: [{ apiKey: REDACTED }],
  });
  assert.deepEqual(JSON.parse(api.response.content.text ?? ''), { access_token: REDACTED, expires_in: 3600, user: { name: 'Ada' } });
  assert.equal(api._initiator?.url, `https://app.example.com/app.js?signature=${REDACTED}`);
  assert.equal(login.request.postData?.text, `user=ada&password=${REDACTED}&remember=1&csrf_token=${REDACTED}`);
  assert.deepEqual(
    login.request.postData?.params?.map((p) => p.value),
    ['ada', REDACTED, '1', REDACTED],
  );
  assert.equal(login.response.redirectURL, `https://app.example.com/home?session=${REDACTED}`);
  assert.equal(ws.request.url, `wss://live.example.com/socket?token=${REDACTED}&room=1`);
  assert.equal(header(ws.request.headers, 'Sec-WebSocket-Key'), 'q9+75s4g8i6pbrLX1TnOvA==');
  assert.ok(redacted >= SECRETS.length, String(redacted));
  assert.match(doc.log.comment ?? '', /--include-sensitive/);
  // Sanitizing twice changes nothing more.
  assert.equal(sanitizeHar(doc), 0);
  assert.equal(JSON.stringify(doc), text);
});

test('without the sanitizer (--include-sensitive) every value is kept', () => {
  const text = JSON.stringify(har()).replace(/\\"/g, '"');
  for (const s of SECRETS) assert.ok(text.includes(s), `${s} missing`);
  assert.ok(!text.includes(REDACTED));
});

test('which names count as secret', () => {
  for (const h of [
    'Cookie',
    'set-cookie',
    'AUTHORIZATION',
    'Proxy-Authorization',
    'X-Api-Key',
    'x-auth-token',
    'X-CSRF-Token',
    'X-XSRF-TOKEN',
    'x-amz-security-token',
    'x-client-secret',
  ])
    assert.equal(isSecretHeader(h), true, h);
  for (const h of ['Content-Type', 'Accept', 'X-Request-Id', 'User-Agent', 'Sec-WebSocket-Key', 'X-Forwarded-For', 'WWW-Authenticate'])
    assert.equal(isSecretHeader(h), false, h);
  for (const p of [
    'access_token',
    'token',
    'TOKEN',
    'api_key',
    'apikey',
    'key',
    'password',
    'sig',
    'signature',
    'client_secret',
    'csrf_token',
    'authenticity_token',
    'refreshToken',
    'user-password',
    'X-Amz-Credential',
  ])
    assert.equal(isSecretParam(p), true, p);
  for (const p of ['page', 'q', 'id', 'state', 'tokens_left', 'keyword', 'signed', 'code', 'monkey']) assert.equal(isSecretParam(p), false, p);
});

test('bodies it cannot read stay as they are: base64, non-JSON, broken JSON', () => {
  const doc = buildHar({
    records: [
      {
        id: 'n1',
        requestId: 'R',
        url: 'https://x.test/a',
        method: 'GET',
        state: 'finished',
        mimeType: 'application/json',
        startedAt: T0,
        navigation: 0,
        requestHeaders: {},
        body: { data: '{"token": broken', base64: false, truncated: true, size: 99 },
      },
      {
        id: 'n2',
        requestId: 'S',
        url: 'https://x.test/b',
        method: 'GET',
        state: 'finished',
        mimeType: 'text/plain',
        startedAt: T0,
        navigation: 0,
        requestHeaders: {},
        body: { data: 'token=abc', base64: false, truncated: false, size: 9 },
      },
    ],
    navigations: [],
    creator: { name: 'bdg', version: 't' },
  });
  assert.equal(sanitizeHar(doc), 0);
  assert.equal(doc.log.entries[0]?.response.content.text, '{"token": broken');
  assert.equal(doc.log.entries[1]?.response.content.text, 'token=abc');
});
