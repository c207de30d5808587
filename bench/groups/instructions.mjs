// 7. Instructions: the CPU instructions of one start-up (all threads), counted by valgrind's callgrind, against
// `node -e 0`. Wall and CPU time on a shared 2-core machine swing by 10-20% between runs; an instruction count
// moves by well under 1%, so this is the figure to compare two builds' start-up with. Needs valgrind (skipped,
// with a note, without it); each count takes a few seconds, the process running some 50x slower under valgrind.
import { execFileSync } from 'node:child_process';
import { BASE_ENV, run } from '../lib/proc.mjs';
import { cliPath } from '../lib/cli.mjs';
import { newSessionDir } from '../lib/sessions.mjs';
import { log, round2 } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

function hasValgrind() {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function instructions(args, env) {
  const r = await run('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...args], {
    env: { ...BASE_ENV, ...env },
    timeoutMs: 120_000,
  });
  const m = /Collected : (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) : null;
}

export async function measure(ctx, liveDir) {
  if (!hasValgrind()) {
    ctx.res.instructions = { skipped: 'valgrind is not installed (apt-get install valgrind)' };
    return;
  }
  const emptyDir = newSessionDir('instr-empty');
  const cases = [
    { key: 'floor', label: 'node -e 0 (floor)', args: ['-e', '0'], env: {} },
    { key: 'version', label: 'bdg --version', args: [cliPath(), '--version'], env: { BDG_SESSION_DIR: emptyDir } },
    { key: 'statusNoSession', label: 'bdg status (no session)', args: [cliPath(), 'status'], env: { BDG_SESSION_DIR: emptyDir } },
    { key: 'status', label: 'bdg status (live session)', args: [cliPath(), 'status'], env: { BDG_SESSION_DIR: liveDir } },
    { key: 'peek', label: 'bdg peek (live session)', args: [cliPath(), 'peek'], env: { BDG_SESSION_DIR: liveDir } },
    // Lazy command families: the core plus the family's own file (dist/bdg-network.js, dist/bdg-dom.js).
    { key: 'networkList', label: 'bdg network list (live session)', args: [cliPath(), 'network', 'list'], env: { BDG_SESSION_DIR: liveDir } },
    { key: 'domQuery', label: 'bdg dom query body (live session)', args: [cliPath(), 'dom', 'query', 'body'], env: { BDG_SESSION_DIR: liveDir } },
    { key: 'help', label: 'bdg --help', args: [cliPath(), '--help'], env: { BDG_SESSION_DIR: emptyDir } },
  ];
  log(`instructions: ${cases.length} cases x 3 under callgrind`);
  const out = {};
  for (const c of cases) {
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(await instructions(c.args, c.env));
    const ok = counts.filter((n) => n !== null).sort((a, b) => a - b);
    out[c.key] = { label: c.label, median: ok.length > 0 ? ok[ok.length >> 1] : null, counts };
  }
  const floor = out.floor.median;
  for (const v of Object.values(out)) v.ratio = v.median !== null && floor ? round2(v.median / floor) : null;
  ctx.res.instructions = out;
}

export function render(res) {
  const r = res.instructions;
  if (r === undefined) return [];
  if (r.skipped !== undefined) return [`7. Instructions: skipped (${r.skipped})`, ''];
  return [
    '7. Instructions per start-up (callgrind, all threads, median of 3)',
    table(
      Object.values(r).map((c) => [c.label, c.median === null ? '-' : `${(c.median / 1e6).toFixed(1)} M`, c.ratio === null ? '-' : `${c.ratio.toFixed(2)}x`]),
      ['command', 'instructions', 'vs floor'],
    ),
    '',
  ];
}

export function targets(res, verdict) {
  const r = res.instructions;
  if (r === undefined || r.skipped !== undefined) return [];
  return ['status', 'peek', 'networkList', 'domQuery'].map((key) => ({
    what: `${r[key]?.label ?? key} / floor, instructions`,
    ours: (r[key]?.ratio ?? null) === null ? '-' : `${r[key].ratio.toFixed(2)}x`,
    target: '<= 1.2x',
    verdict: verdict((r[key]?.ratio ?? null) === null ? null : r[key].ratio <= 1.2),
    original: '-',
    rust: '-',
  }));
}
