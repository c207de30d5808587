#!/usr/bin/env node
// bdg benchmarks: command latency against the `node -e 0` floor, concurrency, cold start, memory and volume.
// Plain Node, no dependencies. Usage: node bench/run.mjs [--dist DIR] [--quick] [--out FILE] [--no-volume] [--only LIST]
// Everything runs against a private BDG_SESSION_DIR under a temp directory and a fixture HTTP server on
// 127.0.0.1 that this script starts; every daemon and Chrome it starts is stopped before it exits.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------------------------
// Options

function usage(code) {
  process.stdout.write(
    [
      'Usage: node bench/run.mjs [--dist DIR] [--quick] [--out FILE] [--no-volume] [--only LIST]',
      '  --dist DIR    built dist/ to measure (default: the repo dist/, built by `npm run bench`)',
      '  --quick       fewer iterations (for a smoke run; figures are noisier)',
      '  --out FILE    where to write the JSON results (default: bench/results/latest.json)',
      '  --no-volume   skip the 10,000-request / 50,000-message volume case',
      '  --only LIST   run only these sections, comma-separated: commands,concurrency,cold,volume',
      '                (commands and concurrency include the memory figures of their live session)',
      '',
    ].join('\n'),
  );
  process.exit(code);
}

const SECTIONS = ['commands', 'concurrency', 'cold', 'volume'];
const opts = { dist: resolve(HERE, '..', 'dist'), quick: false, out: join(HERE, 'results', 'latest.json'), sections: new Set(SECTIONS) };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dist') opts.dist = resolve(argv[++i] ?? usage(81));
    else if (a.startsWith('--dist=')) opts.dist = resolve(a.slice(7));
    else if (a === '--out') opts.out = resolve(argv[++i] ?? usage(81));
    else if (a.startsWith('--out=')) opts.out = resolve(a.slice(6));
    else if (a === '--quick') opts.quick = true;
    else if (a === '--no-volume') opts.sections.delete('volume');
    else if (a === '--only' || a.startsWith('--only=')) {
      const list = (a === '--only' ? argv[++i] ?? usage(81) : a.slice(7)).split(',').map((x) => x.trim());
      const bad = list.filter((x) => !SECTIONS.includes(x));
      if (bad.length > 0) {
        process.stderr.write(`Unknown section(s) ${bad.join(', ')}; choose from ${SECTIONS.join(', ')}\n`);
        usage(81);
      }
      opts.sections = new Set(list);
    }
    else if (a === '--help' || a === '-h') usage(0);
    else {
      process.stderr.write(`Unknown option ${a}\n`);
      usage(81);
    }
  }
}

const BDG = join(opts.dist, 'bdg.js');
if (!existsSync(BDG)) {
  process.stderr.write(`No built CLI at ${BDG}. Run \`npm run build\` first (or pass --dist DIR).\n`);
  process.exit(1);
}

const N = opts.quick
  ? { warmup: 2, seq: 8, cold: 2, rounds: 3, roundSize: 20, burst: 200, rawSocket: 20, volumeSeq: 5 }
  : { warmup: 3, seq: 25, cold: 5, rounds: 3, roundSize: 20, burst: 200, rawSocket: 50, volumeSeq: 15 };
const VOLUME = { requests: 10_000, messages: 50_000, batch: 50 };

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round1 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10) / 10);
const round2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 100) / 100);

function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { n: 0, median: null, p90: null, min: null, max: null, mean: null };
  const at = (q) => v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
  const mid = v.length % 2 === 1 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return {
    n: v.length,
    median: round1(mid),
    p90: round1(at(0.9)),
    min: round1(v[0]),
    max: round1(v[v.length - 1]),
    mean: round1(v.reduce((a, b) => a + b, 0) / v.length),
  };
}

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Processes: every child is tracked so a failure or Ctrl-C can end it.

const children = new Set();
const BASE_ENV = { ...process.env };
delete BASE_ENV.BDG_DEBUG;
delete BASE_ENV.BDG_SESSION_DIR;

/** Spawns a program without a shell; resolves with exit code, wall time (spawn -> close) and output. */
function run(file, args, { env = BASE_ENV, timeoutMs = 60_000 } = {}) {
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

function bdg(dir, args, { env = {}, timeoutMs = 60_000 } = {}) {
  return run(process.execPath, [BDG, ...args], { env: { ...BASE_ENV, BDG_SESSION_DIR: dir, ...env }, timeoutMs });
}

function readPid(file) {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** pid -> parent pid for every process we can see. */
function processTable() {
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
function processTree(root) {
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
function processesOf(dir) {
  const out = [];
  for (const pid of processTable().keys()) {
    const cmd = cmdline(pid);
    if (cmd.some((a) => a.startsWith(`--user-data-dir=${dir}/`) || a === `--user-data-dir=${dir}`) || (cmd.some((a) => a.endsWith('daemon.js')) && cmd.some((a) => a.includes(`"sessionDir":${JSON.stringify(dir)}`)))) {
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
function memory(dir, chromePid) {
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
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks; Linux reports them at USER_HZ = 100.
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

function treeCpuSeconds(root) {
  if (root === undefined || root === null) return null;
  let sum = 0;
  for (const p of processTree(root)) sum += cpuSeconds(p) ?? 0;
  return sum;
}

// ---------------------------------------------------------------------------------------------------------------
// Sessions: created under one temp root, always stopped.

const ROOT = mkdtempSync(join(tmpdir(), 'bdg-bench-'));
const sessionDirs = new Set();
const knownPids = new Map(); // pid -> session dir

function newSessionDir(label) {
  const dir = mkdtempSync(join(ROOT, `${label}-`));
  sessionDirs.add(dir);
  return dir;
}

function remember(dir) {
  for (const f of ['daemon.pid', 'chrome.pid']) {
    const pid = readPid(join(dir, f));
    if (pid !== undefined) knownPids.set(pid, dir);
  }
}

/** `bdg stop`, then SIGKILL of whatever of this session is still alive (pid files, remembered pids, /proc scan). */
async function stopSession(dir, { keepDir = false } = {}) {
  remember(dir);
  const before = new Set(processesOf(dir));
  for (const [pid, d] of knownPids) if (d === dir) before.add(pid);
  let stop = null;
  if (existsSync(join(dir, 'daemon.sock')) || existsSync(join(dir, 'daemon.pid'))) {
    stop = await bdg(dir, ['stop', '--json'], { timeoutMs: 45_000 });
  }
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
async function cleanupAll() {
  cleaning ??= (async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const dir of [...sessionDirs]) await stopSession(dir).catch((err) => log(`cleanup of ${dir} failed: ${err}`));
    rmSync(ROOT, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    log(`${sig}: stopping everything this run started…`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

async function startSession(dir, url, { env = {} } = {}) {
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

// ---------------------------------------------------------------------------------------------------------------
// Fixture server

function volumePage() {
  // Ten requests and ten messages first, then the page waits on /go (held by the bench) before the burst, so
  // the same session can be measured "at 10" and "at 10,000".
  return `<!doctype html><html><head><meta charset="utf-8"><title>bdg bench volume</title></head><body><p id="s">waiting</p><script>
const N = ${VOLUME.requests}, C = ${VOLUME.messages}, BATCH = ${VOLUME.batch};
async function run() {
  for (let i = 0; i < 10; i++) await fetch('/tiny?warm=' + i);
  for (let i = 0; i < 10; i++) console.log('warm message ' + i);
  await fetch('/go');
  document.getElementById('s').textContent = 'running';
  const perBatch = Math.ceil(C / (N / BATCH));
  let sent = 0, logged = 0;
  while (sent < N) {
    const batch = [];
    for (let j = 0; j < BATCH && sent < N; j++, sent++) batch.push(fetch('/tiny?i=' + sent).then((r) => r.text()));
    for (let k = 0; k < perBatch && logged < C; k++, logged++) {
      if (logged % 10 === 0) console.log('message ' + logged, { i: logged, tag: 'bench' });
      else console.log('message ' + logged);
    }
    await Promise.all(batch);
  }
  while (logged < C) console.log('message ' + logged++);
  document.getElementById('s').textContent = 'done';
  await fetch('/done?sent=' + sent + '&logged=' + logged);
}
addEventListener('load', () => setTimeout(run, 0));
</script></body></html>`;
}

class Fixture {
  constructor() {
    this.hits = new Map();
    this.waiters = new Map();
    this.heldGo = [];
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      for (const w of this.waiters.get(path) ?? []) w();
      this.waiters.delete(path);
      const text = (status, type, body) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (path === '/') return text(200, 'text/html; charset=utf-8', '<!doctype html><html><head><title>bdg bench</title></head><body><h1>bench</h1><script>console.log("hello from the bench page")</script></body></html>');
      if (path === '/vol') return text(200, 'text/html; charset=utf-8', volumePage());
      if (path === '/tiny' || path === '/done') return text(200, 'text/plain', 'ok');
      if (path === '/go') {
        this.heldGo.push(res);
        return undefined;
      }
      return text(404, 'text/plain', 'not found');
    });
    this.server.keepAliveTimeout = 5_000;
  }
  async start() {
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = this.server.address().port;
  }
  url(path) {
    return `http://127.0.0.1:${this.port}${path}`;
  }
  waitFor(path, timeoutMs) {
    if ((this.hits.get(path) ?? 0) > 0) return Promise.resolve(true);
    return new Promise((r) => {
      const timer = setTimeout(() => r(false), timeoutMs);
      if (!this.waiters.has(path)) this.waiters.set(path, []);
      this.waiters.get(path).push(() => {
        clearTimeout(timer);
        r(true);
      });
    });
  }
  releaseGo() {
    for (const res of this.heldGo.splice(0)) {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end('go');
    }
  }
  close() {
    this.releaseGo();
    this.server.closeAllConnections?.();
    return new Promise((r) => this.server.close(() => r()));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

/**
 * CPU milliseconds (user + system) used by this process's waited-for children: fields cutime + cstime of
 * /proc/self/stat, in USER_HZ (100/s) ticks. Around one sequential child it is that child's CPU time, a figure
 * much less disturbed by other people's load on a shared machine than wall time (but only 10 ms granular, so
 * it is reported as a mean over many runs).
 */
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return null;
  }
}

/** Runs each case `warmup + n` times, round-robin (rotating the order) so machine noise hits all cases alike. */
async function sequential(cases, n, warmup) {
  const cpu = Object.fromEntries(cases.map((c) => [c.key, []]));
  const samples = Object.fromEntries(cases.map((c) => [c.key, []]));
  const failures = Object.fromEntries(cases.map((c) => [c.key, 0]));
  const errors = Object.fromEntries(cases.map((c) => [c.key, []]));
  for (let i = 0; i < warmup + n; i++) {
    for (let j = 0; j < cases.length; j++) {
      const c = cases[(i + j) % cases.length];
      const cpu0 = childrenCpuMs();
      const r = await c.run();
      const cpu1 = childrenCpuMs();
      const ok = r.code === 0 && (c.check === undefined || c.check(r));
      if (!ok) {
        failures[c.key]++;
        if (errors[c.key].length < 3) errors[c.key].push(`exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
      }
      if (i >= warmup && ok) {
        samples[c.key].push(r.ms);
        if (cpu0 !== null && cpu1 !== null) cpu[c.key].push(cpu1 - cpu0);
      }
    }
  }
  const meanCpu = (k) => (cpu[k].length > 0 ? round1(cpu[k].reduce((a, b) => a + b, 0) / cpu[k].length) : null);
  return Object.fromEntries(
    cases.map((c) => [c.key, { label: c.label, ...stats(samples[c.key]), cpuMeanMs: meanCpu(c.key), failures: failures[c.key], errors: errors[c.key], samples: samples[c.key].map(round1) }]),
  );
}

async function simultaneous(dir, count, args) {
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: count }, () => bdg(dir, args, { timeoutMs: 120_000 })));
  const wallMs = performance.now() - t0;
  const failed = results.filter((r) => r.code !== 0 || r.json?.success !== true);
  const messages = [...new Set(failed.map((r) => `exit ${r.code}${r.timedOut ? ' (timeout)' : ''}: ${(r.json?.error?.message ?? r.stderr.trim() ?? '').slice(0, 200)}`))].slice(0, 5);
  const per = stats(results.map((r) => r.ms));
  return { count, failures: failed.length, wallMs: round1(wallMs), perProcessMedianMs: per.median, perProcessMaxMs: per.max, errors: messages };
}

/** One JSONL request straight to the daemon socket, from this process: the IPC + handler cost without Node start-up. */
function rawRequest(socketPath, cmd, build, protocol) {
  return new Promise((resolvePromise) => {
    const t0 = performance.now();
    const s = connect({ path: socketPath });
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolvePromise({ ok: false, ms: null, error: 'timeout' });
    }, 5_000);
    s.on('connect', () => s.write(`${JSON.stringify({ id: 1, v: protocol, build, cmd, params: {} })}\n`));
    s.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      const ms = performance.now() - t0;
      clearTimeout(timer);
      s.destroy();
      try {
        const res = JSON.parse(buf.slice(0, nl));
        resolvePromise({ ok: res.ok === true, ms, error: res.ok === true ? undefined : res.error?.message });
      } catch (err) {
        resolvePromise({ ok: false, ms: null, error: String(err) });
      }
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      resolvePromise({ ok: false, ms: null, error: String(err) });
    });
  });
}

const PHASES = [
  ['daemonStarted', / daemon \S+ starting for /],
  ['chromeLaunched', / launched /],
  ['browserAnswered', /browser answered/],
  ['attached', /attached to page/],
  ['ready', / ready: /],
];

/** Milliseconds from `wall0` to each start-up step the daemon logs (BDG_DEBUG=1). */
function phasesFromLog(dir, wall0) {
  let text = '';
  try {
    text = readFileSync(join(dir, 'daemon.log'), 'utf8');
  } catch {
    return {};
  }
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+) \w+ \[\d+\] (.*)$/.exec(line);
    if (m === null) continue;
    const ts = Date.parse(m[1]);
    for (const [name, re] of PHASES) if (out[name] === undefined && re.test(` ${m[2]}`)) out[name] = ts - wall0;
  }
  return out;
}

async function coldStartSequential(url) {
  const dir = newSessionDir('cold-seq');
  const wall0 = Date.now();
  const t0 = performance.now();
  const start = await bdg(dir, [url, '--headless', '--json'], { env: { BDG_DEBUG: '1' }, timeoutMs: 90_000 });
  remember(dir);
  let usableMs = null;
  let statusMs = null;
  if (start.code === 0) {
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      const s = await bdg(dir, ['status', '--json'], { timeoutMs: 15_000 });
      if (s.code === 0 && s.json?.data?.running === true) {
        usableMs = performance.now() - t0;
        statusMs = s.ms;
        break;
      }
    }
  }
  const phases = phasesFromLog(dir, wall0);
  const stop = await stopSession(dir);
  return { ok: start.code === 0 && usableMs !== null, error: start.code === 0 ? undefined : `${start.stdout} ${start.stderr}`.trim().slice(0, 500), startMs: round1(start.ms), statusMs: round1(statusMs), usableMs: round1(usableMs), phases, stopMs: stop.stopMs };
}

async function coldStartPolled(url) {
  const dir = newSessionDir('cold-poll');
  const t0 = performance.now();
  let startDone = false;
  const startP = bdg(dir, [url, '--headless', '--json'], { env: { BDG_DEBUG: '1' }, timeoutMs: 90_000 }).then((r) => {
    startDone = true;
    return r;
  });
  let firstStatusMs = null;
  let polls = 0;
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const s = await bdg(dir, ['status', '--json'], { timeoutMs: 15_000 });
    polls++;
    if (s.code === 0 && s.json?.data?.running === true) {
      firstStatusMs = performance.now() - t0;
      break;
    }
    if (startDone && polls > 3 && (await startP).code !== 0) break;
  }
  const start = await startP;
  remember(dir);
  await stopSession(dir);
  return { ok: start.code === 0 && firstStatusMs !== null, startMs: round1(start.ms), firstStatusMs: round1(firstStatusMs), polls };
}

async function hasCommand(words) {
  const r = await run(process.execPath, [BDG, '--help', '--json'], { timeoutMs: 20_000 });
  const cmds = r.json?.commands ?? [];
  const name = words.join('.');
  return cmds.some((c) => c.name === name || (Array.isArray(c.path) && c.path.join(' ') === words.join(' ')) || (typeof c.usage === 'string' && c.usage.startsWith(`bdg ${words.join(' ')}`)));
}

async function statusJson(dir) {
  const r = await bdg(dir, ['status', '--json'], { timeoutMs: 30_000 });
  return r.code === 0 ? r.json?.data : undefined;
}

/** Sequential latency of a few read commands against one session (same round-robin as above). */
async function readLatencies(dir, withNetworkList, n) {
  const cases = [
    { key: 'peek', label: 'bdg peek', run: () => bdg(dir, ['peek']) },
    { key: 'status', label: 'bdg status', run: () => bdg(dir, ['status']) },
  ];
  if (withNetworkList) cases.push({ key: 'networkList', label: 'bdg network list', run: () => bdg(dir, ['network', 'list'], { timeoutMs: 60_000 }) });
  return sequential(cases, n, 1);
}

/** The daemon's own view of its memory (process.memoryUsage() via `status --verbose`) and buffer sizes. */
async function daemonView(dir) {
  const r = await bdg(dir, ['status', '--json', '--verbose'], { timeoutMs: 30_000 });
  const d = r.code === 0 ? r.json?.data : undefined;
  const m = d?.memory;
  const toMb = (x) => (typeof x === 'number' ? round1(x / 1024 / 1024) : null);
  return {
    heap: m === undefined ? null : { rssMb: toMb(m.rss), heapUsedMb: toMb(m.heapUsed), heapTotalMb: toMb(m.heapTotal), externalMb: toMb(m.external), arrayBuffersMb: toMb(m.arrayBuffers) },
    buffers: d?.buffers ?? null,
  };
}

async function volume(fixture, withNetworkList, meta) {
  const dir = newSessionDir('volume');
  const out = { requests: VOLUME.requests, messages: VOLUME.messages, networkList: withNetworkList ? 'measured' : 'skipped: `bdg network list` does not exist in this build' };
  try {
    const start = await startSession(dir, fixture.url('/vol'));
    meta.browser ??= start.data.browser ?? null;
    const chromePid = start.data.chromePid;
    const daemonPid = start.data.pid;
    // "At 10": the page has made its ten requests and logged ten messages and is parked on /go.
    if (!(await fixture.waitFor('/go', 30_000))) throw new Error('the volume page never reached /go');
    await sleep(500);
    const small = await statusJson(dir);
    out.at10 = {
      networkCount: small?.network?.count ?? null,
      consoleCount: small?.console?.count ?? null,
      memory: memory(dir, chromePid),
      daemonView: await daemonView(dir),
      latency: await readLatencies(dir, withNetworkList, N.volumeSeq),
    };
    log(`volume: at 10 measured (${out.at10.networkCount} requests, ${out.at10.consoleCount} messages); starting the burst`);

    // The burst: measure peek while the page floods the daemon, until /done.
    const cpu0 = { daemon: cpuSeconds(daemonPid), chrome: treeCpuSeconds(chromePid) };
    const tBurst = performance.now();
    fixture.releaseGo();
    const doneP = fixture.waitFor('/done', 300_000);
    let done = false;
    void doneP.then(() => (done = true));
    const during = [];
    const duringFailures = [];
    // Alternate a CLI peek (Node start-up + round trip) with a status request sent straight to the socket from
    // this process, which separates the daemon's own responsiveness from CPU contention with Chrome.
    const rawDuring = [];
    const protocol = small?.protocol ?? 1;
    while (!done && performance.now() - tBurst < 300_000) {
      const r = await bdg(dir, ['peek'], { timeoutMs: 60_000 });
      if (r.code === 0) during.push(r.ms);
      else duringFailures.push(`exit ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
      const raw = await rawRequest(join(dir, 'daemon.sock'), 'status', meta.bdgVersion, protocol);
      if (raw.ok) rawDuring.push(raw.ms);
    }
    if (!(await doneP)) throw new Error('the volume page did not finish within 300 s');
    out.burstMs = round1(performance.now() - tBurst);
    out.peekDuringBurst = { ...stats(during), failures: duringFailures.length, errors: [...new Set(duringFailures)].slice(0, 3) };
    out.rawStatusDuringBurst = stats(rawDuring);

    // Let the daemon drain Chrome's event backlog: totals (kept + dropped) reach the page's counts and stop moving.
    const tSettle = performance.now();
    let last;
    let settled;
    while (performance.now() - tSettle < 120_000) {
      const s = await statusJson(dir);
      const net = (s?.network?.count ?? 0) + (s?.network?.dropped ?? 0);
      const con = (s?.console?.count ?? 0) + (s?.console?.dropped ?? 0);
      const key = `${net}/${con}/${s?.network?.pending ?? 0}`;
      if (net >= VOLUME.requests && con >= VOLUME.messages && key === last) {
        settled = s;
        break;
      }
      last = key;
      await sleep(500);
    }
    out.settleMs = round1(performance.now() - tSettle);
    // CPU used while the page ran and the daemon caught up (the daemon's includes the peeks it answered).
    const cpu1 = { daemon: cpuSeconds(daemonPid), chrome: treeCpuSeconds(chromePid) };
    out.cpuSeconds = {
      daemon: cpu0.daemon !== null && cpu1.daemon !== null ? round2(cpu1.daemon - cpu0.daemon) : null,
      chromeTree: cpu0.chrome !== null && cpu1.chrome !== null ? round2(cpu1.chrome - cpu0.chrome) : null,
      wallSeconds: round2((performance.now() - tBurst) / 1000),
    };
    const s = settled ?? (await statusJson(dir));
    out.settled = settled !== undefined;
    out.status = { network: s?.network ?? null, console: s?.console ?? null };
    out.at10k = {
      networkCount: s?.network?.count ?? null,
      consoleCount: s?.console?.count ?? null,
      memory: memory(dir, chromePid),
      daemonView: await daemonView(dir),
      latency: await readLatencies(dir, withNetworkList, N.volumeSeq),
    };
    out.at10k.memoryAfterReads = memory(dir, chromePid);
  } finally {
    const stop = await stopSession(dir);
    out.stopMs = stop.stopMs;
    out.stopOk = stop.stopOk;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function pad(s, n, right = false) {
  const t = s === null || s === undefined ? '-' : String(s);
  return right ? t.padStart(n) : t.padEnd(n);
}

function table(rows, header) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] === null || r[i] === undefined ? 1 : String(r[i]).length))));
  const line = (cells) => cells.map((c, i) => pad(c, widths[i], i > 0)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function ratio(ms, floor) {
  return ms === null || floor === null || floor === 0 ? null : `${(ms / floor).toFixed(2)}x`;
}

/** The figures the issue sets targets for, each with its verdict. */
function targets(res) {
  const rows = [];
  const verdict = (ok) => (ok === null ? '?' : ok ? 'met' : 'MISSED');
  const seq = res.sequential;
  if (seq !== undefined && seq.floor.median) {
    for (const key of ['status', 'peek']) {
      const r = seq[key].median !== null ? seq[key].median / seq.floor.median : null;
      rows.push({ what: `${seq[key].label} / floor, wall`, ours: r === null ? '-' : `${r.toFixed(2)}x`, target: '<= 1.3x', verdict: verdict(r === null ? null : r <= 1.3), original: '2.0x', rust: '-' });
      const c = seq[key].cpuMeanMs !== null && seq.floor.cpuMeanMs ? seq[key].cpuMeanMs / seq.floor.cpuMeanMs : null;
      rows.push({ what: `${seq[key].label} / floor, CPU`, ours: c === null ? '-' : `${c.toFixed(2)}x`, target: '<= 1.3x', verdict: verdict(c === null ? null : c <= 1.3), original: '-', rust: '-' });
    }
  }
  if (res.coldStart !== undefined) {
    const u = res.coldStart.sequential.usableMs.median;
    rows.push({ what: 'start to usable (bdg <url> + status)', ours: u === null ? '-' : `${(u / 1000).toFixed(2)} s`, target: '< 1.0 s', verdict: verdict(u === null ? null : u < 1000), original: '4.3 s', rust: '0.78 s' });
  }
  if (res.memory !== undefined) {
    const m = res.memory.afterStart?.daemon?.rssMb ?? null;
    rows.push({ what: 'daemon RSS after start', ours: m === null ? '-' : `${m} MB`, target: '< 60 MB', verdict: verdict(m === null ? null : m < 60), original: '124 MB', rust: '11-22 MB' });
  }
  if (res.volume?.at10k !== undefined) {
    const m = res.volume.at10k.memory.daemon.rssMb;
    rows.push({ what: 'daemon RSS at 10k requests / 50k messages', ours: m === null ? '-' : `${m} MB`, target: '< 60 MB', verdict: verdict(m === null ? null : m < 60), original: '-', rust: '-' });
  }
  if (res.concurrency !== undefined) {
    const f = res.concurrency.burst.failures + res.concurrency.rounds.reduce((a, r) => a + r.failures, 0);
    rows.push({ what: '3x20 + 200 simultaneous peeks, failures', ours: String(f), target: '0', verdict: verdict(f === 0), original: '-', rust: '-' });
  }
  return rows;
}

function render(res) {
  const out = [];
  const m = res.meta;
  out.push(`bdg bench  ${m.date}  bdg ${m.bdgVersion}  node ${m.node}  ${m.browser ?? ''}`);
  out.push(`${m.cpus} CPUs (${m.cpuModel}), load average ${m.loadBefore.join(' ')} before / ${m.loadAfter?.join(' ') ?? '?'} after${m.quick ? '  [--quick]' : ''}`);
  out.push(`dist: ${m.dist}`);
  out.push('');
  const seq = res.sequential;
  const floor = seq?.floor?.median ?? null;
  if (seq !== undefined) {
    out.push(`1. Sequential commands (${N.seq} runs each after ${N.warmup} warm-up, round-robin; spawn -> exit)`);
    out.push(
      table(
        Object.values(seq).map((c) => [c.label, c.median, c.p90, c.min, ratio(c.median, floor), c.cpuMeanMs, ratio(c.cpuMeanMs, seq.floor.cpuMeanMs), c.failures]),
        ['command', 'median ms', 'p90 ms', 'min ms', 'x floor', 'CPU ms (mean)', 'CPU x floor', 'failed'],
      ),
    );
    const d = res.derived;
    out.push(`   bundle load + run (--version - floor): ${d.cliLoadMs} ms; socket round trip in a CLI (status live - --version): ${d.cliRoundTripMs} ms`);
    out.push(`   raw socket status request from this process (no Node start-up): median ${res.rawSocket?.median ?? '-'} ms, p90 ${res.rawSocket?.p90 ?? '-'} ms`);
    out.push('');
  }
  if (res.concurrency !== undefined) {
    out.push('2. Simultaneous `bdg peek --json` against one daemon');
    out.push(
      table(
        [...res.concurrency.rounds.map((r, i) => [`round ${i + 1}: ${r.count} at once`, r.failures, r.wallMs, r.perProcessMedianMs, r.perProcessMaxMs]), ['200 at once', res.concurrency.burst.failures, res.concurrency.burst.wallMs, res.concurrency.burst.perProcessMedianMs, res.concurrency.burst.perProcessMaxMs]],
        ['case', 'failed', 'wall ms', 'median/proc ms', 'max/proc ms'],
      ),
    );
    for (const e of res.concurrency.burst.errors) out.push(`   failure: ${e}`);
    if (res.concurrency.ipcAfter !== undefined) out.push(`   daemon IPC stats afterwards: ${JSON.stringify(res.concurrency.ipcAfter)}`);
    out.push('');
  }
  if (res.coldStart !== undefined) {
    const c = res.coldStart;
    out.push(`3. Start to usable (cold: fresh session dir and Chrome profile each run; ${c.sequential.runs.length} + ${c.polled.runs.length} runs)`);
    out.push(
      table(
        [
          ['`bdg <url>` wall time (returns after load)', c.sequential.startMs.median, c.sequential.startMs.p90, c.sequential.startMs.min],
          ['`bdg <url>` then `bdg status` succeeds', c.sequential.usableMs.median, c.sequential.usableMs.p90, c.sequential.usableMs.min],
          ['first `bdg status` success, polling during start', c.polled.firstStatusMs.median, c.polled.firstStatusMs.p90, c.polled.firstStatusMs.min],
        ],
        ['measure', 'median ms', 'p90 ms', 'min ms'],
      ),
    );
    const p = c.sequential.phases;
    out.push('   where the start goes (median ms since `bdg <url>` was spawned, from daemon.log with BDG_DEBUG=1):');
    out.push(`   daemon started ${p.daemonStarted}  Chrome spawned ${p.chromeLaunched}  Chrome answered CDP ${p.browserAnswered}  page attached ${p.attached}  page loaded/ready ${p.ready}  CLI exited ${c.sequential.startMs.median}`);
    const fails = [...c.sequential.runs, ...c.polled.runs].filter((r) => !r.ok).length;
    if (fails > 0) out.push(`   ${fails} cold start(s) failed; see the JSON`);
    out.push('');
  }
  if (res.memory !== undefined) {
    out.push('4. Memory (idle session on a small page)');
    const rows = [];
    for (const [label, mm] of [
      ['after start', res.memory.afterStart],
      ['after sections 1-2', res.memory.afterLoad],
    ]) {
      if (mm === undefined) continue;
      rows.push([label, mm.daemon.rssMb, mm.daemon.peakRssMb, mm.daemon.pssMb, mm.chrome.rssMb, mm.chrome.pssMb, mm.chrome.processes]);
    }
    out.push(table(rows, ['when', 'daemon RSS MB', 'daemon peak MB', 'daemon PSS MB', 'Chrome tree RSS MB', 'Chrome tree PSS MB', 'Chrome procs']));
    out.push('');
  }
  if (res.volume !== undefined) {
    const v = res.volume;
    out.push(`5. Volume: page issuing ${v.requests} requests and ${v.messages} console messages (${v.networkList})`);
    if (v.error !== undefined) out.push(`   FAILED: ${v.error}`);
    if (v.at10 !== undefined) {
      const rows = [];
      const col = (x, key) => (x?.latency?.[key] !== undefined ? `${x.latency[key].median} / ${x.latency[key].p90}` : 'n/a');
      rows.push(['requests / messages kept', `${v.at10.networkCount} / ${v.at10.consoleCount}`, v.at10k !== undefined ? `${v.at10k.networkCount} / ${v.at10k.consoleCount}` : '-']);
      rows.push(['daemon RSS MB (peak)', `${v.at10.memory.daemon.rssMb} (${v.at10.memory.daemon.peakRssMb})`, v.at10k !== undefined ? `${v.at10k.memory.daemon.rssMb} (${v.at10k.memory.daemon.peakRssMb})` : '-']);
      rows.push(['Chrome tree RSS / PSS MB', `${v.at10.memory.chrome.rssMb} / ${v.at10.memory.chrome.pssMb}`, v.at10k !== undefined ? `${v.at10k.memory.chrome.rssMb} / ${v.at10k.memory.chrome.pssMb}` : '-']);
      if (v.at10k?.memoryAfterReads !== undefined) {
        const a = v.at10k.memoryAfterReads.daemon;
        rows.push(['daemon RSS MB (peak) after the reads below', '', `${a.rssMb} (${a.peakRssMb})`]);
      }
      const heap = (x) => (x?.daemonView?.heap ? `${x.daemonView.heap.heapUsedMb} / ${x.daemonView.heap.externalMb}` : 'n/a');
      rows.push(['daemon V8 heap used / external MB', heap(v.at10), heap(v.at10k)]);
      rows.push(['`bdg peek` median / p90 ms', col(v.at10, 'peek'), col(v.at10k, 'peek')]);
      rows.push(['`bdg status` median / p90 ms', col(v.at10, 'status'), col(v.at10k, 'status')]);
      rows.push(['`bdg network list` median / p90 ms', col(v.at10, 'networkList'), col(v.at10k, 'networkList')]);
      out.push(table(rows, ['', 'at 10', 'at 10k']));
      if (v.peekDuringBurst !== undefined) out.push(`   during the burst (${v.burstMs} ms): ${v.peekDuringBurst.n} sequential \`bdg peek\`, median ${v.peekDuringBurst.median} ms, p90 ${v.peekDuringBurst.p90} ms, max ${v.peekDuringBurst.max} ms, ${v.peekDuringBurst.failures} failed`);
      if (v.rawStatusDuringBurst !== undefined) out.push(`   during the burst, status sent straight to the socket from the bench process: median ${v.rawStatusDuringBurst.median} ms, p90 ${v.rawStatusDuringBurst.p90} ms, max ${v.rawStatusDuringBurst.max} ms`);
      if (v.cpuSeconds !== undefined) out.push(`   CPU during burst + catch-up (${v.cpuSeconds.wallSeconds} s wall): daemon ${v.cpuSeconds.daemon} s, Chrome tree ${v.cpuSeconds.chromeTree} s`);
      if (v.status !== undefined) out.push(`   dropped (bdg status --json): network ${v.status.network?.dropped ?? '?'} of ${(v.status.network?.count ?? 0) + (v.status.network?.dropped ?? 0)}, console ${v.status.console?.dropped ?? '?'} of ${(v.status.console?.count ?? 0) + (v.status.console?.dropped ?? 0)}; settled ${v.settled} after ${v.settleMs} ms; \`bdg stop\` took ${v.stopMs} ms`);
    }
    out.push('');
  }
  const summary = targets(res);
  if (summary.length > 0) {
    out.push('Against the targets (issue #2; original tool / Rust peer for reference)');
    out.push(table(summary.map((r) => [r.what, r.ours, r.target, r.verdict, r.original, r.rust]), ['figure', 'ours', 'target', '', 'original', 'Rust peer']));
    out.push('');
  }
  if (res.errors.length > 0) {
    out.push('Errors:');
    for (const e of res.errors) out.push(`  ${e}`);
  }
  out.push(`Results: ${opts.out}`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Main

async function main() {
  const res = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(totalmem() / 1024 / 1024),
      loadBefore: loadavg().map((x) => x.toFixed(2)),
      loadAfter: undefined,
      dist: opts.dist,
      quick: opts.quick,
      iterations: N,
      bdgVersion: null,
      browser: null,
      nodeOptions: process.env.NODE_OPTIONS ?? null,
    },
    errors: [],
  };
  const fixture = new Fixture();
  await fixture.start();
  try {
    const version = await run(process.execPath, [BDG, '--version'], { timeoutMs: 20_000 });
    res.meta.bdgVersion = version.stdout.trim();
    const withNetworkList = await hasCommand(['network', 'list']);

    // --- 1, 2, 4: one live session on a small page
    if (opts.sections.has('commands') || opts.sections.has('concurrency')) {
      const emptyDir = newSessionDir('empty');
      const liveDir = newSessionDir('live');
      log('starting the live session');
      const live = await startSession(liveDir, fixture.url('/'));
      res.meta.browser = live.data.browser ?? null;
      await sleep(1_000);
      res.memory = { afterStart: memory(liveDir, live.data.chromePid) };

      if (opts.sections.has('commands')) {
        log(`sequential commands: ${N.warmup + N.seq} rounds`);
        const isRunning = (r) => !r.stdout.includes('not running');
        res.sequential = await sequential(
          [
            { key: 'floor', label: 'node -e 0 (floor)', run: () => run(process.execPath, ['-e', '0']) },
            { key: 'version', label: 'bdg --version', run: () => bdg(emptyDir, ['--version']) },
            { key: 'statusNoSession', label: 'bdg status (no session)', run: () => bdg(emptyDir, ['status']) },
            { key: 'status', label: 'bdg status (live session)', run: () => bdg(liveDir, ['status']), check: isRunning },
            { key: 'peek', label: 'bdg peek (live session)', run: () => bdg(liveDir, ['peek']) },
          ],
          N.seq,
          N.warmup,
        );
        const s = res.sequential;
        res.derived = {
          cliLoadMs: round1((s.version.median ?? NaN) - (s.floor.median ?? NaN)),
          cliRoundTripMs: round1((s.status.median ?? NaN) - (s.version.median ?? NaN)),
          ratios: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.median !== null && s.floor.median ? round2(v.median / s.floor.median) : null])),
        };

        const st = await statusJson(liveDir);
        const raw = [];
        let rawError;
        for (let i = 0; i < N.rawSocket + 3; i++) {
          const r = await rawRequest(join(liveDir, 'daemon.sock'), 'status', res.meta.bdgVersion, st?.protocol ?? 1);
          if (!r.ok) rawError ??= r.error;
          else if (i >= 3) raw.push(r.ms);
        }
        res.rawSocket = { ...stats(raw), error: rawError };
      }

      if (opts.sections.has('concurrency')) {
        log('simultaneous peeks');
        const rounds = [];
        for (let i = 0; i < N.rounds; i++) rounds.push(await simultaneous(liveDir, N.roundSize, ['peek', '--json']));
        const burst = await simultaneous(liveDir, N.burst, ['peek', '--json']);
        const after = await bdg(liveDir, ['status', '--json', '--verbose']);
        res.concurrency = { rounds, burst, daemonAliveAfter: after.json?.data?.running === true, ipcAfter: after.json?.data?.ipc };
      }
      res.memory.afterLoad = memory(liveDir, live.data.chromePid);
      const liveStop = await stopSession(liveDir);
      res.memory.stopMs = liveStop.stopMs;
      await stopSession(emptyDir);
    }

    // --- 3: cold starts
    if (opts.sections.has('cold')) {
      log(`cold starts: ${N.cold} sequential + ${N.cold} polled`);
      const seqRuns = [];
      const pollRuns = [];
      for (let i = 0; i < N.cold; i++) {
        seqRuns.push(await coldStartSequential(fixture.url('/')));
        pollRuns.push(await coldStartPolled(fixture.url('/')));
      }
      const okSeq = seqRuns.filter((r) => r.ok);
      const phaseNames = PHASES.map(([n]) => n);
      res.coldStart = {
        sequential: {
          runs: seqRuns,
          startMs: stats(okSeq.map((r) => r.startMs)),
          usableMs: stats(okSeq.map((r) => r.usableMs)),
          phases: Object.fromEntries(phaseNames.map((n) => [n, stats(okSeq.map((r) => r.phases[n])).median])),
        },
        polled: {
          runs: pollRuns,
          startMs: stats(pollRuns.filter((r) => r.ok).map((r) => r.startMs)),
          firstStatusMs: stats(pollRuns.filter((r) => r.ok).map((r) => r.firstStatusMs)),
        },
      };
    }

    // --- 5: volume
    if (opts.sections.has('volume')) {
      log('volume case');
      try {
        res.volume = await volume(fixture, withNetworkList, res.meta);
      } catch (err) {
        res.volume = { requests: VOLUME.requests, messages: VOLUME.messages, networkList: withNetworkList ? 'measured' : 'skipped', error: String(err?.message ?? err) };
        res.errors.push(`volume: ${String(err?.message ?? err)}`);
      }
    }
  } catch (err) {
    res.errors.push(String(err?.stack ?? err));
  } finally {
    await cleanupAll();
    await fixture.close();
  }
  res.meta.loadAfter = loadavg().map((x) => x.toFixed(2));
  res.targets = targets(res);
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(res, null, 2)}\n`);
  process.stdout.write(`${render(res)}\n`);
  return res.errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err) => {
    process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
    await cleanupAll();
    process.exitCode = 1;
  },
);
