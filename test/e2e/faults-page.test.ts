import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { BDG, bdg, chromesOf, daemonsOf, isAlive, readPid, sleep, teardown, tempSessionDir, waitFor, type RunResult, type Failure } from '../helpers/bdg.js';

/**
 * Faults of the page and of the processes around it, end to end against the built CLI and a real Chromium: a page
 * stuck in script, a renderer that crashes (before and during an action), a stopped daemon, a stopped Chrome.
 * Every process a test stops is continued in a `finally`, and every session is torn down by the test that made it.
 */

const PAGE = `<!doctype html><title>Faults</title>
<button id="hang" onclick="for(;;){}">hang</button>
<button id="ok" onclick="document.title='clicked'">ok</button>
<button id="oom" onclick="const a = []; for (;;) a.push(new Array(1e6).fill(1.5))">oom</button>
<script>fetch('/data.json'); console.log('ready')</script>`;

async function timed(args: string[], sessionDir: string, timeoutMs = 90_000): Promise<RunResult & { ms: number }> {
  const started = Date.now();
  const r = await bdg([...args, '--json'], { sessionDir, timeoutMs });
  return { ...r, ms: Date.now() - started };
}

function failure(r: RunResult): Failure {
  const f = r.json as Failure | undefined;
  assert.ok(f !== undefined && f.success === false, `expected a failure, got ${r.stdout}${r.stderr}`);
  return f;
}

function ok<T>(r: RunResult): T {
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return (r.json as { data: T }).data;
}

/** A process of this session we may stop and continue: checked against the session's own process list first. */
function sessionPid(sessionDir: string, file: 'daemon.pid' | 'chrome.pid'): number {
  const pid = readPid(join(sessionDir, file));
  assert.ok(pid !== undefined, `no ${file}`);
  const ours = file === 'daemon.pid' ? daemonsOf(sessionDir) : chromesOf(sessionDir);
  assert.ok(ours.includes(pid), `${file} names pid ${pid}, which is not this session's`);
  return pid;
}

/** Runs `fn` with `pid` stopped; continues it afterwards whatever happens (if it is still this session's). */
async function whileStopped<T>(pid: number, stillOurs: () => boolean, fn: () => Promise<T>): Promise<T> {
  process.kill(pid, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    if (isAlive(pid) && stillOurs()) process.kill(pid, 'SIGCONT');
  }
}

describe('faults: hung pages, crashed renderers, stopped processes', () => {
  let server: FixtureServer;

  before(async () => {
    server = await FixtureServer.start();
    server.html('/', PAGE);
    server.html('/other', '<title>Other</title><p>other</p>');
    server.static('/data.json', 'application/json', '{"ok":true}');
    server.html(
      '/late',
      '<title>Late</title><script>setTimeout(() => { const p = document.createElement("p"); p.id = "late"; p.textContent = "late"; document.body.append(p); }, 5000)</script>',
    );
    server.route('/slow', (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<title>Slow</title><p>slow</p>');
      }, 5_000);
    });
  });
  after(async () => {
    await server.close();
  });

  /** A session on the fixture page for one test, torn down (stop, then SIGKILL of what is left) when it ends. */
  async function withSession(label: string, fn: (sessionDir: string) => Promise<void>, extra: string[] = []): Promise<void> {
    const sessionDir = tempSessionDir(`faults-${label}`);
    try {
      const start = await bdg([server.url('/'), ...extra, '--json'], { sessionDir });
      assert.equal(start.code, 0, start.stdout + start.stderr);
      await fn(sessionDir);
    } finally {
      await teardown(sessionDir);
      assert.deepEqual([...daemonsOf(sessionDir), ...chromesOf(sessionDir)], [], 'the test left processes running');
    }
  }

  it('a stopped daemon: read-only commands give up within seconds naming `bdg cleanup --force`; continued, it answers again', async () => {
    await withSession('sigstop-daemon', async (sessionDir) => {
      const pid = sessionPid(sessionDir, 'daemon.pid');
      await whileStopped(
        pid,
        () => daemonsOf(sessionDir).includes(pid),
        async () => {
          const commands = [['status'], ['peek'], ['network', 'list'], ['console'], ['details', 'network', 'n1']];
          const runs = await Promise.all(commands.map((c) => timed(c, sessionDir, 60_000)));
          for (const [i, r] of runs.entries()) {
            const f = failure(r);
            assert.equal(r.code, 102, commands[i]?.join(' '));
            assert.match(f.error, new RegExp(`The daemon \\(pid ${pid}\\) did not acknowledge .* within 3 s: it is not responding`));
            assert.match(f.hint ?? '', /bdg cleanup --force/);
            // Before: 35 s (20 s for details), the client's whole deadline.
            assert.ok(r.ms < 10_000, `${commands[i]?.join(' ')} took ${r.ms} ms`);
          }
        },
      );
      // Continued, it serves again, including what the page needs; the requests the CLIs gave up on did no harm.
      assert.equal(ok<{ running: boolean }>(await timed(['status'], sessionDir)).running, true);
      assert.equal(ok<{ value: unknown }>(await timed(['dom', 'eval', '1 + 1'], sessionDir)).value, 2);

      // And the hint holds: `bdg cleanup --force` ends a stopped daemon and its Chrome.
      const chrome = sessionPid(sessionDir, 'chrome.pid');
      await whileStopped(
        pid,
        () => daemonsOf(sessionDir).includes(pid),
        async () => {
          const clean = await timed(['cleanup', '--force'], sessionDir, 60_000);
          assert.equal(clean.code, 0, clean.stdout + clean.stderr);
        },
      );
      assert.ok(await waitFor(() => !isAlive(pid) && !isAlive(chrome), 10_000), 'cleanup --force left the daemon or Chrome running');
    });
  });

  it('a healthy daemon: long commands keep their own budgets past the ack deadline (dom wait, page navigate)', async () => {
    await withSession('long', async (sessionDir) => {
      ok(await timed(['page', 'navigate', server.url('/late')], sessionDir));
      const wait = await timed(['dom', 'wait', '--selector', '#late', '--timeout', '20'], sessionDir);
      ok(wait);
      assert.ok(wait.ms > 3_500, `dom wait answered after ${wait.ms} ms: it did not wait for the element`);
      const nav = await timed(['page', 'navigate', server.url('/slow')], sessionDir);
      assert.equal(ok<{ title: string }>(nav).title, 'Slow');
      assert.ok(nav.ms > 4_500, `navigate answered after ${nav.ms} ms`);
    });
  });

  it('a page stuck in its own click handler is named hung; a queued command fails at once; page reload recovers it', async () => {
    await withSession('hung-click', async (sessionDir) => {
      const click = timed(['dom', 'click', '#hang'], sessionDir);
      await sleep(1_500);
      const queued = await timed(['dom', 'click', '#ok'], sessionDir);
      const q = failure(queued);
      assert.equal(queued.code, 102);
      assert.match(
        q.error,
        /^dom\.click was not started \(.* is busy with dom\.click, running for \d+ s\): the page's main thread is busy, it did not answer a probe within 0\.5 s/,
      );
      assert.match(q.hint ?? '', /bdg page reload/);
      assert.doesNotMatch(q.hint ?? '', /cleanup --force/);
      // Before: a click queued behind a hung page waited 73 s.
      assert.ok(queued.ms < 5_000, `the queued click took ${queued.ms} ms`);
      // The daemon itself is fine.
      const status = await timed(['status'], sessionDir);
      assert.equal(ok<{ running: boolean }>(status).running, true);
      assert.ok(status.ms < 3_000);

      const reload = await timed(['page', 'reload'], sessionDir);
      assert.equal(ok<{ title: string }>(reload).title, 'Faults');
      assert.ok(reload.ms < 15_000, `reload took ${reload.ms} ms`);
      // The click stuck on the page was cut short for the reload (or had already given up, naming the hang).
      const c = failure(await click);
      assert.match(c.error, /cut short: the page's main thread stopped answering and page\.reload is recovering it|main thread is busy/);
      const after = await timed(['dom', 'eval', '1 + 1'], sessionDir);
      assert.equal(ok<{ value: unknown }>(after).value, 2);
      assert.ok(after.ms < 3_000);
    });
  });

  it('page navigate recovers a page whose own timer hangs it (nothing of bdg running on it)', async () => {
    await withSession('hung-timer', async (sessionDir) => {
      ok(await timed(['dom', 'eval', 'setTimeout(() => { for (;;) {} }, 50); 1'], sessionDir));
      await sleep(300);
      const nav = await timed(['page', 'navigate', server.url('/other')], sessionDir);
      assert.equal(ok<{ title: string }>(nav).title, 'Other');
      assert.ok(nav.ms < 10_000, `navigate took ${nav.ms} ms`);
      assert.equal(ok<{ value: unknown }>(await timed(['dom', 'eval', 'location.pathname'], sessionDir)).value, '/other');
    });
  });

  it('a script bdg evaluates that never finishes is stopped when its budget passes; the next eval answers at once', async () => {
    await withSession('eval-budget', async (sessionDir) => {
      const stuck = await timed(['dom', 'eval', 'while (true) {}'], sessionDir);
      const f = failure(stuck);
      assert.equal(stuck.code, 102);
      assert.match(f.error, /did not finish within \d+ s: .*bdg stopped the running script \(Runtime\.terminateExecution\); the page answers again/);
      assert.equal(f.data?.['terminated'], true);
      assert.ok(stuck.ms < 62_000, `took ${stuck.ms} ms`);
      const next = await timed(['dom', 'eval', '1 + 1'], sessionDir);
      assert.equal(ok<{ value: unknown }>(next).value, 2);
      assert.ok(next.ms < 3_000, `the next eval took ${next.ms} ms`);
    });
  });

  it('a script bdg evaluates is stopped when its client goes away', async () => {
    await withSession('eval-gone', async (sessionDir) => {
      const cli = spawn(process.execPath, [BDG, 'dom', 'eval', 'while (true) {}'], { env: { ...process.env, BDG_SESSION_DIR: sessionDir }, stdio: 'ignore' });
      const exited = new Promise((r) => cli.on('exit', r));
      try {
        await sleep(2_000);
      } finally {
        cli.kill('SIGKILL');
        await exited;
      }
      const next = await timed(['dom', 'eval', '1 + 1'], sessionDir);
      assert.equal(ok<{ value: unknown }>(next).value, 2);
      assert.ok(next.ms < 5_000, `the next eval took ${next.ms} ms`);
    });
  });

  it('waiting for the tab counts against a command budget, and its timeout names the command holding the tab and for how long', async () => {
    await withSession('lock-wait', async (sessionDir) => {
      // Holds the tab on a page that stays healthy (it awaits a timer), so nothing is hung: plain queueing.
      const holder = spawn(process.execPath, [BDG, 'dom', 'eval', 'await new Promise((r) => setTimeout(r, 45000))'], {
        env: { ...process.env, BDG_SESSION_DIR: sessionDir },
        stdio: 'ignore',
      });
      const exited = new Promise((r) => holder.on('exit', r));
      try {
        await sleep(1_000);
        const waiter = await timed(['tabs', 'select', 't1'], sessionDir);
        const f = failure(waiter);
        assert.equal(waiter.code, 102);
        assert.match(f.error, /^tabs\.select did not start within 30 s: .* is busy with dom\.eval, running for (29|30|31) s$/);
        assert.ok(waiter.ms > 29_000 && waiter.ms < 36_000, `gave up after ${waiter.ms} ms (its budget is 30 s)`);
      } finally {
        holder.kill('SIGKILL');
        await exited;
      }
    });
  });

  it('a crashed renderer (chrome://crash): status says so, page commands fail at once with 107, the rest answer, navigate brings it back', async () => {
    await withSession('crash-nav', async (sessionDir) => {
      const crash = await timed(['page', 'navigate', 'chrome://crash'], sessionDir);
      // The crash arrives while the navigation settles (107); Chrome may answer the navigation itself first (104).
      assert.ok(crash.code === 107 || crash.code === 104, crash.stdout);
      assert.equal(ok<{ pageCrashed: boolean }>(await timed(['status'], sessionDir)).pageCrashed, true);

      for (const args of [
        ['dom', 'eval', '1'],
        ['dom', 'query', 'button'],
        ['dom', 'click', '#ok'],
        ['cdp', 'Runtime.evaluate', '--params', '{"expression":"1"}'],
      ]) {
        const r = await timed(args, sessionDir);
        const f = failure(r);
        assert.equal(r.code, 107, args.join(' '));
        assert.equal(f.code, 'PAGE_CRASHED');
        assert.match(f.error, /cannot run: the page crashed/);
        assert.match(f.hint ?? '', /bdg page reload.*bdg page navigate/);
        // Before: dom eval waited ~55 s.
        assert.ok(r.ms < 5_000, `${args.join(' ')} took ${r.ms} ms`);
      }
      for (const args of [['peek'], ['network', 'list'], ['console'], ['details', 'network', 'n1'], ['tabs'], ['cdp', 'browser.getVersion']]) {
        const r = await timed(args, sessionDir);
        ok(r);
        assert.ok(r.ms < 5_000, `${args.join(' ')} took ${r.ms} ms`);
      }

      assert.equal(ok<{ title: string }>(await timed(['page', 'navigate', server.url('/')], sessionDir)).title, 'Faults');
      assert.equal(ok<{ pageCrashed: boolean }>(await timed(['status'], sessionDir)).pageCrashed, false);
      assert.equal(ok<{ value: unknown }>(await timed(['dom', 'eval', '1 + 1'], sessionDir)).value, 2);
    });
  });

  it('a crash during a command ends it at once with 107: `bdg cdp Page.crash`, and a click whose handler crashes the renderer; reload brings the page back', async () => {
    // A 32 MB JavaScript heap lets the click handler's allocation loop crash the renderer (V8 out of memory) at once.
    await withSession(
      'crash-during',
      async (sessionDir) => {
        const click = await timed(['dom', 'click', '#oom'], sessionDir);
        assert.equal(click.code, 107, click.stdout);
        assert.match(failure(click).error, /^dom\.click was cut short: the page crashed while it ran/);
        // Before: the click waited for its CDP call's own timeout.
        assert.ok(click.ms < 10_000, `the click took ${click.ms} ms`);
        ok(await timed(['page', 'reload'], sessionDir));
        assert.equal(ok<{ value: unknown }>(await timed(['dom', 'eval', '1 + 1'], sessionDir)).value, 2);

        const cdp = await timed(['cdp', 'Page.crash'], sessionDir);
        assert.equal(cdp.code, 107, cdp.stdout);
        assert.match(failure(cdp).error, /^cdp\.send was cut short: the page crashed while it ran/);
        assert.ok(cdp.ms < 10_000, `bdg cdp Page.crash took ${cdp.ms} ms (its --timeout is 30 s)`);
        ok(await timed(['page', 'reload'], sessionDir));
        assert.equal(ok<{ value: unknown }>(await timed(['dom', 'eval', 'document.title'], sessionDir)).value, 'Faults');
      },
      ['--chrome-flags', '--js-flags=--max-old-space-size=32'],
    );
  });

  it('a stopped Chrome: the daemon still answers; a page command says Chrome is not responding; continued, all is well', async () => {
    await withSession('sigstop-chrome', async (sessionDir) => {
      const chrome = sessionPid(sessionDir, 'chrome.pid');
      let evalRun: Promise<RunResult & { ms: number }> | undefined;
      await whileStopped(
        chrome,
        () => chromesOf(sessionDir).includes(chrome),
        async () => {
          for (const args of [['status'], ['peek']]) {
            const r = await timed(args, sessionDir);
            ok(r);
            assert.ok(r.ms < 3_000, `${args.join(' ')} took ${r.ms} ms`);
          }
          evalRun = timed(['dom', 'eval', '1'], sessionDir);
          await sleep(1_500);
          const queued = await timed(['dom', 'click', '#ok'], sessionDir);
          const f = failure(queued);
          assert.equal(queued.code, 102);
          assert.match(f.error, new RegExp(`Chrome \\(pid ${chrome}\\) is not responding \\(neither the page nor the browser answered within 0\\.5 s\\)`));
          assert.match(f.hint ?? '', new RegExp(`kill -CONT ${chrome}`));
          assert.ok(queued.ms < 5_000, `took ${queued.ms} ms`);
        },
      );
      // The eval that waited while Chrome was stopped completes once it runs again.
      assert.equal(ok<{ value: unknown }>(await (evalRun as Promise<RunResult>)).value, 1);
      assert.equal(ok<{ value: unknown }>(await timed(['dom', 'eval', '1 + 1'], sessionDir)).value, 2);
    });
  });

  it('--help --json lists PAGE_CRASHED as exit code 107', async () => {
    const sessionDir = tempSessionDir('faults-help');
    try {
      const r = await bdg(['--help', '--json'], { sessionDir });
      const codes = (r.json as { exitCodes: Array<{ code: number; name: string; description: string }> }).exitCodes;
      const crashed = codes.find((c) => c.name === 'PAGE_CRASHED');
      assert.equal(crashed?.code, 107);
      assert.match(crashed?.description ?? '', /reload|navigate/);
    } finally {
      await teardown(sessionDir);
    }
  });
});
