// Sessions: each in its own BDG_SESSION_DIR under one temp root, always stopped — `bdg stop`, then SIGKILL of
// whatever of it is still alive (pid files, remembered pids, /proc scan) — also on failure or a signal.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, readPid, sleep } from '../../build/test/helpers/bdg.js';
import { bdg } from './cli.mjs';
import { cmdline, killChildren, processTree, processesOf } from './proc.mjs';
import { log, round1 } from './stats.mjs';

const ROOT = mkdtempSync(join(tmpdir(), 'bdg-bench-'));
const sessionDirs = new Set();
const knownPids = new Map(); // pid -> session dir

export function newSessionDir(label) {
  const dir = mkdtempSync(join(ROOT, `${label}-`));
  sessionDirs.add(dir);
  return dir;
}

export function remember(dir) {
  for (const f of ['daemon.pid', 'chrome.pid']) {
    const pid = readPid(join(dir, f));
    if (pid !== undefined) knownPids.set(pid, dir);
  }
}

/** `bdg stop`, then SIGKILL of whatever of this session is still alive (pid files, remembered pids, /proc scan). */
export async function stopSession(dir, { keepDir = false } = {}) {
  remember(dir);
  const before = new Set(processesOf(dir));
  for (const [pid, d] of knownPids) if (d === dir) before.add(pid);
  let stop = null;
  if (existsSync(join(dir, 'daemon.sock')) || existsSync(join(dir, 'daemon.pid'))) {
    stop = await bdg(dir, ['stop', '--json'], { timeoutMs: 45_000 });
  }
  // Named sessions under it (bench/groups/sessions.mjs): all of them at once.
  if (existsSync(join(dir, 'sessions'))) await bdg(dir, ['stop', '--all', '--json'], { timeoutMs: 180_000 });
  // Give a clean stop a moment to finish exiting before forcing anything.
  const deadline = Date.now() + 3_000;
  while (Date.now() < deadline && [...before].some((p) => isAlive(p) && belongsTo(p, dir))) await sleep(50);
  const leftovers = new Set();
  for (const pid of [...before, ...processesOf(dir)]) {
    if (!isAlive(pid) || !belongsTo(pid, dir)) continue;
    for (const p of processTree(pid)) leftovers.add(p);
  }
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (leftovers.size > 0) log(`force-killed ${leftovers.size} process(es) left by ${dir}`);
  for (const [pid, d] of knownPids) if (d === dir) knownPids.delete(pid);
  if (!keepDir) {
    sessionDirs.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  return { stopMs: stop === null ? null : round1(stop.ms), stopOk: stop === null ? null : stop.code === 0, forceKilled: leftovers.size };
}

/** Only kill a remembered pid if it still is that session's process (pids get reused). */
function belongsTo(pid, dir) {
  const cmd = cmdline(pid);
  if (cmd.length === 0) return false;
  const joined = cmd.join(' ');
  return joined.includes(dir) || (knownPids.get(pid) === dir && /chrom|daemon\.js/.test(joined));
}

let cleaning;
export async function cleanupAll() {
  cleaning ??= (async () => {
    killChildren();
    for (const dir of [...sessionDirs]) await stopSession(dir).catch((err) => log(`cleanup of ${dir} failed: ${err}`));
    rmSync(ROOT, { recursive: true, force: true });
  })();
  return cleaning;
}

/** On Ctrl-C (or SIGTERM, SIGHUP): stop everything this run started, then exit 130. */
export function cleanupOnSignals() {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      log(`${sig}: stopping everything this run started…`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}

export async function startSession(dir, url, { env = {} } = {}) {
  const r = await bdg(dir, [url, '--headless', '--json'], { env, timeoutMs: 90_000 });
  remember(dir);
  if (r.code !== 0 || r.json?.success !== true) {
    throw new Error(`bdg ${url} failed (exit ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stdout.trim()} ${r.stderr.trim()}`.slice(0, 2000));
  }
  const d = r.json.data;
  if (typeof d.chromePid === 'number') knownPids.set(d.chromePid, dir);
  if (typeof d.pid === 'number') knownPids.set(d.pid, dir);
  return { ms: r.ms, data: d };
}
