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

/**
 * Why a finished request has no response body: `empty` (a redirect, 204, 304 or HEAD answer has none), `too-large`
 * (over --max-body-size, so not kept when it finished), `binary` (binary bodies are fetched on demand only, and Chrome
 * no longer holds this one), `evicted` (dropped to keep the newest bodies within the body budget), `not-kept`
 * (Chrome no longer holds it: it drops bodies after a navigation), `failed` (fetching it from Chrome failed).
 */
export type BodyUnavailableReason = 'empty' | 'too-large' | 'binary' | 'evicted' | 'not-kept' | 'failed';

/** The sentence `details` and the HAR `content.comment` give for a missing body. */
/** A breakdown as a plain object with its seven names, whatever form it is kept in (the daemon packs them). */
export function timingsObject(t: NetworkTimings): NetworkTimings {
  return { blocked: t.blocked, dns: t.dns, connect: t.connect, ssl: t.ssl, send: t.send, wait: t.wait, receive: t.receive };
}

export function bodyUnavailableText(reason: BodyUnavailableReason): string {
  switch (reason) {
    case 'empty':
      return 'no body: the response has none (redirect, 204, 304 or HEAD)';
    case 'too-large':
      return 'not kept: larger than --max-body-size';
    case 'binary':
      return 'not kept: binary bodies are fetched on demand only, and Chrome no longer holds this one';
    case 'evicted':
      return 'not kept: dropped to keep the newest bodies within the body budget';
    case 'not-kept':
      return 'not available: Chrome no longer holds it (it drops bodies after a navigation)';
    case 'failed':
      return 'not available: fetching it from Chrome failed';
  }
}

/** Where a WebSocket is: handshake sent, open (101 received), or closed (by either side, or it never opened). */
export type WebSocketState = 'connecting' | 'open' | 'closed';

/** What a network record of resource type WebSocket adds: its state and frame counts (all frames, kept or not). */
export interface WebSocketSummary {
  state: WebSocketState;
  framesSent: number;
  framesReceived: number;
  /** Payload bytes of the frames sent / received. */
  bytesSent: number;
  bytesReceived: number;
  /** Frames of this socket no longer kept (the frame buffer keeps the newest, per socket and in all). */
  framesDropped: number;
  /** The last error Chrome reported on it (Network.webSocketFrameError), e.g. a failed handshake. */
  error?: string;
  /** When it closed (epoch ms). */
  closedAt?: number;
}

/** One WebSocket frame as the frame buffer keeps it. */
export interface WebSocketFrame {
  /** Order across the session's frames, for `network ws --since`. */
  seq: number;
  /** As Chrome DevTools exports them: `send`, `receive`, or `error` (a frame error Chrome reported). */
  type: 'send' | 'receive' | 'error';
  /** Epoch ms. */
  time: number;
  /** WebSocket opcode: 1 text, 2 binary; -1 for an error, as DevTools has it. */
  opcode: number;
  /** Payload bytes (the whole payload, also when `data` was cut). */
  size: number;
  /** Text payload, base64 of a binary one, or the error message; cut at the frame bound when `truncated`. */
  data: string;
  truncated?: boolean;
}

/** A cookie as sent with a request or set by a response. */
export interface NetworkCookie {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  /** Expiry as an ISO date; absent for session cookies. */
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: string;
  /** Why Chrome did not send (request) or store (response) this cookie; absent when it did. */
  blockedReasons?: string[];
}

/**
 * A cookie Chrome blocked on a request, from the extra-info events (names and reasons only, never values):
 * `set-rejected` a Set-Cookie of the response Chrome did not store, `not-sent` a stored cookie Chrome left out of
 * the request. Cookies that do not apply to the URL (DomainMismatch, PathMismatch, NotOnPath) are not listed.
 */
export interface BlockedCookie {
  name: string;
  kind: 'set-rejected' | 'not-sent';
  /** Chrome's reasons (`SameSiteNoneInsecure`, `InvalidDomain`, `SameSiteLax`, …). */
  reasons: string[];
}

/** A cookie Chrome would have blocked but let through for a reason it names (`exemptionReason`). */
export interface ExemptedCookie {
  name: string;
  kind: 'set' | 'sent';
  reason: string;
}

/**
 * Time spent in each phase of a request, in milliseconds, computed as Chrome DevTools does for its HAR export
 * (`ssl` is part of `connect`); -1 where a phase did not apply (a reused connection has no dns/connect).
 */
export interface NetworkTimings {
  /** Queued and stalled before the request could go out (includes proxy negotiation). */
  blocked: number;
  dns: number;
  connect: number;
  ssl: number;
  send: number;
  /** Waiting for the first byte of the response (TTFB). */
  wait: number;
  /** Downloading the response body. */
  receive: number;
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
  /** Phase breakdown, once the request finished or failed. */
  timing?: NetworkTimings;
  /** Response body bytes after decompression (sum of the chunks Chrome received). */
  decodedBodyLength?: number;
  /** Bytes of the raw response status line and headers, when Chrome reports them (HTTP/1.x). */
  responseHeadersSize?: number;
  /** The request has a body Chrome did not include in the event (large or multipart); fetched on demand. */
  hasPostData?: boolean;
  /** True when postData was cut at --max-body-size. */
  postDataTruncated?: boolean;
  /** Cookies Chrome attached to the request (and ones it blocked, with the reasons). */
  requestCookies?: NetworkCookie[];
  /** Cookies the response set (Set-Cookie), with the reasons Chrome refused any. */
  responseCookies?: NetworkCookie[];
  /** Cookies Chrome blocked on this request (at most 50; the rest counted in `blockedCookiesOmitted`). */
  blockedCookies?: BlockedCookie[];
  blockedCookiesOmitted?: number;
  /** Cookies Chrome let through by an exemption (third-party cookie grace periods, heuristics, …). */
  exemptedCookies?: ExemptedCookie[];
  /** Which cache served the response, when one did. */
  cacheSource?: 'memory' | 'disk' | 'prefetch';
  /** Where a service worker got the response (`cache-storage`, `http-cache`, `fallback-code`, `network`). */
  serviceWorkerResponseSource?: string;
  /** Chrome's initial loading priority (`VeryHigh` … `VeryLow`). */
  priority?: string;
  /** Why a finished request has no `body` (absent while it may still be fetched). */
  bodyUnavailable?: BodyUnavailableReason;
  /** Resource type WebSocket only: state and frame counts (the frames: `network ws <id>`). */
  webSocket?: WebSocketSummary;
  /** Answered by a `network mock` rule (`mocked`) or failed by a `network block` rule (`blocked`), with the rule's id. */
  intercepted?: InterceptMark;
}

/** What a request interception rule did to a request: the rule's id (`r1`) and whether it mocked or blocked it. */
export interface InterceptMark {
  action: 'mocked' | 'blocked';
  rule: string;
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
  /**
   * Per-argument rendering, for `details console`. Absent in listings, the journal and session.json when there was
   * no argument or its one argument is the text itself (`console.log('saved')`); `details console` always has it.
   */
  args?: string[];
  url?: string;
  /** 1-based line and column of the source location. */
  line?: number;
  column?: number;
  stack?: string;
  timestamp: number;
  navigation: number;
  /** Where url:line:column is in the original source, when the script's source map says (added for output). */
  original?: OriginalLocation;
  /** `stack` with each frame a source map covers at its original position (added for output). */
  originalStack?: string;
  /** Why a source map this message needed could not be used; the generated positions stand. */
  sourceMapError?: string;
}

/** A position in an original source, through a source map: 1-based line and column, the source's URL. */
export interface OriginalLocation {
  url: string;
  line: number;
  column: number;
  /** The original identifier at that position, when the map names one. */
  name?: string;
}

/**
 * A Chrome Issue (DevTools' Issues panel, `Audits.issueAdded`): a problem the page has that often logs nothing,
 * such as a cookie Chrome refused, a resource blocked by CSP or mixed content, a deprecated API. Reports of one kind
 * on one resource within a page load are one issue with a `count`.
 */
export interface IssueRecord {
  /** Short id (`i1`, `i2`, …). */
  id: string;
  /** Chrome's issue code: `CookieIssue`, `MixedContentIssue`, `ContentSecurityPolicyIssue`, `DeprecationIssue`, … */
  code: string;
  /** The kind within the code: the cookie reasons, the CSP violation type, the deprecation, … */
  type?: string;
  /** One line saying what is wrong (at most 300 characters). */
  text: string;
  /** Reports folded into this issue. */
  count: number;
  /** Where in the page's code, 1-based, when Chrome says. */
  source?: { url: string; line?: number; column?: number };
  /** The resource affected: the request, the insecure or blocked URL, the cookie's URL. */
  url?: string;
  /** CDP requestId of the request affected, when there is one. */
  requestId?: string;
  /** The cookie affected (name only). */
  cookie?: string;
  /** Elements at fault (backend node ids, at most 20), for issues Chrome reports per element. */
  nodes?: { backendNodeId: number }[];
  /** First and last report (epoch ms). */
  timestamp: number;
  lastTimestamp?: number;
  /** The page load it belongs to (as console messages). */
  navigation: number;
}

export interface NavigationRecord {
  index: number;
  url: string;
  /** When the navigation started (its document request went out, or it committed when it had none). */
  timestamp: number;
  /** Page title, once known. */
  title?: string;
  /** When DOMContentLoaded and the load event fired. */
  domContentLoadedAt?: number;
  loadedAt?: number;
}

export interface BufferStats {
  count: number;
  dropped: number;
  bytes: number;
  maxItems: number;
  maxBytes: number;
}

/** The page a session drives. */
export interface PageInfo {
  url: string;
  title: string;
}

/** A network record without the heavy parts (headers, cookies, bodies), for every listing: peek, tail, network list. */
export type NetworkListItem = Omit<NetworkRecord, 'requestHeaders' | 'responseHeaders' | 'body' | 'postData' | 'requestCookies' | 'responseCookies'>;

/** A console line: identical messages of one navigation folded into the first, with how many there were. */
export type FoldedConsoleRecord = ConsoleRecord & { count: number; lastId?: string; lastTimestamp?: number };

export interface NetworkBufferStats extends BufferStats {
  /** Tracking requests not recorded (`--all` records them). */
  filtered: number;
}
