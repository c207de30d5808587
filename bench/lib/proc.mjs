// Child processes and /proc: spawning a program and timing it, the process table, memory and CPU figures.
// Every child is tracked so a failure or Ctrl-C can end it.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isAlive, readPid } from '../../build/test/helpers/bdg.js';
import { round1 } from './stats.mjs';

const children = new Set();
export const BASE_ENV = { ...process.env };
delete BASE_ENV.BDG_DEBUG;
delete BASE_ENV.BDG_SESSION_DIR;

/** Spawns a program without a shell; resolves with exit code, wall time (spawn -> close) and output. */
export function run(file, args, { env = BASE_ENV, timeoutMs = 60_000 } = {}) {
  return new Promise((resolvePromise) => {
    const t0 = performance.now();
    let child;
    try {
      child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    } catch (err) {
      resolvePromise({ code: -1, signal: null, ms: performance.now() - t0, stdout: '', stderr: String(err), json: undefined, timedOut: false });
      return;
    }
    children.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let done = false;
    const finish = (code, signal) => {
      if (done) return;
      done = true;
      const ms = performance.now() - t0;
      clearTimeout(timer);
      children.delete(child);
      let json;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolvePromise({ code, signal, ms, stdout, stderr, json, timedOut });
    };
    child.on('error', (err) => {
      stderr += String(err);
      finish(-1, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}

export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** pid -> parent pid for every process we can see. */
export function processTable() {
  const table = new Map();
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(e), Number(rest[1]));
    } catch {
      /* gone */
    }
  }
  return table;
}

/** The pid and all its descendants. */
export function processTree(root) {
  const table = processTable();
  const kids = new Map();
  for (const [pid, ppid] of table) {
    if (!kids.has(ppid)) kids.set(ppid, []);
    kids.get(ppid).push(pid);
  }
  const out = [];
  const queue = [root];
  while (queue.length > 0) {
    const p = queue.shift();
    if (!table.has(p) && p !== root) continue;
    out.push(p);
    for (const k of kids.get(p) ?? []) queue.push(k);
  }
  return out.filter((p) => table.has(p));
}

/** Processes whose command line names this session directory (its daemon and its Chrome). */
export function processesOf(dir) {
  const out = [];
  for (const pid of processTable().keys()) {
    const cmd = cmdline(pid);
    if (
      cmd.some((a) => a.startsWith(`--user-data-dir=${dir}/`) || a === `--user-data-dir=${dir}`) ||
      // Named sessions live in <dir>/sessions/NAME/: theirs belong to the run that made <dir> too.
      (cmd.some((a) => a.endsWith('daemon.js')) &&
        cmd.some((a) => a.includes(`"sessionDir":${JSON.stringify(dir)}`) || a.includes(`"sessionDir":${JSON.stringify(`${dir}/`).slice(0, -1)}`)))
    ) {
      out.push(pid);
    }
  }
  return out;
}

function memKb(pid) {
  const out = { rssKb: null, hwmKb: null, pssKb: null };
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    out.rssKb = Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? NaN);
    out.hwmKb = Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? NaN);
  } catch {
    /* gone */
  }
  try {
    const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    out.pssKb = Number(/^Pss:\s+(\d+)/m.exec(s)?.[1] ?? NaN);
  } catch {
    /* not available */
  }
  return out;
}

const mb = (kb) => (kb === null || kb === undefined || Number.isNaN(kb) ? null : round1(kb / 1024));

/** Daemon RSS (VmRSS / VmHWM) and the Chrome process tree (sum of RSS, and of PSS which does not double-count). */
export function memory(dir, chromePid) {
  const daemonPid = readPid(join(dir, 'daemon.pid'));
  const d = daemonPid !== undefined ? memKb(daemonPid) : { rssKb: null, hwmKb: null, pssKb: null };
  const cPid = chromePid ?? readPid(join(dir, 'chrome.pid'));
  let chrome = { pid: cPid ?? null, processes: 0, rssMb: null, pssMb: null };
  if (cPid !== undefined && isAlive(cPid)) {
    const tree = processTree(cPid);
    let rss = 0;
    let pss = 0;
    let pssOk = true;
    for (const p of tree) {
      const m = memKb(p);
      rss += m.rssKb ?? 0;
      if (m.pssKb === null || Number.isNaN(m.pssKb)) pssOk = false;
      else pss += m.pssKb;
    }
    chrome = { pid: cPid, processes: tree.length, rssMb: mb(rss), pssMb: pssOk ? mb(pss) : null };
  }
  return { daemon: { pid: daemonPid ?? null, rssMb: mb(d.rssKb), peakRssMb: mb(d.hwmKb), pssMb: mb(d.pssKb) }, chrome };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; for a tree, summed over its live members. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks; Linux reports them at USER_HZ = 100.
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

export function treeCpuSeconds(root) {
  if (root === undefined || root === null) return null;
  let sum = 0;
  for (const p of processTree(root)) sum += cpuSeconds(p) ?? 0;
  return sum;
}

/**
 * CPU milliseconds (user + system) used by this process's waited-for children: fields cutime + cstime of
 * /proc/self/stat, in USER_HZ (100/s) ticks. Around one sequential child it is that child's CPU time, a figure
 * much less disturbed by other people's load on a shared machine than wall time (but only 10 ms granular, so
 * it is reported as a mean over many runs).
 */
export function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return null;
  }
}

/** Ends every child still running (cleanup after a failure or a signal). */
export function killChildren() {
  for (const child of children) child.kill('SIGKILL');
}
