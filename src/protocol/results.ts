/**
 * Result shapes that the daemon returns and the CLI renders, declared once so the two sides cannot drift apart.
 */

/** What the page helpers say about an element (`dom query`, `dom get`). */
export interface ElementInfo {
  tag: string;
  id?: string;
  classes: string[];
  text: string;
  visible: boolean;
  attrs: Record<string, string>;
  disabled?: boolean;
  inShadowRoot?: boolean;
  frame?: string;
  ref?: string;
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

/** What an action triggered: requests started, new console errors, dialogs, URL change. */
export interface ActionReport {
  urlBefore: string;
  url: string;
  navigated: boolean;
  requests: Array<{ id: string; method: string; url: string; status?: number; state: string }>;
  consoleErrors: Array<{ id: string; text: string }>;
  dialogs: DialogRecord[];
  settled: boolean;
  /** Files the action downloaded (saved under the session's downloads/); absent when none. */
  downloads?: DownloadRecord[];
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
