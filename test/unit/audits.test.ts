import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from 'devtools-protocol';
import type { NetworkRecord } from '../../src/protocol/records.js';
import { IssueCollector } from '../../src/telemetry/issues.js';
import { MAX_BLOCKED_COOKIES, noteRequestCookies, noteResponseCookies } from '../../src/telemetry/cookiesBlocked.js';
import { parseNetworkFilter } from '../../src/telemetry/filter.js';

const added = (issue: Protocol.Audits.InspectorIssue): Protocol.Audits.IssueAddedEvent => ({ issue });

const cookieIssue = (name: string, url = 'http://127.0.0.1/page', requestId?: string): Protocol.Audits.InspectorIssue => ({
  code: 'CookieIssue',
  details: {
    cookieIssueDetails: {
      cookie: { name, path: '/', domain: '127.0.0.1' },
      cookieWarningReasons: ['WarnSameSiteNoneInsecure'],
      cookieExclusionReasons: ['ExcludeSameSiteNoneInsecure'],
      operation: 'SetCookie',
      cookieUrl: url,
      ...(requestId !== undefined ? { request: { requestId, url } } : {}),
    },
  },
});

const cspIssue = (column: number): Protocol.Audits.InspectorIssue => ({
  code: 'ContentSecurityPolicyIssue',
  details: {
    contentSecurityPolicyIssueDetails: {
      violatedDirective: 'script-src-elem',
      isReportOnly: false,
      contentSecurityPolicyViolationType: 'kInlineViolation',
      sourceCodeLocation: { url: 'http://127.0.0.1/csp', lineNumber: 0, columnNumber: column },
    },
  },
});

test('issues: one line per report, with what it affects, 1-based source positions', () => {
  const c = new IssueCollector({ maxItems: 10, maxBytes: 100_000, now: () => 1000 });
  c.handle('Audits.issueAdded', added(cookieIssue('nosecure', 'http://127.0.0.1/page', 'R1')));
  c.handle('Audits.issueAdded', added(cspIssue(41)));
  c.handle(
    'Audits.issueAdded',
    added({
      code: 'DeprecationIssue',
      details: {
        deprecationIssueDetails: { type: 'NoSysexWebMIDIWithoutPermission', sourceCodeLocation: { url: 'http://x/a.js', lineNumber: 9, columnNumber: 0 } },
      },
    }),
  );
  const [cookie, csp, dep] = c.all();
  assert.equal(cookie?.code, 'CookieIssue');
  assert.equal(cookie?.text, 'Cookie "nosecure" was not stored: SameSite=None without Secure');
  assert.equal(cookie?.cookie, 'nosecure');
  assert.equal(cookie?.requestId, 'R1');
  assert.equal(cookie?.type, 'ExcludeSameSiteNoneInsecure');
  assert.equal(csp?.text, 'Content Security Policy blocked an inline script or style: directive script-src-elem');
  assert.deepEqual(csp?.source, { url: 'http://127.0.0.1/csp', line: 1, column: 42 });
  assert.equal(dep?.text, 'Deprecated feature used: NoSysexWebMIDIWithoutPermission');
  assert.deepEqual(dep?.source, { url: 'http://x/a.js', line: 10, column: 1 });
  assert.deepEqual(
    c.all().map((i) => i.id),
    ['i1', 'i2', 'i3'],
  );
});

test('issues: verbatim repeats are not counted, same kind on the same resource folds, another resource is another issue', () => {
  const c = new IssueCollector({ maxItems: 10, maxBytes: 100_000 });
  c.handle('Audits.issueAdded', added(cookieIssue('a')));
  c.handle('Audits.issueAdded', added(cookieIssue('a'))); // Chrome's repeat (Audits.enable replays too)
  c.handle('Audits.issueAdded', added(cspIssue(1)));
  c.handle('Audits.issueAdded', added(cspIssue(7))); // another inline script: another position, another issue
  c.handle('Audits.issueAdded', added(cookieIssue('b')));
  const all = c.all();
  assert.equal(all.length, 4);
  assert.equal(all[0]?.count, 1);
  // Form errors are one issue per kind, their elements listed.
  for (const node of [7, 8, 7])
    c.handle(
      'Audits.issueAdded',
      added({
        code: 'GenericIssue',
        details: { genericIssueDetails: { errorType: 'FormDuplicateIdForInputError', violatingNodeId: node, violatingNodeAttribute: 'id' } },
      }),
    );
  const form = c.all().find((i) => i.code === 'GenericIssue');
  assert.equal(form?.count, 2);
  assert.deepEqual(form?.nodes, [{ backendNodeId: 7 }, { backendNodeId: 8 }]);
});

test('issues: per page load, bounded (newest kept, drops counted per page load), attributed by request', () => {
  const c = new IssueCollector({ maxItems: 3, maxBytes: 100_000, navigationOf: (id) => (id === 'DOC2' ? 2 : undefined) });
  c.handle('Audits.issueAdded', added(cookieIssue('a')));
  c.setNavigation(1);
  c.handle('Audits.issueAdded', added(cookieIssue('a'))); // same report, next page load: a new issue
  c.handle('Audits.issueAdded', added(cookieIssue('late', 'http://127.0.0.1/two', 'DOC2'))); // before the commit
  assert.deepEqual(
    c.all().map((i) => i.navigation),
    [0, 1, 2],
  );
  c.handle('Audits.issueAdded', added(cspIssue(3)));
  c.handle('Audits.issueAdded', added(cspIssue(4)));
  assert.equal(c.all().length, 3);
  assert.equal(c.stats().dropped, 2);
  assert.equal(c.droppedOf(0), 1);
  assert.equal(c.droppedOf(1), 1);
  assert.equal(c.droppedOf(), 2);
  assert.deepEqual(
    c.of(1).map((i) => i.code),
    ['ContentSecurityPolicyIssue', 'ContentSecurityPolicyIssue'],
  );
  // A dropped issue's key is forgotten: the same report again is a new issue, not a count on a dropped one.
  c.handle('Audits.issueAdded', added(cookieIssue('late', 'http://127.0.0.1/two', 'DOC2')));
  assert.equal(c.all().length, 3);
});

test('issues: malformed events and unknown codes', () => {
  const c = new IssueCollector({ maxItems: 10, maxBytes: 100_000 });
  assert.equal(c.handle('Audits.issueAdded', null), undefined);
  assert.equal(c.handle('Audits.issueAdded', { issue: 'x' }), undefined);
  assert.equal(c.handle('Network.requestWillBeSent', added(cookieIssue('a'))), undefined);
  const other = c.handle('Audits.issueAdded', {
    issue: { code: 'SomeFutureIssue', details: { someFutureIssueDetails: { reason: 'Why', request: { url: 'http://x/' } } } },
  });
  assert.equal(other?.text, 'SomeFuture: Why');
  assert.equal(other?.url, 'http://x/');
});

test('blocked cookies: Set-Cookies not stored, cookies not sent (not the ones for other URLs), exemptions, no values', () => {
  const r: Partial<NetworkRecord> = {};
  noteResponseCookies(
    r,
    [
      { blockedReasons: ['SameSiteNoneInsecure'], cookieLine: 'nosecure=1; SameSite=None', cookie: { name: 'nosecure' } as Protocol.Network.Cookie },
      { blockedReasons: ['InvalidDomain'], cookieLine: 'other=2; Domain=example.com' },
      { blockedReasons: [], cookieLine: 'ok=3' },
    ],
    [{ exemptionReason: 'StorageAccess', cookieLine: 'tp=1', cookie: { name: 'tp' } as Protocol.Network.Cookie }],
  );
  noteRequestCookies(r, [
    { cookie: { name: 'lax' } as Protocol.Network.Cookie, blockedReasons: ['SameSiteLax'] },
    { cookie: { name: 'elsewhere' } as Protocol.Network.Cookie, blockedReasons: ['DomainMismatch'] },
    { cookie: { name: 'sent' } as Protocol.Network.Cookie, blockedReasons: [] },
  ]);
  assert.deepEqual(r.blockedCookies, [
    { name: 'nosecure', kind: 'set-rejected', reasons: ['SameSiteNoneInsecure'] },
    { name: 'other', kind: 'set-rejected', reasons: ['InvalidDomain'] },
    { name: 'lax', kind: 'not-sent', reasons: ['SameSiteLax'] },
  ]);
  assert.deepEqual(r.exemptedCookies, [{ name: 'tp', kind: 'set', reason: 'StorageAccess' }]);
  assert.ok(!JSON.stringify(r).includes('=1'), 'no cookie values are kept');
  // Chrome may send an event twice: no duplicates.
  noteRequestCookies(r, [{ cookie: { name: 'lax' } as Protocol.Network.Cookie, blockedReasons: ['SameSiteLax'] }]);
  assert.equal(r.blockedCookies?.length, 3);
});

test('blocked cookies: at most MAX_BLOCKED_COOKIES per request, the rest counted', () => {
  const r: Partial<NetworkRecord> = {};
  const many = Array.from({ length: MAX_BLOCKED_COOKIES + 7 }, (_, i) => ({
    blockedReasons: ['InvalidDomain'] as Protocol.Network.SetCookieBlockedReason[],
    cookieLine: `c${i}=v`,
  }));
  noteResponseCookies(r, many, undefined);
  assert.equal(r.blockedCookies?.length, MAX_BLOCKED_COOKIES);
  assert.equal(r.blockedCookiesOmitted, 7);
  const none: Partial<NetworkRecord> = {};
  noteResponseCookies(none, [], []);
  noteRequestCookies(none, undefined);
  assert.deepEqual(none, {});
});

test('filter has-blocked-cookies: name, reason or kind, * for any, negated with - or !', () => {
  const base = { url: 'http://127.0.0.1/', method: 'GET', state: 'finished' as const };
  const blocked = { ...base, blockedCookies: [{ name: 'nosecure', kind: 'set-rejected' as const, reasons: ['SameSiteNoneInsecure'] }] };
  const omittedOnly = { ...base, blockedCookiesOmitted: 3 };
  const clean = { ...base };
  const m = (f: string, r: Parameters<ReturnType<typeof parseNetworkFilter>['matches']>[0]): boolean => parseNetworkFilter(f).matches(r);
  assert.equal(m('has-blocked-cookies:*', blocked), true);
  assert.equal(m('has-blocked-cookies:*', omittedOnly), true);
  assert.equal(m('has-blocked-cookies:*', clean), false);
  assert.equal(m('has-blocked-cookies:nosecure', blocked), true);
  assert.equal(m('has-blocked-cookies:samesite*', blocked), true);
  assert.equal(m('has-blocked-cookies:set-rejected', blocked), true);
  assert.equal(m('has-blocked-cookies:not-sent', blocked), false);
  assert.equal(m('has-blocked-cookies:InvalidDomain,nosecure', blocked), true);
  assert.equal(m('!has-blocked-cookies:*', clean), true);
  assert.equal(m('-has-blocked-cookies:*', blocked), false);
  assert.throws(() => parseNetworkFilter('has-blocked-cookie:*'), /did you mean has-blocked-cookies:/);
});
