/**
 * Small HTTP(S) JSON requests for the remote-browser endpoints (`/json/version`, a Selenium Grid's WebDriver API),
 * through node:http and node:https rather than fetch: a `Host` header given with --cdp-header must reach the wire
 * as given (fetch treats Host as its own), and both honour NODE_EXTRA_CA_CERTS for a private CA.
 */
import type { IncomingMessage } from 'node:http';
import { BdgError } from './errors.js';

/** Request headers by name, as the user gave them (`--cdp-header`). Values are secrets: never print them. */
export type HeaderMap = Record<string, string>;

/** At most this many `--cdp-header` options, and this many bytes in one. */
export const HEADER_LIMITS = { count: 32, bytes: 8192 } as const;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the WebSocket handshake sets itself; a second copy would break it. */
const RESERVED = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'content-length']);

/**
 * Parses `--cdp-header "Name: value"` options. Errors name the header (or its position), never its value, which
 * is usually a credential.
 */
export function parseHeaders(lines: readonly string[]): HeaderMap {
  if (lines.length > HEADER_LIMITS.count) {
    throw new BdgError('INVALID_ARGUMENTS', `At most ${HEADER_LIMITS.count} --cdp-header options are accepted (got ${lines.length})`);
  }
  const out: HeaderMap = {};
  const seen = new Map<string, string>();
  lines.forEach((line, i) => {
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim();
    const value = colon === -1 ? '' : line.slice(colon + 1).trim();
    const which = name !== '' && TOKEN.test(name) ? `--cdp-header ${name}` : `--cdp-header number ${i + 1}`;
    if (colon === -1 || !TOKEN.test(name)) {
      throw new BdgError('INVALID_ARGUMENTS', `${which} is not of the form "Name: value"`, 'For example: --cdp-header "Authorization: Bearer $TOKEN".');
    }
    if (/[\r\n\0]/.test(value)) throw new BdgError('INVALID_ARGUMENTS', `${which} contains a line break or NUL`, 'A header value is one line of text.');
    if (Buffer.byteLength(line) > HEADER_LIMITS.bytes) throw new BdgError('INVALID_ARGUMENTS', `${which} is longer than ${HEADER_LIMITS.bytes} bytes`);
    const lower = name.toLowerCase();
    if (RESERVED.has(lower))
      throw new BdgError('INVALID_ARGUMENTS', `${which}: bdg sets ${name} itself`, 'Leave it out; the WebSocket handshake needs its own.');
    if (seen.has(lower)) throw new BdgError('INVALID_ARGUMENTS', `--cdp-header ${name} is given twice`, 'Give each header once.');
    seen.set(lower, name);
    out[name] = value;
  });
  return out;
}

/** The names of the headers, for status and logs (the values stay secret). */
export function headerNames(headers: HeaderMap | undefined): string[] {
  return Object.keys(headers ?? {});
}

/**
 * A URL as it may be shown: no password, query values replaced by `***` (services put tokens there, as in
 * `wss://host/?token=...`).
 */
export function displayUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw.replace(/\/\/[^/@]*@/, '//***@');
  }
  if (url.password !== '') url.password = '***';
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, '***');
  return url.href;
}

export interface HttpJsonOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: HeaderMap;
  /** Sent as JSON (`application/json; charset=utf-8`, which a Selenium Grid insists on). */
  body?: unknown;
  timeoutMs: number;
  /** Largest response read; the rest is cut and the parse fails (default 4 MiB). */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface HttpJsonResponse {
  status: number;
  /** The parsed body; undefined when it was not JSON. */
  json: unknown;
  text: string;
}

/** Why a request failed before any answer, in words (`connection refused`, the TLS verdict), and a hint. */
export function transportFailure(err: unknown, what: string): BdgError {
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? '';
  const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code) || /certificate/i.test(e.message ?? '');
  const hint = tls
    ? "The server's TLS certificate is not trusted: add the CA that signed it to NODE_EXTRA_CA_CERTS (a PEM file) in the environment of bdg."
    : code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNRESET'
      ? 'Check the host and port, and that the service is running and reachable from here.'
      : 'Check the URL and that the service is running; the daemon log has details.';
  return new BdgError(
    'CDP_CONNECTION_FAILED',
    `Cannot reach ${what}: ${e.message ?? String(err)}${code !== '' && !(e.message ?? '').includes(code) ? ` (${code})` : ''}`,
    hint,
    {
      ...(code !== '' ? { errno: code } : {}),
    },
  );
}

/**
 * One HTTP(S) request with a JSON answer, bounded in time and size. Resolves with any status (the caller decides
 * what a 404 means); rejects only when there is no answer (a BdgError from transportFailure, TIMEOUT past
 * `timeoutMs`). The URL's user and password, if any, become Basic authorization.
 */
export function httpJson(url: URL, opts: HttpJsonOptions): Promise<HttpJsonResponse> {
  const body = opts.body !== undefined ? Buffer.from(JSON.stringify(opts.body), 'utf8') : undefined;
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    headers['Content-Length'] = String(body.length);
  }
  const maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
  // Loaded on first use: node:https brings TLS and crypto, which cost every CLI command's start-up (this module is
  // on it, for the Grid clean-up) though few ever send a request.
  const send = url.protocol === 'https:' ? process.getBuiltinModule('node:https').request : process.getBuiltinModule('node:http').request;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const req = send(url, { method: opts.method ?? 'GET', headers });
    const timer = setTimeout(() => {
      finish(() =>
        reject(new BdgError('TIMEOUT', `${opts.method ?? 'GET'} ${displayUrl(url.href)} did not answer within ${Math.round(opts.timeoutMs / 1000)} s`)),
      );
      req.destroy();
    }, opts.timeoutMs);
    const onAbort = (): void => {
      finish(() => reject(new BdgError('INTERRUPTED', `${opts.method ?? 'GET'} ${displayUrl(url.href)} was cancelled`)));
      req.destroy();
    };
    if (opts.signal?.aborted === true) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(() => reject(transportFailure(err, displayUrl(url.origin)))));
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= maxBytes) return;
        size += chunk.length;
        chunks.push(chunk);
      });
      res.on('error', (err) => finish(() => reject(transportFailure(err, displayUrl(url.origin)))));
      res.on('end', () => {
        const text = Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        finish(() => resolve({ status: res.statusCode ?? 0, json, text }));
      });
    });
    req.end(body);
  });
}
