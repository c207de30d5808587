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
    options: {},
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg page dialogs', 'bdg page dialogs --json'],
  },
  {
    name: 'tabs.list',
    path: ['tabs'],
    summary: 'List the open tabs; the selected one is the tab commands and telemetry follow',
    args: [],
    options: {},
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

export interface PageResults {
  'page.navigate': LoadResult;
  'page.reload': LoadResult;
  'page.back': LoadResult;
  'page.forward': LoadResult;
  'page.dialogs': { dialogs: DialogRecord[] };
  'tabs.list': { selected: string | null; tabs: TabInfo[] };
  'tabs.new': TabInfo & { loadTimedOut: boolean };
  'tabs.select': TabInfo;
  'tabs.close': { closed: string; targetId: string; selected: string; url: string };
}
