import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI (tests compile to build/test/helpers; the bundle is dist/bdg.js at the repo root). */
export const BDG = fileURLToPath(new URL('../../../dist/bdg.js', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when it is one JSON document. */
  json: unknown;
}

export interface RunOptions {
  sessionDir: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  input?: string;
}

/** The `--json` document of a failed command, as Output.failure writes it. */
export interface Failure {
  success: false;
  error: string;
  code: string;
  exitCode: number;
  hint?: string;
  data?: Record<string, unknown>;
}

/**
 * Starts the built `bdg` with a private BDG_SESSION_DIR, as a child a test can signal; `done` settles with its
 * output when it exits (and the child is SIGKILLed past its deadline). Never uses a shell.
 */
export function spawnBdg(args: string[], opts: RunOptions): { child: ChildProcess; done: Promise<RunResult> } {
  const child = spawn(process.execPath, [BDG, ...args], {
    env: { ...process.env, BDG_SESSION_DIR: opts.sessionDir, ...opts.env },
    // No stdin unless a test feeds one: writing to a pipe of a child that already exited raises EPIPE.
    stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (child.stdin !== null) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input);
  }
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const done = new Promise<RunResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bdg ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, signal, stdout, stderr, json });
    });
  });
  return { child, done };
}

/** Runs the built `bdg` with a private BDG_SESSION_DIR and collects its output. Never uses a shell. */
export function bdg(args: string[], opts: RunOptions): Promise<RunResult> {
  return spawnBdg(args, opts).done;
}

export function tempSessionDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `bdg-test-${label}-`));
}

/** A test file's session directories: `make(label)` creates one; `teardownAll()` stops and removes them all. */
export function sessionDirs(): { make: (label: string) => string; teardownAll: () => Promise<void> } {
  const dirs: string[] = [];
  return {
    make: (label) => {
      const d = tempSessionDir(label);
      dirs.push(d);
      return d;
    },
    teardownAll: async () => {
      for (const d of dirs.splice(0)) await teardown(d);
    },
  };
}

function readPid(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

/** Browser processes started for this session directory (their profile lives inside it). */
export function chromesOf(sessionDir: string, includeChildren = false): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a.startsWith(`--user-data-dir=${sessionDir}`)) && (includeChildren || !cmd.some((a) => a.startsWith('--type='))) && alive(Number(e)))
        out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** bdg daemons serving this session directory. */
export function daemonsOf(sessionDir: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (cmd.includes('daemon.js') && cmd.includes(`"sessionDir":"${sessionDir}"`) && alive(Number(e))) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, timeoutMs = 5_000, stepMs = 25): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(stepMs);
  }
  return cond();
}

/**
 * Ends everything a test started for this session directory: `bdg stop`, then SIGKILL of any daemon or Chrome
 * that is still there (found by pid files and by their command lines), then removes the directory.
 */
export async function teardown(sessionDir: string): Promise<void> {
  await bdg(['stop'], { sessionDir, timeoutMs: 20_000 }).catch(() => undefined);
  const pids = new Set<number>([...daemonsOf(sessionDir), ...chromesOf(sessionDir)]);
  for (const f of ['daemon.pid', 'chrome.pid']) {
    const pid = readPid(join(sessionDir, f));
    if (pid !== undefined && (chromesOf(sessionDir).includes(pid) || daemonsOf(sessionDir).includes(pid))) pids.add(pid);
  }
  killAll(pids);
  await waitFor(() => [...pids].every((p) => !alive(p)), 5_000);
  await removeDir(sessionDir);
}

/** SIGKILL to each pid that is still there (a test's last resort for what it started). */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Removes a directory Chrome used: its helper processes may still be writing into the profile for a moment after the browser is gone. */
export async function removeDir(dir: string): Promise<boolean> {
  return waitFor(
    () => {
      try {
        rmSync(dir, { recursive: true, force: true });
        return true;
      } catch {
        return false;
      }
    },
    10_000,
    100,
  );
}

/** The Chromium the tests drive. */
export const CHROME = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/google-chrome'].find((p) => existsSync(p));

/**
 * A Chrome a test starts itself, as a user (or a container) would, with a DevTools port on 127.0.0.1 (a free one
 * unless `port` is given); resolves once Chrome has printed the port it listens on.
 */
export async function startDebuggableChrome(profile: string, port = 0): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(
    CHROME as string,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--remote-debugging-address=127.0.0.1',
      `--remote-debugging-port=${port}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const bound = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chrome did not print its port: ${seen}`)), 30_000);
    proc.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { proc, port: bound };
}

export { alive as isAlive, readPid };
