/**
 * Fault injection end to end: a full disk (a small tmpfs) under the session directory and under output files, and
 * CHROME_PATH wrapper scripts whose children would outlive Chrome. Every test ends what it started, by pid, and
 * unmounts what it mounted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, daemonsOf, isAlive, readPid, sessionDirs, sleep, teardown, tempSessionDir, waitFor, type RunResult, type Failure } from '../helpers/bdg.js';

const CHROMIUM = '/usr/lib/chromium/chromium';
/** Stylesheets on the heavy page, each this big: about 3 MB of text bodies, more than a 2 MB disk holds. */
const BLOBS = 30;
const BLOB_BYTES = 100_000;

function mountTmpfs(dir: string, size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
}

function remount(dir: string, size: string): void {
  execFileSync('mount', ['-o', `remount,size=${size}`, dir], { stdio: 'pipe' });
}

function isMounted(dir: string): boolean {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[1] === dir);
}

async function umount(dir: string): Promise<void> {
  for (let i = 0; i < 50 && isMounted(dir); i++) {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      await sleep(100); // a process that was just killed may still hold a file there
    }
  }
  assert.equal(isMounted(dir), false, `${dir} is still mounted`);
}

/** Whether this machine lets us mount a tmpfs (root, not in a locked-down container). */
function canMount(): string | false {
  const probe = mkdtempSync(join(tmpdir(), 'bdg-mount-probe-'));
  try {
    mountTmpfs(probe, '64k');
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return false;
  } catch (err) {
    return `mounting a tmpfs is not permitted here: ${(err as Error).message.split('\n')[0] ?? ''}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

interface Proc {
  pid: number;
  pgid: number;
  cmd: string;
}

/** Every live process with its process group and command line, from /proc. */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue;
      out.push({ pid: Number(e), pgid: Number(rest[2]), cmd: readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      /* gone */
    }
  }
  return out;
}

const groupOf = (pgid: number): number[] =>
  processes()
    .filter((p) => p.pgid === pgid)
    .map((p) => p.pid);
const withCommand = (text: string): number[] =>
  processes()
    .filter((p) => p.cmd.includes(text))
    .map((p) => p.pid);

/** Ends processes this test started (by pid), ignoring those already gone. */
function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

function ok<T>(r: RunResult): T {
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return (r.json as { data: T }).data;
}

function failed(r: RunResult, exitCode: number): Failure {
  assert.equal(r.code, exitCode, r.stdout + r.stderr);
  const f = r.json as Failure;
  assert.equal(f.success, false);
  return f;
}

const tempFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('faults: full disk and Chrome launcher children', { skip: canMount() }, () => {
  let server: FixtureServer;
  const { make: dir, teardownAll } = sessionDirs();
  const scratch = mkdtempSync(join(tmpdir(), 'bdg-faults-'));

  before(async () => {
    server = await FixtureServer.start();
    server.html('/small', '<title>small</title><p>small page</p><script>console.log("small")</script>');
    const links = Array.from({ length: BLOBS }, (_, i) => `<link rel="stylesheet" href="/blob/${i}.css">`).join('');
    server.html('/heavy', `<title>heavy</title>${links}<p>heavy page</p><script>for (let i = 0; i < 20; i++) console.log("message", i)</script>`);
    for (let i = 0; i < BLOBS; i++) server.static(`/blob/${i}.css`, 'text/css', `/* ${String(i).repeat(BLOB_BYTES / String(i).length)} */`);
  });
  after(async () => {
    await teardownAll();
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A session directory on a tmpfs of `size`, with Chrome's profile elsewhere (Chrome's own files would fill it). */
  async function onTmpfs(label: string, size: string, body: (sessionDir: string, startArgs: string[]) => Promise<void>): Promise<void> {
    const sessionDir = tempSessionDir(label);
    const profile = mkdtempSync(join(scratch, `${label}-profile-`));
    mountTmpfs(sessionDir, size);
    try {
      await body(sessionDir, ['--user-data-dir', profile]);
    } finally {
      await bdg(['stop'], { sessionDir, timeoutMs: 20_000 }).catch(() => undefined);
      const daemons = daemonsOf(sessionDir);
      const chromes = processes()
        .filter((p) => p.cmd.includes(`--user-data-dir=${profile}`))
        .map((p) => p.pid);
      killAll([...daemons, ...chromes]);
      await waitFor(() => [...daemons, ...chromes].every((p) => !isAlive(p)), 5_000);
      await umount(sessionDir);
      await teardown(sessionDir);
      rmSync(profile, { recursive: true, force: true });
    }
  }

  it(
    'stop on a full disk fails with 103 naming session.json and ENOSPC, keeps the session, and succeeds once there is space',
    { timeout: 120_000 },
    async () => {
      await onTmpfs('enospc-stop', '2m', async (sessionDir, profileArgs) => {
        const file = join(sessionDir, 'session.json');
        // a previous session's file, which a failed write must leave as it was
        ok(await bdg([server.url('/small'), ...profileArgs, '--json'], { sessionDir }));
        ok(await bdg(['stop', '--json'], { sessionDir }));
        const previous = readFileSync(file, 'utf8');
        assert.equal((JSON.parse(previous) as { session: { page: { title: string } } }).session.page.title, 'small');

        // The new start keeps that file in history/ (a new session never overwrites the last one's data).
        const started = ok<{ pid: number; chromePid: number; previousSessionFile: string | null }>(
          await bdg([server.url('/heavy'), ...profileArgs, '--json'], { sessionDir }),
        );
        const kept = started.previousSessionFile;
        assert.ok(kept !== null && readFileSync(kept, 'utf8') === previous, 'the previous session.json was not kept');
        const before = ok<{ network: { count: number }; console: { count: number } }>(await bdg(['status', '--json'], { sessionDir }));
        assert.ok(before.network.count > BLOBS, JSON.stringify(before.network));

        const refused = failed(await bdg(['stop', '--json'], { sessionDir, timeoutMs: 60_000 }), 103);
        assert.equal(refused.code, 'SESSION_FILE_ERROR');
        assert.ok(refused.error.includes(file), refused.error);
        assert.match(refused.error, /ENOSPC/);
        assert.match(refused.error, /still running/);
        assert.match(refused.hint ?? '', /Free space.*bdg stop/);
        assert.equal(refused.data?.['sessionRunning'], true);
        // the human form says the same on stderr and prints no success
        const human = await bdg(['stop'], { sessionDir, timeoutMs: 60_000 });
        assert.equal(human.code, 103);
        assert.match(human.stderr, /session\.json.*ENOSPC/);
        assert.doesNotMatch(human.stdout, /Session stopped/);

        assert.equal(readFileSync(kept, 'utf8'), previous, 'the previous session.json changed');
        assert.equal(existsSync(file), false, 'a partial session.json was left');
        assert.deepEqual(tempFiles(sessionDir), [], 'a partial temp file was left');
        // the session is untouched: daemon, Chrome and telemetry
        assert.ok(isAlive(started.pid) && isAlive(started.chromePid));
        const still = ok<{ running: boolean; network: { count: number }; console: { count: number } }>(await bdg(['status', '--json'], { sessionDir }));
        assert.equal(still.running, true);
        assert.equal(still.network.count, before.network.count);
        assert.equal(still.console.count, before.console.count);

        remount(sessionDir, '32m'); // the user frees space
        const stopped = ok<{ sessionFile: string; network: number }>(await bdg(['stop', '--json'], { sessionDir, timeoutMs: 60_000 }));
        assert.equal(stopped.sessionFile, file);
        const doc = JSON.parse(readFileSync(file, 'utf8')) as { session: { page: { title: string } }; network: Array<{ body?: unknown }>; console: unknown[] };
        assert.equal(doc.session.page.title, 'heavy');
        assert.equal(doc.network.length, before.network.count);
        assert.ok(doc.network.filter((r) => r.body !== undefined).length >= BLOBS, 'bodies missing');
        assert.equal(doc.console.length, before.console.count);
        assert.ok(await waitFor(() => !isAlive(started.pid) && !isAlive(started.chromePid), 10_000), 'daemon or Chrome survived stop');
      });
    },
  );

  it(
    'auto-stop, SIGTERM and cleanup --force on a full disk: the data goes to a copy in the temp dir, and the next command says where and why',
    { timeout: 120_000 },
    async () => {
      for (const how of ['timeout', 'signal'] as const) {
        await onTmpfs(`enospc-${how}`, '2m', async (sessionDir, profileArgs) => {
          const fallbackRoot = mkdtempSync(join(scratch, `${how}-tmp-`));
          const env = { TMPDIR: fallbackRoot };
          const started = ok<{ pid: number }>(
            await bdg([server.url('/heavy'), ...profileArgs, ...(how === 'timeout' ? ['--timeout', '3'] : []), '--json'], { sessionDir, env }),
          );
          if (how === 'signal') process.kill(started.pid, 'SIGTERM');
          assert.ok(await waitFor(() => !isAlive(started.pid), 30_000), 'the daemon did not end');
          assert.equal(existsSync(join(sessionDir, 'session.json')), false);
          assert.deepEqual(tempFiles(sessionDir), []);
          const note = JSON.parse(readFileSync(join(sessionDir, 'session.meta.json'), 'utf8')) as {
            endReason: string;
            sessionFile: string;
            sessionFileError: string;
          };
          assert.equal(note.endReason, how);
          assert.match(note.sessionFileError, /session\.json: the disk is full \(ENOSPC\)/);
          assert.ok(note.sessionFile.startsWith(join(fallbackRoot, 'bdg-session-')), note.sessionFile);
          const copy = JSON.parse(readFileSync(note.sessionFile, 'utf8')) as { session: { endReason: string }; network: unknown[] };
          assert.equal(copy.session.endReason, how);
          assert.ok(copy.network.length > BLOBS);
          const log = readFileSync(join(sessionDir, 'daemon.log'), 'utf8');
          assert.match(log, /session\.json could not be written/);
          // the next command tells the user, once
          const status = await bdg(['status'], { sessionDir });
          assert.equal(status.code, 83, 'no session');
          assert.ok(status.stderr.includes(note.sessionFile), status.stderr);
          assert.match(status.stderr, /ENOSPC/);
          assert.equal(existsSync(join(sessionDir, 'session.meta.json')), false);
        });
      }
      // `cleanup --force` on a session whose stop cannot write: ended by signal, so the data is saved the same way
      await onTmpfs('enospc-cleanup', '2m', async (sessionDir, profileArgs) => {
        const fallbackRoot = mkdtempSync(join(scratch, 'cleanup-tmp-'));
        const started = ok<{ pid: number }>(await bdg([server.url('/heavy'), ...profileArgs, '--json'], { sessionDir, env: { TMPDIR: fallbackRoot } }));
        const clean = ok<{ messages: string[] }>(await bdg(['cleanup', '--force', '--json'], { sessionDir, timeoutMs: 60_000 }));
        assert.ok(!isAlive(started.pid));
        const said = clean.messages.join('\n');
        assert.match(said, /ENOSPC/);
        const copy = new RegExp(`saved to (${fallbackRoot}/bdg-session-\\w+/session\\.json) instead`).exec(said)?.[1];
        assert.ok(copy !== undefined, said);
        assert.ok((JSON.parse(readFileSync(copy, 'utf8')) as { network: unknown[] }).network.length > BLOBS);
      });
    },
  );

  it(
    'network har and dom screenshot onto a full disk: 103 naming the file and ENOSPC, nothing partial left, the session carries on',
    { timeout: 120_000 },
    async () => {
      const sessionDir = dir('enospc-out');
      const out = mkdtempSync(join(scratch, 'out-'));
      mountTmpfs(out, '2m');
      try {
        ok(await bdg([server.url('/heavy'), '--json'], { sessionDir }));
        const har = join(out, 'trace.har');
        const harFail = failed(await bdg(['network', 'har', har, '--json'], { sessionDir, timeoutMs: 60_000 }), 103);
        assert.equal(harFail.code, 'SESSION_FILE_ERROR');
        assert.ok(harFail.error.includes(har), harFail.error);
        assert.match(harFail.error, /ENOSPC/);
        assert.match(harFail.hint ?? '', /Free space/);
        assert.deepEqual(readdirSync(out), [], 'a partial HAR was left');
        // a directory is not a file name
        const isDir = failed(await bdg(['network', 'har', out, '--json'], { sessionDir }), 81);
        assert.match(isDir.error, /is a directory/);

        // fill the disk to the last byte, then a screenshot cannot fit
        try {
          writeFileSync(join(out, 'filler'), Buffer.alloc(4 * 1024 * 1024));
        } catch (err) {
          assert.equal((err as { code?: string }).code, 'ENOSPC');
        }
        const shot = join(out, 'shot.png');
        const shotFail = failed(await bdg(['dom', 'screenshot', shot, '--json'], { sessionDir, timeoutMs: 60_000 }), 103);
        assert.ok(shotFail.error.includes(shot), shotFail.error);
        assert.match(shotFail.error, /ENOSPC/);
        assert.deepEqual(readdirSync(out), ['filler'], 'a partial screenshot was left');

        // the session is fine: the same commands work onto a disk with space
        ok(await bdg(['status', '--json'], { sessionDir }));
        const good = mkdtempSync(join(scratch, 'good-'));
        const written = ok<{ entries: number }>(await bdg(['network', 'har', join(good, 'trace.har'), '--json'], { sessionDir, timeoutMs: 60_000 }));
        assert.ok(written.entries > BLOBS);
        ok(await bdg(['dom', 'screenshot', join(good, 'shot.png'), '--json'], { sessionDir, timeoutMs: 60_000 }));
        assert.deepEqual(readdirSync(good).sort(), ['shot.png', 'trace.har']);
      } finally {
        await teardown(sessionDir);
        await umount(out);
      }
    },
  );

  describe('CHROME_PATH wrappers', () => {
    /** A wrapper script in the scratch directory. */
    function wrapper(name: string, body: string): string {
      const path = join(scratch, `${name}.sh`);
      writeFileSync(path, `#!/bin/sh\n${body}\n`);
      chmodSync(path, 0o755);
      return path;
    }
    /** A unique `sleep` duration, so that a test finds its own sleep by its command line. */
    const marker = (): string => `600.${Math.floor(Math.random() * 1e6)}`;

    it("a wrapper without exec, or one that leaves `sleep` behind: stop and SIGTERM leave none of Chrome's process group", { timeout: 180_000 }, async () => {
      const noExec = wrapper('no-exec', `${CHROMIUM} "$@"`);
      const m = marker();
      const withSleep = wrapper('with-sleep', `sleep ${m} &\nexec ${CHROMIUM} "$@"`);
      for (const [label, script, end] of [
        ['no-exec', noExec, 'stop'],
        ['with-sleep', withSleep, 'stop'],
        ['with-sleep-term', withSleep, 'SIGTERM'],
      ] as const) {
        const sessionDir = dir(label);
        let pgid: number | undefined;
        try {
          const started = ok<{ pid: number; chromePid: number }>(await bdg([server.url('/small'), '--json'], { sessionDir, env: { CHROME_PATH: script } }));
          pgid = started.chromePid;
          const group = groupOf(pgid);
          assert.ok(group.length >= 2, `${label}: Chrome's processes are not in the wrapper's group (${group.join(', ')})`);
          if (script === withSleep)
            assert.ok(
              withCommand(`sleep ${m}`).every((p) => group.includes(p)) && withCommand(`sleep ${m}`).length === 1,
              "the wrapper's sleep is not in the group",
            );
          if (end === 'stop') ok(await bdg(['stop', '--json'], { sessionDir }));
          else process.kill(started.pid, 'SIGTERM');
          const id = pgid;
          assert.ok(await waitFor(() => groupOf(id).length === 0, 10_000), `${label}: left in the group after ${end}: ${groupOf(id).join(', ')}`);
          assert.ok(await waitFor(() => !isAlive(started.pid), 10_000));
        } finally {
          if (pgid !== undefined) killAll(groupOf(pgid));
          killAll(withCommand(`sleep ${m}`));
          await teardown(sessionDir);
        }
      }
    });

    it('a wrapper that starts `sleep` and exits 1: the start fails with the launch error, and the sleep is gone', { timeout: 60_000 }, async () => {
      const m = marker();
      const failing = wrapper('failing', `sleep ${m} &\necho "wrapper: no browser today" >&2\nexit 1`);
      const sessionDir = dir('failing');
      try {
        const t0 = Date.now();
        const r = failed(await bdg([server.url('/small'), '--json'], { sessionDir, env: { CHROME_PATH: failing } }), 100);
        assert.equal(r.code, 'CHROME_LAUNCH_FAILED');
        assert.match(r.error, /exited during start-up \(exit code 1\)/);
        assert.match(r.error, /wrapper: no browser today/);
        assert.ok(Date.now() - t0 < 15_000, 'the failure waited for a timeout instead of the exit');
        assert.ok(await waitFor(() => withCommand(`sleep ${m}`).length === 0, 5_000), "the wrapper's sleep survived the failed start");
        assert.ok(await waitFor(() => daemonsOf(sessionDir).length === 0, 5_000));
      } finally {
        killAll(withCommand(`sleep ${m}`));
        await teardown(sessionDir);
      }
    });

    it("kill -9 of the daemon: `bdg cleanup` ends what the wrapper left in Chrome's group, and says so", { timeout: 60_000 }, async () => {
      const m = marker();
      const withSleep = wrapper('with-sleep-kill', `sleep ${m} &\nexec ${CHROMIUM} "$@"`);
      const sessionDir = dir('kill9');
      // carries the session's marker but is not in Chrome's group: cleanup must leave it alone
      const bystander = spawn('sleep', [marker()], { stdio: 'ignore', env: { ...process.env, BDG_CHROME_SESSION_DIR: sessionDir } });
      let pgid: number | undefined;
      try {
        const started = ok<{ pid: number; chromePid: number }>(await bdg([server.url('/small'), '--json'], { sessionDir, env: { CHROME_PATH: withSleep } }));
        pgid = started.chromePid;
        const [sleepPid] = withCommand(`sleep ${m}`);
        assert.ok(sleepPid !== undefined);
        assert.equal(readPid(join(sessionDir, 'chrome.pid')), pgid, 'chrome.pid names the group');
        process.kill(started.pid, 'SIGKILL');
        // the closing pipe ends Chrome; the wrapper's sleep is left
        const id = pgid;
        assert.ok(await waitFor(() => !isAlive(started.chromePid), 10_000), 'Chrome survived its daemon');
        assert.ok(isAlive(sleepPid), 'the sleep should still be there for cleanup to find');
        const clean = ok<{ killed: number[]; messages: string[] }>(await bdg(['cleanup', '--json'], { sessionDir }));
        assert.ok(clean.killed.includes(sleepPid), JSON.stringify(clean));
        assert.ok(
          clean.messages.some((msg) => msg.includes(`pid ${sleepPid}`) && /process group/.test(msg)),
          JSON.stringify(clean.messages),
        );
        assert.ok(await waitFor(() => groupOf(id).length === 0, 5_000), `left: ${groupOf(id).join(', ')}`);
        const again = await bdg(['cleanup'], { sessionDir });
        assert.match(again.stdout, /Nothing to clean up/);
        assert.ok(isAlive(bystander.pid ?? -1), "cleanup ended a process outside Chrome's group");
      } finally {
        bystander.kill('SIGKILL');
        if (pgid !== undefined) killAll(groupOf(pgid));
        killAll(withCommand(`sleep ${m}`));
        await teardown(sessionDir);
      }
    });
  });
});
