import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SESSION_FILE_SCHEMA, buildSessionFile, type SessionSnapshot } from '../../src/daemon/sessionFile.js';
import type { ConsoleRecord, NetworkRecord } from '../../src/protocol/records.js';
import { VERSION } from '../../src/protocol/version.js';

const STARTED = Date.parse('2025-01-02T03:04:05.000Z');

function snapshot(over: Partial<SessionSnapshot> = {}): SessionSnapshot {
  const request: NetworkRecord = {
    id: 'n1',
    requestId: 'R1',
    url: 'http://127.0.0.1:8080/',
    method: 'GET',
    state: 'finished',
    status: 200,
    requestHeaders: {},
    startedAt: STARTED + 10,
    navigation: 0,
  };
  const message: ConsoleRecord = { id: 'c1', kind: 'console', level: 'log', type: 'log', text: 'hello', timestamp: STARTED + 20, navigation: 0 };
  return {
    url: 'http://127.0.0.1:8080',
    page: { url: 'http://127.0.0.1:8080/', title: 'Home' },
    startedAt: STARTED,
    endedAt: STARTED + 1_500,
    chrome: { pid: 4242, port: 9222, attached: false, headless: true, version: 'HeadlessChrome/140.0' },
    pageCrashed: false,
    navigations: [],
    navigationsDropped: 0,
    network: [request],
    networkStats: { count: 1, dropped: 0, bytes: 300, maxItems: 10_000, maxBytes: 1_000_000 },
    networkPending: 0,
    console: [message],
    consoleStats: { count: 1, dropped: 0, bytes: 100, maxItems: 10_000, maxBytes: 1_000_000 },
    ...over,
  };
}

test('buildSessionFile maps a snapshot to the documented layout', () => {
  const s = snapshot();
  const doc = buildSessionFile(s, 'stopped', undefined, { url: s.page.url, title: 'Home', html: '<html></html>', truncated: false });
  assert.deepEqual(doc, {
    schema: SESSION_FILE_SCHEMA,
    bdgVersion: VERSION,
    session: {
      url: 'http://127.0.0.1:8080',
      page: { url: 'http://127.0.0.1:8080/', title: 'Home' },
      startedAt: '2025-01-02T03:04:05.000Z',
      endedAt: '2025-01-02T03:04:06.500Z',
      durationMs: 1_500,
      endReason: 'stopped',
      chrome: { pid: 4242, port: 9222, attached: false, headless: true, version: 'HeadlessChrome/140.0' },
      pageCrashed: false,
    },
    navigations: [],
    network: s.network,
    console: s.console,
    dom: { url: 'http://127.0.0.1:8080/', title: 'Home', html: '<html></html>', truncated: false },
    stats: {
      network: { count: 1, dropped: 0, bytes: 300, maxItems: 10_000, maxBytes: 1_000_000, pending: 0 },
      console: { count: 1, dropped: 0, bytes: 100, maxItems: 10_000, maxBytes: 1_000_000 },
      navigationsDropped: 0,
    },
  });
  assert.equal('endDetail' in doc.session, false, 'no endDetail key when there is none');
});

test('buildSessionFile is pure: same snapshot, same document; extra stats fields are kept', () => {
  const s = snapshot({
    networkStats: { count: 0, dropped: 2, bytes: 0, maxItems: 1, maxBytes: 1, filtered: 3 } as SessionSnapshot['networkStats'],
    networkPending: 4,
    pageCrashed: true,
  });
  const a = buildSessionFile(s, 'page-crashed', 'renderer gone', null);
  const b = buildSessionFile(s, 'page-crashed', 'renderer gone', null);
  assert.deepEqual(a, b);
  assert.equal(a.session.endDetail, 'renderer gone');
  assert.equal(a.session.pageCrashed, true);
  assert.equal(a.dom, null);
  assert.deepEqual(a.stats.network, { count: 0, dropped: 2, bytes: 0, maxItems: 1, maxBytes: 1, filtered: 3, pending: 4 });
  assert.equal(JSON.stringify(a), JSON.stringify(b));
});
