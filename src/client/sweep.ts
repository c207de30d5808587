/**
 * The sweep: Chrome processes that bdg launched for a session under this base directory and whose session no
 * longer has a daemon (its directory is gone, or nothing alive holds its lock) are ended. Run by `bdg cleanup
 * --all`, and once per boot by the first command (see bootSweep). A process is touched only when its command
 * line carries bdg's marker: `--remote-debugging-pipe` and `--user-data-dir=<base>/chrome-profile` or
 * `--user-data-dir=<base>/sessions/NAME/chrome-profile`, the profile bdg puts inside the session directory. A
 * shared browser's Chrome (`--shared-browser`) carries `--user-data-dir=<base>/browsers/NAME/chrome-profile`
 * instead and is judged by its registry's members (client/sharedBrowsers.ts).
 */
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { platform, type ProcessInfo } from '../platform/index.js';
import { tempPathFor } from '../util/fsx.js';
import { isLockOwnerAlive, readLock } from '../util/lock.js';
import { FILES, NAMED_SESSIONS_DIR, isValidSessionName, type SessionPaths } from '../util/paths.js';
import { isPidAlive, killQuietly } from '../util/proc.js';
import { markedSharedChromes, withoutForks } from '../util/browserRegistry.js';
import { settleSharedBrowser } from './sharedBrowsers.js';

/** A Chrome browser process bdg launched for the session in `sessionDir` (`name` null: the default session). */
export interface MarkedChrome {
  pid: number;
  sessionDir: string;
  name: string | null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The browser processes among `procs` that carry bdg's marker for a session under `base` (helpers, which have
 * `--type=`, are left out: they end with their browser). Pure, for tests with a recorded process list.
 */
export function markedChromes(procs: readonly ProcessInfo[], base: string): MarkedChrome[] {
  // Names never contain a space or a slash, so the flag's end is certain; `command` joins arguments by spaces.
  const marker = new RegExp(`(?:^| )--user-data-dir=${escapeRegExp(base)}(?:/${NAMED_SESSIONS_DIR}/([^ /]+))?/${FILES.profile}(?: |$)`);
  const out: MarkedChrome[] = [];
  for (const p of procs) {
    if (p.zombie || p.pid === process.pid || !/(?:^| )--remote-debugging-pipe(?: |$)/.test(p.command) || / --type=/.test(p.command)) continue;
    const m = marker.exec(p.command);
    if (m === null) continue;
    const name = m[1];
    if (name !== undefined && !isValidSessionName(name)) continue;
    out.push({ pid: p.pid, sessionDir: name === undefined ? base : join(base, NAMED_SESSIONS_DIR, name), name: name ?? null });
  }
  return withoutForks(out, procs);
}

/** True when a live process holds the session directory's lock: its daemon runs (or is starting). */
function sessionAlive(sessionDir: string): boolean {
  try {
    const lock = readLock(join(sessionDir, FILES.lock));
    return lock !== null && lock !== 'corrupt' && isLockOwnerAlive(lock);
  } catch {
    // A lock we cannot read is no proof the session is dead: leave its Chrome alone.
    return true;
  }
}

export interface SweepReport {
  killed: MarkedChrome[];
  /** Shared browsers (`--shared-browser`) that no live session used any more, ended with their Chrome. */
  sharedClosed: Array<{ name: string; pids: number[] }>;
  messages: string[];
}

/** Ends every marked Chrome under `base` whose session has no live daemon, and says what it did. */
export function sweepOrphanChromes(base: string): SweepReport {
  const report: SweepReport = { killed: [], sharedClosed: [], messages: [] };
  const prefix = `--user-data-dir=${base}/`;
  const procs = platform.listProcesses((cmd) => cmd.includes(prefix));
  const found = markedChromes(procs, base);
  const alive = new Map<string, boolean>();
  for (const c of found) {
    let live = alive.get(c.sessionDir);
    if (live === undefined) alive.set(c.sessionDir, (live = sessionAlive(c.sessionDir)));
    if (live || !isPidAlive(c.pid)) continue;
    if (!killQuietly(c.pid, 'SIGKILL')) continue;
    report.killed.push(c);
    const which = c.name === null ? 'the default session' : `session "${c.name}"`;
    report.messages.push(`Ended an orphaned Chrome (pid ${c.pid}) of ${which}: no bdg daemon runs for ${c.sessionDir}.`);
  }
  // A shared Chrome belongs to no one session: it is an orphan once its registry has no live member.
  for (const name of new Set(withoutForks(markedSharedChromes(procs, base), procs).map((c) => c.name))) {
    const settled = settleSharedBrowser(base, name, 2_000);
    report.messages.push(...settled.messages);
    if (settled.closed && settled.killed.length > 0) report.sharedClosed.push({ name, pids: settled.killed });
  }
  return report;
}

/** Where the base directory remembers the boot its last sweep ran in. */
export const BOOT_MARKER = 'boot.id';

/**
 * This boot, as text: Linux's boot id (/proc/sys/kernel/random/boot_id, new at every boot). Elsewhere there is no
 * such file; the boot time derived from the uptime stands in (`uptime:<epoch ms>`, compared within 60 s).
 */
export function currentBoot(): string | undefined {
  if (process.platform === 'linux') {
    try {
      const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      return id !== '' ? `linux:${id}` : undefined;
    } catch {
      return undefined;
    }
  }
  return `uptime:${Math.round(Date.now() - uptime() * 1000)}`;
}

/** True when two boot markers name the same boot. */
export function sameBoot(a: string, b: string): boolean {
  if (a === b) return true;
  const ua = /^uptime:(\d+)$/.exec(a);
  const ub = /^uptime:(\d+)$/.exec(b);
  // The uptime-derived boot time moves with clock adjustments; a minute's slack, and a sweep too many is harmless.
  return ua !== null && ub !== null && Math.abs(Number(ua[1]) - Number(ub[1])) < 60_000;
}

/**
 * Once per boot, for the first command in this base directory: sweeps orphaned Chromes (see sweepOrphanChromes)
 * and records the boot in `<base>/boot.id`. Every later command of the same boot pays two small file reads. Never
 * throws; nothing happens when the base directory does not exist yet. Returns what to tell the user.
 */
export function bootSweep(paths: Pick<SessionPaths, 'base'>): string[] {
  const boot = currentBoot();
  if (boot === undefined) return [];
  const marker = join(paths.base, BOOT_MARKER);
  if (!baseExists(paths.base)) return [];
  let previous: string | undefined;
  try {
    previous = readFileSync(marker, 'utf8').trim();
  } catch (err) {
    // ENOENT with the base missing: nothing was ever started here, so there is nothing to sweep.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !baseExists(paths.base)) return [];
  }
  if (previous !== undefined && sameBoot(previous, boot)) return [];
  let messages: string[] = [];
  try {
    messages = sweepOrphanChromes(paths.base).messages;
  } catch {
    /* a sweep that could not read the process table is retried by the next command */
    return [];
  }
  const tmp = tempPathFor(marker);
  try {
    writeFileSync(tmp, `${boot}\n`, { mode: 0o600 });
    renameSync(tmp, marker);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      /* never written */
    }
  }
  return messages;
}

/** The base exists and is ours: never write the marker into a directory another user owns (bdg refuses those). */
function baseExists(base: string): boolean {
  try {
    const st = statSync(base);
    return st.isDirectory() && (process.getuid === undefined || st.uid === process.getuid());
  } catch {
    return false;
  }
}
