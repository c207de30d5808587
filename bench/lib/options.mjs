// Command line of bench/run.mjs: which groups to run, which build, how many iterations, where the JSON goes.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The benchmark groups, in the order they run and are reported. */
export const GROUPS = ['commands', 'concurrency', 'memory', 'cold', 'volume', 'batch', 'sessions', 'shared', 'instructions', 'wsflood'];

export function usage(code) {
  process.stdout.write(
    [
      'Usage: node bench/run.mjs [GROUP...] [--dist DIR] [--quick] [--out FILE] [--no-volume]',
      `  GROUP         run only these groups (default: all): ${GROUPS.join(' ')}`,
      '                (commands, concurrency and batch include the memory figures of their live session;',
      '                memory alone measures the session right after start)',
      '  --dist DIR    built dist/ to measure (default: the repo dist/, built by `npm run bench`)',
      '  --quick       fewer iterations (for a smoke run; figures are noisier)',
      '  --out FILE    where to write the JSON results (default: bench/results/latest.json)',
      '  --no-volume   skip the 10,000-request / 50,000-message volume case',
      '  --only LIST   the same as GROUP..., comma-separated',
      '',
    ].join('\n'),
  );
  process.exit(code);
}

export function parseOptions(argv) {
  const opts = { dist: resolve(BENCH, '..', 'dist'), quick: false, out: join(BENCH, 'results', 'latest.json'), groups: new Set(GROUPS) };
  const chosen = [];
  let noVolume = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dist') opts.dist = resolve(argv[++i] ?? usage(81));
    else if (a.startsWith('--dist=')) opts.dist = resolve(a.slice(7));
    else if (a === '--out') opts.out = resolve(argv[++i] ?? usage(81));
    else if (a.startsWith('--out=')) opts.out = resolve(a.slice(6));
    else if (a === '--quick') opts.quick = true;
    else if (a === '--no-volume') noVolume = true;
    else if (a === '--only' || a.startsWith('--only='))
      chosen.push(...(a === '--only' ? (argv[++i] ?? usage(81)) : a.slice(7)).split(',').map((x) => x.trim()));
    else if (a === '--help' || a === '-h') usage(0);
    else if (!a.startsWith('-')) chosen.push(a);
    else {
      process.stderr.write(`Unknown option ${a}\n`);
      usage(81);
    }
  }
  if (chosen.length > 0) {
    const bad = chosen.filter((x) => !GROUPS.includes(x));
    if (bad.length > 0) {
      process.stderr.write(`Unknown group(s) ${bad.join(', ')}; choose from ${GROUPS.join(', ')}\n`);
      usage(81);
    }
    opts.groups = new Set(chosen);
  }
  if (noVolume) opts.groups.delete('volume');
  return opts;
}

/** How many times each thing is measured. */
export function iterations(quick) {
  return quick
    ? { warmup: 2, seq: 8, cold: 2, rounds: 3, roundSize: 20, burst: 200, rawSocket: 20, volumeSeq: 5 }
    : { warmup: 3, seq: 25, cold: 5, rounds: 3, roundSize: 20, burst: 200, rawSocket: 50, volumeSeq: 15 };
}
