/**
 * Telemetry records as the daemon keeps them and as `peek`, `details` and session.json carry them.
 * Times are epoch milliseconds. Optional fields are absent (not null) when unknown.
 */

export type NetworkState = 'pending' | 'finished' | 'failed';

export interface NetworkBody {
  /** Text, or base64 when `base64` is true. */
  data: string;
  base64: boolean;
  /** True when the body was cut at the --max-body-size cap. */
  truncated: boolean;
  /** Size of the full body in bytes, when known. */
  size: number;
}

export interface NetworkRecord {
  /** Short id the listings print (`n1`, `n2`, …); `details network` accepts it or the CDP requestId. */
  id: string;
  requestId: string;
  url: string;
  method: string;
  resourceType?: string;
  state: NetworkState;
  status?: number;
  statusText?: string;
  mimeType?: string;
  requestHeaders: Record<string, string>;
  responseHeaders?: Record<string, string>;
  postData?: string;
  startedAt: number;
  finishedAt?: number;
  durationMs?: number;
  encodedDataLength?: number;
  errorText?: string;
  canceled?: boolean;
  blockedReason?: string;
  fromCache?: boolean;
  fromServiceWorker?: boolean;
  remoteAddress?: string;
  protocol?: string;
  initiator?: { type: string; url?: string; lineNumber?: number };
  /** Id of the record this one was redirected from. */
  redirectedFrom?: string;
  frameId?: string;
  /** Index of the main-frame navigation the request belongs to (0 = the first page load). */
  navigation: number;
  body?: NetworkBody;
}

export type ConsoleLevel = 'error' | 'warning' | 'info' | 'log' | 'debug';

export interface ConsoleRecord {
  /** Short id the listings print (`c1`, `c2`, …). */
  id: string;
  /** console.* call, uncaught exception, or a browser-side log entry (e.g. a failed resource load). */
  kind: 'console' | 'exception' | 'browser';
  level: ConsoleLevel;
  /** CDP console call type (`log`, `table`, `assert`, `trace`, …) or the Log entry source. */
  type: string;
  /** The message as DevTools would show it, with objects previewed. */
  text: string;
  /** Per-argument rendering, for `details console`. */
  args?: string[];
  url?: string;
  /** 1-based line and column of the source location. */
  line?: number;
  column?: number;
  stack?: string;
  timestamp: number;
  navigation: number;
}

export interface NavigationRecord {
  index: number;
  url: string;
  timestamp: number;
}

export interface BufferStats {
  count: number;
  dropped: number;
  bytes: number;
  maxItems: number;
  maxBytes: number;
}
