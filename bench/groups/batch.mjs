// 6. Batch: what one command costs inside `bdg batch` (one process, one daemon connection) against the same
// command run alone. A batch of 100 `status` lines (text and --json) and of 100 `peek` lines, a batch of 1 for the
// fixed part, and a single `bdg status`, timed round-robin like section 1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bdg } from '../lib/cli.mjs';
import { sequential } from '../lib/sequential.mjs';
import { newSessionDir } from '../lib/sessions.mjs';
import { log, round2 } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

const LINES = 100;

export async function measure(ctx, liveDir) {
  const { res, N } = ctx;
  const dir = newSessionDir('batch-input');
  const file = (name, lines) => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };
  const status100 = file('status100.txt', Array(LINES).fill('status'));
  const peek100 = file('peek100.txt', Array(LINES).fill('peek'));
  const status1 = file('status1.txt', ['status']);
  // Every line must have succeeded: exit 0 and, with --json, 100 success envelopes.
  const allOk = (r) =>
    r.code === 0 &&
    r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"line"'))
      .every((l) => l.includes('"success":true'));
  const rounds = Math.max(5, Math.round(N.seq / 2));
  log(`batch: ${N.warmup + rounds} rounds`);
  const seq = await sequential(
    [
      { key: 'single', label: 'bdg status (alone)', run: () => bdg(liveDir, ['status']) },
      { key: 'batch1', label: 'bdg batch: 1 status line', run: () => bdg(liveDir, ['batch', status1]) },
      { key: 'status', label: `bdg batch: ${LINES} status lines`, run: () => bdg(liveDir, ['batch', status100]) },
      { key: 'statusJson', label: `bdg batch --json: ${LINES} status lines`, run: () => bdg(liveDir, ['batch', status100, '--json']), check: allOk },
      { key: 'peek', label: `bdg batch: ${LINES} peek lines`, run: () => bdg(liveDir, ['batch', peek100]) },
    ],
    rounds,
    N.warmup,
  );
  const per = (key) => (seq[key].median !== null ? round2(seq[key].median / LINES) : null);
  const marginal = (key) => (seq[key].median !== null && seq.batch1.median !== null ? round2((seq[key].median - seq.batch1.median) / (LINES - 1)) : null);
  res.batch = {
    lines: LINES,
    sequential: seq,
    perCommandMs: { status: per('status'), statusJson: per('statusJson'), peek: per('peek') },
    marginalMs: { status: marginal('status'), statusJson: marginal('statusJson'), peek: marginal('peek') },
  };
}

export function render(res) {
  const b = res.batch;
  if (b === undefined) return [];
  const single = b.sequential.single.median;
  const out = [`6. Batch (${b.sequential.single.n} runs each, round-robin; spawn -> exit of the whole batch)`];
  out.push(
    table(
      Object.entries(b.sequential).map(([key, c]) => {
        const lines = key === 'single' || key === 'batch1' ? 1 : b.lines;
        const perCmd = c.median !== null ? round2(c.median / lines) : null;
        return [c.label, c.median, c.p90, perCmd, single !== null && perCmd !== null ? `${round2(single / perCmd)}x` : '-', c.failures];
      }),
      ['case', 'median ms', 'p90 ms', 'ms per command', 'faster than alone', 'failed'],
    ),
  );
  out.push(
    `   marginal cost of one more line ((100 lines - 1 line) / 99): status ${b.marginalMs.status} ms, status --json ${b.marginalMs.statusJson} ms, peek ${b.marginalMs.peek} ms`,
  );
  out.push('');
  return out;
}

export function targets(res, verdict) {
  const b = res.batch;
  if (b === undefined) return [];
  return ['status', 'peek'].map((key) => {
    const ms = b.perCommandMs[key];
    return {
      what: `one \`${key}\` inside a batch of ${b.lines} (total / ${b.lines}) vs \`bdg status\` alone (${b.sequential.single.median ?? '-'} ms)`,
      ours: ms === null ? '-' : `${ms} ms`,
      target: '<= 5 ms',
      verdict: verdict(ms === null ? null : ms <= 5),
      original: '-',
      rust: '-',
    };
  });
}
