/**
 * The CLI's side of shared browsers (`--shared-browser`): listing them for `bdg sessions`, and settling one whose
 * members died (`kill -9` of a daemon, a start that was cancelled): their member files are removed and, when no
 * live member is left, the shared Chrome is ended and its registry removed. Run by `bdg cleanup` for the session,
 * by every clean-up of a stale session that was in a shared browser (client/state.ts), by `cleanup --all` for
 * every shared browser and by the boot sweep for every marked shared Chrome. Synchronous like the rest of the
 * clean-up; the daemons' side is daemon/sharedBrowser.ts, and both hold `registry.lock` while they decide.
 */
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { platform } from '../platform/index.js';
import {
  BROWSERS_DIR,
  isValidBrowserName,
  markedSharedChromes,
  parseBrowserRecord,
  parseMemberRecord,
  registryDir,
  registryFile,
  sharedProfileFlag,
  withoutForks,
  type BrowserRecord,
  type MemberRecord,
} from '../util/browserRegistry.js';
import { acquireLock, newOwner, releaseLock, type LockOwner } from '../util/lock.js';
import { isSameProcessAlive, killGroupQuietly, killQuietly } from '../util/proc.js';

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The names of the shared browsers registered under `base`. */
export function sharedBrowserNames(base: string): string[] {
  try {
    return readdirSync(join(base, BROWSERS_DIR)).filter(isValidBrowserName).sort();
  } catch {
    return [];
  }
}

function readMembers(dir: string): Array<{ file: string; member: MemberRecord | undefined }> {
  const membersDir = registryFile(dir, 'members');
  let names: string[] = [];
  try {
    names = readdirSync(membersDir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.json')).map((n) => ({ file: join(membersDir, n), member: parseMemberRecord(readText(join(membersDir, n)) ?? '') }));
}

/** What `bdg sessions` shows of one shared browser. */
export interface SharedBrowserSummary {
  name: string;
  dir: string;
  /** The shared Chrome, when browser.json names one that runs. */
  chromePid: number | null;
  wsEndpoint: string | null;
  headless: boolean | null;
  launchedAt: string | null;
  /** Sessions whose daemon is alive and joined this Chrome. */
  members: Array<{ session: string | null; daemonPid: number; browserContextId: string | null; joinedAt: string }>;
}

function isMember(m: MemberRecord | undefined, record: BrowserRecord | undefined): boolean {
  return m !== undefined && record !== undefined && m.generation === record.generation && isSameProcessAlive(m);
}

/** Every shared browser under `base`, as its registry says (nothing is changed). */
export function listSharedBrowsers(base: string): SharedBrowserSummary[] {
  return sharedBrowserNames(base).map((name) => {
    const dir = registryDir(base, name);
    const record = parseBrowserRecord(readText(registryFile(dir, 'browser')) ?? '');
    const running = record !== undefined && isSameProcessAlive(record);
    return {
      name,
      dir,
      chromePid: running ? record.pid : null,
      wsEndpoint: running ? record.wsEndpoint : null,
      headless: record?.headless ?? null,
      launchedAt: record?.launchedAt ?? null,
      members: readMembers(dir)
        .flatMap((e) => (e.member !== undefined && isMember(e.member, record) ? [e.member] : []))
        .map((m) => ({ session: m.session, daemonPid: m.pid, browserContextId: m.browserContextId, joinedAt: m.joinedAt })),
    };
  });
}

/** Takes `registry.lock`, waiting up to `waitMs` while a live process holds it; undefined when it stays held. */
function lockRegistry(dir: string, waitMs: number): LockOwner | undefined {
  const owner = newOwner(process.pid, 'starter');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      if (acquireLock(registryFile(dir, 'lock'), owner).ok) return owner;
    } catch {
      // The directory went away (its last member removed it) or the lock kept changing: nothing to settle now.
      return undefined;
    }
    if (Date.now() > deadline) return undefined;
    pause(50);
  }
}

/** The browser processes (not helpers) of the shared browser `name` under `base`, from the process table. */
function markedProcesses(base: string, name: string): number[] {
  const flag = sharedProfileFlag(base, name);
  const procs = platform.listProcesses((cmd) => cmd.includes(flag));
  // A helper forked by the browser shows the browser's command line until it execs; its parent is marked too.
  return withoutForks(
    markedSharedChromes(procs, base).filter((c) => c.name === name),
    procs,
  ).map((c) => c.pid);
}

function waitGone(pids: readonly number[], ms: number): boolean {
  const deadline = Date.now() + ms;
  const alive = (): boolean => pids.some((p) => isSameProcessAlive({ pid: p }));
  while (alive() && Date.now() < deadline) pause(25);
  return !alive();
}

export interface SettleReport {
  messages: string[];
  /** Chrome browser processes ended. */
  killed: number[];
  /** The shared browser is gone: its Chrome ended (or was already gone) and its registry removed. */
  closed: boolean;
}

/**
 * Settles the shared browser `name` under `base`: member files of dead daemons (or of an earlier Chrome) are
 * removed; when no live member is left, its Chrome is ended (SIGTERM, SIGKILL to its process group after 3 s; only
 * the process with the recorded pid and start time, and processes carrying the browser's profile marker) and its
 * profile and registry removed. When a live process holds the registry (a session is joining or leaving) for
 * longer than `waitMs`, nothing is done: that process settles it.
 */
export function settleSharedBrowser(base: string, name: string, waitMs = 5_000): SettleReport {
  const report: SettleReport = { messages: [], killed: [], closed: false };
  const dir = registryDir(base, name);
  if (!existsSync(dir)) return report;
  const lock = lockRegistry(dir, waitMs);
  if (lock === undefined) return report;
  try {
    const record = parseBrowserRecord(readText(registryFile(dir, 'browser')) ?? '');
    let live = 0;
    for (const { file, member } of readMembers(dir)) {
      if (isMember(member, record)) {
        live++;
        continue;
      }
      try {
        unlinkSync(file);
      } catch {
        continue;
      }
      if (member !== undefined && member.generation === record?.generation) {
        report.messages.push(
          `Shared browser "${name}": removed ${member.session === null ? 'the default session' : `session "${member.session}"`}, whose daemon (pid ${member.pid}) is gone; Chrome disposed of its browser context when its connection closed.`,
        );
      }
    }
    if (live > 0) return report;
    const pids = new Set(markedProcesses(base, name));
    if (record !== undefined && isSameProcessAlive(record) && platform.commandLine(record.pid)?.includes(sharedProfileFlag(base, name)) === true)
      pids.add(record.pid);
    for (const pid of pids) killQuietly(pid, 'SIGTERM');
    if (!waitGone([...pids], 3_000)) for (const pid of pids) killQuietly(pid, 'SIGKILL');
    // Its helpers (renderers, GPU) are in its process group; they must not write into the profile as it is removed.
    for (const pid of pids) killGroupQuietly(pid, 'SIGKILL');
    waitGone([...pids], 3_000);
    report.killed.push(...pids);
    if (pids.size > 0) {
      report.messages.push(`Shared browser "${name}": no session uses it any more; ended its Chrome (pid ${[...pids].join(', ')}) and removed its profile.`);
    } else if (record !== undefined) report.messages.push(`Shared browser "${name}": its Chrome (pid ${record.pid}) is gone; removed its registry.`);
    for (const f of ['browser', 'log'] as const) {
      try {
        unlinkSync(registryFile(dir, f));
      } catch {
        /* not there */
      }
    }
    rmSync(registryFile(dir, 'profile'), { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    rmSync(registryFile(dir, 'members'), { recursive: true, force: true });
    report.closed = true;
    return report;
  } finally {
    releaseLock(registryFile(dir, 'lock'), lock);
    if (report.closed) {
      try {
        rmdirSync(dir);
      } catch {
        /* a session joined meanwhile (it made the directory's files again) */
      }
    }
  }
}

/** The shared browser a session directory's session.meta.json says its session was in, if any. */
export function sharedBrowserOfMeta(meta: Record<string, unknown>): string | undefined {
  const name = meta['sharedBrowser'];
  return typeof name === 'string' && isValidBrowserName(name) ? name : undefined;
}
