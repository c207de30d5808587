/**
 * `page perf` (Web Vitals read from the page's performance timeline) and `page trace start|stop` (a Chrome trace,
 * streamed from the Tracing domain to a file DevTools' Performance panel loads).
 */
import { isAbsolute } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type { ParamsOf, ResultOf } from '../../protocol/commands.js';
import type { PerfElement, PerfResult } from '../../protocol/commands/page.js';
import { BdgError } from '../../util/errors.js';
import { fsp } from '../../util/fsAsync.js';
import { tempPathFor, writeError } from '../../util/fsx.js';
import type { HandlerContext, HandlerTable } from '../context.js';
import { PERF_EXPRESSION, type PerfElementRaw, type PerfRaw } from '../perf/perfScript.js';
import type { BrowserSession } from '../session.js';

const round1 = (n: number): number => Math.round(n * 10) / 10;

function element(e: PerfElementRaw | null | undefined): PerfElement | null {
  if (e === null || e === undefined) return null;
  return e.url !== undefined ? { selector: e.selector, url: e.url } : { selector: e.selector };
}

/**
 * CLS as Chrome reports it: shifts not caused by recent input, grouped in session windows (a gap under 1 s, a
 * window at most 5 s long); the largest window's sum. Elements: every counted shift's value credited to its sources.
 */
export function cumulativeLayoutShift(shifts: PerfRaw['shifts']): PerfResult['cls'] {
  const counted = shifts.filter((s) => !s.input).sort((a, b) => a.t - b.t);
  if (counted.length === 0) return null;
  let best = 0;
  let sum = 0;
  let start = Number.NEGATIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const bySelector = new Map<string, PerfElement & { value: number }>();
  for (const s of counted) {
    if (s.t - last > 1000 || s.t - start > 5000) {
      sum = 0;
      start = s.t;
    }
    last = s.t;
    sum += s.value;
    best = Math.max(best, sum);
    for (const src of s.sources) {
      const el = element(src.el);
      if (el === null) continue;
      const seen = bySelector.get(el.selector);
      if (seen !== undefined) seen.value += s.value;
      else bySelector.set(el.selector, { ...el, value: s.value });
    }
  }
  const sources = [...bySelector.values()]
    .sort((a, b) => b.value - a.value)
    .slice(0, 10)
    .map((s) => ({ ...s, value: Math.round(s.value * 10_000) / 10_000 }));
  return { value: Math.round(best * 10_000) / 10_000, shifts: counted.length, sources };
}

/** INP from event timing entries: the longest interaction, or the 98th percentile once there are 50 or more. */
export function interactionToNextPaint(events: PerfRaw['events'], firstInput: PerfRaw['firstInput']): PerfResult['inp'] {
  const byId = new Map<number, PerfRaw['events'][number]>();
  for (const e of events) {
    const seen = byId.get(e.id);
    if (seen === undefined || e.duration > seen.duration) byId.set(e.id, e);
  }
  const all = [...byId.values()].sort((a, b) => b.duration - a.duration);
  const pick = all[Math.min(all.length - 1, Math.floor(all.length / 50))];
  if (pick !== undefined) return { ms: round1(pick.duration), event: pick.name, target: element(pick.target) };
  if (firstInput !== null) return { ms: round1(firstInput.duration), event: firstInput.name, target: element(firstInput.target) };
  return null;
}

/** The page's answer turned into the command's result (pure). */
export function perfResult(raw: PerfRaw, top: number): PerfResult {
  const tasks = raw.longTasks.map((t) => ({ startMs: round1(t.startMs), durationMs: round1(t.durationMs) }));
  return {
    url: raw.url,
    lcp: raw.lcp !== null ? { ms: round1(raw.lcp.ms), size: raw.lcp.size, element: element(raw.lcp.element), url: raw.lcp.url } : null,
    cls: cumulativeLayoutShift(raw.shifts),
    inp: interactionToNextPaint(raw.events, raw.firstInput),
    fcp: raw.fcp !== null ? round1(raw.fcp) : null,
    ttfb: raw.nav !== null && raw.nav.responseStart > 0 ? round1(Math.max(0, raw.nav.responseStart - raw.nav.activationStart)) : null,
    longTasks: {
      count: tasks.length,
      totalMs: round1(tasks.reduce((n, t) => n + t.durationMs, 0)),
      longestMs: tasks.reduce((n, t) => Math.max(n, t.durationMs), 0),
      tasks: [...tasks].sort((a, b) => b.durationMs - a.durationMs).slice(0, 10),
    },
    resources: {
      count: raw.resourceCount,
      top: raw.resources.slice(0, top).map((r) => ({ ...r, durationMs: round1(r.durationMs), startMs: round1(r.startMs) })),
    },
    unsupported: raw.unsupported,
  };
}

async function perf(ctx: HandlerContext, params: ParamsOf<'page.perf'>, signal: AbortSignal): Promise<ResultOf<'page.perf'>> {
  const r = await ctx.session.pageSend(
    'Runtime.evaluate',
    { expression: PERF_EXPRESSION, awaitPromise: true, returnByValue: true },
    { signal, timeoutMs: 10_000 },
  );
  if (r.exceptionDetails !== undefined) {
    throw new BdgError('UNEXPECTED_ERROR', `Reading the performance timeline failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
  }
  return perfResult(r.result.value as PerfRaw, params.top);
}

/** The categories DevTools' Performance panel records (its screenshots left out: they make traces many times larger). */
export const DEFAULT_TRACE_CATEGORIES = [
  'blink.console',
  'blink.user_timing',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'disabled-by-default-devtools.timeline.stack',
  'disabled-by-default-v8.cpu_profiler',
  'latencyInfo',
  'loading',
  'toplevel',
  'v8.execute',
];

interface TraceState {
  startedAt: number;
  categories: string[];
  /** The flatten session the trace was started on: `stop` ends it there even if another tab was selected since. */
  sessionId: string | undefined;
}

const traces = new WeakMap<BrowserSession, TraceState>();

/** The trace recording in this session, for `status`. */
export function traceStatus(s: BrowserSession): { startedAt: string; categories: string[] } | null {
  const t = traces.get(s);
  return t !== undefined ? { startedAt: new Date(t.startedAt).toISOString(), categories: t.categories } : null;
}

function parseCategories(text: string | undefined): { list: string[]; included: string[]; excluded: string[] } {
  if (text === undefined || text.trim() === '') return { list: DEFAULT_TRACE_CATEGORIES, included: DEFAULT_TRACE_CATEGORIES, excluded: [] };
  const list = text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== '-*');
  const bad = list.find((c) => !/^-?[A-Za-z0-9_.:*-]{1,100}$/.test(c));
  if (bad !== undefined || list.length === 0 || list.length > 100) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      bad !== undefined ? `Not a trace category: "${bad}"` : '--categories names no category',
      'Give comma-separated category names, e.g. --categories "devtools.timeline,v8.execute,-v8"; leave it out for the Performance panel defaults.',
    );
  }
  return { list, included: list.filter((c) => !c.startsWith('-')), excluded: list.filter((c) => c.startsWith('-')).map((c) => c.slice(1)) };
}

async function traceStart(ctx: HandlerContext, params: ParamsOf<'page.trace.start'>, signal: AbortSignal): Promise<ResultOf<'page.trace.start'>> {
  const s = ctx.session;
  const running = traces.get(s);
  if (running !== undefined) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `A trace is already recording (since ${new Date(running.startedAt).toISOString()})`,
      'Write it with `bdg page trace stop FILE`, then start another.',
    );
  }
  const { list, included, excluded } = parseCategories(params.categories);
  const sessionId = s.pageSessionId;
  await s.conn.send(
    'Tracing.start',
    {
      transferMode: 'ReturnAsStream',
      streamFormat: 'json',
      streamCompression: 'none',
      traceConfig: { recordMode: 'recordContinuously', includedCategories: included.length > 0 ? included : ['*'], excludedCategories: excluded },
    },
    { sessionId, signal, timeoutMs: 10_000 },
  );
  const state: TraceState = { startedAt: Date.now(), categories: list, sessionId };
  traces.set(s, state);
  return { started: true, startedAt: new Date(state.startedAt).toISOString(), categories: list };
}

/** Largest trace written: past it the stream is abandoned and nothing is left behind. */
const MAX_TRACE_BYTES = 512 * 1024 * 1024;

/** Longest the trace stream takes to be announced after Tracing.end (Chrome flushes every process's buffers first). */
const TRACE_COMPLETE_MS = 60_000;

async function traceStop(ctx: HandlerContext, params: ParamsOf<'page.trace.stop'>, signal: AbortSignal): Promise<ResultOf<'page.trace.stop'>> {
  const s = ctx.session;
  const { file } = params;
  if (!isAbsolute(file)) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `page.trace.stop needs an absolute file path (got "${file}")`,
      'The bdg CLI resolves FILE against its current directory; other clients must send an absolute path.',
    );
  }
  const state = traces.get(s);
  if (state === undefined)
    throw new BdgError('INVALID_ARGUMENTS', 'No trace is recording', 'Start one with `bdg page trace start`, do what you want traced, then stop it.');
  // Whatever happens from here, the trace is over: Tracing.end ends it in Chrome.
  traces.delete(s);
  const conn = s.conn;
  let off: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const complete = new Promise<string | undefined>((resolve, reject) => {
    timer = setTimeout(() => reject(new BdgError('TIMEOUT', `Chrome did not deliver the trace within ${TRACE_COMPLETE_MS / 1000} s`)), TRACE_COMPLETE_MS);
    off = conn.on((method, p, sessionId) => {
      if (method === 'Tracing.tracingComplete' && sessionId === state.sessionId) resolve((p as { stream?: string }).stream);
    });
    signal.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new BdgError('TIMEOUT', 'trace stop was cut short')), {
      once: true,
    });
  });
  // Settled whatever happens below (Tracing.end itself may fail), so it never rejects unobserved.
  complete.catch(() => undefined);
  let stream: string | undefined;
  try {
    await conn.send('Tracing.end', undefined, { sessionId: state.sessionId, signal, timeoutMs: 10_000 });
    stream = await complete;
  } finally {
    clearTimeout(timer);
    off?.();
  }
  if (stream === undefined) throw new BdgError('UNEXPECTED_ERROR', 'Chrome ended the trace without a stream to read it from');
  const maxBytes = MAX_TRACE_BYTES;
  const fs = await fsp();
  const tmp = tempPathFor(file);
  let handle: FileHandle | undefined;
  let bytes = 0;
  let events = 0;
  let tail = '';
  try {
    try {
      handle = await fs.open(tmp, 'w', 0o600);
    } catch (err) {
      throw writeError(file, err);
    }
    for (;;) {
      const chunk = await conn.send('IO.read', { handle: stream, size: 1024 * 1024 }, { sessionId: state.sessionId, signal, timeoutMs: 30_000 });
      const data = chunk.base64Encoded === true ? Buffer.from(chunk.data, 'base64') : Buffer.from(chunk.data, 'utf8');
      bytes += data.length;
      if (bytes > maxBytes) {
        throw new BdgError(
          'INVALID_ARGUMENTS',
          `The trace is larger than ${MAX_TRACE_BYTES / 1024 / 1024} MB; nothing was written`,
          'Trace a shorter stretch, or record fewer --categories.',
        );
      }
      // Events counted as their phase keys go by; the tail carries a key cut between two chunks.
      const text = tail + data.toString('utf8');
      events += text.split('"ph":').length - 1;
      tail = text.slice(-4);
      try {
        await handle.write(data);
      } catch (err) {
        throw writeError(file, err);
      }
      if (chunk.eof) break;
    }
    try {
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.rename(tmp, file);
    } catch (err) {
      throw writeError(file, err);
    }
  } finally {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    await conn.send('IO.close', { handle: stream }, { sessionId: state.sessionId, timeoutMs: 5_000 }).catch(() => undefined);
  }
  return { file, bytes, events, durationMs: Date.now() - state.startedAt };
}

export const PERF_HANDLERS: HandlerTable<'page.perf' | 'page.trace.start' | 'page.trace.stop'> = {
  'page.perf': perf,
  'page.trace.start': traceStart,
  'page.trace.stop': traceStop,
};
