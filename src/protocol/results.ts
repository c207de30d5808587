/**
 * Result shapes that the daemon returns and the CLI renders, declared once so the two sides cannot drift apart.
 */
import type { OriginalLocation } from './records.js';

/** What the page helpers say about an element (`dom query`, `dom get`). */
export interface ElementInfo {
  tag: string;
  id?: string;
  classes: string[];
  text: string;
  visible: boolean;
  attrs: Record<string, string>;
  /** The explicit ARIA role, else the tag's usual implicit one (button, link, textbox, heading, ...). */
  role?: string;
  disabled?: boolean;
  inShadowRoot?: boolean;
  frame?: string;
  ref?: string;
  /** Set when the element was reached through a `<label>` given as the target (that label). */
  viaLabel?: string;
}

/** One node of the tree `dom a11y` prints. */
export interface A11yNode {
  role: string;
  name: string;
  ref?: string;
  value?: string;
  states?: string[];
  children?: A11yNode[];
}

/** One raw CDP event as `bdg cdp --events` returns it. */
export interface CdpEventRecord {
  /** Arrival order, for `--after`. */
  seq: number;
  method: string;
  /** Epoch milliseconds when the daemon received it. */
  timestamp: number;
  /** The flatten session it arrived on; absent for browser-level events. */
  sessionId?: string;
  params: unknown;
  /** Set when the params were larger than the per-event bound and were not kept. */
  truncated?: { bytes: number };
}

/** Shortest time after an action before it is called one with no visible effect (the original bdg's window). */
export const NO_EFFECT_WINDOW_MS = 300;

/** The report line of an action that changed nothing observable (`effect: "none"`). */
export const NO_VISIBLE_EFFECT = `no visible effect: no DOM change, request, navigation, dialog or console message within ${NO_EFFECT_WINDOW_MS} ms`;

/**
 * A console error an action caused. `url`/`line`/`column` are the generated position; `original` the one in the
 * original source (its own location, or the first stack frame a source map covers) when the page's maps say, and
 * `sourceMapError` why a map it needed could not be used.
 */
export interface ActionConsoleError {
  id: string;
  text: string;
  url?: string;
  line?: number;
  column?: number;
  original?: OriginalLocation;
  sourceMapError?: string;
}

/** What an action triggered: requests started, new console errors, dialogs, URL change. */
export interface ActionReport {
  urlBefore: string;
  url: string;
  navigated: boolean;
  requests: Array<{ id: string; method: string; url: string; status?: number; state: string }>;
  consoleErrors: ActionConsoleError[];
  dialogs: DialogRecord[];
  settled: boolean;
  /** Files the action downloaded (saved under the session's downloads/); absent when none. */
  downloads?: DownloadRecord[];
  /** DOM changes (mutation records, input/change/scroll events) seen on the main document; absent when not watched. */
  domChanges?: number;
  /** "none" when the action had no visible effect: no DOM change, request, navigation, dialog or console message. */
  effect?: 'none';
}

/** A download, saved under the session directory's downloads/. */
export interface DownloadRecord {
  seq: number;
  name: string;
  url: string;
  state: 'inProgress' | 'completed' | 'canceled';
  /** Bytes received (the file's size once completed). */
  size: number;
  /** Where the file is, once completed. */
  path: string | null;
}

/** A request an action triggered, in the original bdg's `triggeredRequests` form. */
export interface TriggeredRequest {
  requestId: string;
  /** bdg's short id (`n12`), for `bdg details network`. */
  id: string;
  method: string;
  url: string;
  status?: number;
  durationMs?: number;
  pending?: true;
  failed?: true;
  errorText?: string;
}

/** The fields the original bdg's action results have, beside bdg's own `triggered` report. */
export interface ActionCompat {
  triggeredRequests: TriggeredRequest[];
  /** How many more requests there were than `triggeredRequests` lists. */
  triggeredRequestsOmitted?: number;
  dialogs: DialogRecord[];
  /**
   * Console errors the action caused, the same text counted once, with where it came from: `source` is the generated
   * `url:line` (the original bdg's field), `originalSource` the `url:line:column` in the original source when a
   * source map says.
   */
  errors: Array<{ text: string; count: number; source?: string; originalSource?: string }>;
  /** Set when the action navigated or changed the URL. */
  navigation?: { url: string; from: string };
  /** The original bdg's field: "none" when the action had no visible effect (see ActionReport.effect). */
  effect?: 'none';
}

/** A JavaScript dialog the page opened and how bdg answered it. */
export interface DialogRecord {
  /** Sequence number within the session, for "dialogs since" queries. */
  seq: number;
  type: string;
  message: string;
  url: string;
  defaultPrompt?: string;
  action: 'accept' | 'dismiss';
  timestamp: number;
  /** Set when answering failed (e.g. the dialog was already closed). */
  error?: string;
}
