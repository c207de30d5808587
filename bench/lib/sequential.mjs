// Timing commands one after another, round-robin, with the CPU time of each child next to its wall time.
import { childrenCpuMs } from './proc.mjs';
import { round1, stats } from './stats.mjs';

/** Runs each case `warmup + n` times, round-robin (rotating the order) so machine noise hits all cases alike. */
export async function sequential(cases, n, warmup) {
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
    cases.map((c) => [
      c.key,
      {
        label: c.label,
        ...stats(samples[c.key]),
        cpuMeanMs: meanCpu(c.key),
        failures: failures[c.key],
        errors: errors[c.key],
        samples: samples[c.key].map(round1),
      },
    ]),
  );
}
