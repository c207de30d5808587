import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, chromesOf, daemonsOf, isAlive, sessionDirs, waitFor } from '../helpers/bdg.js';

/** A pid that is certainly dead: a child we started and reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid as number;
}

describe('stale state and crashes', () => {
  let server: FixtureServer;
  const { make: dir, teardownAll } = sessionDirs();
  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<title>S</title><p>stale</p>');
  });
  after(async () => {
    await teardownAll();
    await server.close();
  });

  it('a stale daemon.pid (dead pid) is reported and removed by status', async () => {
    const sessionDir = dir('pid');
    writeFileSync(join(sessionDir, 'daemon.pid'), '99999');
    const r = await bdg(['status'], { sessionDir });
    assert.equal(r.code, 83, 'no session is exit 83, as in the original bdg');
    assert.match(r.stderr, /not running/i);
    assert.match(r.stderr, /stale daemon\.pid/);
    assert.equal(existsSync(join(sessionDir, 'daemon.pid')), false);
  });

  it('a daemon.pid naming an unrelated live process is removed without touching that process', async () => {
    const sessionDir = dir('reuse');
    const bystander = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(sessionDir, 'daemon.pid'), String(bystander.pid));
      const r = await bdg(['status', '--json'], { sessionDir });
      assert.equal(r.code, 83);
      const d = (r.json as { data: { running: boolean; message: string } }).data;
      assert.equal(d.running, false);
      assert.match(d.message, /another process/);
      assert.equal(existsSync(join(sessionDir, 'daemon.pid')), false);
      assert.equal(isAlive(bystander.pid as number), true, 'bdg touched an unrelated process');
    } finally {
      bystander.kill('SIGKILL');
    }
  });

  it('a stale lock (dead owner, or a reused pid with another start time), pid and socket never block a start', async () => {
    const sessionDir = dir('lock');
    const dead = await deadPid();
    // a lock whose pid is alive but started at another time: pid reuse
    writeFileSync(
      join(sessionDir, 'daemon.lock'),
      JSON.stringify({ pid: process.pid, startTime: '1', nonce: 'abc', createdAt: new Date().toISOString(), role: 'daemon' }),
    );
    writeFileSync(join(sessionDir, 'daemon.pid'), String(dead));
    // a socket file nobody listens on
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(join(sessionDir, 'daemon.sock'), r));
    await new Promise<void>((r) => srv.close(() => r()));
    writeFileSync(join(sessionDir, 'daemon.sock'), '');
    const start = await bdg([server.url('/'), '--json'], { sessionDir });
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.match(start.stderr, /stale/);
    await bdg(['stop'], { sessionDir });

    // and `bdg cleanup` removes every stale file
    writeFileSync(join(sessionDir, 'daemon.lock'), JSON.stringify({ pid: dead, nonce: 'n', createdAt: '', role: 'starter' }));
    writeFileSync(join(sessionDir, 'daemon.pid'), String(dead));
    writeFileSync(join(sessionDir, 'daemon.sock'), '');
    writeFileSync(join(sessionDir, 'chrome.pid'), String(dead));
    writeFileSync(join(sessionDir, 'session.meta.json'), '{}');
    const clean = await bdg(['cleanup', '--json'], { sessionDir });
    assert.equal(clean.code, 0, clean.stderr);
    for (const f of ['daemon.lock', 'daemon.pid', 'daemon.sock', 'chrome.pid', 'session.meta.json']) assert.equal(existsSync(join(sessionDir, f)), false, f);
    assert.ok(existsSync(join(sessionDir, 'session.json')), 'cleanup without --aggressive must keep session.json');
    const again = await bdg(['cleanup'], { sessionDir });
    assert.match(again.stdout, /Nothing to clean up/);
  });

  it('cleanup leaves a live session alone unless --force; --force ends even a hung daemon; --aggressive removes the data', async () => {
    const sessionDir = dir('force');
    const start = await bdg([server.url('/'), '--json'], { sessionDir });
    assert.equal(start.code, 0, start.stderr);
    const { pid, chromePid } = (start.json as { data: { pid: number; chromePid: number } }).data;
    const refused = await bdg(['cleanup', '--json'], { sessionDir });
    assert.equal(refused.code, 84);
    assert.match((refused.json as { hint: string }).hint, /--force/);
    assert.ok(isAlive(pid));
    // a hung daemon: stopped (SIGSTOP), it accepts nothing; --force must still end it and its Chrome
    process.kill(pid, 'SIGSTOP');
    try {
      const forced = await bdg(['cleanup', '--force', '--aggressive', '--json'], { sessionDir, timeoutMs: 60_000 });
      assert.equal(forced.code, 0, forced.stdout + forced.stderr);
      assert.ok(await waitFor(() => !isAlive(pid) && !isAlive(chromePid), 10_000), 'daemon or Chrome survived cleanup --force');
    } finally {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    }
    for (const f of ['daemon.lock', 'daemon.pid', 'daemon.sock', 'chrome.pid', 'session.meta.json', 'session.json', 'chrome-profile']) {
      assert.equal(existsSync(join(sessionDir, f)), false, `${f} left behind`);
    }
    const again = await bdg([server.url('/')], { sessionDir });
    assert.equal(again.code, 0, again.stderr);
    await bdg(['stop'], { sessionDir });
  });

  it('a corrupt lock file is treated as stale', async () => {
    const sessionDir = dir('corrupt');
    mkdirSync(sessionDir, { recursive: true });
    writeFileSync(join(sessionDir, 'daemon.lock'), '{not json');
    const start = await bdg([server.url('/')], { sessionDir });
    assert.equal(start.code, 0, start.stderr);
    await bdg(['stop'], { sessionDir });
  });

  it('kill -9 of the daemon: Chrome goes with it, the next command says so, the next start just works', async () => {
    const sessionDir = dir('kdaemon');
    const start = await bdg([server.url('/'), '--json'], { sessionDir });
    assert.equal(start.code, 0, start.stderr);
    const { pid, chromePid } = (start.json as { data: { pid: number; chromePid: number } }).data;
    const tail = bdg(['tail', '--interval', '100'], { sessionDir, timeoutMs: 20_000 });
    // and a daemon killed with no command running: the next command reports it
    const quiet = dir('kquiet');
    assert.equal((await bdg([server.url('/')], { sessionDir: quiet })).code, 0);
    const quietPid = Number(readFileSync(join(quiet, 'daemon.pid'), 'utf8'));
    process.kill(quietPid, 'SIGKILL');
    assert.ok(await waitFor(() => chromesOf(quiet).length === 0, 10_000), 'Chrome survived its daemon');
    const report = await bdg(['peek'], { sessionDir: quiet });
    assert.equal(report.code, 83);
    assert.match(report.stderr, /died unexpectedly/);
    assert.match(report.stderr, /Cleaned up stale daemon\.pid, daemon\.lock, daemon\.sock/);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid, 'SIGKILL');
    assert.ok(await waitFor(() => !isAlive(chromePid), 10_000), 'Chrome survived its daemon');
    const t = await tail;
    assert.equal(t.code, 0);
    // whichever command notices first says what happened
    assert.match(t.stderr, /Session ended\. The session's daemon \(pid \d+\) died unexpectedly/);
    const status = await bdg(['status'], { sessionDir });
    assert.match(status.stderr, /not running/);
    assert.equal(existsSync(join(sessionDir, 'daemon.pid')), false);
    assert.equal(existsSync(join(sessionDir, 'daemon.lock')), false);
    const again = await bdg([server.url('/')], { sessionDir });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(daemonsOf(sessionDir).length, 1);
    await bdg(['stop'], { sessionDir });
  });

  it('kill -9 of the daemon mid-request: the waiting command says the session ended, and is not retried', async () => {
    const sessionDir = dir('kmid');
    const start = await bdg([server.url('/'), '--json'], { sessionDir });
    assert.equal(start.code, 0, start.stderr);
    const { pid } = (start.json as { data: { pid: number } }).data;
    // a request the daemon is busy with (a page promise that settles in 20 s), then the daemon dies
    const pending = bdg(['dom', 'eval', 'new Promise((r) => setTimeout(() => r(42), 20000))', '--json'], { sessionDir, timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    process.kill(pid, 'SIGKILL');
    const r = await pending;
    assert.equal(r.code, 83, r.stdout + r.stderr);
    const err = r.json as { error: string; hint: string };
    assert.match(err.error, /The session ended before answering dom\.eval/);
    assert.match(err.error, /died unexpectedly/);
    assert.ok(await waitFor(() => chromesOf(sessionDir).length === 0, 10_000), 'Chrome survived its daemon');
    const again = await bdg([server.url('/')], { sessionDir });
    assert.equal(again.code, 0, again.stderr);
    await bdg(['stop'], { sessionDir });
  });

  it('kill -9 of Chrome: the daemon saves session.json and exits; the next command says what happened', async () => {
    const sessionDir = dir('kchrome');
    const start = await bdg([server.url('/'), '--json'], { sessionDir });
    assert.equal(start.code, 0, start.stderr);
    const { pid, chromePid } = (start.json as { data: { pid: number; chromePid: number } }).data;
    process.kill(chromePid, 'SIGKILL');
    assert.ok(await waitFor(() => !isAlive(pid), 10_000), 'daemon kept running without Chrome');
    const status = await bdg(['status', '--json'], { sessionDir });
    const d = (status.json as { data: { running: boolean; message: string } }).data;
    assert.equal(d.running, false);
    assert.match(d.message, /Chrome \(pid \d+\) exited unexpectedly \(signal SIGKILL\)/);
    assert.match(d.message, /session\.json/);
    const doc = JSON.parse(readFileSync(join(sessionDir, 'session.json'), 'utf8')) as { session: { endReason: string } };
    assert.equal(doc.session.endReason, 'chrome-exited');
    // reported once, then gone
    const second = await bdg(['status'], { sessionDir });
    assert.match(second.stderr, /not running/);
    assert.doesNotMatch(second.stderr, /exited unexpectedly/);
    const again = await bdg([server.url('/')], { sessionDir });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(chromesOf(sessionDir).length, 1);
    await bdg(['stop'], { sessionDir });
  });
});
