/**
 * A session's part in a shared browser (`--shared-browser NAME`): joining it (launching its Chrome when nobody
 * runs it yet), and leaving it (closing that Chrome when no live member is left). The registry's layout and its
 * pure judgements are in util/browserRegistry.ts; everything here is asynchronous, since a daemon leaves at
 * shutdown, long after start-up.
 *
 * The shared Chrome is launched detached with `--remote-debugging-port=0` on 127.0.0.1 and no DevTools pipe, so it
 * outlives the daemon that launched it; every member daemon attaches over WebSocket. Its endpoint is read from
 * `DevToolsActivePort` in its profile. Launch, join and leave each hold `registry.lock` while they decide, so ten
 * sessions starting at once find one Chrome, and a leaving last member cannot close a Chrome that a joiner has just
 * registered with.
 */
import { spawn } from 'node:child_process';
import type { Protocol } from 'devtools-protocol';
import { chromeArgs, findChrome } from '../cdp/chrome.js';
import { platform } from '../platform/index.js';
import {
  memberFile,
  memberKey,
  parseBrowserRecord,
  parseDevToolsActivePort,
  parseMemberRecord,
  registryFile,
  type BrowserRecord,
  type MemberRecord,
} from '../util/browserRegistry.js';
import { BdgError, errnoCode } from '../util/errors.js';
import { fsp } from '../util/fsAsync.js';
import { tempPathFor, writeError, writeFileAtomic } from '../util/fsx.js';
import { newOwner, type LockOwner } from '../util/lock.js';
import type { Logger } from '../util/logger.js';
import { CHROME_SESSION_ENV } from '../util/paths.js';
import { isSameProcessAliveAsync, killGroupQuietly, killQuietly, type ProcessIdentity } from '../util/proc.js';
import { sleep } from '../util/sleep.js';
import { uniqueToken } from '../util/token.js';
import { withoutDaemonMalloc } from '../util/mallocEnv.js';

/** How long a join waits for the registry lock: ten sessions starting at once queue behind one Chrome launch. */
const JOIN_LOCK_WAIT_MS = 60_000;
/** How long a leave waits for it; past that the member file is removed without the last-member check. */
const LEAVE_LOCK_WAIT_MS = 15_000;
/** How long Chrome may take to write DevToolsActivePort. */
const LAUNCH_WAIT_MS = 30_000;

export interface JoinOptions {
  /** The registry directory, `<base>/browsers/NAME` (made by the CLI). */
  dir: string;
  name: string;
  sessionDir: string;
  sessionName: string | null;
  /** This daemon's identity, as its daemon.lock holds it. */
  self: ProcessIdentity;
  headless: boolean;
  chromeFlags: string[];
  log: Logger;
}

/** A daemon's membership: what it joined, and the member file that says so. */
export interface Membership {
  dir: string;
  name: string;
  key: string;
  record: BrowserRecord;
  member: MemberRecord;
  /** This daemon launched the Chrome. */
  launched: boolean;
}

// --- the registry lock (the file protocol of util/lock.ts, asynchronously) ---

async function readLockAsync(path: string): Promise<LockOwner | null | 'corrupt'> {
  let raw: string;
  try {
    raw = await (await fsp()).readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
  try {
    const v = JSON.parse(raw) as Partial<LockOwner>;
    return typeof v.pid === 'number' && typeof v.nonce === 'string' ? (v as LockOwner) : 'corrupt';
  } catch {
    return 'corrupt';
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  const fs = await fsp();
  const tmp = tempPathFor(path);
  await fs.writeFile(tmp, JSON.stringify(owner), { mode: 0o600 });
  try {
    await fs.link(tmp, path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
}

/** Rename-then-verify, as breakStaleLock: only the lock judged stale is removed. */
async function breakStale(path: string, judged: LockOwner | 'corrupt'): Promise<void> {
  const fs = await fsp();
  const aside = tempPathFor(path, 'stale');
  try {
    await fs.rename(path, aside);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  const moved = await readLockAsync(aside).catch(() => null);
  const same = judged === 'corrupt' ? moved === 'corrupt' : moved !== null && moved !== 'corrupt' && moved.nonce === judged.nonce;
  if (!same) await fs.link(aside, path).catch(() => undefined);
  await fs.unlink(aside).catch(() => undefined);
}

/** Makes the registry directory (one level: its parent `<base>/browsers` exists) and `members/`. */
async function makeRegistryDirs(dir: string): Promise<void> {
  const fs = await fsp();
  for (const d of [dir.slice(0, dir.lastIndexOf('/')), dir, registryFile(dir, 'members')]) {
    await fs.mkdir(d, { mode: 0o700 }).catch((err: unknown) => {
      if (errnoCode(err) !== 'EEXIST') throw writeError(d, err);
    });
  }
}

/** Takes `registry.lock`, waiting (with backoff) while a live process holds it; stale ones are broken. */
export async function acquireRegistryLock(dir: string, waitMs: number): Promise<LockOwner> {
  const path = registryFile(dir, 'lock');
  const owner = newOwner(process.pid, 'daemon');
  const deadline = Date.now() + waitMs;
  let delay = 20;
  for (;;) {
    try {
      if (await tryCreate(path, owner)) return owner;
    } catch (err) {
      // The last member of a browser removes its directory; whoever waited for its lock makes it again.
      if (errnoCode(err) !== 'ENOENT') throw writeError(path, err);
      await makeRegistryDirs(dir);
      continue;
    }
    const holder = await readLockAsync(path);
    if (holder === null) continue;
    if (holder === 'corrupt' || !(await isSameProcessAliveAsync(holder))) {
      await breakStale(path, holder);
      continue;
    }
    if (Date.now() > deadline) {
      throw new BdgError(
        'TIMEOUT',
        `The shared browser's registry (${dir}) stayed locked by pid ${holder.pid} for ${Math.round(waitMs / 1000)} s`,
        'Another bdg is launching or closing this shared browser; retry, or `bdg cleanup --all` if nothing is running.',
      );
    }
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 250);
  }
}

export async function releaseRegistryLock(dir: string, owner: LockOwner): Promise<void> {
  const path = registryFile(dir, 'lock');
  const current = await readLockAsync(path).catch(() => null);
  if (current !== null && current !== 'corrupt' && current.nonce === owner.nonce) await (await fsp()).unlink(path).catch(() => undefined);
}

// --- the registry's files ---

async function readText(path: string): Promise<string | undefined> {
  try {
    return await (await fsp()).readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

export async function readBrowserRecord(dir: string): Promise<BrowserRecord | undefined> {
  const raw = await readText(registryFile(dir, 'browser'));
  return raw === undefined ? undefined : parseBrowserRecord(raw);
}

/**
 * The members of `record`'s generation whose daemon is alive (by pid and start time), `self` left out. With
 * `prune`, the member files of dead daemons and of earlier generations are removed.
 */
async function liveMembers(dir: string, record: BrowserRecord, prune: boolean, selfKey?: string): Promise<MemberRecord[]> {
  const fs = await fsp();
  const membersDir = registryFile(dir, 'members');
  const names = await fs.readdir(membersDir).catch(() => [] as string[]);
  const live: MemberRecord[] = [];
  for (const file of names) {
    if (!file.endsWith('.json') || file === `${selfKey}.json`) continue;
    const path = `${membersDir}/${file}`;
    const m = parseMemberRecord((await readText(path)) ?? '');
    if (m !== undefined && m.generation === record.generation && (await isSameProcessAliveAsync(m))) live.push(m);
    else if (prune) await fs.unlink(path).catch(() => undefined);
  }
  return live;
}

/** Does the browser of `record` still run and answer on its DevTools port? Its current WebSocket URL if so. */
async function answers(record: BrowserRecord): Promise<string | undefined> {
  if (!(await isSameProcessAliveAsync(record))) return undefined;
  // node:http rather than fetch(): the WebSocket client loads it anyway, while fetch() would load undici, several
  // megabytes in every member daemon for one request. Loaded here: a daemon with its own Chrome never needs it.
  const { get } = await import('node:http');
  const text = await new Promise<string | undefined>((resolve) => {
    const req = get({ host: '127.0.0.1', port: record.port, path: '/json/version', timeout: 3_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
        if (body.length > 65_536) req.destroy();
      });
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
  try {
    const body = JSON.parse(text ?? '') as { webSocketDebuggerUrl?: unknown };
    return typeof body.webSocketDebuggerUrl === 'string' ? body.webSocketDebuggerUrl : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Ends the Chrome of `record`: `gracefully` first (Browser.close over a member's connection), then SIGKILL to
 * its process group (it leads one: it was spawned detached) when it lingers. Only the process with the recorded
 * pid and start time is signalled.
 */
export async function endBrowser(record: BrowserRecord, log: Logger, gracefully?: () => Promise<unknown>): Promise<void> {
  const gone = async (ms: number): Promise<boolean> => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!(await isSameProcessAliveAsync(record))) return true;
      await sleep(50);
    }
    return !(await isSameProcessAliveAsync(record));
  };
  if (!(await isSameProcessAliveAsync(record))) return;
  if (gracefully !== undefined) {
    await gracefully().catch(() => undefined);
    if (await gone(3_000)) {
      killGroupQuietly(record.pid, 'SIGKILL');
      return;
    }
  }
  log.warn(`shared Chrome pid ${record.pid} did not close; killing its process group`);
  if (await isSameProcessAliveAsync(record)) {
    killGroupQuietly(record.pid, 'SIGKILL');
    killQuietly(record.pid, 'SIGKILL');
  }
  await gone(3_000);
}

/** Removes what a closed shared browser leaves: its profile, browser.json, the member files and Chrome's log. */
async function removeBrowserFiles(dir: string): Promise<void> {
  const fs = await fsp();
  await fs.unlink(registryFile(dir, 'browser')).catch(() => undefined);
  // Chrome's helpers can still be writing into the profile for a moment after the browser died.
  await fs.rm(registryFile(dir, 'profile'), { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }).catch(() => undefined);
  await fs.rm(registryFile(dir, 'members'), { recursive: true, force: true }).catch(() => undefined);
  await fs.unlink(registryFile(dir, 'log')).catch(() => undefined);
}

async function logTail(dir: string): Promise<string> {
  const text = (await readText(registryFile(dir, 'log'))) ?? '';
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/dbus|Fontconfig|DevTools listening/.test(l))
    .slice(-15)
    .join('\n');
}

/** Launches the shared Chrome, detached, and waits for its DevTools endpoint. Called holding the registry lock. */
async function launch(opts: JoinOptions, generation: string): Promise<BrowserRecord> {
  const fs = await fsp();
  const { dir, log } = opts;
  const executable = findChrome();
  const profile = registryFile(dir, 'profile');
  await fs.rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }).catch(() => undefined);
  await fs.mkdir(profile, { mode: 0o700 }).catch((err: unknown) => {
    throw writeError(profile, err);
  });
  const args = chromeArgs({
    executable,
    headless: opts.headless,
    port: 0,
    userDataDir: profile,
    extraFlags: opts.chromeFlags,
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
  }).filter((a) => a !== '--remote-debugging-pipe');
  const logHandle = await fs.open(registryFile(dir, 'log'), 'w', 0o600).catch((err: unknown) => {
    throw writeError(registryFile(dir, 'log'), err);
  });
  let exit: string | undefined;
  let pid: number | undefined;
  try {
    const child = spawn(executable, args, {
      stdio: ['ignore', 'ignore', logHandle.fd],
      shell: false,
      // Its own process group and session: it outlives this daemon, and its helpers end with the group.
      detached: process.platform !== 'win32',
      // Inherited by whatever Chrome's launcher starts, as for a session's own Chrome.
      env: { ...withoutDaemonMalloc(process.env), [CHROME_SESSION_ENV]: dir },
    });
    child.once('exit', (code, signal) => {
      exit = signal !== null ? `signal ${signal}` : `exit code ${String(code)}`;
    });
    child.once('error', (err) => {
      exit = err.message;
    });
    child.unref();
    pid = child.pid;
  } finally {
    await logHandle.close().catch(() => undefined);
  }
  if (pid === undefined) throw new BdgError('CHROME_LAUNCH_FAILED', `Could not start ${executable}`, 'Check CHROME_PATH and that the browser starts by hand.');
  const status = await platform.processStatus(pid);
  const identity: ProcessIdentity = status?.startTime !== undefined ? { pid, startTime: status.startTime } : { pid };
  log.info(`launched shared Chrome ${executable} pid ${pid} for shared browser "${opts.name}"`);
  const deadline = Date.now() + LAUNCH_WAIT_MS;
  const portFile = `${profile}/DevToolsActivePort`;
  for (;;) {
    const found = parseDevToolsActivePort((await readText(portFile)) ?? '');
    if (found !== undefined) {
      return {
        ...identity,
        generation,
        wsEndpoint: `ws://127.0.0.1:${found.port}${found.path}`,
        port: found.port,
        userDataDir: profile,
        headless: opts.headless,
        executable,
        launchedAt: new Date().toISOString(),
        launchedBy: memberKey(opts.sessionName),
      };
    }
    if (exit !== undefined || Date.now() > deadline) {
      const tail = await logTail(dir);
      killGroupQuietly(pid, 'SIGKILL');
      throw new BdgError(
        'CHROME_LAUNCH_FAILED',
        exit !== undefined
          ? `The shared Chrome (${executable}, pid ${pid}) exited during start-up (${exit})${tail !== '' ? `:\n${tail}` : ''}`
          : `The shared Chrome (pid ${pid}) did not open its DevTools port within ${LAUNCH_WAIT_MS / 1000} s${tail !== '' ? `:\n${tail}` : ''}`,
        'Check that the browser starts by hand, CHROME_PATH and --chrome-flags; the daemon log has details.',
      );
    }
    await sleep(25);
  }
}

/**
 * Joins the shared browser `opts.name`: under its lock, reuses its Chrome when that still runs and answers,
 * otherwise launches one (an earlier Chrome that no longer answers is ended first), then writes this session's
 * member file. The caller connects to `record.wsEndpoint` after the lock is released: the member file already
 * keeps the browser open for it.
 */
export async function joinSharedBrowser(opts: JoinOptions): Promise<Membership> {
  const { dir, log } = opts;
  await makeRegistryDirs(dir);
  const lock = await acquireRegistryLock(dir, JOIN_LOCK_WAIT_MS);
  try {
    let record = await readBrowserRecord(dir);
    let launched = false;
    if (record !== undefined) {
      const ws = await answers(record);
      if (ws === undefined) {
        log.warn(`the shared browser's Chrome (pid ${record.pid}) is gone or does not answer: launching a new one`);
        await endBrowser(record, log);
        await removeBrowserFiles(dir);
        await makeRegistryDirs(dir);
        record = undefined;
      } else {
        record = { ...record, wsEndpoint: ws };
        // Members whose daemon died (kill -9) are noticed here too; Chrome dropped their contexts already.
        await liveMembers(dir, record, true);
      }
    }
    if (record === undefined) {
      record = await launch(opts, uniqueToken());
      try {
        await writeFileAtomic(registryFile(dir, 'browser'), JSON.stringify(record, null, 2));
      } catch (err) {
        await endBrowser(record, log);
        throw err;
      }
      launched = true;
    }
    const key = memberKey(opts.sessionName);
    const member: MemberRecord = {
      ...opts.self,
      generation: record.generation,
      nonce: uniqueToken(),
      session: opts.sessionName,
      sessionDir: opts.sessionDir,
      joinedAt: new Date().toISOString(),
      browserContextId: null,
    };
    try {
      await writeFileAtomic(memberFile(dir, key), JSON.stringify(member, null, 2));
    } catch (err) {
      // A Chrome nobody is registered with would be left to the next clean-up: end one we just launched now.
      if (launched) {
        await endBrowser(record, log);
        await removeBrowserFiles(dir);
      }
      throw err;
    }
    return { dir, name: opts.name, key, record, member, launched };
  } finally {
    await releaseRegistryLock(dir, lock);
  }
}

/** Records the member's browser context in its member file (for `bdg sessions` and the clean-up's messages). */
export async function recordContext(m: Membership, browserContextId: string): Promise<void> {
  m.member = { ...m.member, browserContextId };
  await writeFileAtomic(memberFile(m.dir, m.key), JSON.stringify(m.member, null, 2));
}

async function removeOwnMemberFile(m: Membership): Promise<void> {
  const path = memberFile(m.dir, m.key);
  const current = parseMemberRecord((await readText(path)) ?? '');
  if (current?.nonce === m.member.nonce) await (await fsp()).unlink(path).catch(() => undefined);
}

/**
 * Leaves the shared browser: removes this session's member file and, when no live member of the same Chrome is
 * left, ends that Chrome (`closeBrowser`, then by pid) and removes its profile and registry files. Returns
 * whether it closed Chrome and how many members remain.
 */
export async function leaveSharedBrowser(
  m: Membership,
  log: Logger,
  closeBrowser: () => Promise<unknown>,
): Promise<{ closedChrome: boolean; remaining: number }> {
  let lock: LockOwner;
  try {
    lock = await acquireRegistryLock(m.dir, LEAVE_LOCK_WAIT_MS);
  } catch (err) {
    log.warn(`leaving the shared browser without its lock: ${(err as Error).message}`);
    await removeOwnMemberFile(m);
    return { closedChrome: false, remaining: -1 };
  }
  let closed = false;
  try {
    await removeOwnMemberFile(m);
    const record = await readBrowserRecord(m.dir);
    // Another Chrome of the same name was launched after ours died: none of our business any more.
    if (record === undefined || record.generation !== m.record.generation) return { closedChrome: false, remaining: 0 };
    const live = await liveMembers(m.dir, record, true, m.key);
    if (live.length > 0) {
      log.info(`left the shared browser "${m.name}"; ${live.length} session(s) still use it`);
      return { closedChrome: false, remaining: live.length };
    }
    log.info(`last session of the shared browser "${m.name}": closing its Chrome (pid ${record.pid})`);
    await endBrowser(record, log, closeBrowser);
    await removeBrowserFiles(m.dir);
    closed = true;
    return { closedChrome: true, remaining: 0 };
  } finally {
    await releaseRegistryLock(m.dir, lock);
    if (closed) await (await fsp()).rmdir(m.dir).catch(() => undefined);
  }
}

/**
 * The browser-level events of the other sessions' contexts in a shared Chrome are not this session's: target
 * discovery reports every target of the browser, and `bdg cdp --events` or the page's fate must not see another
 * session's tabs. Events of this session's own flatten sessions always pass.
 */
export class ContextEventFilter {
  #contextId: string | undefined;
  readonly #ours = new Set<string>();
  readonly #foreign = new Set<string>();
  /** Bounded: targets come and go; a long session must not collect every id it ever saw. */
  static readonly MAX_IDS = 10_000;

  set contextId(id: string) {
    this.#contextId = id;
  }

  accepts(method: string, params: unknown, sessionId: string | undefined): boolean {
    if (this.#contextId === undefined || sessionId !== undefined || !method.startsWith('Target.')) return true;
    const p = params as { targetInfo?: Protocol.Target.TargetInfo; targetId?: string };
    const info = p.targetInfo;
    if (info !== undefined) {
      const ours = info.browserContextId === this.#contextId;
      this.#remember(ours ? this.#ours : this.#foreign, info.targetId);
      return ours;
    }
    if (p.targetId === undefined) return true;
    const ours = this.#ours.has(p.targetId) || !this.#foreign.has(p.targetId);
    if (method === 'Target.targetDestroyed') {
      this.#ours.delete(p.targetId);
      this.#foreign.delete(p.targetId);
    }
    return ours;
  }

  #remember(set: Set<string>, id: string): void {
    if (set.size >= ContextEventFilter.MAX_IDS) set.clear();
    set.add(id);
  }
}
