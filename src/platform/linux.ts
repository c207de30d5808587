import { readFileSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { explicitChrome, isPid, onPath, UNIX_PATH_NAMES } from './common.js';
import type { Platform, ProcessInfo } from './types.js';

/** The fields of /proc/PID/stat that bdg uses. */
export interface ProcStat {
  pid: number;
  /** Field 2 without its parentheses; may itself contain spaces and parentheses. */
  comm: string;
  /** Field 3: R, S, D, Z, T, ... */
  state: string;
  ppid: number;
  /** Field 5: the process group. */
  pgid: number;
  /** Field 22: clock ticks since boot at which the process started, kept as the kernel's text. */
  startTime: string;
}

/**
 * Parses one /proc/PID/stat line. comm (field 2) may contain spaces and parentheses, so it runs from the first '('
 * to the last ')'; the fields after that are fixed. Undefined for anything that is not such a line.
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = line.slice(close + 2).split(' ');
  const pid = Number(line.slice(0, open).trim());
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  const startTime = rest[19];
  if (!isPid(pid) || state === undefined || state === '' || !Number.isInteger(ppid) || !Number.isInteger(pgid) || startTime === undefined || startTime === '')
    return undefined;
  return { pid, comm: line.slice(open + 1, close), state, ppid, pgid, startTime: startTime.trim() };
}

/** /proc/PID/cmdline: NUL-terminated arguments, joined here by spaces (the trailing NUL leaves a trailing space). */
export function parseCmdline(raw: string): string {
  return raw.split('\0').join(' ');
}

function readStat(pid: number): ProcStat | undefined {
  if (!isPid(pid)) return undefined;
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function readCmdline(pid: number): string | undefined {
  if (!isPid(pid)) return undefined;
  try {
    return parseCmdline(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** /proc/PID/environ: NUL-terminated NAME=value entries. */
export function parseEnviron(raw: string): string[] {
  return raw.split('\0').filter((e) => e !== '');
}

function readEnviron(pid: number): string[] | undefined {
  if (!isPid(pid)) return undefined;
  try {
    return parseEnviron(readFileSync(`/proc/${pid}/environ`, 'utf8'));
  } catch {
    return undefined;
  }
}

const LINUX_INSTALLS = [
  '/usr/lib/chromium/chromium',
  '/usr/lib/chromium-browser/chromium-browser',
  '/opt/google/chrome/chrome',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
];

export function linuxChromeCandidates(env: NodeJS.ProcessEnv): string[] {
  const explicit = explicitChrome(env);
  if (explicit !== undefined) return [explicit];
  return [...LINUX_INSTALLS, ...onPath(env['PATH'], posix.delimiter, (dir, name) => posix.join(dir, name), UNIX_PATH_NAMES)];
}

/** Linux (and any other Unix that is not macOS): /proc. Where /proc is absent every lookup is undefined/empty. */
export const linux: Platform = {
  name: 'linux',
  processStartTime: (pid) => readStat(pid)?.startTime,
  async processStatus(pid) {
    if (!isPid(pid)) return undefined;
    // fs/promises on first use: only the daemon's owner check reads stat asynchronously, not the CLI's start-up.
    // getBuiltinModule rather than import(), which would start the ESM loader in the CommonJS bundle.
    const { readFile } = process.getBuiltinModule('node:fs/promises');
    const stat = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
    return stat === undefined ? undefined : { startTime: stat.startTime, zombie: stat.state.startsWith('Z') };
  },
  isZombie: (pid) => readStat(pid)?.state.startsWith('Z') === true,
  commandLine: readCmdline,
  environment: readEnviron,
  listProcesses(match) {
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return [];
    }
    const out: ProcessInfo[] = [];
    for (const e of entries) {
      if (!/^\d+$/.test(e)) continue;
      const pid = Number(e);
      const command = readCmdline(pid);
      if (command === undefined || (match !== undefined && !match(command))) continue;
      const stat = readStat(pid);
      if (stat === undefined) continue; // exited between the two reads
      out.push({ pid, ppid: stat.ppid, zombie: stat.state.startsWith('Z'), command, pgid: stat.pgid });
    }
    return out;
  },
  chromeCandidates: linuxChromeCandidates,
};
