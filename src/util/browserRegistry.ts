/**
 * The registry of shared browsers (`bdg <url> --shared-browser NAME`): one directory per shared Chrome,
 * `<base>/browsers/NAME/` (mode 0700), holding
 *
 * - `registry.lock`: taken (pid + start time + nonce, as daemon.lock) by whoever launches, joins, leaves or cleans up
 *   the browser, for a few file operations at a time (a launch holds it until Chrome answers);
 * - `browser.json`: the Chrome process (pid + start time), its DevTools WebSocket URL on 127.0.0.1, the profile
 *   directory and a generation token that is new at every launch;
 * - `members/KEY.json`: one file per session using the browser (its daemon's pid + start time, session directory,
 *   browser context), KEY being the session's name (`@default` for the default session);
 * - `chrome-profile/`: the profile, which is also the marker the sweep recognises a shared Chrome by;
 * - `chrome.log`: Chrome's stderr (Chrome outlives the daemon that launched it, so no daemon can hold its pipe).
 *
 * The daemons read and write it asynchronously (daemon/sharedBrowser.ts), the CLI's clean-up synchronously
 * (client/sharedBrowsers.ts); both go by the definitions and pure judgements here.
 */
import { join } from 'node:path';
import type { ProcessIdentity } from './proc.js';
import { isValidSessionName } from './paths.js';

/** Shared browsers live in `<base>/browsers/NAME/`. */
export const BROWSERS_DIR = 'browsers';

/** The name `--shared-browser` without a value stands for. */
export const DEFAULT_SHARED_BROWSER = 'default';

export const REGISTRY_FILES = {
  lock: 'registry.lock',
  browser: 'browser.json',
  members: 'members',
  profile: 'chrome-profile',
  log: 'chrome.log',
} as const;

/** A shared browser's name follows the rules of a session name (one directory level, no `..`). */
export function isValidBrowserName(name: string): boolean {
  return isValidSessionName(name);
}

export function registryDir(base: string, name: string): string {
  return join(base, BROWSERS_DIR, name);
}

export function registryFile(dir: string, file: keyof typeof REGISTRY_FILES): string {
  return join(dir, REGISTRY_FILES[file]);
}

/** The member file's key of a session: its name, or `@default` (no session name contains `@`). */
export function memberKey(sessionName: string | null | undefined): string {
  return sessionName ?? '@default';
}

export function memberFile(dir: string, key: string): string {
  return join(dir, REGISTRY_FILES.members, `${key}.json`);
}

/** `browser.json`. */
export interface BrowserRecord extends ProcessIdentity {
  /** New at every launch: a member of an earlier Chrome of the same name is no member of this one. */
  generation: string;
  wsEndpoint: string;
  port: number;
  userDataDir: string;
  headless: boolean;
  executable: string;
  launchedAt: string;
  /** The session whose daemon launched it (member key). */
  launchedBy: string;
}

/** `members/KEY.json`. */
export interface MemberRecord extends ProcessIdentity {
  /** The browser generation joined. */
  generation: string;
  /** Unique per join: only the daemon that wrote a member file removes it. */
  nonce: string;
  session: string | null;
  sessionDir: string;
  joinedAt: string;
  browserContextId: string | null;
}

function isIdentity(v: Record<string, unknown>): boolean {
  return typeof v['pid'] === 'number' && Number.isInteger(v['pid']) && v['pid'] > 0 && (v['startTime'] === undefined || typeof v['startTime'] === 'string');
}

/** Parses browser.json; undefined when it is not one (a torn or foreign file counts as no browser). */
export function parseBrowserRecord(raw: string): BrowserRecord | undefined {
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || !isIdentity(v)) return undefined;
    if (typeof v['generation'] !== 'string' || typeof v['wsEndpoint'] !== 'string' || typeof v['userDataDir'] !== 'string') return undefined;
    return v as unknown as BrowserRecord;
  } catch {
    return undefined;
  }
}

export function parseMemberRecord(raw: string): MemberRecord | undefined {
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || !isIdentity(v)) return undefined;
    if (typeof v['generation'] !== 'string' || typeof v['nonce'] !== 'string' || typeof v['sessionDir'] !== 'string') return undefined;
    return v as unknown as MemberRecord;
  } catch {
    return undefined;
  }
}

/** The `--user-data-dir` flag of a shared browser's Chrome, which is bdg's marker on its command line. */
export function sharedProfileFlag(base: string, name: string): string {
  return `--user-data-dir=${registryFile(registryDir(base, name), 'profile')}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A shared Chrome's browser process on a process list: the name of its shared browser under `base`. */
export interface MarkedSharedChrome {
  pid: number;
  name: string;
}

/**
 * The browser processes among `procs` (command lines joined by spaces) that carry the marker of a shared browser
 * under `base`: `--user-data-dir=<base>/browsers/NAME/chrome-profile` and a debugging port, no `--type=` (helpers
 * end with their browser). Pure, for tests with a recorded process list.
 */
export function markedSharedChromes(procs: ReadonlyArray<{ pid: number; command: string; zombie: boolean }>, base: string): MarkedSharedChrome[] {
  const marker = new RegExp(`(?:^| )--user-data-dir=${escapeRegExp(join(base, BROWSERS_DIR))}/([^ /]+)/${REGISTRY_FILES.profile}(?: |$)`);
  const out: MarkedSharedChrome[] = [];
  for (const p of procs) {
    if (p.zombie || p.pid === process.pid || / --type=/.test(p.command) || !/(?:^| )--remote-debugging-port=/.test(p.command)) continue;
    const m = marker.exec(p.command);
    const name = m?.[1];
    if (name === undefined || !isValidBrowserName(name)) continue;
    out.push({ pid: p.pid, name });
  }
  return out;
}

/**
 * Drops the marked processes whose parent is marked too: a browser never starts another browser, but the child it
 * forks for a helper carries the browser's command line until it execs (`--type=` comes with the exec), which a
 * process list taken at that moment shows. Ending the browser ends that child.
 */
export function withoutForks<T extends { pid: number }>(marked: T[], procs: ReadonlyArray<{ pid: number; ppid: number }>): T[] {
  const pids = new Set(marked.map((m) => m.pid));
  const parent = new Map(procs.map((p) => [p.pid, p.ppid]));
  return marked.filter((m) => !pids.has(parent.get(m.pid) ?? -1));
}

/** The DevTools endpoint Chrome writes into `<profile>/DevToolsActivePort`: the port, then the browser's path. */
export function parseDevToolsActivePort(raw: string): { port: number; path: string } | undefined {
  const [portLine, pathLine] = raw.split('\n');
  const port = Number(portLine?.trim());
  const path = pathLine?.trim() ?? '';
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || !path.startsWith('/devtools/browser/')) return undefined;
  return { port, path };
}
