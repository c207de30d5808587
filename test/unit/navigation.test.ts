import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from 'devtools-protocol';
import { ConsoleCollector } from '../../src/telemetry/console.js';
import { NavigationTracker, type NavigationChange } from '../../src/telemetry/navigation.js';
import { NetworkCollector } from '../../src/telemetry/network.js';

const MAIN = 'MAINFRAME0000000000000000000000A';
const CHILD = 'CHILDFRAME000000000000000000000B';

/** Tracker and collectors wired the way the daemon's session wires them. */
function setup(): { nav: NavigationTracker; net: NetworkCollector; con: ConsoleCollector; feed: (method: string, params: unknown) => void } {
  let clock = 1_000;
  const nav = new NavigationTracker({ maxItems: 3, now: () => clock++ });
  nav.mainFrameId = MAIN;
  const net = new NetworkCollector({ maxItems: 100, maxBytes: 1e7, maxBodyBytes: 1e6, includeAll: false, now: () => clock });
  const con = new ConsoleCollector({ maxItems: 100, maxBytes: 1e7, now: () => clock });
  const apply = (c: NavigationChange | undefined): void => {
    if (c?.network !== undefined) net.setNavigation(c.network);
    if (c?.console !== undefined) con.setNavigation(c.console);
  };
  const feed = (method: string, params: unknown): void => {
    if (method === 'Network.requestWillBeSent' || method.startsWith('Page.')) apply(nav.handle(method, params));
    if (method.startsWith('Network.')) net.handle(method, params);
    else if (method.startsWith('Runtime.')) con.handle(method, params);
  };
  return { nav, net, con, feed };
}

function request(
  requestId: string,
  url: string,
  opts: { type?: Protocol.Network.ResourceType; loaderId?: string; frameId?: string; redirectFrom?: string } = {},
): Protocol.Network.RequestWillBeSentEvent {
  const e: Protocol.Network.RequestWillBeSentEvent = {
    requestId,
    loaderId: opts.loaderId ?? requestId,
    documentURL: url,
    request: { url, method: 'GET', headers: {}, initialPriority: 'VeryHigh', referrerPolicy: 'strict-origin-when-cross-origin' },
    timestamp: 100,
    wallTime: 1_718_000_000,
    initiator: { type: 'other' },
    redirectHasExtraInfo: false,
    type: opts.type ?? 'Document',
    frameId: opts.frameId ?? MAIN,
  };
  if (opts.redirectFrom !== undefined) {
    e.redirectResponse = {
      url: opts.redirectFrom,
      status: 302,
      statusText: 'Found',
      headers: { location: url },
      mimeType: '',
      charset: '',
      connectionReused: false,
      connectionId: 1,
      encodedDataLength: 0,
      securityState: 'neutral',
    };
  }
  return e;
}

function committed(url: string, loaderId: string, frameId = MAIN, parentId?: string): Protocol.Page.FrameNavigatedEvent {
  const frame: Protocol.Page.Frame = {
    id: frameId,
    loaderId,
    url,
    domainAndRegistry: '',
    securityOrigin: url,
    mimeType: 'text/html',
    secureContextType: 'Secure',
    crossOriginIsolatedContextType: 'NotIsolated',
    gatedAPIFeatures: [],
  };
  if (parentId !== undefined) frame.parentId = parentId;
  return { frame, type: 'Navigation' };
}

function log(text: string): Protocol.Runtime.ConsoleAPICalledEvent {
  return { type: 'log', args: [{ type: 'string', value: text }], executionContextId: 1, timestamp: 1 };
}

test('the document request of a navigation carries the new index; console switches at the commit', () => {
  const { nav, net, con, feed } = setup();
  feed('Network.requestWillBeSent', request('L1', 'http://localhost:3000/'));
  feed('Page.frameNavigated', committed('http://localhost:3000/', 'L1'));
  feed('Runtime.consoleAPICalled', log('first page'));
  feed('Network.requestWillBeSent', request('r1', 'http://localhost:3000/app.js', { type: 'Script', loaderId: 'L1' }));

  // Navigation to /b: the old page still logs and fetches between the request and the commit.
  feed('Network.requestWillBeSent', request('L2', 'http://localhost:3000/b'));
  feed('Runtime.consoleAPICalled', log('unloading'));
  feed('Page.frameNavigated', committed('http://localhost:3000/b', 'L2'));
  feed('Runtime.consoleAPICalled', log('second page'));

  assert.deepEqual(
    net.all().map((r) => [r.url, r.navigation]),
    [
      ['http://localhost:3000/', 0],
      ['http://localhost:3000/app.js', 0],
      ['http://localhost:3000/b', 1],
    ],
  );
  assert.deepEqual(
    con.all().map((c) => [c.text, c.navigation]),
    [
      ['first page', 0],
      ['unloading', 0],
      ['second page', 1],
    ],
  );
  assert.deepEqual(
    nav.navigations.map((n) => [n.index, n.url]),
    [
      [0, 'http://localhost:3000/'],
      [1, 'http://localhost:3000/b'],
    ],
  );
  assert.equal(nav.navigations[0]?.timestamp, 1_718_000_000_000, 'started at the document request');
  assert.equal(nav.current()?.index, 1);
});

test('redirect hops, subframe documents and subresources start no navigation; the URL ends at the last hop', () => {
  const { nav, net, feed } = setup();
  feed('Network.requestWillBeSent', request('L1', 'http://localhost:3000/login'));
  feed('Network.requestWillBeSent', request('L1', 'http://localhost:3000/home', { redirectFrom: 'http://localhost:3000/login' }));
  feed('Network.requestWillBeSent', request('F1', 'http://localhost:3000/frame', { frameId: CHILD }));
  feed('Network.requestWillBeSent', request('x1', 'http://localhost:3000/api', { type: 'Fetch', loaderId: 'L1' }));
  feed('Page.frameNavigated', committed('http://localhost:3000/frame', 'F1', CHILD, MAIN));
  feed('Page.frameNavigated', committed('http://localhost:3000/home', 'L1'));
  assert.equal(nav.navigations.length, 1);
  assert.equal(nav.navigations[0]?.url, 'http://localhost:3000/home');
  assert.deepEqual(new Set(net.all().map((r) => r.navigation)), new Set([0]));
});

test('commits without a document request (bfcache, about:blank later) are navigations; the first about:blank is not', () => {
  const { nav, feed } = setup();
  feed('Page.frameNavigated', committed('about:blank', 'B0'));
  assert.equal(nav.navigations.length, 0);
  feed('Network.requestWillBeSent', request('L1', 'http://localhost:3000/'));
  feed('Page.frameNavigated', committed('http://localhost:3000/', 'L1'));
  feed('Page.frameNavigated', committed('http://localhost:3000/old', 'BF'));
  assert.deepEqual(
    nav.navigations.map((n) => n.url),
    ['http://localhost:3000/', 'http://localhost:3000/old'],
  );
  assert.equal(nav.networkNavigation, 1);
  assert.equal(nav.consoleNavigation, 1);
});

test('a failed navigation that commits an error page stays one navigation with the URL that failed', () => {
  const { nav, feed } = setup();
  feed('Network.requestWillBeSent', request('L1', 'http://localhost:9/'));
  feed('Page.frameNavigated', committed('chrome-error://chromewebdata/', 'ERRLOADER'));
  assert.deepEqual(
    nav.navigations.map((n) => [n.index, n.url]),
    [[0, 'http://localhost:9/']],
  );
  assert.equal(nav.consoleNavigation, 0);
});

test('load timings and the title go to the current navigation; the list is bounded and drops are counted', () => {
  const { nav, feed } = setup();
  for (let i = 0; i < 5; i++) {
    feed('Network.requestWillBeSent', request(`L${i}`, `http://localhost:3000/${i}`));
    feed('Page.frameNavigated', committed(`http://localhost:3000/${i}`, `L${i}`));
  }
  feed('Page.domContentEventFired', { timestamp: 1 });
  feed('Page.loadEventFired', { timestamp: 2 });
  nav.setTitle('Five');
  assert.equal(nav.navigations.length, 3);
  assert.equal(nav.dropped, 2);
  assert.deepEqual(
    nav.navigations.map((n) => n.index),
    [2, 3, 4],
  );
  assert.equal(nav.get(1), undefined);
  const last = nav.get(4);
  assert.equal(last?.title, 'Five');
  assert.ok(last?.domContentLoadedAt !== undefined && last.loadedAt !== undefined && last.loadedAt >= last.domContentLoadedAt);
});

test('a navigation is recorded without its #fragment, a reload as a navigate: from the request, the commit and a tab switch', () => {
  const { nav, net, feed } = setup();
  // Page.navigate to /a#one: Chrome sends the fragment apart (urlFragment), the frame's url has none.
  const go = request('L1', 'http://localhost:3000/a');
  go.request.urlFragment = '#one';
  feed('Network.requestWillBeSent', go);
  assert.equal(nav.navigations[0]?.url, 'http://localhost:3000/a');
  feed('Page.frameNavigated', {
    ...committed('http://localhost:3000/a', 'L1'),
    frame: { ...committed('http://localhost:3000/a', 'L1').frame, urlFragment: '#one' },
  });
  // Page.reload of it: the same document, recorded the same way, even were the fragment left in the request URL.
  feed('Network.requestWillBeSent', request('L2', 'http://localhost:3000/a#one'));
  assert.equal(nav.navigations[1]?.url, 'http://localhost:3000/a');
  feed('Page.frameNavigated', committed('http://localhost:3000/a', 'L2'));
  // Another tab, selected while it shows /c#part.
  nav.committed('http://localhost:3000/c#part');
  assert.deepEqual(
    nav.navigations.map((n) => n.url),
    ['http://localhost:3000/a', 'http://localhost:3000/a', 'http://localhost:3000/c'],
  );
  // The document request itself keeps the fragment it was made with, as DevTools lists it.
  assert.equal(net.all()[0]?.url, 'http://localhost:3000/a#one');
});
