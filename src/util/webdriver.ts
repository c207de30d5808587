/**
 * The few W3C WebDriver calls bdg makes to a Selenium Grid 4: create a session (whose `se:cdp` capability is the
 * Chrome DevTools WebSocket the Grid proxies), a cheap call that keeps it from the Grid's idle reaper, and delete
 * it. Shared by the daemon (which owns the session) and the client (which deletes the session of a daemon that was
 * killed), so it sits below both.
 */
import { BdgError } from './errors.js';
import { displayUrl, httpJson, type HeaderMap, type HttpJsonResponse } from './http.js';

/** A Grid as bdg talks to it: its base URL (`http://host:4444`, or with a path such as `/wd/hub`) and headers. */
export interface GridEndpoint {
  url: string;
  headers?: HeaderMap;
}

export interface GridSessionInfo {
  sessionId: string;
  /** The `se:cdp` WebSocket URL the Grid returned. */
  cdpUrl: string;
  browserVersion: string | null;
}

/** What the session directory records about a Grid session (`grid.json`): enough for a clean-up to delete it. */
export interface GridRecord {
  /** The Grid's URL as given (it may carry credentials: the file is 0600 and never printed as is). */
  url: string;
  sessionId: string;
  /** The daemon that owns the session; the clean-up deletes the session only once it is gone. */
  daemonPid: number;
  createdAt: string;
  /** The names of the headers the Grid needs (the values are not kept on disk). */
  headerNames: string[];
}

/** Checks a `--grid` value: an http(s) URL. Exit 81 (user error) otherwise. */
export function parseGridUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new BdgError('INVALID_ARGUMENTS', `Invalid --grid URL "${displayUrl(raw)}"`, 'Give the Grid as http://host:4444 (or https://...).');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BdgError('INVALID_ARGUMENTS', `--grid must be an http or https URL (got ${url.protocol})`, 'For example: --grid http://127.0.0.1:4444');
  }
  return url;
}

/** `<grid>/session/...`, keeping a path prefix such as /wd/hub. */
function endpoint(grid: GridEndpoint, path: string): URL {
  const base = parseGridUrl(grid.url);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return new URL(path, base);
}

interface WireError {
  error?: string;
  message?: string;
}

function wireError(res: HttpJsonResponse): WireError {
  const value = (res.json as { value?: unknown } | undefined)?.value;
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    return {
      ...(typeof v['error'] === 'string' ? { error: v['error'] } : {}),
      ...(typeof v['message'] === 'string' ? { message: (v['message'].split('\n')[0] ?? '').trim().slice(0, 500) } : {}),
    };
  }
  return {};
}

const FREE_SLOT_HINT =
  "Every Chrome slot of the Grid is busy or its queue timed out: stop another session (`bdg sessions`), wait, or add slots (the node's max-sessions); the Grid's session-request-timeout bounds the wait.";

/** A refusal by the Grid (or a proxy in front of it) as a BdgError that says what to do. */
export function gridError(res: HttpJsonResponse, grid: GridEndpoint, what: string): BdgError {
  const w = wireError(res);
  const shown = displayUrl(grid.url);
  const detail = w.message ?? (res.text.trim().slice(0, 300) || `HTTP ${res.status}`);
  if (res.status === 401 || res.status === 403) {
    return new BdgError(
      'CDP_CONNECTION_FAILED',
      `The Grid at ${shown} refused ${what} (HTTP ${res.status})`,
      'Pass the credentials it expects, e.g. --cdp-header "Authorization: Bearer $TOKEN" or user:password in the --grid URL.',
      { status: res.status },
    );
  }
  if (w.error === 'invalid argument' || /Illegal key values|invalid argument|cannot be parsed|capabilit.*(?:invalid|illegal)/i.test(detail)) {
    return new BdgError(
      'INVALID_ARGUMENTS',
      `The Grid rejected the capabilities: ${detail}`,
      'Use W3C capability names in --capabilities: standard keys (browserName, browserVersion, platformName, ...) or vendor-prefixed ones (goog:chromeOptions, se:name).',
      { status: res.status, error: w.error ?? null },
    );
  }
  if (w.error === 'session not created' || w.error === 'timeout') {
    if (/timed? ?out|timeout/i.test(detail)) {
      return new BdgError('TIMEOUT', `The Grid at ${shown} found no free Chrome slot in time: ${detail}`, FREE_SLOT_HINT, {
        status: res.status,
        error: w.error,
      });
    }
    return new BdgError(
      'CHROME_LAUNCH_FAILED',
      `The Grid at ${shown} could not create a Chrome session: ${detail}`,
      'Check that a node with Chrome is registered (`curl <grid>/status`) and that --capabilities ask for what it offers (browserName chrome).',
      { status: res.status, error: w.error },
    );
  }
  if (res.status === 404 && w.error === undefined) {
    return new BdgError(
      'CDP_CONNECTION_FAILED',
      `${shown} is not a WebDriver endpoint (${what}: HTTP 404)`,
      "Give the Grid's base URL (http://host:4444; older set-ups use http://host:4444/wd/hub).",
      { status: 404 },
    );
  }
  return new BdgError('CDP_CONNECTION_FAILED', `The Grid at ${shown} failed ${what}: ${detail}`, "The Grid's own log says more.", {
    status: res.status,
    error: w.error ?? null,
  });
}

/**
 * POST /session with `capabilities` as alwaysMatch. Resolves with the session id and its `se:cdp` URL. A Grid
 * that queues the request until a slot frees is waited for up to `timeoutMs` (TIMEOUT with the free-slot hint).
 */
export async function createGridSession(grid: GridEndpoint, capabilities: Record<string, unknown>, timeoutMs: number): Promise<GridSessionInfo> {
  let res: HttpJsonResponse;
  try {
    res = await httpJson(endpoint(grid, 'session'), {
      method: 'POST',
      headers: grid.headers ?? {},
      body: { capabilities: { alwaysMatch: capabilities, firstMatch: [{}] } },
      timeoutMs,
    });
  } catch (err) {
    if (err instanceof BdgError && err.code === 'TIMEOUT') {
      throw new BdgError('TIMEOUT', `The Grid at ${displayUrl(grid.url)} gave no session within ${Math.round(timeoutMs / 1000)} s`, FREE_SLOT_HINT);
    }
    throw err;
  }
  if (res.status !== 200) throw gridError(res, grid, 'the new session');
  const value = (res.json as { value?: { sessionId?: unknown; capabilities?: Record<string, unknown> } } | undefined)?.value;
  const sessionId = value?.sessionId;
  if (typeof sessionId !== 'string' || sessionId === '') {
    throw new BdgError(
      'CDP_CONNECTION_FAILED',
      `The Grid at ${displayUrl(grid.url)} answered POST /session without a session id`,
      'Is this a Selenium Grid 4?',
    );
  }
  const cdpUrl = value?.capabilities?.['se:cdp'];
  if (typeof cdpUrl !== 'string' || !/^wss?:\/\//i.test(cdpUrl)) {
    // Not ours to keep: a session bdg cannot drive would hold a slot until the Grid reaps it.
    await deleteGridSession(grid, sessionId, 10_000).catch(() => undefined);
    throw new BdgError(
      'CDP_CONNECTION_FAILED',
      `The Grid at ${displayUrl(grid.url)} returned no se:cdp endpoint for the session`,
      'bdg needs Selenium Grid 4 with a Chromium-based browser (it proxies Chrome DevTools as se:cdp).',
    );
  }
  const version = value?.capabilities?.['browserVersion'];
  return { sessionId, cdpUrl, browserVersion: typeof version === 'string' ? version : null };
}

/** DELETE /session/{id}. A session the Grid no longer knows counts as deleted (false); true when it was deleted now. */
export async function deleteGridSession(grid: GridEndpoint, sessionId: string, timeoutMs: number): Promise<boolean> {
  const res = await httpJson(endpoint(grid, `session/${encodeURIComponent(sessionId)}`), { method: 'DELETE', headers: grid.headers ?? {}, timeoutMs });
  if (res.status === 200) return true;
  const w = wireError(res);
  if (res.status === 404 || w.error === 'invalid session id') return false;
  throw gridError(res, grid, `deleting session ${sessionId}`);
}

/**
 * GET /session/{id}/url: the cheapest WebDriver command, which resets the Grid's idle timer for the session
 * (CDP traffic through se:cdp does not). False when the Grid no longer knows the session.
 */
export async function touchGridSession(grid: GridEndpoint, sessionId: string, timeoutMs: number): Promise<boolean> {
  const res = await httpJson(endpoint(grid, `session/${encodeURIComponent(sessionId)}/url`), { headers: grid.headers ?? {}, timeoutMs });
  if (res.status === 200) return true;
  const w = wireError(res);
  if (res.status === 404 || w.error === 'invalid session id') return false;
  throw gridError(res, grid, 'the keep-alive');
}
