/**
 * The page-side half of `bdg page perf`: bdg's own constant script, evaluated as is (it takes no input). It observes
 * the performance timeline with `buffered: true`, so entries recorded before it ran (the LCP candidates, layout
 * shifts, long tasks, event timings) are delivered too, waits a moment for that delivery, and returns plain data.
 * Aggregation (CLS session windows, INP, the top resources) is done in the daemon, where it can be unit-tested.
 */
export const PERF_EXPRESSION = `(() => new Promise((resolve) => {
  const out = { url: location.href, lcp: null, shifts: [], events: [], firstInput: null, longTasks: [], unsupported: [], nav: null, fcp: null, resources: [], resourceCount: 0 };
  const supported = (typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes) || [];
  const describe = (node) => {
    const el = node && (node.nodeType === 1 ? node : node.parentElement);
    if (!el || !el.tagName) return null;
    let selector = el.tagName.toLowerCase();
    if (el.id) selector += '#' + CSS.escape(el.id);
    else if (el.classList && el.classList.length > 0) selector += '.' + Array.from(el.classList).slice(0, 3).map((c) => CSS.escape(c)).join('.');
    const parent = el.parentElement;
    if (!el.id && parent && parent !== document.body && parent !== document.documentElement) {
      let p = parent.tagName.toLowerCase();
      if (parent.id) p += '#' + CSS.escape(parent.id);
      selector = p + ' > ' + selector;
    }
    const r = { selector };
    const src = el.currentSrc || el.src;
    if (typeof src === 'string' && src !== '') r.url = src.slice(0, 500);
    return r;
  };
  const handlers = {
    'largest-contentful-paint': (e) => { out.lcp = { ms: e.startTime, size: e.size, element: describe(e.element), url: e.url || null }; },
    'layout-shift': (e) => {
      out.shifts.push({ t: e.startTime, value: e.value, input: e.hadRecentInput,
        sources: (e.sources || []).map((s) => ({ el: describe(s.node), area: s.currentRect ? s.currentRect.width * s.currentRect.height : 0 })) });
    },
    'event': (e) => { if (e.interactionId) out.events.push({ id: e.interactionId, name: e.name, duration: e.duration, target: describe(e.target) }); },
    'first-input': (e) => { out.firstInput = { name: e.name, duration: e.duration, target: describe(e.target) }; },
    'longtask': (e) => { if (out.longTasks.length < 1000) out.longTasks.push({ startMs: e.startTime, durationMs: e.duration }); },
  };
  const observers = [];
  for (const type of Object.keys(handlers)) {
    if (!supported.includes(type)) { out.unsupported.push(type); continue; }
    try {
      const o = new PerformanceObserver((list) => list.getEntries().forEach(handlers[type]));
      const opts = { type, buffered: true };
      if (type === 'event') opts.durationThreshold = 16;
      o.observe(opts);
      observers.push([o, handlers[type]]);
    } catch (e) { out.unsupported.push(type); }
  }
  const nav = performance.getEntriesByType('navigation')[0];
  if (nav) out.nav = { responseStart: nav.responseStart, activationStart: nav.activationStart || 0 };
  const fcp = performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint');
  if (fcp) out.fcp = fcp.startTime;
  const res = performance.getEntriesByType('resource');
  out.resourceCount = res.length;
  out.resources = res.slice().sort((a, b) => b.duration - a.duration).slice(0, 100)
    .map((r) => ({ url: r.name.slice(0, 500), type: r.initiatorType, durationMs: r.duration, transferSize: r.transferSize || 0, startMs: r.startTime }));
  // Buffered entries are delivered in a task after observe(): wait for it, then take whatever is still queued.
  setTimeout(() => {
    for (const [o, h] of observers) { try { o.takeRecords().forEach(h); } catch (e) {} o.disconnect(); }
    resolve(out);
  }, 60);
}))()`;

export interface PerfElementRaw {
  selector: string;
  url?: string;
}

/** What {@link PERF_EXPRESSION} answers. */
export interface PerfRaw {
  url: string;
  lcp: { ms: number; size: number; element: PerfElementRaw | null; url: string | null } | null;
  shifts: Array<{ t: number; value: number; input: boolean; sources: Array<{ el: PerfElementRaw | null; area: number }> }>;
  events: Array<{ id: number; name: string; duration: number; target: PerfElementRaw | null }>;
  firstInput: { name: string; duration: number; target: PerfElementRaw | null } | null;
  longTasks: Array<{ startMs: number; durationMs: number }>;
  unsupported: string[];
  nav: { responseStart: number; activationStart: number } | null;
  fcp: number | null;
  resources: Array<{ url: string; type: string; durationMs: number; transferSize: number; startMs: number }>;
  resourceCount: number;
}
