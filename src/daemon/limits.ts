/**
 * Telemetry bounds. Byte figures are estimates calibrated against V8 heap growth, so together they keep the
 * daemon's heap under ~50 MB of telemetry however much a page produces (bench/README.md has the measurements).
 */
export const LIMITS = {
  networkItems: 10_000,
  networkBytes: 32 * 1024 * 1024,
  /** Response bodies, apart from the records (never less than one body of --max-body-size); the newest kept. */
  bodyBytes: 16 * 1024 * 1024,
  /** WebSocket frames: in all, per socket, and the longest payload kept per frame. */
  webSocket: { maxFrames: 10_000, maxBytes: 8 * 1024 * 1024, perSocketFrames: 2_000, perSocketBytes: 2 * 1024 * 1024, maxPayloadBytes: 16 * 1024 },
  consoleItems: 10_000,
  consoleBytes: 8 * 1024 * 1024,
  /** Chrome Issues (Audits): folded per kind and resource, so a few hundred cover even a news site. */
  issueItems: 500,
  issueBytes: 512 * 1024,
  navigations: 1_000,
  domSnapshotBytes: 5 * 1024 * 1024,
};

/** Body fetches (Network.getResponseBody / getRequestPostData) in flight at once, whoever asks. */
export const BODY_FETCH_CONCURRENCY = 6;
/** Longest one body fetch may take before it is given up. */
export const BODY_FETCH_TIMEOUT_MS = 5_000;
/** Of those, most used by the background fetches of text bodies as requests finish (commands get the others first). */
export const BODY_PREFETCH_CONCURRENCY = 2;
/** Most finished requests waiting for a background body fetch; past it the oldest wait is given up. */
export const BODY_PREFETCH_QUEUE = 500;
