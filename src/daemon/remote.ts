/**
 * Connecting to a browser bdg did not launch (`--chrome-ws-url`, the `se:cdp` endpoint of a Grid session):
 * ws:// or wss://, the `--cdp-header` headers on every request, and a stale browser URL re-resolved from
 * `/json/version` instead of failing.
 */
import { fetchBrowserWsUrl, jsonVersionUrl, refusedError, resolveBrowserWsUrl } from '../cdp/chrome.js';
import { HandshakeError, WebSocketTransport } from '../cdp/transport.js';
import { REMOTE_SECRETS_ENV, type RemoteSecrets } from '../protocol/messages.js';
import { BdgError } from '../util/errors.js';
import { displayUrl, transportFailure, type HeaderMap } from '../util/http.js';

/**
 * The secrets the CLI handed over in the environment (header values, real URLs, capabilities), removed from the
 * environment at once so that nothing the daemon might start inherits them.
 */
export function takeRemoteSecrets(env: NodeJS.ProcessEnv = process.env): RemoteSecrets {
  const raw = env[REMOTE_SECRETS_ENV];
  delete env[REMOTE_SECRETS_ENV];
  if (raw === undefined || raw === '') return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

export interface RemoteConnection {
  transport: WebSocketTransport;
  /** The browser WebSocket URL connected to. */
  wsUrl: string;
  /** What happened on the way that the user should hear about (a stale URL re-resolved). */
  notes: string[];
}

const CONNECT_TIMEOUT_MS = 5_000;

/** A failed WebSocket connect as a BdgError: 401/403 name --cdp-header, a TLS failure NODE_EXTRA_CA_CERTS. */
function connectError(wsUrl: string, err: unknown): BdgError {
  if (err instanceof HandshakeError && (err.status === 401 || err.status === 403)) return refusedError(displayUrl(wsUrl), err.status);
  if (err instanceof HandshakeError) {
    return new BdgError(
      'CDP_CONNECTION_FAILED',
      `Cannot connect to ${displayUrl(wsUrl)}: ${err.message}`,
      'Check that Chrome is running with --remote-debugging-port and the URL is right.',
      {
        status: err.status,
      },
    );
  }
  const failure = transportFailure(err, displayUrl(wsUrl));
  return new BdgError(
    'CDP_CONNECTION_FAILED',
    failure.message.replace(/^Cannot reach /, 'Cannot connect to '),
    failure.hint?.includes('NODE_EXTRA_CA_CERTS') === true ? failure.hint : 'Check that Chrome is running with --remote-debugging-port and the URL is right.',
    failure.data,
  );
}

/**
 * Resolves and connects. `input` is what --chrome-ws-url said (host:port, http(s) URL or ws(s) URL). A ws(s) URL
 * naming a browser that is gone (Chrome answers 404 for an unknown browser id: it restarted since the URL was
 * copied) is re-resolved once from `/json/version` on the same host and port, and a note says so.
 */
export async function connectRemote(input: string, headers: HeaderMap): Promise<RemoteConnection> {
  const wsUrl = await resolveBrowserWsUrl(input, { timeoutMs: CONNECT_TIMEOUT_MS, headers });
  try {
    return { transport: await WebSocketTransport.connect(wsUrl, { timeoutMs: CONNECT_TIMEOUT_MS, headers }), wsUrl, notes: [] };
  } catch (err) {
    const stale = err instanceof HandshakeError && err.status === 404 && /^wss?:\/\//i.test(input.trim());
    if (!stale) throw connectError(wsUrl, err);
    return reresolve(input, headers, `The WebSocket URL ${displayUrl(wsUrl)} is stale (HTTP 404: that browser is gone, e.g. it restarted)`);
  }
}

/**
 * Asks `/json/version` where the browser is now and connects there; `why` starts the note. Used at start for a
 * stale ws URL and when the connection to an attached browser is lost.
 */
export async function reresolve(input: string, headers: HeaderMap, why: string): Promise<RemoteConnection> {
  const versionUrl = jsonVersionUrl(input);
  let fresh: string;
  try {
    fresh = await fetchBrowserWsUrl(versionUrl, { timeoutMs: CONNECT_TIMEOUT_MS, headers });
  } catch (err) {
    const e = err instanceof BdgError ? err : connectError(input, err);
    throw new BdgError(e.code, `${why}, and re-resolving it failed: ${e.message}`, e.hint, e.data);
  }
  let transport: WebSocketTransport;
  try {
    transport = await WebSocketTransport.connect(fresh, { timeoutMs: CONNECT_TIMEOUT_MS, headers });
  } catch (err) {
    const e = connectError(fresh, err);
    throw new BdgError(e.code, `${why}; ${displayUrl(versionUrl.href)} named ${displayUrl(fresh)}, but: ${e.message}`, e.hint, e.data);
  }
  return { transport, wsUrl: fresh, notes: [`${why}; re-resolved from ${displayUrl(versionUrl.href)} to ${displayUrl(fresh)}.`] };
}
