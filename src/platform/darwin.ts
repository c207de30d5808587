import { posix } from 'node:path';
import { explicitChrome, isPid, onPath, runAsync, runSync, UNIX_PATH_NAMES } from './common.js';
import type { Platform, ProcessInfo } from './types.js';

/**
 * macOS has no /proc: process identity comes from /bin/ps (no shell, argument vector only). ps is run with
 * LC_ALL=C and TZ=UTC so that `lstart` reads the same in every process that asks, whatever its locale or time
 * zone (a lock written by the daemon is judged later by a CLI started from another shell). `lstart` has
 * one-second resolution: a pid reused within the same second would be taken for the same process, which macOS's
 * sequential pid allocation makes very unlikely. `etime` would drift between two readings, so it is not used.
 */
const PS = '/bin/ps';
const psEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LC_ALL: 'C', LANG: 'C', TZ: 'UTC' });
const ps = (args: string[]): string | undefined => runSync(PS, args, { env: psEnv(), timeoutMs: 5_000 });

/**
 * Parses `ps -o state=,lstart= -p PID`, e.g. `Ss   Mon Jan  6 10:23:45 2025`: the state letters, then the start
 * time (C locale `%c`), returned with its runs of spaces collapsed. Undefined for empty output (no such process).
 */
export function parsePsStatus(text: string): { zombie: boolean; startTime: string } | undefined {
  const m = /^\s*(\S+)\s+(\S.*\S)\s*$/.exec(text.split('\n').find((l) => l.trim() !== '') ?? '');
  if (m === null) return undefined;
  return { zombie: (m[1] as string).startsWith('Z'), startTime: (m[2] as string).replace(/\s+/g, ' ') };
}

/** Parses `ps -ww -o command= -p PID`: the arguments joined by spaces. Undefined for empty output. */
export function parsePsCommand(text: string): string | undefined {
  const line = text.replace(/\n+$/, '');
  return line === '' ? undefined : line;
}

/** Parses `ps -axww -o pid=,ppid=,state=,command=`: one process a line, columns right-aligned, command last. */
export function parsePsList(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s*(.*)$/.exec(line);
    if (m === null) continue;
    out.push({ pid: Number(m[1]), ppid: Number(m[2]), zombie: (m[3] as string).startsWith('Z'), command: m[4] as string });
  }
  return out;
}

function status(pid: number): ReturnType<typeof parsePsStatus> {
  if (!isPid(pid)) return undefined;
  const text = ps(['-o', 'state=,lstart=', '-p', String(pid)]);
  return text === undefined ? undefined : parsePsStatus(text);
}

const APP_BINARIES = [
  'Google Chrome.app/Contents/MacOS/Google Chrome',
  'Chromium.app/Contents/MacOS/Chromium',
  'Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary',
];

export function darwinChromeCandidates(env: NodeJS.ProcessEnv): string[] {
  const explicit = explicitChrome(env);
  if (explicit !== undefined) return [explicit];
  const home = env['HOME'];
  const dirs = ['/Applications', ...(home !== undefined && home !== '' ? [posix.join(home, 'Applications')] : [])];
  return [
    ...dirs.flatMap((d) => APP_BINARIES.map((b) => posix.join(d, b))),
    ...onPath(env['PATH'], posix.delimiter, (dir, name) => posix.join(dir, name), UNIX_PATH_NAMES),
  ];
}

export const darwin: Platform = {
  name: 'darwin',
  processStartTime: (pid) => status(pid)?.startTime,
  async processStatus(pid) {
    if (!isPid(pid)) return undefined;
    const text = await runAsync(PS, ['-o', 'state=,lstart=', '-p', String(pid)], { env: psEnv(), timeoutMs: 5_000 });
    return text === undefined ? undefined : parsePsStatus(text);
  },
  isZombie: (pid) => status(pid)?.zombie === true,
  commandLine(pid) {
    if (!isPid(pid)) return undefined;
    const text = ps(['-ww', '-o', 'command=', '-p', String(pid)]);
    return text === undefined ? undefined : parsePsCommand(text);
  },
  // `ps -E` prints the environment only for one's own processes and mixes it into the command; not used here.
  environment: () => undefined,
  listProcesses(match) {
    const text = ps(['-axww', '-o', 'pid=,ppid=,state=,command=']);
    if (text === undefined) return [];
    const all = parsePsList(text);
    return match === undefined ? all : all.filter((p) => match(p.command));
  },
  chromeCandidates: darwinChromeCandidates,
};
