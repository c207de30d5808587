/**
 * Named sessions and bounded lifetimes, end to end against the built `bdg` and real headless Chromium: ten named
 * sessions started at the same instant, `bdg sessions` after a daemon was killed, the idle timeout, the owner pid,
 * the sweep for orphaned Chromes (and an unmarked Chromium it must leave alone), name validation, and --session
 * with status, peek and stop. Every process a test starts is ended by pid; nothing is killed by name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, isAlive, killAll, removeDir, sleep, waitFor, type RunResult } from '../helpers/bdg.js';

const CHROME = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/google-chrome'].find((p) => existsSync(p)) as string;

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Live processes whose command line mentions `base` (daemons by their config, Chromes by their profile). */
function processesUnder(base: string): { daemons: number[]; chromes: number[] } {
  const daemons: number[] = [];
  const chromes: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    const cmd = cmdline(pid);
    if (!isAlive(pid)) continue;
    if (cmd.some((a) => a.includes('daemon.js')) && cmd.some((a) => a.includes(`"sessionDir":"${base}`))) daemons.push(pid);
    else if (cmd.some((a) => a.startsWith(`--user-data-dir=${base}`)) && !cmd.some((a) => a.startsWith('--type='))) chromes.push(pid);
  }
  return { daemons, chromes };
}

/** Stops everything under `base` (stop --all, then SIGKILL by pid of whatever is left) and removes it. */
async function teardownBase(base: string): Promise<void> {
  await bdg(['stop', '--all'], { sessionDir: base, timeoutMs: 90_000 }).catch(() => undefined);
  const left = processesUnder(base);
  killAll([...left.daemons, ...left.chromes]);
  await waitFor(() => [...left.daemons, ...left.chromes].every((p) => !isAlive(p)), 10_000);
  await removeDir(base);
}

type Json<T> = { success: boolean; data: T; error?: string; code?: string };
const data = <T>(r: RunResult): T => (r.json as Json<T>).data;

interface SessionRow {
  name: string | null;
  state: string;
  daemonPid: number | null;
  chromePid: number | null;
  url: string | null;
  idleSec: number | null;
  daemonRssBytes: number | null;
  ageSec: number | null;
  messages: string[];
}

/**
 * A Chromium started by the test the way bdg starts it (DevTools pipe on fds 3 and 4, headless), with the given
 * profile: inside a session directory it carries bdg's marker, elsewhere it does not.
 */
function startChromium(profile: string): ChildProcess {
  mkdirSync(profile, { recursive: true });
  return spawn(
    CHROME,
    [
      '--remote-debugging-pipe',
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    },
  );
}

describe('named sessions and bounded lifetimes', () => {
  let server: FixtureServer;
  const bases: string[] = [];
  const own: ChildProcess[] = [];
  const newBase = (label: string): string => {
    const b = mkdtempSync(join(tmpdir(), `bdg-e2e-ns-${label}-`));
    bases.push(b);
    return b;
  };

  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<title>Named</title><script>console.log("named page"); fetch("/data.json")</script>');
    server.static('/data.json', 'application/json', '{"ok":true}');
  });
  after(async () => {
    for (const p of own) if (p.pid !== undefined && isAlive(p.pid)) p.kill('SIGKILL');
    for (const b of bases) await teardownBase(b);
    await server.close();
  });

  it(
    'ten named sessions started at the same instant all start, each with its own daemon, Chrome and port; one killed is reported stale; stop --all ends the rest',
    { timeout: 300_000 },
    async () => {
      const base = newBase('ten');
      const names = Array.from({ length: 10 }, (_, i) => `s${i + 1}`);
      const starts = await Promise.all(
        names.map((n) => bdg([server.url('/'), '--session', n, '--headless', '--json'], { sessionDir: base, timeoutMs: 150_000 })),
      );
      starts.forEach((r, i) => assert.equal(r.code, 0, `${names[i] as string}: ${r.stdout}${r.stderr}`));
      const started = starts.map((r) => data<{ pid: number; chromePid: number; port: number; userDataDir: string; socket: string }>(r));
      assert.equal(new Set(started.map((d) => d.pid)).size, 10, 'ten daemons');
      assert.equal(new Set(started.map((d) => d.chromePid)).size, 10, 'ten Chromes');
      assert.equal(new Set(started.map((d) => d.port)).size, 10, 'ten DevTools ports');
      started.forEach((d, i) => {
        assert.equal(d.userDataDir, join(base, 'sessions', names[i] as string, 'chrome-profile'));
        assert.equal(d.socket, join(base, 'sessions', names[i] as string, 'daemon.sock'));
        assert.ok(isAlive(d.pid) && isAlive(d.chromePid));
      });
      const running = processesUnder(base);
      assert.equal(running.daemons.length, 10, `daemons: ${running.daemons.join(' ')}`);
      assert.equal(running.chromes.length, 10, `chromes: ${running.chromes.join(' ')}`);

      const list = await bdg(['sessions', '--json'], { sessionDir: base });
      assert.equal(list.code, 0, list.stderr);
      const rows = data<{ sessions: SessionRow[] }>(list).sessions;
      assert.deepEqual(rows.map((r) => r.name).sort(), [...names].sort(), 'no default session: it never ran');
      for (const r of rows) {
        assert.equal(r.state, 'running');
        assert.equal(r.url, server.url('/'));
        assert.ok(typeof r.daemonRssBytes === 'number' && r.daemonRssBytes > 10e6, `memory of ${String(r.name)}`);
        assert.ok(typeof r.idleSec === 'number' && typeof r.ageSec === 'number');
      }
      const human = await bdg(['sessions'], { sessionDir: base });
      assert.match(human.stdout, /^NAME\s+STATE\s+URL\s+DAEMON\s+CHROME\s+AGE\s+IDLE\s+MEMORY/);

      // One daemon killed: the list says so and cleans up after it (its Chrome follows the daemon through the pipe).
      const victim = started[3] as (typeof started)[number];
      process.kill(victim.pid, 'SIGKILL');
      await waitFor(() => !isAlive(victim.pid), 5_000);
      const after = await bdg(['sessions', '--json'], { sessionDir: base });
      const s4 = data<{ sessions: SessionRow[] }>(after).sessions.find((r) => r.name === 's4');
      assert.equal(s4?.state, 'stale');
      assert.match(s4?.messages.join(' ') ?? '', new RegExp(`daemon \\(pid ${victim.pid}\\) died unexpectedly`));
      assert.equal(existsSync(join(base, 'sessions', 's4', 'daemon.pid')), false, 'stale files removed');
      await waitFor(() => !isAlive(victim.chromePid), 5_000);
      assert.equal(isAlive(victim.chromePid), false);
      const again = data<{ sessions: SessionRow[] }>(await bdg(['sessions', '--json'], { sessionDir: base })).sessions.find((r) => r.name === 's4');
      assert.equal(again?.state, 'ended');

      const stop = await bdg(['stop', '--all', '--json'], { sessionDir: base, timeoutMs: 120_000 });
      assert.equal(stop.code, 0, stop.stdout + stop.stderr);
      const stopped = data<{ stopped: Array<{ session: string; sessionFile: string }>; failed: unknown[]; notRunning: unknown[] }>(stop);
      assert.deepEqual(stopped.stopped.map((s) => s.session).sort(), names.filter((n) => n !== 's4').sort());
      assert.deepEqual(stopped.failed, []);
      for (const s of stopped.stopped) assert.equal(s.sessionFile, join(base, 'sessions', s.session, 'session.json'));
      await waitFor(() => {
        const p = processesUnder(base);
        return p.daemons.length === 0 && p.chromes.length === 0;
      }, 10_000);
      assert.deepEqual(processesUnder(base), { daemons: [], chromes: [] });
      for (const n of names.filter((x) => x !== 's4')) assert.ok(existsSync(join(base, 'sessions', n, 'session.json')), n);
    },
  );

  it('--session works with status, peek and stop (and BDG_SESSION), and leaves the default session alone', { timeout: 120_000 }, async () => {
    const base = newBase('cmds');
    const start = await bdg([server.url('/'), '--session', 'k1', '--json'], { sessionDir: base, timeoutMs: 90_000 });
    assert.equal(start.code, 0, start.stderr);
    const status = await bdg(['status', '--session', 'k1', '--json'], { sessionDir: base });
    const s = data<{ running: boolean; session: string; sessionDir: string }>(status);
    assert.equal(s.running, true);
    assert.equal(s.session, 'k1');
    assert.equal(s.sessionDir, join(base, 'sessions', 'k1'));
    assert.match((await bdg(['--session', 'k1', 'status'], { sessionDir: base })).stdout, /Session "k1" running/);
    const peek = await bdg(['peek', '--session', 'k1', '--json'], { sessionDir: base });
    assert.equal(peek.code, 0, peek.stderr);
    assert.ok(data<{ console: Array<{ text: string }> }>(peek).console.some((c) => c.text === 'named page'));
    const viaEnv = await bdg(['peek', '--json'], { sessionDir: base, env: { BDG_SESSION: 'k1' } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    const def = await bdg(['status', '--json'], { sessionDir: base });
    assert.equal(data<{ running: boolean }>(def).running, false, 'the default session is another one');
    const peekDefault = await bdg(['peek'], { sessionDir: base });
    assert.equal(peekDefault.code, 83);
    const stop = await bdg(['stop', '--session', 'k1', '--json'], { sessionDir: base, timeoutMs: 60_000 });
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(data<{ sessionFile: string }>(stop).sessionFile, join(base, 'sessions', 'k1', 'session.json'));
    const gone = await bdg(['status', '--session', 'k1', '--json'], { sessionDir: base });
    const g = data<{ running: boolean; lastSession: { endReason: string } | null }>(gone);
    assert.equal(g.running, false);
    assert.equal(g.lastSession?.endReason, 'stopped');
  });

  it('refuses invalid session names with exit 81 and a hint, before anything is created', async () => {
    const base = newBase('names');
    for (const args of [
      ['status', '--session', 'bad name'],
      ['peek', '--session', 'a..b'],
      ['stop', '--session', '-x'],
      [server.url('/'), '--session', '../escape'],
      ['status', '--session', 'x'.repeat(65)],
      ['status', '--session='],
    ]) {
      const r = await bdg([...args, '--json'], { sessionDir: base });
      assert.equal(r.code, 81, `${args.join(' ')}: ${r.stdout}`);
      const doc = r.json as { code: string; hint?: string };
      assert.equal(doc.code, 'INVALID_ARGUMENTS');
      assert.ok((doc.hint ?? '') !== '', 'a hint');
    }
    const env = await bdg(['status', '--json'], { sessionDir: base, env: { BDG_SESSION: 'no/slash' } });
    assert.equal(env.code, 81);
    assert.match((env.json as { error: string }).error, /BDG_SESSION/);
    // A name that fits the rules but makes the socket path longer than the kernel keeps: refused, with a hint.
    const deep = join(base, 'd'.repeat(40));
    const long = await bdg(['status', '--session', 'n'.repeat(60), '--json'], { sessionDir: deep });
    assert.equal(long.code, 81);
    assert.match((long.json as { error: string; hint: string }).hint, /shorter session name|shorter path/);
    assert.equal(existsSync(join(base, 'sessions')), false, 'nothing was created');
  });

  it(
    'the idle timeout stops a headless session it launched: session.json written, Chrome gone; status polls do not keep it alive',
    { timeout: 120_000 },
    async () => {
      const base = newBase('idle');
      const start = await bdg([server.url('/'), '--session', 'idle', '--idle-timeout', '3', '--json'], { sessionDir: base, timeoutMs: 90_000 });
      assert.equal(start.code, 0, start.stderr);
      const { pid, chromePid } = data<{ pid: number; chromePid: number }>(start);
      const first = data<{ idle: { timeoutSec: number; stopsInSec: number; idleSec: number } }>(
        await bdg(['status', '--session', 'idle', '--json'], { sessionDir: base }),
      );
      assert.equal(first.idle.timeoutSec, 3);
      assert.ok(first.idle.stopsInSec <= 3 && first.idle.stopsInSec >= 0, JSON.stringify(first.idle));
      assert.match((await bdg(['status', '--session', 'idle'], { sessionDir: base })).stdout, /Idle: .*stops itself after 3s idle \(\d+s left\)/);
      // Polling status all along: it must stop anyway.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && isAlive(pid)) {
        await bdg(['status', '--session', 'idle', '--json'], { sessionDir: base });
        await sleep(300);
      }
      assert.equal(isAlive(pid), false, 'the daemon stopped itself');
      await waitFor(() => !isAlive(chromePid), 5_000);
      assert.equal(isAlive(chromePid), false, 'Chrome is gone');
      const doc = JSON.parse(readFileSync(join(base, 'sessions', 'idle', 'session.json'), 'utf8')) as {
        session: { endReason: string; endDetail: string };
        network: unknown[];
      };
      assert.equal(doc.session.endReason, 'idle-timeout');
      assert.match(doc.session.endDetail, /no command for 3 s/);
      assert.ok(doc.network.length >= 1, 'the data was saved as by stop');
      for (const f of ['daemon.pid', 'daemon.sock', 'daemon.lock', 'chrome.pid']) assert.equal(existsSync(join(base, 'sessions', 'idle', f)), false, f);
      const status = await bdg(['status', '--session', 'idle'], { sessionDir: base });
      assert.equal(status.code, 83);
      assert.match(status.stderr, /The last session ended at .*idle timeout/);
    },
  );

  it('--idle-timeout 0 turns it off, and the status says so', { timeout: 120_000 }, async () => {
    const base = newBase('idle0');
    const start = await bdg([server.url('/'), '--idle-timeout', '0', '--json'], { sessionDir: base, timeoutMs: 90_000, env: { BDG_IDLE_TIMEOUT: '1' } });
    assert.equal(start.code, 0, start.stderr);
    await sleep(2_500);
    const s = data<{ running: boolean; idle: { timeoutSec: number | null; off: string } }>(await bdg(['status', '--json'], { sessionDir: base }));
    assert.equal(s.running, true, 'BDG_IDLE_TIMEOUT=1 is overridden by --idle-timeout 0');
    assert.deepEqual([s.idle.timeoutSec, s.idle.off], [null, 'disabled']);
    assert.equal((await bdg(['stop'], { sessionDir: base, timeoutMs: 60_000 })).code, 0);
  });

  it('an attached Chrome is never closed by the idle timeout', { timeout: 120_000 }, async () => {
    const base = newBase('attached');
    const profile = join(base, 'own-profile');
    mkdirSync(profile);
    const chrome = spawn(
      CHROME,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        `--user-data-dir=${profile}`,
        '--remote-debugging-port=0',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    own.push(chrome);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let seen = '';
        const timer = setTimeout(() => reject(new Error(`Chrome did not print its port: ${seen}`)), 30_000);
        chrome.stderr?.on('data', (d: Buffer) => {
          seen += d.toString();
          const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
          if (m !== null) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      const start = await bdg([server.url('/'), '--chrome-ws-url', `127.0.0.1:${port}`, '--idle-timeout', '1', '--json'], {
        sessionDir: base,
        timeoutMs: 90_000,
      });
      assert.equal(start.code, 0, start.stdout + start.stderr);
      await sleep(3_000);
      const s = data<{ running: boolean; idle: { timeoutSec: number | null; off: string } }>(await bdg(['status', '--json'], { sessionDir: base }));
      assert.equal(s.running, true, 'still running after three idle seconds');
      assert.deepEqual([s.idle.timeoutSec, s.idle.off], [null, 'attached']);
      assert.equal((await bdg(['stop'], { sessionDir: base, timeoutMs: 60_000 })).code, 0);
      assert.equal(isAlive(chrome.pid as number), true, 'the attached Chrome is left running');
    } finally {
      chrome.kill('SIGKILL');
      await waitFor(() => !isAlive(chrome.pid as number), 5_000);
    }
  });

  it('an owner pid that exits stops the session within a few seconds, with session.json written', { timeout: 120_000 }, async () => {
    const base = newBase('owner');
    const sleeper = spawn('sleep', ['120'], { stdio: 'ignore' });
    own.push(sleeper);
    const ownerPid = sleeper.pid as number;
    const start = await bdg([server.url('/'), '--session', 'owned', '--json'], {
      sessionDir: base,
      timeoutMs: 90_000,
      env: { BDG_OWNER_PID: String(ownerPid) },
    });
    assert.equal(start.code, 0, start.stderr);
    const { pid, chromePid } = data<{ pid: number; chromePid: number }>(start);
    const s = data<{ owner: { pid: number; startTime: string | null } | null }>(await bdg(['status', '--session', 'owned', '--json'], { sessionDir: base }));
    assert.equal(s.owner?.pid, ownerPid);
    assert.equal(typeof s.owner?.startTime, 'string', 'identity includes the start time on Linux');
    await sleep(2_500);
    assert.ok(isAlive(pid), 'alive while the owner is');
    sleeper.kill('SIGKILL');
    const t0 = Date.now();
    await waitFor(() => !isAlive(pid), 15_000, 50);
    const tookMs = Date.now() - t0;
    assert.equal(isAlive(pid), false, 'the daemon stopped when its owner exited');
    assert.ok(tookMs < 10_000, `stopped after ${tookMs} ms`);
    await waitFor(() => !isAlive(chromePid), 5_000);
    assert.equal(isAlive(chromePid), false);
    const doc = JSON.parse(readFileSync(join(base, 'sessions', 'owned', 'session.json'), 'utf8')) as { session: { endReason: string; endDetail: string } };
    assert.equal(doc.session.endReason, 'owner-exited');
    assert.match(doc.session.endDetail, new RegExp(`owner process ${ownerPid} exited`));
    // An owner that is not running is refused at start.
    const dead = await bdg([server.url('/'), '--session', 'owned', '--owner-pid', String(ownerPid), '--json'], { sessionDir: base });
    assert.equal(dead.code, 81, dead.stdout);
  });

  it(
    'the sweep ends a marked orphan Chrome (cleanup --all, and the first command after boot) and leaves an unmarked Chromium alone',
    { timeout: 120_000 },
    async () => {
      const base = newBase('sweep');
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      // This boot is already recorded, so the first command below does not sweep on its own: cleanup --all does.
      writeFileSync(join(base, 'boot.id'), `linux:${boot}\n`);
      const unrelatedProfile = mkdtempSync(join(tmpdir(), 'bdg-e2e-unrelated-profile-'));
      const unmarked = startChromium(unrelatedProfile);
      own.push(unmarked);
      try {
        // A Chrome whose profile is inside a session directory that has no daemon: what a daemon killed in a way
        // its Chrome survived would leave (or a session directory removed under a running Chrome).
        const orphan = startChromium(join(base, 'sessions', 'ghost', 'chrome-profile'));
        own.push(orphan);
        const orphanPid = orphan.pid as number;
        const unmarkedPid = unmarked.pid as number;
        assert.ok(
          await waitFor(() => cmdline(orphanPid).includes('--remote-debugging-pipe') && cmdline(unmarkedPid).includes('--remote-debugging-pipe'), 10_000),
        );
        const clean = await bdg(['cleanup', '--all', '--json'], { sessionDir: base });
        assert.equal(clean.code, 0, clean.stdout + clean.stderr);
        const d = data<{ orphans: Array<{ pid: number; name: string; sessionDir: string }>; messages: string[] }>(clean);
        assert.deepEqual(d.orphans, [{ pid: orphanPid, name: 'ghost', sessionDir: join(base, 'sessions', 'ghost') }]);
        assert.match(d.messages.join('\n'), new RegExp(`Ended an orphaned Chrome \\(pid ${orphanPid}\\) of session "ghost"`));
        assert.ok(await waitFor(() => !isAlive(orphanPid), 5_000), 'the orphan is gone');
        assert.equal(isAlive(unmarkedPid), true, 'the unmarked Chromium was left alone');

        // After a reboot (another boot id in boot.id) the first command sweeps, says so, and records this boot.
        const orphan2 = startChromium(join(base, 'chrome-profile'));
        own.push(orphan2);
        const orphan2Pid = orphan2.pid as number;
        assert.ok(await waitFor(() => cmdline(orphan2Pid).includes('--remote-debugging-pipe'), 10_000));
        writeFileSync(join(base, 'boot.id'), 'linux:00000000-0000-0000-0000-000000000000\n');
        const status = await bdg(['status'], { sessionDir: base });
        assert.equal(status.code, 83, 'no session');
        assert.match(status.stderr, new RegExp(`Ended an orphaned Chrome \\(pid ${orphan2Pid}\\) of the default session`));
        assert.ok(await waitFor(() => !isAlive(orphan2Pid), 5_000));
        assert.equal(isAlive(unmarkedPid), true);
        assert.equal(readFileSync(join(base, 'boot.id'), 'utf8').trim(), `linux:${boot}`);
        // The same boot: no second sweep.
        const orphan3 = startChromium(join(base, 'sessions', 'ghost', 'chrome-profile'));
        own.push(orphan3);
        assert.ok(await waitFor(() => cmdline(orphan3.pid as number).includes('--remote-debugging-pipe'), 10_000));
        const quiet = await bdg(['status'], { sessionDir: base });
        assert.doesNotMatch(quiet.stderr, /orphaned Chrome/);
        assert.equal(isAlive(orphan3.pid as number), true, 'no sweep within the same boot');
        orphan3.kill('SIGKILL');
      } finally {
        unmarked.kill('SIGKILL');
        await waitFor(() => !isAlive(unmarked.pid as number), 5_000);
        await waitFor(
          () => {
            try {
              rmSync(unrelatedProfile, { recursive: true, force: true });
              return true;
            } catch {
              return false;
            }
          },
          10_000,
          100,
        );
      }
    },
  );
});
