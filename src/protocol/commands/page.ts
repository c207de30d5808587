import type { BoundedFields } from '../../util/bounded.js';
import { fullOption } from '../spec.js';
import type { EmulationState, Viewport } from '../emulation.js';
import type { ActionReport, DialogRecord } from '../results.js';
import type { CommandSpec, OptionSpec } from '../spec.js';

const loadTimeout = {
  type: 'number',
  min: 1,
  max: 120,
  default: 30,
  placeholder: 'S',
  description: 'Wait up to S seconds for the load event',
} as const satisfies OptionSpec;

/** Navigation and tabs. */
export const PAGE_COMMANDS = [
  {
    name: 'page.navigate',
    path: ['page', 'navigate'],
    summary: 'Open a URL in the current tab and wait for it to load',
    args: [{ name: 'url', required: true, description: 'Page to open; bare hosts work (localhost:3000 -> http)' }],
    options: { timeout: loadTimeout },
    readOnly: false,
    runs: 'daemon',
    page: 'recovers',
    idempotent: true,
    timeoutMs: 130_000,
    examples: ['bdg page navigate localhost:3000/login', 'bdg page navigate https://app.test/cart --json'],
  },
  {
    name: 'page.reload',
    path: ['page', 'reload'],
    summary: 'Reload the current page and wait for it to load',
    args: [],
    options: { timeout: loadTimeout, 'ignore-cache': { type: 'boolean', default: false, description: 'Bypass the cache (like Shift+Reload)' } },
    readOnly: false,
    runs: 'daemon',
    page: 'recovers',
    timeoutMs: 130_000,
    examples: ['bdg page reload', 'bdg page reload --ignore-cache'],
  },
  {
    name: 'page.back',
    path: ['page', 'back'],
    summary: 'Go back one entry in the tab history and wait for the load',
    args: [],
    options: { timeout: loadTimeout },
    readOnly: false,
    runs: 'daemon',
    page: 'recovers',
    timeoutMs: 130_000,
    examples: ['bdg page back'],
  },
  {
    name: 'page.forward',
    path: ['page', 'forward'],
    summary: 'Go forward one entry in the tab history and wait for the load',
    args: [],
    options: { timeout: loadTimeout },
    readOnly: false,
    runs: 'daemon',
    page: 'recovers',
    timeoutMs: 130_000,
    examples: ['bdg page forward'],
  },
  {
    name: 'page.dialogs',
    path: ['page', 'dialogs'],
    summary: 'Show the JavaScript dialogs the page opened recently and how bdg answered them',
    args: [],
    options: { full: fullOption },
    listing: { rows: ['dialogs'], keep: 'newest' },
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg page dialogs', 'bdg page dialogs --json'],
  },
  {
    name: 'page.perf',
    path: ['page', 'perf'],
    summary: 'Web Vitals (LCP and CLS with their elements, INP, FCP, TTFB), long tasks, slowest resources',
    args: [],
    options: {
      top: { type: 'number', integer: true, min: 1, max: 100, default: 10, placeholder: 'N', description: 'Show the N slowest resources' },
    },
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 15_000,
    examples: ['bdg page perf', 'bdg page perf --top 20 --json'],
  },
  {
    name: 'page.trace.start',
    path: ['page', 'trace', 'start'],
    summary: 'Start a performance trace; `page trace stop FILE` writes it',
    args: [],
    options: {
      categories: {
        type: 'string',
        placeholder: 'LIST',
        description: "Trace categories, comma-separated, -NAME excludes (default: DevTools' Performance panel set)",
      },
    },
    readOnly: false,
    // Starting a trace changes the session, not the page: it never waits for the tab.
    lock: 'none',
    runs: 'daemon',
    timeoutMs: 15_000,
    examples: ['bdg page trace start', 'bdg page trace start --categories "devtools.timeline,v8.execute"'],
  },
  {
    name: 'page.trace.stop',
    path: ['page', 'trace', 'stop'],
    summary: "Stop the trace and write it as JSON for DevTools' Performance panel",
    args: [{ name: 'file', required: true, description: 'Where to write the trace (.json)' }],
    options: {},
    readOnly: false,
    lock: 'none',
    runs: 'daemon',
    timeoutMs: 120_000,
    examples: ['bdg page trace stop trace.json'],
  },
  {
    name: 'page.info',
    path: ['page', 'info'],
    summary: 'Show the page: URL, title, viewport, device pixel ratio, user agent, emulation in force, load state, frame count',
    args: [],
    options: {},
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    examples: ['bdg page info', 'bdg page info --json'],
  },
  {
    name: 'page.emulate',
    path: ['page', 'emulate'],
    summary: 'Emulate a viewport, phone, color scheme, user agent, locale, timezone, geolocation or slow CPU for the rest of the session',
    args: [],
    options: {
      viewport: { type: 'string', placeholder: 'WxH', description: 'Viewport in CSS px, e.g. 1280x720' },
      'device-scale-factor': { type: 'number', min: 0.25, max: 10, placeholder: 'N', description: 'Device pixel ratio' },
      mobile: { type: 'boolean', negatable: true, description: 'Phone: 390x844 at 3x, touch, mobile user agent' },
      touch: { type: 'boolean', negatable: true, description: 'Touch (pointer: coarse)' },
      'color-scheme': { type: 'string', choices: ['light', 'dark'], placeholder: 'SCHEME', description: 'prefers-color-scheme' },
      'reduced-motion': { type: 'boolean', negatable: true, description: 'prefers-reduced-motion: reduce' },
      'user-agent': { type: 'string', placeholder: 'UA', description: 'User agent string' },
      locale: { type: 'string', placeholder: 'L', description: 'Locale, e.g. de-DE' },
      timezone: { type: 'string', placeholder: 'TZ', description: 'Timezone, e.g. Asia/Tokyo' },
      geolocation: { type: 'string', placeholder: 'LAT,LON', description: 'Position for navigator.geolocation' },
      'cpu-throttle': { type: 'number', min: 1, max: 100, placeholder: 'N', description: 'CPU N times slower' },
      reset: { type: 'boolean', default: false, description: 'Clear all emulation first' },
    },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    idempotent: true,
    examples: [
      'bdg page emulate --viewport 390x844 --device-scale-factor 3 --touch',
      'bdg page emulate --mobile',
      'bdg page emulate --color-scheme dark --reduced-motion',
      'bdg page emulate --timezone Asia/Tokyo --locale ja-JP --geolocation 35.68,139.69',
      'bdg page emulate --reset',
    ],
  },
  {
    name: 'tabs.list',
    path: ['tabs'],
    summary: 'List the open tabs; the selected one is the tab commands and telemetry follow',
    args: [],
    options: { full: fullOption },
    listing: { rows: ['tabs'] },
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg tabs', 'bdg tabs --json'],
  },
  {
    name: 'tabs.new',
    path: ['tabs', 'new'],
    summary: 'Open a new tab (optionally at a URL), select it and wait for the load',
    args: [{ name: 'url', required: false, description: 'Page to open (default about:blank)' }],
    options: { timeout: loadTimeout },
    readOnly: false,
    runs: 'daemon',
    timeoutMs: 130_000,
    examples: ['bdg tabs new', 'bdg tabs new localhost:3000/admin'],
  },
  {
    name: 'tabs.select',
    path: ['tabs', 'select'],
    summary: 'Select a tab: commands act on it and telemetry is collected from it',
    args: [{ name: 'id', required: true, description: 'Tab id from `bdg tabs` (t2) or a target id (prefix)' }],
    options: {},
    readOnly: false,
    runs: 'daemon',
    idempotent: true,
    examples: ['bdg tabs select t2'],
  },
  {
    name: 'tabs.close',
    path: ['tabs', 'close'],
    summary: 'Close a tab; closing the selected tab selects another one (a blank tab if it was the last)',
    args: [{ name: 'id', required: true, description: 'Tab id from `bdg tabs` (t2) or a target id (prefix)' }],
    options: {},
    readOnly: false,
    runs: 'daemon',
    idempotent: true,
    examples: ['bdg tabs close t3'],
  },
] as const satisfies readonly CommandSpec[];

/** A navigation or history step, once the page loaded (or the load timeout passed). */
export interface LoadResult {
  action: string;
  url: string;
  title: string;
  loadTimedOut: boolean;
  /** The document's readyState once bdg stopped waiting (the original bdg's field); null if the page did not say. */
  readyState: string | null;
  durationMs: number;
  triggered: ActionReport;
}

export interface TabInfo {
  id: string;
  targetId: string;
  url: string;
  title: string;
  selected: boolean;
}

/** A page element a metric names: a short CSS-like description, and the URL of an image or media element. */
export interface PerfElement {
  selector: string;
  url?: string;
}

export interface PerfResult {
  url: string;
  /** Milliseconds since the navigation started; null when the page has no such entry (`n/a`). */
  lcp: { ms: number; size: number; element: PerfElement | null; url: string | null } | null;
  /** Cumulative Layout Shift (largest session window, shifts after input excluded); null when no shift was seen. */
  cls: { value: number; shifts: number; sources: Array<PerfElement & { value: number }> } | null;
  /** Interaction to Next Paint from event timing entries (the longest interaction); null without interactions. */
  inp: { ms: number; event: string; target: PerfElement | null } | null;
  fcp: number | null;
  ttfb: number | null;
  longTasks: { count: number; totalMs: number; longestMs: number; tasks: Array<{ startMs: number; durationMs: number }> };
  resources: { count: number; top: Array<{ url: string; type: string; durationMs: number; transferSize: number; startMs: number }> };
  /** Which entry types this Chrome does not support, so their metric reads n/a for that reason. */
  unsupported: string[];
}

export interface TraceStartResult {
  started: true;
  startedAt: string;
  categories: string[];
}

export interface TraceStopResult {
  file: string;
  bytes: number;
  events: number | null;
  durationMs: number;
}

/** What the page reports about itself, read in the page. */
export interface PageMetrics {
  viewport: Viewport;
  devicePixelRatio: number;
  userAgent: string;
  colorScheme: 'light' | 'dark';
  timezone: string;
  locale: string;
}

export interface PageInfoResult extends PageMetrics {
  url: string;
  title: string;
  /** document.readyState */
  loadState: string;
  /** Frames under the main frame (in-process and out-of-process). */
  frames: number;
  emulation: EmulationState;
}

export interface PageResults {
  'page.perf': PerfResult;
  'page.trace.start': TraceStartResult;
  'page.trace.stop': TraceStopResult;
  'page.info': PageInfoResult;
  'page.emulate': PageMetrics & { emulated: EmulationState };
  'page.navigate': LoadResult;
  'page.reload': LoadResult;
  'page.back': LoadResult;
  'page.forward': LoadResult;
  'page.dialogs': { dialogs: DialogRecord[] } & BoundedFields;
  'tabs.list': { selected: string | null; tabs: TabInfo[] } & BoundedFields;
  'tabs.new': TabInfo & { loadTimedOut: boolean };
  'tabs.select': TabInfo;
  'tabs.close': { closed: string; targetId: string; selected: string; url: string };
}
