/**
 * Named sessions and bounded lifetimes, without a browser: name validation and resolution, --session on the
 * command line, the session list's directories, the sweep's marker recognition, the boot marker, the idle timeout
 * and owner clocks (with short timers and a fake owner check), and the start-side lifetime options.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgv } from '../../src/cli/argv.js';
import { helpJson } from '../../src/cli/help.js';
import { lastSession } from '../../src/client/lastSession.js';
import { idleTimeoutSec, ownerOf } from '../../src/client/lifetime.js';
import { resolveSession } from '../../src/client/session.js';
import { mapBounded, sessionDirs } from '../../src/client/sessions.js';
import { bootSweep, markedChromes, sameBoot } from '../../src/client/sweep.js';
import { Lifetime, idleOff } from '../../src/daemon/lifetime.js';
import { platform, type ProcessInfo } from '../../src/platform/index.js';
import { BdgError } from '../../src/util/errors.js';
import { Logger } from '../../src/util/logger.js';
import { MAX_SOCKET_PATH, isValidSessionName } from '../../src/util/paths.js';
import { identityOf, isSameProcessAliveAsync, processStartTime } from '../../src/util/proc.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof BdgError ? err.code : 'not a BdgError';
  }
  return undefined;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bdg-unit-sessions-'));
}

describe('session names', () => {
  it('accepts letters, digits, dot, underscore and dash, starting with a letter or digit, up to 64', () => {
    for (const ok of ['a', 'agent-1', 'A_b.c', '0', 'x'.repeat(64), 'v1.2']) assert.equal(isValidSessionName(ok), true, ok);
    for (const bad of ['', '.', '..', 'a..b', '.hidden', '-x', '_x', 'a b', 'a/b', '../x', 'x'.repeat(65), 'é', 'a\nb', 'a:b']) {
      assert.equal(isValidSessionName(bad), false, JSON.stringify(bad));
    }
  });

  it('resolves the default session to the base and a named one to sessions/NAME; --session wins over BDG_SESSION', () => {
    const env = { BDG_SESSION_DIR: '/tmp/bdg-base' };
    const def = resolveSession(env);
    assert.equal(def.dir, '/tmp/bdg-base');
    assert.equal(def.name, null);
    assert.equal(def.base, '/tmp/bdg-base');
    const named = resolveSession({ ...env, BDG_SESSION: 'from-env' });
    assert.equal(named.dir, '/tmp/bdg-base/sessions/from-env');
    assert.equal(named.name, 'from-env');
    assert.equal(named.base, '/tmp/bdg-base');
    assert.equal(resolveSession({ ...env, BDG_SESSION: 'from-env' }, 'flag').dir, '/tmp/bdg-base/sessions/flag');
    assert.equal(resolveSession({ ...env, BDG_SESSION: '' }).dir, '/tmp/bdg-base', 'an empty BDG_SESSION is no name');
    assert.equal(resolveSession({ BDG_SESSION_DIR: 'rel/dir' }, 'x').dir, join(process.cwd(), 'rel/dir/sessions/x'));
  });

  it('refuses an invalid name or one whose socket path is too long with INVALID_ARGUMENTS (exit 81)', () => {
    assert.equal(
      code(() => resolveSession({ BDG_SESSION_DIR: '/tmp/b' }, 'a b')),
      'INVALID_ARGUMENTS',
    );
    assert.equal(
      code(() => resolveSession({ BDG_SESSION_DIR: '/tmp/b', BDG_SESSION: '../up' })),
      'INVALID_ARGUMENTS',
    );
    const longBase = `/tmp/${'d'.repeat(MAX_SOCKET_PATH - 40)}`;
    assert.equal(
      code(() => resolveSession({ BDG_SESSION_DIR: longBase }, 'x'.repeat(30))),
      'INVALID_ARGUMENTS',
    );
    try {
      resolveSession({ BDG_SESSION_DIR: longBase }, 'x'.repeat(30));
    } catch (err) {
      assert.match((err as BdgError).message, /socket path too long/);
      assert.match((err as BdgError).hint ?? '', /shorter session name/);
    }
  });

  it('--session is a global option with a value, before or after the command, and appears in --help --json', () => {
    for (const argv of [
      ['--session', 's1', 'peek'],
      ['peek', '--session', 's1'],
      ['peek', '--session=s1', '--last', '3'],
    ]) {
      const p = parseArgv(argv);
      assert.equal(p.kind, 'run');
      if (p.kind !== 'run') continue;
      assert.equal(p.command.name, 'peek');
      assert.equal(p.session, 's1');
      assert.equal('session' in p.params, false, 'not a command param');
    }
    const start = parseArgv(['localhost:3000', '--session', 'a1', '--idle-timeout', '60']);
    assert.equal(start.kind === 'run' && start.command.name, 'start');
    assert.equal(start.kind === 'run' && start.session, 'a1');
    assert.equal(
      code(() => parseArgv(['peek', '--session'])),
      'INVALID_ARGUMENTS',
    );
    const p = parseArgv(['status']);
    assert.equal(p.kind === 'run' && p.session, undefined);
    const globals = (helpJson(true) as { globalOptions: Array<{ flag: string; type: string }> }).globalOptions;
    assert.deepEqual(globals.find((g) => g.flag === '--session')?.type, 'string');
  });
});

describe('the session list', () => {
  it('lists the default session only when it has traces, then valid named directories; never history/', () => {
    const base = tempDir();
    try {
      assert.deepEqual(sessionDirs(base), []);
      mkdirSync(join(base, 'history'));
      mkdirSync(join(base, 'sessions', 'b-two'), { recursive: true });
      mkdirSync(join(base, 'sessions', 'a1'));
      mkdirSync(join(base, 'sessions', '.hidden'));
      mkdirSync(join(base, 'sessions', 'a1', 'history'));
      writeFileSync(join(base, 'sessions', 'stray-file'), '');
      symlinkSync(join(base, 'sessions', 'a1'), join(base, 'sessions', 'link'));
      const list = sessionDirs(base);
      assert.deepEqual(
        list.map((p) => [p.name, p.dir]),
        [
          [null, base],
          ['a1', join(base, 'sessions', 'a1')],
          ['b-two', join(base, 'sessions', 'b-two')],
        ],
      );
      assert.ok(list.every((p) => p.base === base));
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('mapBounded runs at most `limit` at once and keeps the order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(n * 3);
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0, 60]);
    assert.equal(peak, 3);
  });

  it('reads how the last session ended from the head of session.json', () => {
    const dir = tempDir();
    try {
      const doc = {
        schema: 1,
        bdgVersion: '0.1.0',
        session: {
          url: 'http://a.test/',
          page: { url: 'http://a.test/"q"', title: 'T \\ "x"' },
          startedAt: '2026-01-01T00:00:00.000Z',
          endedAt: '2026-01-01T01:00:00.000Z',
          durationMs: 1,
          endReason: 'idle-timeout',
          chrome: {},
          pageCrashed: false,
          endDetail: 'idle timeout: no command for 3600 s',
        },
        network: [{ url: 'http://other.test/', startedAt: 'no' }],
      };
      writeFileSync(join(dir, 'session.json'), JSON.stringify(doc));
      const last = lastSession(resolveSession({ BDG_SESSION_DIR: dir }));
      assert.deepEqual(last, {
        sessionFile: join(dir, 'session.json'),
        url: 'http://a.test/"q"',
        title: 'T \\ "x"',
        startedAt: '2026-01-01T00:00:00.000Z',
        endedAt: '2026-01-01T01:00:00.000Z',
        endReason: 'idle-timeout',
        endDetail: 'idle timeout: no command for 3600 s',
      });
      rmSync(join(dir, 'session.json'));
      assert.equal(lastSession(resolveSession({ BDG_SESSION_DIR: dir })), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the sweep', () => {
  const base = '/home/ana/.bdg';
  const proc = (pid: number, command: string, zombie = false): ProcessInfo => ({ pid, ppid: 1, zombie, command });
  // As /proc/PID/cmdline reads, joined by spaces (with the trailing space the last NUL leaves).
  const chrome = (dir: string): string =>
    `/usr/lib/chromium/chromium --remote-debugging-pipe --remote-debugging-port=0 --user-data-dir=${dir} --no-first-run about:blank `;

  it('recognises bdg Chromes of the default and of named sessions under the base, and nothing else', () => {
    const procs = [
      proc(10, chrome(`${base}/chrome-profile`)),
      proc(11, chrome(`${base}/sessions/agent-1/chrome-profile`)),
      proc(12, `${chrome(`${base}/sessions/agent-1/chrome-profile`)}--type=renderer `), // a helper: ends with its browser
      proc(13, chrome('/tmp/other-profile')), // somebody's Chromium
      proc(14, chrome(`${base}2/chrome-profile`)), // another base that merely starts the same
      proc(15, chrome(`${base}/sessions/a/b/chrome-profile`)), // not one level
      proc(16, chrome(`${base}/sessions/..x/chrome-profile`)), // not a valid name
      proc(17, chrome(`${base}/chrome-profile-copy`)),
      proc(18, `/usr/lib/chromium/chromium --user-data-dir=${base}/chrome-profile about:blank `), // no pipe: not launched by bdg
      proc(19, chrome(`${base}/sessions/s2/chrome-profile`), true), // a zombie
      proc(20, `/usr/lib/chromium/chromium --user-data-dir=${base}/sessions/s3/chrome-profile --remote-debugging-pipe`), // flag at the end
    ];
    assert.deepEqual(markedChromes(procs, base), [
      { pid: 10, sessionDir: base, name: null },
      { pid: 11, sessionDir: `${base}/sessions/agent-1`, name: 'agent-1' },
      { pid: 20, sessionDir: `${base}/sessions/s3`, name: 's3' },
    ]);
  });

  it('escapes the base for the marker (a base with regex characters)', () => {
    const odd = '/tmp/a+b (c)';
    assert.deepEqual(markedChromes([proc(7, chrome(`${odd}/chrome-profile`)), proc(8, chrome('/tmp/aab (c)/chrome-profile'))], odd), [
      { pid: 7, sessionDir: odd, name: null },
    ]);
  });

  it('boot markers: equal ids are the same boot; uptime-derived boot times within a minute are too', () => {
    assert.equal(sameBoot('linux:abc', 'linux:abc'), true);
    assert.equal(sameBoot('linux:abc', 'linux:abd'), false);
    assert.equal(sameBoot('uptime:1000000', 'uptime:1030000'), true);
    assert.equal(sameBoot('uptime:1000000', 'uptime:1090000'), false);
  });

  it('bootSweep does nothing without a base directory and runs once per boot with one', () => {
    const parent = tempDir();
    try {
      const base = join(parent, 'base');
      assert.deepEqual(bootSweep({ base }), []);
      mkdirSync(base);
      assert.deepEqual(bootSweep({ base }), []);
      const marker = join(base, 'boot.id');
      if (process.platform === 'linux') assert.match(String(readBoot(marker)), /^linux:[0-9a-f-]{36}$/);
      writeFileSync(marker, 'linux:another-boot\n');
      bootSweep({ base });
      assert.notEqual(readBoot(marker), 'linux:another-boot', 'a new boot is recorded');
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

function readBoot(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

describe('lifetime: idle timeout and owner', () => {
  const dir = tempDir();
  const log = new Logger(join(dir, 'daemon.log'));
  const headless = { headless: true };

  it('applies the idle timeout only to a headless Chrome bdg launched, and not when it is 0', () => {
    assert.equal(idleOff({ ...headless, idleTimeoutSec: 60 }), undefined);
    assert.equal(idleOff({ ...headless, idleTimeoutSec: 0 }), 'disabled');
    assert.equal(idleOff({ ...headless }), 'disabled');
    assert.equal(idleOff({ headless: false, idleTimeoutSec: 60 }), 'headed');
    assert.equal(idleOff({ ...headless, idleTimeoutSec: 60, chromeWsUrl: 'ws://127.0.0.1:9222/x' }), 'attached');
  });

  it('stops after the idle time; a status poll does not count as activity', async () => {
    const stops: string[] = [];
    const life = new Lifetime({ ...headless, idleTimeoutSec: 1 }, log, (reason) => stops.push(reason));
    life.start();
    assert.equal(life.idle().timeoutSec, 1);
    await sleep(600);
    await life.track('status', () => Promise.resolve(1));
    await sleep(900);
    assert.deepEqual(stops, ['idle-timeout'], 'status did not keep it alive');
    life.dispose();
  });

  it('other commands are activity, and one that runs longer than the idle time holds the clock', async () => {
    const stops: string[] = [];
    const life = new Lifetime({ ...headless, idleTimeoutSec: 1 }, log, (reason) => stops.push(reason));
    life.start();
    await sleep(600);
    await life.track('peek', () => Promise.resolve(1)); // resets the clock
    await sleep(500);
    assert.deepEqual(stops, [], 'the peek kept it alive');
    await life.track('dom.wait', async () => {
      await sleep(1300);
      assert.equal(life.idle().idleSec, 0, 'idle is 0 while a command runs');
    });
    assert.deepEqual(stops, []);
    await sleep(1700);
    assert.deepEqual(stops, ['idle-timeout']);
    life.dispose();
  });

  it('never stops for being idle without a timeout, and says why', async () => {
    const stops: string[] = [];
    const life = new Lifetime({ headless: false, idleTimeoutSec: 0.05 }, log, (reason) => stops.push(reason));
    life.start();
    await sleep(150);
    assert.deepEqual(stops, []);
    assert.deepEqual(life.idle(), { timeoutSec: null, idleSec: 0, stopsInSec: null, off: 'headed' });
    life.dispose();
  });

  it('stops once the owner check says the owner is gone, once', async () => {
    const stops: string[] = [];
    let alive = true;
    const life = new Lifetime({ ...headless, owner: { pid: 4242, startTime: '99' } }, log, (reason) => stops.push(reason), {
      ownerPollMs: 20,
      isAlive: () => Promise.resolve(alive),
    });
    life.start();
    assert.deepEqual(life.owner(), { pid: 4242, startTime: '99' });
    await sleep(80);
    assert.deepEqual(stops, []);
    alive = false;
    await sleep(100);
    assert.deepEqual(stops, ['owner-exited']);
    life.dispose();
  });

  it('the async owner check tells a live process from a dead one and from a reused pid (other start time)', async () => {
    const me = identityOf(process.pid);
    assert.equal(await isSameProcessAliveAsync(me), true);
    if (me.startTime !== undefined) assert.equal(await isSameProcessAliveAsync({ pid: process.pid, startTime: `${me.startTime}0` }), false);
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    assert.equal(await isSameProcessAliveAsync({ pid: child.pid as number }), false);
    const status = await platform.processStatus(process.pid);
    assert.equal(status?.startTime, processStartTime(process.pid));
    assert.equal(status?.zombie, false);
  });

  it('start options: --idle-timeout, else BDG_IDLE_TIMEOUT, else 3600; the owner must be running', () => {
    assert.equal(idleTimeoutSec({}, {}), 3600);
    assert.equal(idleTimeoutSec({}, { BDG_IDLE_TIMEOUT: '90' }), 90);
    assert.equal(idleTimeoutSec({ idleTimeout: 0 }, { BDG_IDLE_TIMEOUT: '90' }), 0);
    assert.equal(
      code(() => idleTimeoutSec({}, { BDG_IDLE_TIMEOUT: 'soon' })),
      'INVALID_ARGUMENTS',
    );
    assert.equal(
      code(() => idleTimeoutSec({}, { BDG_IDLE_TIMEOUT: '-5' })),
      'INVALID_ARGUMENTS',
    );
    assert.equal(ownerOf({}, {}), undefined);
    assert.deepEqual(ownerOf({ ownerPid: process.pid }, {}), {
      pid: process.pid,
      ...(processStartTime(process.pid) !== undefined ? { startTime: processStartTime(process.pid) } : {}),
    });
    assert.equal(ownerOf({}, { BDG_OWNER_PID: String(process.pid) })?.pid, process.pid);
    assert.equal(
      code(() => ownerOf({}, { BDG_OWNER_PID: '12x' })),
      'INVALID_ARGUMENTS',
    );
    assert.equal(
      code(() => ownerOf({ ownerPid: 2_147_483_000 }, {})),
      'INVALID_ARGUMENTS',
    );
  });

  it('cleans up', async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
