import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { BDG, bdg, chromesOf, daemonsOf, sessionDirs, spawnBdg as spawnChild, waitFor, type RunResult } from '../helpers/bdg.js';

/** A pid that is certainly dead: a child we started and reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid as number;
}

/** `bdg` as a child we can signal (the shared helper, with this file's 30 s default). */
function spawnBdg(args: string[], sessionDir: string, timeoutMs = 30_000): { child: ChildProcess; done: Promise<RunResult> } {
  return spawnChild(args, { sessionDir, timeoutMs });
}

/** Nothing of the session runs any more and its lock, pid and socket are gone. */
async function assertNothingLeft(sessionDir: string): Promise<void> {
  const gone = await waitFor(() => daemonsOf(sessionDir).length === 0 && chromesOf(sessionDir, true).length === 0, 5_000);
  assert.ok(gone, `still running for ${sessionDir}: daemons ${daemonsOf(sessionDir).join(',')}; chromes ${chromesOf(sessionDir, true).join(',')}`);
  for (const f of ['daemon.lock', 'daemon.pid', 'daemon.sock', 'chrome.pid']) assert.equal(existsSync(join(sessionDir, f)), false, `${f} left behind`);
}

const T = { timeout: 60_000 };

describe('start-up and file-system faults', () => {
  let server: FixtureServer;
  const held: ServerResponse[] = [];
  const { make: dir, teardownAll } = sessionDirs();
  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<title>F</title><p>faults</p>');
    // A page whose load never finishes while the test runs: the start is still waiting when it is interrupted.
    server.route('/slow', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<title>slow</title>');
      held.push(res);
    });
  });
  after(async () => {
    for (const res of held) res.end();
    await teardownAll();
    await server.close();
  });

  describe('5: whatever occupies daemon.sock while no daemon answers', () => {
    const removable: Record<string, (path: string) => void> = {
      'an empty directory': (p) => mkdirSync(p),
      'a FIFO': (p) => execFileSync('mkfifo', [p]),
      'a dangling symlink': (p) => symlinkSync(`${p}.nowhere`, p),
      'a symlink to a directory': (p) => {
        mkdirSync(`${p}.target`);
        symlinkSync(`${p}.target`, p);
      },
      'a regular file': (p) => writeFileSync(p, 'junk'),
    };
    for (const [kind, make] of Object.entries(removable)) {
      it(`${kind} is stale: removed, and the session starts`, T, async () => {
        const sessionDir = dir('sock');
        const sock = join(sessionDir, 'daemon.sock');
        make(sock);
        const start = await bdg([server.url('/'), '--json'], { sessionDir });
        assert.equal(start.code, 0, start.stdout + start.stderr);
        assert.match(start.stderr, /stale daemon\.sock/);
        assert.ok(lstatSync(sock).isSocket(), 'the daemon listens on daemon.sock');
        if (kind === 'a symlink to a directory') assert.ok(statSync(`${sock}.target`).isDirectory(), 'the symlink was followed');
        const status = await bdg(['status', '--json'], { sessionDir });
        assert.equal((status.json as { data: { running: boolean } }).data.running, true);
        assert.equal((await bdg(['stop'], { sessionDir })).code, 0);
      });
    }

    it('a directory with files in it is exit 103 naming it, left untouched, nothing started', T, async () => {
      const sessionDir = dir('sockfull');
      const sock = join(sessionDir, 'daemon.sock');
      mkdirSync(sock);
      writeFileSync(join(sock, 'keep.txt'), 'mine');
      const start = await bdg([server.url('/'), '--json'], { sessionDir });
      assert.equal(start.code, 103, start.stdout + start.stderr);
      const err = start.json as { code: string; error: string; hint: string };
      assert.equal(err.code, 'SESSION_FILE_ERROR');
      assert.ok(err.error.includes(sock) && /directory with files/.test(err.error), err.error);
      assert.match(err.hint, /Move it out of the way/);
      assert.equal(readFileSync(join(sock, 'keep.txt'), 'utf8'), 'mine');
      assert.deepEqual(daemonsOf(sessionDir), []);
      assert.equal(existsSync(join(sessionDir, 'daemon.lock')), false, 'the refused start left its lock');
      // other commands say the same rather than "a bug in bdg"
      const status = await bdg(['status', '--json'], { sessionDir });
      assert.equal(status.code, 103, status.stdout);
      // and once it is moved away, the next start works
      rmSync(sock, { recursive: true });
      const again = await bdg([server.url('/')], { sessionDir });
      assert.equal(again.code, 0, again.stderr);
      await bdg(['stop'], { sessionDir });
    });

    it("empty directories and FIFOs where the daemon's other files belong never end a start in 110", T, async () => {
      const sessionDir = dir('slots');
      for (const f of ['daemon.pid', 'chrome.pid', 'session.meta.json', 'daemon.log', 'session.json']) mkdirSync(join(sessionDir, f));
      rmSync(join(sessionDir, 'daemon.log'), { recursive: true });
      execFileSync('mkfifo', [join(sessionDir, 'daemon.log')]); // opening it for the log would block for ever
      const start = await bdg([server.url('/'), '--json'], { sessionDir, timeoutMs: 30_000 });
      assert.equal(start.code, 0, start.stdout + start.stderr);
      assert.ok(statSync(join(sessionDir, 'daemon.pid')).isFile());
      assert.ok(statSync(join(sessionDir, 'daemon.log')).isFile());
      assert.equal((await bdg(['stop'], { sessionDir })).code, 0);
      assert.ok(statSync(join(sessionDir, 'session.json')).isFile());
      // a Chrome profile path that is a file: 103 naming it
      const other = dir('profile');
      writeFileSync(join(other, 'chrome-profile'), '');
      const refused = await bdg([server.url('/'), '--json'], { sessionDir: other });
      assert.equal(refused.code, 103, refused.stdout);
      assert.match((refused.json as { error: string }).error, /chrome-profile is a file, not a directory/);
      await assertNothingLeft(other);
    });
  });

  describe('6: option bounds, end to end', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--port', '99999'], /--port must be a whole number from 0 to 65535 \(got 99999\)/],
      [['--port', '-1'], /--port must be a whole number from 0 to 65535 \(got -1\)/],
      [['--port', '1.5'], /--port must be a whole number from 0 to 65535 \(got 1\.5\)/],
      [['--port', 'Infinity'], /--port needs a whole number from 0 to 65535/],
      [['--port', '0x10'], /--port needs a whole number from 0 to 65535/],
      [['--timeout', '-5'], /--timeout must be a number from 0 to 2147483/],
      [['--timeout', '1e10'], /--timeout must be a number from 0 to 2147483/],
      [['--max-body-size', '-3'], /--max-body-size must be a number from 0 to 1024/],
      [['--load-timeout', '0'], /--load-timeout must be a number from 1 to 600/],
    ];
    it('out-of-range, fractional and non-finite values are exit 81 with the range; nothing is started or created', T, async () => {
      const parent = dir('bounds');
      const sessionDir = join(parent, 'never-created');
      for (const [flags, message] of cases) {
        const r = await bdg([server.url('/'), ...flags, '--json'], { sessionDir });
        assert.equal(r.code, 81, `${flags.join(' ')}: ${r.stdout}${r.stderr}`);
        const doc = r.json as { code: string; error: string };
        assert.equal(doc.code, 'INVALID_ARGUMENTS');
        assert.match(doc.error, message);
        const human = await bdg([server.url('/'), ...flags], { sessionDir });
        assert.equal(human.code, 81);
        assert.match(human.stderr, message);
      }
      const last = await bdg(['peek', '--last', '1e9'], { sessionDir });
      assert.equal(last.code, 81);
      assert.match(last.stderr, /--last must be a whole number from 0 to 1000000 \(got 1000000000\)/);
      assert.equal(existsSync(sessionDir), false, 'a refused command created the session directory');
      assert.deepEqual(daemonsOf(sessionDir), []);
      assert.deepEqual(chromesOf(sessionDir), []);
    });

    it('--help --json states the bounds the CLI enforces', T, async () => {
      const help = await bdg(['--help', '--json', '--full'], { sessionDir: dir('help') });
      const start = (
        help.json as { commands: Array<{ name: string; options: Array<{ flag: string; min?: number; max?: number; integer?: boolean }> }> }
      ).commands.find((c) => c.name === 'start');
      const port = start?.options.find((o) => o.flag === '--port');
      assert.deepEqual([port?.min, port?.max, port?.integer], [0, 65535, true]);
      for (const o of start?.options ?? [])
        if (['--timeout', '--max-body-size', '--load-timeout'].includes(o.flag)) assert.ok(o.min !== undefined && o.max !== undefined, o.flag);
      const boundary = await bdg([server.url('/'), '--port', '65536'], { sessionDir: dir('edge') });
      assert.equal(boundary.code, 81);
    });
  });

  describe('8: temp files of interrupted atomic writes', () => {
    /**
     * A real writeFileAtomic killed half-way: a child writes a large file into the session directory and is
     * SIGKILLed as soon as its temp file appears (a bigger payload when the rename won the race).
     */
    async function killedWrite(sessionDir: string): Promise<string> {
      const fsx = fileURLToPath(new URL('../../src/util/fsx.js', import.meta.url));
      for (let mb = 64; mb <= 256; mb *= 2) {
        const script = `import(${JSON.stringify(fsx)}).then((m) => m.writeFileAtomic(${JSON.stringify(join(sessionDir, 'session.json'))}, 'x'.repeat(${mb} * 1024 * 1024)))`;
        const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
        const exited = new Promise((r) => child.on('exit', r));
        let temp: string | undefined;
        await waitFor(() => (temp = readdirSync(sessionDir).find((f) => f.startsWith('.session.json.') && f.endsWith('.tmp'))) !== undefined, 10_000, 1);
        child.kill('SIGKILL');
        await exited;
        if (temp !== undefined && existsSync(join(sessionDir, temp))) return temp;
        rmSync(join(sessionDir, 'session.json'), { force: true });
      }
      throw new Error('could not catch the write half-way');
    }

    it('bdg cleanup removes a temp file whose writer was killed, and only such files', T, async () => {
      const sessionDir = dir('tmpclean');
      const killed = await killedWrite(sessionDir);
      assert.equal(existsSync(join(sessionDir, 'session.json')), false);
      const token = '5a3f18c2b9e4d0a11c2f3b4a5';
      const dead = await deadPid();
      const deadWriter = `.session.meta.json.${dead}.${token}.tmp`;
      const liveWriter = `.session.json.${process.pid}.${token}.tmp`; // this test process is alive and "writing"
      const lookalikes = ['.session.json.tmp', 'notes.tmp', `session.json.${dead}.${token}.tmp`, `.session.json.${dead}.tmp`];
      for (const f of [deadWriter, liveWriter, ...lookalikes]) writeFileSync(join(sessionDir, f), '{"partial":');
      const clean = await bdg(['cleanup', '--json'], { sessionDir });
      assert.equal(clean.code, 0, clean.stdout + clean.stderr);
      const data = (clean.json as { data: { removed: string[]; messages: string[] } }).data;
      assert.deepEqual(data.removed.map((p) => p.slice(sessionDir.length + 1)).sort(), [killed, deadWriter].sort());
      assert.ok(
        data.messages.some((m) => /interrupted write/.test(m)),
        data.messages.join(' | '),
      );
      // boot.id is bdg's own marker of the last orphan sweep (client/sweep.ts), not one of the files under test.
      assert.deepEqual(
        readdirSync(sessionDir)
          .filter((f) => f !== 'boot.id')
          .sort(),
        [liveWriter, ...lookalikes].sort(),
      );
    });

    it('the next start removes them too, and the data files are never mistaken for them', T, async () => {
      const sessionDir = dir('tmpstart');
      const killed = await killedWrite(sessionDir);
      writeFileSync(join(sessionDir, 'session.json'), JSON.stringify({ schema: 1, session: { startedAt: '2024-05-01T10:00:00.000Z' } }));
      const start = await bdg([server.url('/')], { sessionDir });
      assert.equal(start.code, 0, start.stderr);
      assert.match(start.stderr, /temporary file left by an interrupted write/);
      assert.equal(existsSync(join(sessionDir, killed)), false);
      // the data file beside it is kept (moved to history/), not taken for a temp file
      assert.deepEqual(readdirSync(join(sessionDir, 'history')), ['2024-05-01T10-00-00.000Z.json']);
      await bdg(['stop'], { sessionDir });
      assert.ok(statSync(join(sessionDir, 'session.json')).isFile());
      assert.deepEqual(
        readdirSync(sessionDir).filter((f) => f.endsWith('.tmp')),
        [],
      );
    });
  });

  describe('9: an interrupted start is cancelled', () => {
    async function interrupt(label: string, signal: NodeJS.Signals, when: (sessionDir: string) => Promise<void>, json = false): Promise<RunResult> {
      const sessionDir = dir(label);
      const { child, done } = spawnBdg([server.url('/slow'), ...(json ? ['--json'] : [])], sessionDir);
      await when(sessionDir);
      const sentAt = Date.now();
      child.kill(signal);
      const r = await done;
      assert.ok(Date.now() - sentAt < 10_000, `took ${Date.now() - sentAt} ms to cancel`);
      assert.equal(r.signal, null, 'the CLI was killed by the signal instead of cancelling');
      assert.equal(r.code, 130, r.stdout + r.stderr);
      await assertNothingLeft(sessionDir);
      // the directory is ready for a new start at once
      const again = await bdg([server.url('/'), '--json'], { sessionDir });
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.equal((await bdg(['stop'], { sessionDir })).code, 0);
      await assertNothingLeft(sessionDir);
      return r;
    }

    it('SIGINT about 1 s into a start: exit 130, no daemon or Chrome left, lock released, a new start works', T, async () => {
      const r = await interrupt('sigint', 'SIGINT', () => new Promise((res) => setTimeout(res, 1_000)));
      assert.match(r.stderr, /interrupted \(SIGINT\)/i);
    });

    it('SIGINT while the page is loading, with --json: one JSON document, code INTERRUPTED', T, async () => {
      const r = await interrupt('sigintload', 'SIGINT', async () => void (await server.waitForRequest('/slow', 20_000)), true);
      const doc = r.json as { success: boolean; code: string; exitCode: number };
      assert.deepEqual([doc.success, doc.code, doc.exitCode], [false, 'INTERRUPTED', 130]);
    });

    it('SIGTERM is a cancel too (exit 130)', T, async () => {
      await interrupt('sigterm', 'SIGTERM', () => new Promise((res) => setTimeout(res, 1_200)));
    });

    it('SIGINT before the daemon has even taken the lock over', T, async () => {
      await interrupt('sigintearly', 'SIGINT', (sessionDir) => waitFor(() => existsSync(join(sessionDir, 'daemon.lock')), 5_000, 2).then(() => undefined));
    });
  });

  describe('10: a session directory that cannot be made fails at once with 103 and the path', () => {
    const fails = async (sessionDir: string, pattern: RegExp, extra: string[] = []): Promise<void> => {
      const began = Date.now();
      const r = await bdg([server.url('/'), ...extra, '--json'], { sessionDir, timeoutMs: 10_000 });
      assert.ok(Date.now() - began < 5_000, `took ${Date.now() - began} ms`);
      assert.equal(r.code, 103, r.stdout + r.stderr);
      const doc = r.json as { code: string; error: string; hint: string };
      assert.equal(doc.code, 'SESSION_FILE_ERROR');
      assert.match(doc.error, pattern);
      assert.ok(doc.hint.length > 0);
    };

    it('under /proc/self (where recursive mkdir spins for ever)', T, async () => {
      await fails('/proc/self/bdg-x', /Cannot create session directory \/proc\/self\/bdg-x: ENOENT/);
      await fails('/proc/self/bdg-x/deeper', /\/proc\/self\/bdg-x\/deeper/);
    });

    it('--user-data-dir under /proc/self (the daemon would have spun there)', T, async () => {
      const sessionDir = dir('udd');
      await fails(sessionDir, /Chrome profile directory \/proc\/self\/bdg-profile/, ['--user-data-dir', '/proc/self/bdg-profile']);
      await assertNothingLeft(sessionDir);
    });

    it('under a regular file, and under /sys (no directories may be made there)', T, async () => {
      const parent = dir('file');
      writeFileSync(join(parent, 'f'), '');
      await fails(join(parent, 'f', 'x'), new RegExp(`${join(parent, 'f')} is a file, not a directory`));
      await fails('/sys/bdg-x', /\/sys\/bdg-x: E(PERM|ROFS|ACCES)/);
    });

    it('in a directory this user may not write (run as nobody)', T, async () => {
      const parent = dir('ro');
      chmodSync(parent, 0o755);
      mkdirSync(join(parent, 'ro'), { mode: 0o755 });
      const sessionDir = join(parent, 'ro', 'x');
      const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [BDG, server.url('/'), '--json'], {
          uid: 65534,
          gid: 65534,
          env: { ...process.env, HOME: '/nonexistent', BDG_SESSION_DIR: sessionDir },
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout });
        });
      });
      assert.equal(r.code, 103, r.stdout);
      assert.match((JSON.parse(r.stdout) as { error: string }).error, new RegExp(`${sessionDir}: EACCES`));
    });
  });

  describe('ownership and parents', () => {
    it("another user's world-writable directory is refused (103, reason and hint), left as it was", T, async () => {
      const parent = dir('owner');
      const sessionDir = join(parent, 'theirs');
      mkdirSync(sessionDir);
      chownSync(sessionDir, 65534, 65534);
      chmodSync(sessionDir, 0o777);
      const r = await bdg([server.url('/'), '--json'], { sessionDir });
      assert.equal(r.code, 103, r.stdout + r.stderr);
      const doc = r.json as { code: string; error: string; hint: string };
      assert.match(doc.error, /belongs to uid 65534, not to you \(uid 0\)/);
      assert.match(doc.hint, /BDG_SESSION_DIR/);
      assert.match(doc.hint, /chown/);
      const st = statSync(sessionDir);
      assert.deepEqual([st.uid, st.mode & 0o777], [65534, 0o777], 'bdg changed a directory it refused');
      assert.deepEqual(readdirSync(sessionDir), []);
      assert.deepEqual(daemonsOf(sessionDir), []);
    });

    it('missing parents are created with mode 0700, each of them', T, async () => {
      const parent = dir('parents');
      const sessionDir = join(parent, 'a', 'b', 'c');
      // Chrome cannot be found: the start fails after the directory is prepared, quickly and without a browser.
      const r = await bdg([server.url('/'), '--json'], { sessionDir, env: { CHROME_PATH: '/nonexistent/chrome' } });
      assert.equal(r.code, 100, r.stdout);
      for (const p of ['a', 'a/b', 'a/b/c']) assert.equal(statSync(join(parent, p)).mode & 0o777, 0o700, p);
      await assertNothingLeft(sessionDir);
    });
  });

  describe('the previous session.json is kept', () => {
    it('a new start moves it to history/<start time>.json, says so, and keeps at most 10', { timeout: 90_000 }, async () => {
      const sessionDir = dir('history');
      const first = await bdg([server.url('/'), '--json'], { sessionDir });
      assert.equal(first.code, 0, first.stderr);
      const firstStarted = (first.json as { data: { startedAt: string; previousSessionFile: string | null } }).data;
      assert.equal(firstStarted.previousSessionFile, null);
      await bdg(['stop'], { sessionDir });
      const firstDoc = JSON.parse(readFileSync(join(sessionDir, 'session.json'), 'utf8')) as { session: { startedAt: string } };

      const second = await bdg([server.url('/'), '--json'], { sessionDir });
      assert.equal(second.code, 0, second.stderr);
      const kept = join(sessionDir, 'history', `${firstDoc.session.startedAt.replace(/:/g, '-')}.json`);
      assert.equal((second.json as { data: { previousSessionFile: string } }).data.previousSessionFile, kept);
      assert.ok(second.stderr.includes(`Kept the previous session's data as ${kept}`), second.stderr);
      assert.equal((JSON.parse(readFileSync(kept, 'utf8')) as { session: { startedAt: string } }).session.startedAt, firstDoc.session.startedAt);
      assert.equal(existsSync(join(sessionDir, 'session.json')), false, 'the running session has no session.json yet');
      await bdg(['stop'], { sessionDir });

      // ten older ones on top: the next start keeps ten, removing the two oldest, and says how many
      for (let i = 1; i <= 10; i++) writeFileSync(join(sessionDir, 'history', `2020-01-${String(i).padStart(2, '0')}T00-00-00.000Z.json`), '{}');
      const third = await bdg([server.url('/')], { sessionDir });
      assert.equal(third.code, 0, third.stderr);
      assert.match(third.stderr, /Removed the 2 oldest kept session files from history\/ \(at most 10 files and 50 MB are kept\)/);
      const left = readdirSync(join(sessionDir, 'history')).sort();
      assert.equal(left.length, 10);
      assert.ok(!left.includes('2020-01-01T00-00-00.000Z.json') && !left.includes('2020-01-02T00-00-00.000Z.json'), left.join(' '));
      assert.ok(left.includes(kept.slice(kept.lastIndexOf('/') + 1)));
      await bdg(['stop'], { sessionDir });
      // cleanup --aggressive takes the history with the rest of the session's data
      const clean = await bdg(['cleanup', '--aggressive', '--json'], { sessionDir });
      assert.equal(clean.code, 0);
      assert.equal(existsSync(join(sessionDir, 'history')), false);
    });
  });
});
