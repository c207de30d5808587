/**
 * `--shared-browser`, end to end against the built `bdg` and real headless Chromium: sessions in one shared Chrome
 * do not see each other's cookies or localStorage; there is one Chrome however many sessions; it outlives the
 * sessions that stop while another still uses it and ends with the last; a member killed with `kill -9` is settled
 * by `cleanup`, and a shared Chrome whose members all died by `cleanup --all` and by the boot sweep; ten sessions
 * starting at once get one Chrome. Every process a test starts is ended by pid; nothing is killed by name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, isAlive, killAll, removeDir, waitFor, type RunResult } from '../helpers/bdg.js';

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Live processes under `base`: daemons by their config, Chrome browser processes (not helpers) by their profile. */
function processesUnder(base: string): { daemons: number[]; chromes: number[]; helpers: number[] } {
  const out = { daemons: [] as number[], chromes: [] as number[], helpers: [] as number[] };
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    const cmd = cmdline(pid);
    if (!isAlive(pid)) continue;
    if (cmd.some((a) => a.includes('daemon.js')) && cmd.some((a) => a.includes(`"sessionDir":"${base}`))) out.daemons.push(pid);
    else if (cmd.some((a) => a.startsWith(`--user-data-dir=${base}`))) (cmd.some((a) => a.startsWith('--type=')) ? out.helpers : out.chromes).push(pid);
  }
  return out;
}

async function teardownBase(base: string): Promise<void> {
  await bdg(['stop', '--all'], { sessionDir: base, timeoutMs: 120_000 }).catch(() => undefined);
  const left = processesUnder(base);
  const pids = [...left.daemons, ...left.chromes, ...left.helpers];
  killAll(pids);
  await waitFor(() => pids.every((p) => !isAlive(p)), 10_000);
  await removeDir(base);
}

type Json<T> = { success: boolean; data: T; error?: string; code?: string };
const data = <T>(r: RunResult): T => (r.json as Json<T>).data;

interface Started {
  pid: number;
  chromePid: number;
  sharedBrowser: string | null;
  browserContextId: string | null;
}

interface BrowserJson {
  pid: number;
  wsEndpoint: string;
}

function browserJson(base: string, name: string): BrowserJson | undefined {
  try {
    return JSON.parse(readFileSync(join(base, 'browsers', name, 'browser.json'), 'utf8')) as BrowserJson;
  } catch {
    return undefined;
  }
}

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what} failed: ${r.stdout}\n${r.stderr}`);
  return r;
}

describe('one Chrome, many sessions (--shared-browser)', () => {
  let server: FixtureServer;
  const bases: string[] = [];
  const newBase = (label: string): string => {
    const b = mkdtempSync(join(tmpdir(), `bdg-e2e-sb-${label}-`));
    bases.push(b);
    return b;
  };

  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<title>Plain</title><p>nothing stored here</p>');
    // The cookie comes from the response and localStorage from the page: both kinds of per-context storage.
    server.route('/set', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'who=first; Path=/' });
      res.end('<title>Set</title><script>localStorage.setItem("who", "first")</script>');
    });
  });
  after(async () => {
    for (const b of bases) await teardownBase(b);
    await server.close();
  });

  it(
    'three sessions in one shared Chrome keep their cookies and localStorage apart; the Chrome outlives two stops and ends with the last',
    { timeout: 240_000 },
    async () => {
      const base = newBase('three');
      const run = (session: string, ...args: string[]): Promise<RunResult> =>
        bdg([...args, '--session', session, '--json'], { sessionDir: base, timeoutMs: 90_000 });
      const a = data<Started>(ok(await run('a', server.url('/set'), '--shared-browser', '--headless'), 'start a'));
      assert.equal(a.sharedBrowser, 'default');
      assert.match(a.browserContextId ?? '', /^[0-9A-F]{32}$/);
      const b = data<Started>(ok(await run('b', server.url('/'), '--shared-browser', '--headless'), 'start b'));
      const c = data<Started>(ok(await run('c', server.url('/'), '--shared-browser', '--headless'), 'start c'));
      assert.equal(b.chromePid, a.chromePid, 'b joined the Chrome a launched');
      assert.equal(c.chromePid, a.chromePid, 'c joined the Chrome a launched');
      assert.equal(new Set([a.browserContextId, b.browserContextId, c.browserContextId]).size, 3, 'each session has its own browser context');
      assert.notEqual(new Set([a.pid, b.pid, c.pid]).size, 1, 'each session has its own daemon');

      // One Chrome browser process for the three sessions, the one the registry names.
      const procs = processesUnder(base);
      assert.deepEqual(procs.chromes, [a.chromePid]);
      assert.equal(procs.daemons.length, 3);
      assert.equal(browserJson(base, 'default')?.pid, a.chromePid);

      const evalIn = async (s: string, expr: string): Promise<unknown> => data<{ value: unknown }>(ok(await run(s, 'dom', 'eval', expr), `eval in ${s}`)).value;
      const stored = 'JSON.stringify({ cookie: document.cookie, local: localStorage.getItem("who") })';
      assert.deepEqual(JSON.parse((await evalIn('a', stored)) as string), { cookie: 'who=first', local: 'first' });
      assert.deepEqual(JSON.parse((await evalIn('b', stored)) as string), { cookie: '', local: null }, "b does not see a's cookie or localStorage");
      assert.deepEqual(JSON.parse((await evalIn('c', stored)) as string), { cookie: '', local: null }, "c does not see a's cookie or localStorage");
      // The requests of b and c went out without a's cookie.
      const plain = server.requests.filter((r) => r.path === '/');
      assert.ok(plain.length >= 2);
      assert.ok(
        plain.every((r) => r.headers.cookie === undefined),
        'no request of b or c carried the cookie',
      );
      // Storage written in b stays in b.
      await evalIn('b', 'localStorage.setItem("who", "second"); document.cookie = "who=second; path=/"; 1');
      assert.deepEqual(JSON.parse((await evalIn('a', stored)) as string), { cookie: 'who=first', local: 'first' });
      assert.deepEqual(JSON.parse((await evalIn('c', stored)) as string), { cookie: '', local: null });

      // Each session's tabs are its own: b sees one tab, not a's or c's.
      const tabs = data<{ tabs: Array<{ url: string }> }>(ok(await run('b', 'tabs'), 'tabs in b'));
      assert.deepEqual(
        tabs.tabs.map((t) => t.url),
        [server.url('/')],
      );

      // status and sessions say the session is in the shared browser, in its own context.
      const st = data<{ sharedBrowser: { name: string; browserContextId: string } | null }>(ok(await run('c', 'status'), 'status c'));
      assert.equal(st.sharedBrowser?.name, 'default');
      assert.equal(st.sharedBrowser?.browserContextId, c.browserContextId);
      const list = data<{
        sessions: Array<{ name: string; sharedBrowser: string | null }>;
        browsers: Array<{ name: string; chromePid: number; members: unknown[] }>;
      }>(ok(await bdg(['sessions', '--json'], { sessionDir: base }), 'sessions'));
      assert.deepEqual(
        list.sessions.map((s) => [s.name, s.sharedBrowser]),
        [
          ['a', 'default'],
          ['b', 'default'],
          ['c', 'default'],
        ],
      );
      assert.equal(list.browsers.length, 1);
      assert.equal(list.browsers[0]?.chromePid, a.chromePid);
      assert.equal(list.browsers[0]?.members.length, 3);

      // Stopping two keeps Chrome for the third, which keeps working.
      const stopA = data<{ chromeClosed: boolean }>(ok(await run('a', 'stop'), 'stop a'));
      assert.equal(stopA.chromeClosed, false);
      ok(await run('b', 'stop'), 'stop b');
      assert.ok(isAlive(a.chromePid), 'the shared Chrome runs on for c');
      assert.equal(data<{ page: { url: string } }>(ok(await run('c', 'peek'), 'peek c')).page.url, server.url('/'));
      assert.deepEqual(JSON.parse((await evalIn('c', stored)) as string), { cookie: '', local: null });

      // The last one ends it and removes the registry.
      const stopC = data<{ chromeClosed: boolean }>(ok(await run('c', 'stop'), 'stop c'));
      assert.equal(stopC.chromeClosed, true);
      assert.ok(await waitFor(() => !isAlive(a.chromePid), 10_000), 'the shared Chrome ended with its last session');
      assert.equal(existsSync(join(base, 'browsers', 'default')), false, 'the registry is removed');
      const left = processesUnder(base);
      assert.deepEqual([...left.daemons, ...left.chromes], []);
      assert.ok(await waitFor(() => processesUnder(base).helpers.length === 0, 10_000), 'no Chrome helper is left');
    },
  );

  it(
    'kill -9 of members: cleanup settles the dead member, cleanup --all and the boot sweep end a shared Chrome nobody uses',
    { timeout: 240_000 },
    async () => {
      const base = newBase('kill');
      const run = (session: string, ...args: string[]): Promise<RunResult> =>
        bdg([...args, '--session', session, '--json'], { sessionDir: base, timeoutMs: 90_000 });
      const x = data<Started>(ok(await run('x', server.url('/'), '--shared-browser', 'k', '--headless'), 'start x'));
      const y = data<Started>(ok(await run('y', server.url('/'), '--shared-browser', 'k', '--headless'), 'start y'));
      assert.equal(x.sharedBrowser, 'k');
      assert.equal(y.chromePid, x.chromePid);

      // x's daemon dies: its context goes with its connection, its member file stays until a clean-up notices.
      process.kill(x.pid, 'SIGKILL');
      assert.ok(await waitFor(() => !isAlive(x.pid), 5_000));
      assert.ok(existsSync(join(base, 'browsers', 'k', 'members', 'x.json')));
      const cleaned = ok(await bdg(['cleanup', '--session', 'x'], { sessionDir: base }), 'cleanup x');
      assert.match(cleaned.stdout, /Shared browser "k": removed session "x"/);
      assert.equal(existsSync(join(base, 'browsers', 'k', 'members', 'x.json')), false);
      assert.ok(isAlive(x.chromePid), 'y still uses the shared Chrome');
      ok(await run('y', 'peek'), 'peek y');

      // y dies too: nobody uses the Chrome any more, and cleanup --all ends it.
      process.kill(y.pid, 'SIGKILL');
      assert.ok(await waitFor(() => !isAlive(y.pid), 5_000));
      const all = ok(await bdg(['cleanup', '--all', '--json'], { sessionDir: base }), 'cleanup --all');
      assert.ok(data<{ sharedBrowsers: string[] }>(all).sharedBrowsers.includes('k'), all.stdout);
      assert.ok(await waitFor(() => !isAlive(x.chromePid), 10_000), 'the orphaned shared Chrome was ended');
      assert.equal(existsSync(join(base, 'browsers', 'k')), false);
      assert.ok(
        await waitFor(() => {
          const p = processesUnder(base);
          return p.daemons.length + p.chromes.length + p.helpers.length === 0;
        }, 10_000),
        'no orphan is left',
      );

      // The boot sweep: a shared Chrome whose only member was killed, found by the first command of a new boot.
      const z = data<Started>(ok(await run('z', server.url('/'), '--shared-browser', 'k', '--headless'), 'start z'));
      assert.notEqual(z.chromePid, x.chromePid, 'a new shared Chrome was launched');
      process.kill(z.pid, 'SIGKILL');
      assert.ok(await waitFor(() => !isAlive(z.pid), 5_000));
      writeFileSync(join(base, 'boot.id'), 'linux:an-earlier-boot\n');
      const status = await bdg(['status'], { sessionDir: base });
      assert.match(status.stderr, /Shared browser "k": no session uses it any more; ended its Chrome/);
      assert.ok(await waitFor(() => !isAlive(z.chromePid), 10_000), 'the sweep ended the shared Chrome');
      assert.equal(existsSync(join(base, 'browsers', 'k')), false);
    },
  );

  it('a crash of the shared Chrome ends every session in it, each with its session.json, and the registry goes', { timeout: 120_000 }, async () => {
    const base = newBase('crash');
    const run = (session: string, ...args: string[]): Promise<RunResult> =>
      bdg([...args, '--session', session, '--json'], { sessionDir: base, timeoutMs: 90_000 });
    const p = data<Started>(ok(await run('p', server.url('/'), '--shared-browser', '--headless'), 'start p'));
    const q = data<Started>(ok(await run('q', server.url('/'), '--shared-browser', '--headless'), 'start q'));
    process.kill(p.chromePid, 'SIGKILL');
    assert.ok(await waitFor(() => !isAlive(p.pid) && !isAlive(q.pid), 20_000), 'both daemons ended with their Chrome');
    for (const s of ['p', 'q']) {
      const doc = JSON.parse(readFileSync(join(base, 'sessions', s, 'session.json'), 'utf8')) as { session: { endReason: string; endDetail: string } };
      assert.equal(doc.session.endReason, 'connection-lost');
      assert.match(doc.session.endDetail, /shared browser "default"/);
    }
    assert.equal(existsSync(join(base, 'browsers', 'default')), false, 'the last one to go removed the registry');
    assert.ok(await waitFor(() => processesUnder(base).helpers.length === 0, 10_000), 'no Chrome helper is left');
  });

  it('ten sessions started with --shared-browser at the same instant get one Chrome; all ten work and all stop', { timeout: 300_000 }, async () => {
    const base = newBase('ten');
    const names = Array.from({ length: 10 }, (_, i) => `t${i + 1}`);
    const starts = await Promise.all(
      names.map((n) => bdg([server.url('/'), '--session', n, '--shared-browser', '--headless', '--json'], { sessionDir: base, timeoutMs: 180_000 })),
    );
    starts.forEach((r, i) => ok(r, `start ${names[i] ?? ''}`));
    const started = starts.map((r) => data<Started>(r));
    assert.equal(new Set(started.map((s) => s.chromePid)).size, 1, 'one Chrome for all ten');
    assert.equal(new Set(started.map((s) => s.browserContextId)).size, 10, 'ten browser contexts');
    assert.equal(started.filter((s) => s.sharedBrowser === 'default').length, 10);
    assert.deepEqual(processesUnder(base).chromes, [started[0]?.chromePid]);
    const evals = await Promise.all(
      names.map((n) => bdg(['dom', 'eval', 'location.pathname', '--session', n, '--json'], { sessionDir: base, timeoutMs: 60_000 })),
    );
    evals.forEach((r, i) => assert.equal(data<{ value: string }>(ok(r, `eval in ${names[i] ?? ''}`)).value, '/'));
    const stop = ok(await bdg(['stop', '--all', '--json'], { sessionDir: base, timeoutMs: 120_000 }), 'stop --all');
    assert.equal(data<{ stopped: unknown[] }>(stop).stopped.length, 10);
    assert.ok(await waitFor(() => !isAlive(started[0]?.chromePid ?? 0), 10_000), 'the shared Chrome ended with the last session');
    assert.equal(existsSync(join(base, 'browsers', 'default')), false);
    const left = processesUnder(base);
    assert.deepEqual([...left.daemons, ...left.chromes], []);
  });
});
