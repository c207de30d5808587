import { resolve } from 'node:path';
import type { PerfElement, PerfResult } from '../../protocol/commands/page.js';
import { call } from '../../client/call.js';
import { formatBytes } from '../render.js';
import type { RunnerTable } from '../runner.js';

const ms = (n: number | null | undefined): string => (n === null || n === undefined ? 'n/a' : `${Math.round(n)} ms`);
const el = (e: PerfElement | null): string => (e === null ? '(element gone)' : `${e.selector}${e.url !== undefined ? ` ${e.url}` : ''}`);

/** Rated as web.dev rates each metric: good / needs improvement / poor. */
function rate(value: number, good: number, poor: number): string {
  return value <= good ? 'good' : value <= poor ? 'needs improvement' : 'poor';
}

export function renderPerf(d: PerfResult): string {
  const lines = [`Web Vitals of ${d.url}`];
  lines.push(
    d.lcp !== null
      ? `  LCP   ${ms(d.lcp.ms).padEnd(9)} ${rate(d.lcp.ms, 2500, 4000).padEnd(18)} ${el(d.lcp.element)}${d.lcp.element?.url === undefined && d.lcp.url !== null && d.lcp.url !== '' ? ` ${d.lcp.url}` : ''}`
      : '  LCP   n/a',
  );
  if (d.cls !== null) {
    lines.push(`  CLS   ${d.cls.value.toFixed(3).padEnd(9)} ${rate(d.cls.value, 0.1, 0.25).padEnd(18)} ${d.cls.shifts} shift${d.cls.shifts === 1 ? '' : 's'}`);
    for (const s of d.cls.sources.slice(0, 5)) lines.push(`          ${s.value.toFixed(3)}  ${el(s)}`);
  } else lines.push('  CLS   n/a       (no layout shift)');
  lines.push(
    d.inp !== null
      ? `  INP   ${ms(d.inp.ms).padEnd(9)} ${rate(d.inp.ms, 200, 500).padEnd(18)} ${d.inp.event} on ${el(d.inp.target)}`
      : '  INP   n/a       (no interaction yet)',
  );
  lines.push(d.fcp !== null ? `  FCP   ${ms(d.fcp).padEnd(9)} ${rate(d.fcp, 1800, 3000)}` : '  FCP   n/a');
  lines.push(d.ttfb !== null ? `  TTFB  ${ms(d.ttfb).padEnd(9)} ${rate(d.ttfb, 800, 1800)}` : '  TTFB  n/a');
  const lt = d.longTasks;
  lines.push(
    lt.count > 0 ? `Long tasks: ${lt.count}, ${ms(lt.totalMs)} in all, longest ${ms(lt.longestMs)}` : 'Long tasks: none',
    ...lt.tasks.slice(0, 5).map((t) => `  at ${ms(t.startMs).padStart(9)}  ${ms(t.durationMs)}`),
  );
  lines.push(`Slowest resources (${d.resources.top.length} of ${d.resources.count}):`);
  if (d.resources.top.length === 0) lines.push('  (none)');
  for (const r of d.resources.top) lines.push(`  ${ms(r.durationMs).padStart(9)}  ${r.type.padEnd(10)} ${formatBytes(r.transferSize).padStart(9)}  ${r.url}`);
  if (d.unsupported.length > 0) lines.push(`Not supported by this Chrome: ${d.unsupported.join(', ')}`);
  return lines.join('\n');
}

export const PERF_RUNNERS: RunnerTable<'page.perf' | 'page.trace.start' | 'page.trace.stop'> = {
  'page.perf': async (paths, params, out) => {
    const d = await call(paths, 'page.perf', params);
    return out.success(d, () => renderPerf(d));
  },
  'page.trace.start': async (paths, params, out) => {
    const d = await call(paths, 'page.trace.start', params);
    return out.success(d, () => `Tracing since ${d.startedAt} (${d.categories.length} categories). Stop and write it: bdg page trace stop FILE${paths.flag}`);
  },
  'page.trace.stop': async (paths, params, out) => {
    // The daemon has its own working directory: resolve the path here, where the user typed it.
    const d = await call(paths, 'page.trace.stop', { ...params, file: resolve(process.cwd(), params.file) });
    return out.success(
      d,
      () =>
        `Wrote ${d.file}: ${d.events ?? '?'} trace events over ${(d.durationMs / 1000).toFixed(1)} s (${formatBytes(d.bytes)}); open it in Chrome DevTools > Performance > Load profile`,
    );
  },
};
