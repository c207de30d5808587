#!/usr/bin/env node
// Faults: time to give up. How long each read-only command takes to fail against a stopped (SIGSTOP) daemon, and
// how long a `dom click` queued behind a page stuck in its own click handler waits. Plain Node, no shell, its own
// BDG_SESSION_DIR and fixture server on 127.0.0.1; every process it stops is continued, every session stopped.
//
//   node bench/faults.mjs [--dist DIR] [--out FILE]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i !== -1 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const BDG = join(resolve(opt('--dist', join(HERE, '..', 'dist'))), 'bdg.js');
const OUT = opt('--out', join(HERE, 'results', 'faults.json'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => process.stderr.write(`${m}\n`);

const PAGE = `<!doctype html><title>Faults</title>
<button id="hang" onclick="for(;;){}">hang</button>
<button id="ok" onclick="document.title='clicked'">ok</button>
<script>fetch('/data.json'); console.log('ready')</script>`;

function bdg(dir, argv, timeoutMs = 150_000) {
  return new Promise((res) => {
    const t0 = performance.now();
    const env = { ...process.env, BDG_SESSION_DIR: dir };
    delete env.BDG_DEBUG;
    const child = spawn(process.execPath, [BDG, ...argv, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json;
      try {
        json = JSON.parse(out);
      } catch {
        json = undefined;
      }
      res({ code, s: Math.round((performance.now() - t0) / 10) / 100, error: json?.success === false ? json.error : undefined });
    });
  });
}

function pidOf(dir, file, mustMatch) {
  try {
    const pid = Number(readFileSync(join(dir, file), 'utf8').trim());
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes(mustMatch) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function withSession(url, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'bdg-faults-bench-'));
  const start = await bdg(dir, [url]);
  if (start.code !== 0) throw new Error(`bdg ${url} failed: exit ${start.code}`);
  const daemon = pidOf(dir, 'daemon.pid', dir);
  const chrome = pidOf(dir, 'chrome.pid', dir);
  try {
    return await fn(dir, daemon);
  } finally {
    if (daemon !== undefined && pidOf(dir, 'daemon.pid', dir) === daemon) process.kill(daemon, 'SIGCONT');
    await bdg(dir, ['stop'], 45_000);
    for (const pid of [daemon, chrome]) {
      try {
        if (pid !== undefined && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  }
}

const server = createServer((req, res) => {
  const json = req.url === '/data.json';
  res.writeHead(200, { 'content-type': json ? 'application/json' : 'text/html' });
  res.end(json ? '{"ok":true}' : PAGE);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;
const result = { dist: BDG, at: new Date().toISOString(), frozenDaemon: {}, hungPage: {} };
try {
  log('frozen daemon: each read-only command against a SIGSTOPped daemon');
  await withSession(url, async (dir, daemon) => {
    process.kill(daemon, 'SIGSTOP');
    try {
      for (const cmd of [['status'], ['peek'], ['network', 'list'], ['console'], ['details', 'network', 'n1']]) {
        result.frozenDaemon[cmd.join(' ')] = await bdg(dir, cmd);
        log(`  ${cmd.join(' ')}: ${JSON.stringify(result.frozenDaemon[cmd.join(' ')])}`);
      }
    } finally {
      process.kill(daemon, 'SIGCONT');
    }
  });
  log('hung page: `dom click #hang`, then `dom eval 1` and a `dom click #ok` queued behind them');
  await withSession(url, async (dir) => {
    const hang = bdg(dir, ['dom', 'click', '#hang']);
    await sleep(3_000);
    const evalRun = bdg(dir, ['dom', 'eval', '1']);
    await sleep(1_000);
    const queued = await bdg(dir, ['dom', 'click', '#ok']);
    result.hungPage = { 'dom click #hang': await hang, 'dom eval 1 (started 3 s later)': await evalRun, 'dom click #ok (queued, started 4 s later)': queued };
    for (const [k, v] of Object.entries(result.hungPage)) log(`  ${k}: ${JSON.stringify(v)}`);
  });
} finally {
  server.close();
}
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
const rows = [
  ...Object.entries(result.frozenDaemon).map(([k, v]) => [`frozen daemon: ${k}`, v]),
  ...Object.entries(result.hungPage).map(([k, v]) => [`hung page: ${k}`, v]),
];
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(60)} ${String(v.s).padStart(7)} s  exit ${v.code}\n`);
