// Rounding, summary statistics and ratios (against the `node -e 0` floor).

export const round1 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10) / 10);
export const round2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 100) / 100);

export function stats(values) {
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

/** `ms` as a multiple of the floor, for tables ("1.19x"). */
export function ratio(ms, floor) {
  return ms === null || floor === null || floor === 0 ? null : `${(ms / floor).toFixed(2)}x`;
}

export function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}
