/**
 * Shared browsers without a browser: `--shared-browser` on the command line (its value may be left out), the
 * registry's parsers and marker recognition, the context filter for other sessions' targets, the registry lock
 * under contention, and leaving / settling a shared browser whose "Chrome" is a stand-in process carrying the
 * marker (so that nothing but it can be signalled).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgv } from '../../src/cli/argv.js';
import { settleSharedBrowser, listSharedBrowsers } from '../../src/client/sharedBrowsers.js';
import { ContextEventFilter, acquireRegistryLock, leaveSharedBrowser, releaseRegistryLock, type Membership } from '../../src/daemon/sharedBrowser.js';
import {
  markedSharedChromes,
  memberFile,
  parseBrowserRecord,
  parseDevToolsActivePort,
  registryDir,
  registryFile,
  sharedProfileFlag,
  withoutForks,
  type BrowserRecord,
  type MemberRecord,
} from '../../src/util/browserRegistry.js';
import { markedChromes } from '../../src/client/sweep.js';
import { Logger } from '../../src/util/logger.js';
import { identityOf } from '../../src/util/proc.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(child: ChildProcess, ms = 5_000): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return Promise.race([new Promise<boolean>((r) => child.once('exit', () => r(true))), sleep(ms).then(() => false)]);
}

describe('--shared-browser on the command line', () => {
  const shared = (argv: string[]): unknown => {
    const p = parseArgv(argv);
    assert.equal(p.kind, 'run');
    return p.kind === 'run' ? p.params : undefined;
  };
  it('stands for "default" without a value, before or after the URL', () => {
    assert.deepEqual(shared(['localhost:3000', '--shared-browser']), { url: 'localhost:3000', sharedBrowser: 'default' });
    assert.deepEqual(shared(['--shared-browser', 'localhost:3000']), { url: 'localhost:3000', sharedBrowser: 'default' });
    assert.deepEqual(shared(['example.com', '--shared-browser', '--headless']), { url: 'example.com', sharedBrowser: 'default', headless: true });
  });
  it('takes a name that cannot be a URL as its value, any name with =', () => {
    assert.deepEqual(shared(['localhost:3000', '--shared-browser', 'team']), { url: 'localhost:3000', sharedBrowser: 'team' });
    assert.deepEqual(shared(['--shared-browser', 'team', 'localhost:3000']), { url: 'localhost:3000', sharedBrowser: 'team' });
    assert.deepEqual(shared(['--shared-browser=team.b', 'example.com']), { url: 'example.com', sharedBrowser: 'team.b' });
  });
});

describe('the registry', () => {
  it('recognises a shared Chrome by its profile under the base, never a helper, a pipe-driven or an unrelated one', () => {
    const base = '/home/u/.bdg';
    const procs = [
      {
        pid: 10,
        zombie: false,
        command: `/usr/lib/chromium/chromium --remote-debugging-port=0 --user-data-dir=${base}/browsers/team/chrome-profile about:blank`,
      },
      {
        pid: 11,
        zombie: false,
        command: `/usr/lib/chromium/chromium --type=renderer --remote-debugging-port=0 --user-data-dir=${base}/browsers/team/chrome-profile`,
      },
      { pid: 12, zombie: false, command: `/usr/lib/chromium/chromium --remote-debugging-pipe --user-data-dir=${base}/sessions/a/chrome-profile` },
      { pid: 13, zombie: false, command: `/usr/lib/chromium/chromium --remote-debugging-port=0 --user-data-dir=/elsewhere/browsers/team/chrome-profile` },
      { pid: 14, zombie: true, command: `/usr/lib/chromium/chromium --remote-debugging-port=0 --user-data-dir=${base}/browsers/x/chrome-profile` },
      { pid: 15, zombie: false, command: `/usr/lib/chromium/chromium --user-data-dir=${base}/browsers/team/chrome-profile` },
      { pid: 16, zombie: false, command: `/usr/lib/chromium/chromium --remote-debugging-port=0 --user-data-dir=${base}/browsers/../chrome-profile` },
    ];
    assert.deepEqual(markedSharedChromes(procs, base), [{ pid: 10, name: 'team' }]);
  });
  it("leaves out a browser's child caught between fork and exec, which still shows the browser's command line", () => {
    const base = '/home/u/.bdg';
    const browser = `/usr/lib/chromium/chromium --remote-debugging-pipe --user-data-dir=${base}/sessions/a/chrome-profile about:blank`;
    const shared = `/usr/lib/chromium/chromium --remote-debugging-port=0 --user-data-dir=${base}/browsers/team/chrome-profile about:blank`;
    const procs = [
      { pid: 20, ppid: 1, zombie: false, command: browser },
      { pid: 21, ppid: 20, zombie: false, command: browser },
      { pid: 30, ppid: 1, zombie: false, command: shared },
      { pid: 31, ppid: 30, zombie: false, command: shared },
    ];
    assert.deepEqual(
      markedChromes(procs, base).map((c) => c.pid),
      [20],
    );
    assert.deepEqual(
      withoutForks(markedSharedChromes(procs, base), procs).map((c) => c.pid),
      [30],
    );
  });
  it("reads Chrome's DevToolsActivePort and refuses anything else", () => {
    assert.deepEqual(parseDevToolsActivePort('41235\n/devtools/browser/0b6c1f6e-1\n'), { port: 41235, path: '/devtools/browser/0b6c1f6e-1' });
    assert.equal(parseDevToolsActivePort(''), undefined);
    assert.equal(parseDevToolsActivePort('41235\n'), undefined);
    assert.equal(parseDevToolsActivePort('0\n/devtools/browser/x'), undefined);
    assert.equal(parseDevToolsActivePort('99999\n/devtools/browser/x'), undefined);
  });
  it('treats a torn or foreign browser.json as no browser', () => {
    assert.equal(parseBrowserRecord('{"pid":1'), undefined);
    assert.equal(parseBrowserRecord('{"pid":"1","generation":"g","wsEndpoint":"ws://x","userDataDir":"/p"}'), undefined);
    assert.equal(parseBrowserRecord('{"pid":5,"generation":"g","wsEndpoint":"ws://x","userDataDir":"/p"}')?.pid, 5);
  });
});

describe('the context filter', () => {
  it("passes this context's targets and the page sessions' events, drops the other sessions' targets", () => {
    const f = new ContextEventFilter();
    const info = (targetId: string, browserContextId: string): unknown => ({
      targetInfo: { targetId, browserContextId, type: 'page', url: 'x', title: '', attached: false },
    });
    assert.equal(f.accepts('Target.targetCreated', info('t-other', 'B'), undefined), true, 'everything passes before the context is known');
    f.contextId = 'A';
    assert.equal(f.accepts('Target.targetCreated', info('t1', 'A'), undefined), true);
    assert.equal(f.accepts('Target.targetCreated', info('t2', 'B'), undefined), false);
    assert.equal(f.accepts('Target.targetInfoChanged', info('t2', 'B'), undefined), false);
    assert.equal(f.accepts('Target.targetCrashed', { targetId: 't2', status: 'crashed', errorCode: 1 }, undefined), false);
    assert.equal(f.accepts('Target.targetDestroyed', { targetId: 't2' }, undefined), false);
    assert.equal(f.accepts('Target.targetDestroyed', { targetId: 't1' }, undefined), true);
    assert.equal(f.accepts('Network.requestWillBeSent', {}, 'S1'), true);
    assert.equal(f.accepts('Browser.downloadWillBegin', {}, undefined), true);
  });
});

/** A stand-in for a shared Chrome: a process leading its own group whose command line carries the marker. */
function fakeChrome(base: string, name: string): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', '--remote-debugging-port=0', sharedProfileFlag(base, name)], {
    stdio: 'ignore',
    detached: true,
  });
}

function makeRegistry(base: string, name: string, chrome: ChildProcess): { dir: string; record: BrowserRecord } {
  const dir = registryDir(base, name);
  mkdirSync(registryFile(dir, 'members'), { recursive: true });
  mkdirSync(registryFile(dir, 'profile'), { recursive: true });
  const record: BrowserRecord = {
    ...identityOf(chrome.pid as number),
    generation: 'gen-1',
    wsEndpoint: 'ws://127.0.0.1:1/devtools/browser/x',
    port: 1,
    userDataDir: registryFile(dir, 'profile'),
    headless: true,
    executable: process.execPath,
    launchedAt: new Date().toISOString(),
    launchedBy: 'a',
  };
  writeFileSync(registryFile(dir, 'browser'), JSON.stringify(record));
  return { dir, record };
}

function member(dir: string, key: string, pid: number, generation = 'gen-1'): MemberRecord {
  const m: MemberRecord = {
    ...identityOf(pid),
    generation,
    nonce: `nonce-${key}`,
    session: key,
    sessionDir: `/s/${key}`,
    joinedAt: new Date().toISOString(),
    browserContextId: null,
  };
  writeFileSync(memberFile(dir, key), JSON.stringify(m));
  return m;
}

/** A pid that belonged to a process which has exited. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => p.once('exit', r));
  return p.pid as number;
}

describe('joining, leaving and settling', () => {
  it('the registry lock admits one holder at a time among concurrent takers', async () => {
    const base = mkdtempSync(join(tmpdir(), 'bdg-unit-sb-lock-'));
    const dir = registryDir(base, 'team');
    mkdirSync(dir, { recursive: true });
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const lock = await acquireRegistryLock(dir, 30_000);
        inside++;
        most = Math.max(most, inside);
        await sleep(5);
        inside--;
        await releaseRegistryLock(dir, lock);
      }),
    );
    assert.equal(most, 1);
    assert.equal(existsSync(registryFile(dir, 'lock')), false);
    rmSync(base, { recursive: true, force: true });
  });

  it('a leaving member closes the shared Chrome only when no live member is left', async () => {
    const base = mkdtempSync(join(tmpdir(), 'bdg-unit-sb-leave-'));
    const chrome = fakeChrome(base, 'team');
    const log = new Logger(join(base, 'log'));
    try {
      const { dir, record } = makeRegistry(base, 'team', chrome);
      const a = member(dir, 'a', process.pid);
      // b is a live member (this process stands in for its daemon); c's daemon is dead; d joined an earlier Chrome.
      member(dir, 'b', process.pid);
      member(dir, 'c', await deadPid());
      member(dir, 'd', process.pid, 'gen-0');
      const ma: Membership = { dir, name: 'team', key: 'a', record, member: a, launched: true };
      let closeCalls = 0;
      const first = await leaveSharedBrowser(ma, log, () => {
        closeCalls++;
        return Promise.resolve();
      });
      assert.deepEqual(first, { closedChrome: false, remaining: 1 });
      assert.equal(closeCalls, 0);
      assert.equal(existsSync(memberFile(dir, 'a')), false);
      assert.equal(existsSync(memberFile(dir, 'c')), false, "the dead member's file is pruned");
      assert.equal(existsSync(memberFile(dir, 'd')), false, "an earlier Chrome's member file is pruned");
      assert.ok(alive(chrome.pid as number));
      const mb: Membership = { dir, name: 'team', key: 'b', record, member: { ...a, session: 'b', nonce: 'nonce-b' }, launched: false };
      const last = await leaveSharedBrowser(mb, log, () => {
        closeCalls++;
        return Promise.resolve();
      });
      assert.deepEqual(last, { closedChrome: true, remaining: 0 });
      assert.equal(closeCalls, 1, 'Browser.close was asked for first');
      assert.ok(await gone(chrome), 'the Chrome that did not close was killed');
      assert.equal(existsSync(dir), false, 'the registry is removed');
    } finally {
      if (alive(chrome.pid as number)) chrome.kill('SIGKILL');
      await log.close();
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('settling keeps a shared Chrome with a live member, and ends one whose members all died', async () => {
    const base = mkdtempSync(join(tmpdir(), 'bdg-unit-sb-settle-'));
    const chrome = fakeChrome(base, 'team');
    try {
      await sleep(100); // its command line is readable once node has exec'd
      const { dir } = makeRegistry(base, 'team', chrome);
      member(dir, 'a', process.pid);
      member(dir, 'b', await deadPid());
      const kept = settleSharedBrowser(base, 'team');
      assert.equal(kept.closed, false);
      assert.match(kept.messages.join('\n'), /removed session "b", whose daemon \(pid \d+\) is gone/);
      assert.equal(listSharedBrowsers(base)[0]?.members.length, 1);
      assert.equal(listSharedBrowsers(base)[0]?.chromePid, chrome.pid);
      rmSync(memberFile(dir, 'a'));
      member(dir, 'a', await deadPid());
      const ended = settleSharedBrowser(base, 'team');
      assert.equal(ended.closed, true);
      assert.deepEqual(ended.killed, [chrome.pid]);
      assert.ok(await gone(chrome));
      assert.equal(existsSync(dir), false);
    } finally {
      if (alive(chrome.pid as number)) chrome.kill('SIGKILL');
      rmSync(base, { recursive: true, force: true });
    }
  });
});
