import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleRecord, IssueRecord, NetworkListItem, NetworkRecord } from '../../src/protocol/records.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, sleep, spawnBdg, teardown, tempSessionDir } from '../helpers/bdg.js';

interface ConsoleData {
  navigation: { index: number; url: string } | null;
  messages: (ConsoleRecord & { count: number })[];
  list: boolean;
  issues: IssueRecord[];
  issuesDropped: number;
  navigations?: { index: number; url: string | null }[];
}

interface PeekData {
  network?: NetworkListItem[];
  console?: ConsoleRecord[];
  issues?: IssueRecord[];
  totals: { issues: number };
}

describe('Chrome Issues and blocked cookies against headless Chromium', () => {
  const dir = tempSessionDir('audits');
  let server: FixtureServer;

  const run = async (...args: string[]): Promise<{ text: string; json: unknown }> => {
    const r = await bdg(args, { sessionDir: dir });
    assert.equal(r.code, 0, `bdg ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return { text: r.stdout, json: r.json };
  };
  const data = async <T>(...args: string[]): Promise<T> => ((await run(...args, '--json')).json as { data: T }).data;
  /** Polls `bdg console` until `ok` holds (issues arrive as Chrome reports them). */
  const consoleUntil = async (ok: (d: ConsoleData) => boolean, ...args: string[]): Promise<ConsoleData> => {
    let d = await data<ConsoleData>('console', ...args);
    for (let i = 0; i < 50 && !ok(d); i++) {
      await sleep(100);
      d = await data<ConsoleData>('console', ...args);
    }
    return d;
  };

  before(async () => {
    server = await FixtureServer.start();
    // Over http, SameSite=None without Secure is refused, and so is a cookie for another domain.
    server.route('/cookies', (_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html',
        'set-cookie': ['nosecure=1; SameSite=None', 'other=2; Domain=example.com', 'strict=3; SameSite=Strict', 'good=4'],
      });
      res.end(`<!doctype html><title>cookies</title><script>document.cookie = 'dc=1; SameSite=None'; console.log('cookies page');</script>`);
    });
    // An inline script a CSP header forbids: Chrome blocks it and reports a ContentSecurityPolicyIssue.
    server.route('/csp', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "script-src 'self'" });
      res.end(`<!doctype html><title>csp</title><script>console.log('never runs')</script><script src="/csp.js"></script>`);
    });
    server.static('/csp.js', 'text/javascript', "console.log('allowed script'); console.log('same'); console.log('same');");
    // A page of another site (localhost) whose request to 127.0.0.1 leaves the SameSite=Strict cookie out.
    const longPath = `/scripts/${'deep/'.repeat(20)}log.js`;
    server.static(longPath, 'text/javascript', "console.log('first line\\nsecond line\\nthird line');");
    server.html(
      '/cross',
      `<!doctype html><title>cross</title><script src="${longPath}"></script><script>
        fetch('${server.url('/api')}', { mode: 'no-cors', credentials: 'include' }).then(() => console.log('api done'));
      </script>`,
    );
    server.static('/api', 'text/plain', 'ok');
    const start = await bdg([server.url('/cookies'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(start.code, 0, start.stdout + start.stderr);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
  });

  test('console and peek list the cookies Chrome refused as Chrome Issues; status counts them', async () => {
    const d = await consoleUntil((c) => ['nosecure', 'dc'].every((n) => c.issues.some((i) => i.cookie === n)));
    const nosecure = d.issues.find((i) => i.cookie === 'nosecure');
    assert.ok(nosecure, JSON.stringify(d.issues));
    assert.equal(nosecure.code, 'CookieIssue');
    assert.match(nosecure.type ?? '', /ExcludeSameSiteNoneInsecure/);
    assert.match(nosecure.text, /Cookie "nosecure" was not stored: SameSite=None without Secure/);
    assert.equal(nosecure.url, server.url('/cookies'));
    assert.equal(nosecure.count, 1);
    // document.cookie has no request: only the Issue tells.
    const dc = d.issues.find((i) => i.cookie === 'dc');
    assert.equal(dc?.requestId, undefined);
    assert.equal(d.issuesDropped, 0);

    const text = (await run('console')).text;
    assert.match(text, /Chrome Issues \(\d+, this page load\):/);
    assert.match(text, /i\d+\s+issue\s+Cookie "nosecure" was not stored/);
    // --level asks for messages of some levels: no Issues block (as the original bdg).
    assert.doesNotMatch((await run('console', '--level', 'error')).text, /Chrome Issues/);
    const only = await data<ConsoleData>('console', '--issues');
    assert.deepEqual(only.messages, []);
    assert.ok(only.issues.length >= 2);

    const peek = await data<PeekData>('peek');
    assert.ok((peek.issues ?? []).some((i) => i.cookie === 'nosecure'));
    assert.equal(peek.totals.issues, d.issues.length);
    assert.equal((await data<PeekData>('peek', '--network')).issues, undefined);
    assert.match((await run('peek')).text, /Issues \(\d+, this page load\):\n\s+i\d+\s+issue\s+Cookie/);

    const status = await data<{ issues: { count: number; dropped: number } }>('status');
    assert.equal(status.issues.count, d.issues.length);
  });

  test('details network shows the blocked Set-Cookies with their reasons; network list marks and filters them', async () => {
    const list = await data<{ requests: NetworkListItem[] }>('network', 'list');
    const doc = list.requests.find((r) => r.url === server.url('/cookies'));
    assert.ok(doc, JSON.stringify(list.requests.map((r) => r.url)));
    assert.deepEqual(
      [...(doc.blockedCookies ?? [])].sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'nosecure', kind: 'set-rejected', reasons: ['SameSiteNoneInsecure'] },
        { name: 'other', kind: 'set-rejected', reasons: ['InvalidDomain'] },
      ],
    );
    const details = await data<{ item: NetworkRecord }>('details', 'network', doc.id);
    assert.equal(details.item.blockedCookies?.length, 2);
    assert.ok(!JSON.stringify(details.item.blockedCookies).includes('=1'), 'names and reasons only');
    const text = (await run('details', 'network', doc.id)).text;
    assert.match(
      text,
      /Blocked cookies:\n {2}(nosecure {2}set rejected: SameSiteNoneInsecure\n {2}other {2}set rejected: InvalidDomain|other .*\n.*nosecure .*)/,
    );

    const filtered = await data<{ requests: NetworkListItem[] }>('network', 'list', '--filter', 'has-blocked-cookies:*');
    assert.deepEqual(
      filtered.requests.map((r) => r.url),
      [server.url('/cookies')],
    );
    const byReason = await data<{ requests: NetworkListItem[] }>('network', 'list', '--filter', 'has-blocked-cookies:InvalidDomain');
    assert.deepEqual(
      byReason.requests.map((r) => r.id),
      [doc.id],
    );
    const none = await data<{ requests: NetworkListItem[] }>('network', 'list', '--filter', 'has-blocked-cookies:SameSiteStrict');
    assert.deepEqual(none.requests, []);
    const others = await data<{ requests: NetworkListItem[] }>('network', 'list', '--filter', '!has-blocked-cookies:*');
    assert.ok(others.requests.every((r) => r.id !== doc.id) && others.requests.length > 0);
    const rows = (await run('network', 'list')).text.split('\n');
    assert.match(rows.find((l) => l.includes(`${doc.id} `)) ?? '', /⚠ cookie blocked$/);
  });

  test('a CSP-blocked inline script is an Issue of its page load; --history has the earlier ones too', async () => {
    await run('page', 'navigate', server.url('/csp'));
    const d = await consoleUntil((c) => c.issues.some((i) => i.code === 'ContentSecurityPolicyIssue'));
    const csp = d.issues.find((i) => i.code === 'ContentSecurityPolicyIssue');
    assert.ok(csp, JSON.stringify(d.issues));
    assert.equal(csp.type, 'kInlineViolation');
    assert.match(csp.text, /Content Security Policy blocked an inline script/);
    assert.equal(csp.source?.url, server.url('/csp'));
    assert.equal(csp.source?.line, 1);
    assert.ok(!d.issues.some((i) => i.code === 'CookieIssue'), 'the cookie issues belong to the previous page load');
    const all = await data<ConsoleData>('console', '--history');
    assert.ok(all.issues.some((i) => i.cookie === 'nosecure') && all.issues.some((i) => i.code === 'ContentSecurityPolicyIssue'));
  });

  test('console --follow --json prints each Chrome Issue once, as it is reported', async () => {
    const { child, done } = spawnBdg(['console', '--follow', '--json'], { sessionDir: dir, timeoutMs: 30_000 });
    await sleep(800);
    await run('page', 'reload');
    await sleep(1500);
    child.kill('SIGINT');
    const r = await done;
    const lines = r.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { data?: { type: string; item: IssueRecord } });
    const issues = lines.filter((l) => l.data?.type === 'issue').map((l) => l.data?.item);
    const csp = issues.filter((i) => i?.code === 'ContentSecurityPolicyIssue');
    // The current page load's issue, then the reload's (a new page load): two issues, each printed once.
    assert.equal(csp.length, 2, r.stdout);
    assert.notEqual(csp[0]?.id, csp[1]?.id);
  });

  test('a cookie left out of a cross-site request is listed as not sent', async () => {
    await run('page', 'navigate', server.url('/cross').replace('127.0.0.1', 'localhost'));
    let api: NetworkListItem | undefined;
    for (let i = 0; i < 50 && api?.blockedCookies === undefined; i++) {
      const l = await data<{ requests: NetworkListItem[] }>('network', 'list', '--filter', 'has-blocked-cookies:not-sent');
      api = l.requests.find((r) => r.url === server.url('/api'));
      if (api === undefined) await sleep(100);
    }
    assert.ok(api, 'the request from localhost to 127.0.0.1 lists a cookie not sent');
    const strict = api.blockedCookies?.find((c) => c.name === 'strict');
    assert.deepEqual(strict?.kind, 'not-sent');
    assert.match(strict?.reasons.join() ?? '', /SameSiteStrict/);
  });

  test('console --list: every message in order, unfolded, with a marker where each page load begins', async () => {
    const list = await data<ConsoleData>('console', '--list', '--history');
    assert.equal(list.list, true);
    const texts = list.messages.map((m) => m.text);
    const iCookies = texts.indexOf('cookies page');
    const iAllowed = texts.indexOf('allowed script');
    const iApi = texts.indexOf('api done');
    assert.ok(iCookies >= 0 && iCookies < iAllowed && iAllowed < iApi, texts.join(' | '));
    // Not folded: the two identical lines are two entries.
    const sameByPage = new Map<number, number>();
    for (const m of list.messages) if (m.text === 'same') sameByPage.set(m.navigation, (sameByPage.get(m.navigation) ?? 0) + 1);
    assert.ok(sameByPage.size > 0 && [...sameByPage.values()].every((n) => n === 2), JSON.stringify([...sameByPage]));
    assert.ok(list.messages.every((m) => m.count === 1));
    const navs = [...new Set(list.messages.map((m) => m.navigation))];
    assert.ok(navs.length >= 3, JSON.stringify(navs));

    const text = (await run('console', '--list', '--history')).text;
    const markers = text.split('\n').filter((l) => l.startsWith('─── Next page'));
    assert.equal(markers.length, navs.length - 1, text);
    assert.match(markers[0] ?? '', new RegExp(`^─── Next page \\(navigation #${navs[1]}\\): ${server.url('/csp').replace(/[.?]/g, '\\$&')} ───$`));
    // Rows carry the time of day.
    assert.match(text, /c\d+\s+log\s+\d\d:\d\d:\d\d\.\d{3} {2}cookies page/);
    assert.ok(text.indexOf('cookies page') < text.indexOf(markers[0] ?? '') && text.indexOf(markers[0] ?? '') < text.indexOf('allowed script'));

    // Without --history: the current page load only, so no markers.
    const current = (await run('console', '--list')).text;
    assert.doesNotMatch(current, /Next page/);
    assert.match(current, /api done/);
    assert.doesNotMatch(current, /cookies page/);
  });

  test('peek --verbose prints whole texts and source URLs and the resource type; the compact view cuts them', async () => {
    const compact = (await run('peek')).text;
    const verbose = (await run('peek', '--verbose')).text;
    assert.match(compact, /first line …/);
    assert.doesNotMatch(compact, /second line/);
    assert.match(verbose, /first line\n\s+second line\n\s+third line/);
    const longUrl = server.url(`/scripts/${'deep/'.repeat(20)}log.js`).replace('127.0.0.1', 'localhost');
    const logLine = (t: string): string => t.split('\n').find((l) => l.includes('first line')) ?? '';
    assert.ok(!logLine(compact).includes(longUrl), 'the compact view cuts long source URLs');
    assert.ok(verbose.includes(`third line  (${longUrl}:1:9)`), verbose);
    assert.match(verbose, /n\d+\s+GET\s+200\s+http:\/\/localhost:\d+\/cross .*\n\s+type Document/);
    // The JSON is the same data either way.
    const a = await data<PeekData>('peek');
    const b = await data<PeekData>('peek', '--verbose');
    assert.deepEqual(
      b.console?.map((c) => c.id),
      a.console?.map((c) => c.id),
    );
  });

  test('the journal keeps the blocked cookies: network list and details --from read them', async () => {
    const journal = join(dir, 'journal.ndjson');
    let found: NetworkListItem[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      const r = await bdg(['network', 'list', '--from', journal, '--filter', 'has-blocked-cookies:*', '--json'], { sessionDir: dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      found = (r.json as { data: { requests: NetworkListItem[] } }).data.requests;
      if (found.length === 0) await sleep(100);
    }
    const doc = found.find((r) => r.url === server.url('/cookies'));
    assert.ok(doc, JSON.stringify(found.map((r) => r.url)));
    const r = await bdg(['details', 'network', doc.id, '--from', journal], { sessionDir: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Blocked cookies:[\s\S]*nosecure {2}set rejected: SameSiteNoneInsecure/);
  });

  test('session.json keeps the issues and the blocked cookies', async () => {
    const stop = await data<{ sessionFile: string | null }>('stop');
    assert.ok(stop.sessionFile !== null);
    const doc = JSON.parse(readFileSync(stop.sessionFile, 'utf8')) as { issues?: IssueRecord[]; network: NetworkRecord[] };
    assert.ok(doc.issues?.some((i) => i.cookie === 'nosecure') && doc.issues.some((i) => i.code === 'ContentSecurityPolicyIssue'));
    assert.ok(doc.network.some((r) => r.blockedCookies?.some((c) => c.name === 'nosecure')));
  });
});
