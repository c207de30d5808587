/**
 * Cookies of a request or response: from Chrome's extra-info events when it sent them (they say which cookies were
 * blocked and why), otherwise parsed from the `Cookie` / `Set-Cookie` headers.
 */
import type { Protocol } from 'devtools-protocol';
import type { NetworkCookie, NetworkRecord } from '../protocol/records.js';

/** A CDP cookie as a record cookie. */
export function fromCdpCookie(c: Protocol.Network.Cookie, blockedReasons?: readonly string[]): NetworkCookie {
  const out: NetworkCookie = { name: c.name, value: c.value };
  if (c.domain !== '') out.domain = c.domain;
  if (c.path !== '') out.path = c.path;
  // CDP gives -1 (or 0) for session cookies, seconds since the epoch otherwise.
  if (!c.session && Number.isFinite(c.expires) && c.expires > 0) out.expires = new Date(c.expires * 1000).toISOString();
  if (c.httpOnly) out.httpOnly = true;
  if (c.secure) out.secure = true;
  if (c.sameSite !== undefined) out.sameSite = c.sameSite;
  if (blockedReasons !== undefined && blockedReasons.length > 0) out.blockedReasons = [...blockedReasons];
  return out;
}

/** Cookies of a `Cookie` request header (`a=1; b=2`). */
export function parseCookieHeader(value: string): NetworkCookie[] {
  const out: NetworkCookie[] = [];
  for (const part of value.split(';')) {
    const pair = part.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    out.push(eq < 0 ? { name: '', value: pair } : { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() });
  }
  return out;
}

/** One `Set-Cookie` line (RFC 6265 §5.2, attribute names case-insensitive); undefined when it has no `=`. */
export function parseSetCookie(line: string): NetworkCookie | undefined {
  const [pair = '', ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq < 0) return undefined;
  const cookie: NetworkCookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
  let maxAge: number | undefined;
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : attr.slice(i + 1).trim();
    switch (key) {
      case 'domain':
        if (val !== '') cookie.domain = val;
        break;
      case 'path':
        if (val !== '') cookie.path = val;
        break;
      case 'expires': {
        const t = Date.parse(val);
        if (Number.isFinite(t)) cookie.expires = new Date(t).toISOString();
        break;
      }
      case 'max-age':
        if (/^-?\d+$/.test(val)) maxAge = Number(val);
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'secure':
        cookie.secure = true;
        break;
      case 'samesite':
        if (val !== '') cookie.sameSite = val[0]?.toUpperCase() + val.slice(1).toLowerCase();
        break;
      default:
        break;
    }
  }
  // Max-Age wins over Expires (RFC 6265 §5.3 step 3); relative to now, as a browser receiving it would.
  if (maxAge !== undefined) cookie.expires = new Date(Date.now() + maxAge * 1000).toISOString();
  return cookie;
}

/**
 * Cookies of a `Set-Cookie` header value as CDP reports it (several lines joined by `\n`), each marked with the
 * reasons Chrome refused it when `blocked` names its line.
 */
export function parseSetCookieHeader(value: string, blocked: readonly Protocol.Network.BlockedSetCookieWithReason[] = []): NetworkCookie[] {
  const out: NetworkCookie[] = [];
  for (const line of value.split('\n')) {
    if (line.trim() === '') continue;
    const cookie = parseSetCookie(line);
    if (cookie === undefined) continue;
    const b = blocked.find((x) => x.cookieLine === line);
    if (b !== undefined && b.blockedReasons.length > 0) cookie.blockedReasons = [...b.blockedReasons];
    out.push(cookie);
  }
  return out;
}

/** Value of header `name` (case-insensitive), if present. */
export function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const lower = name.toLowerCase();
  for (const k in headers) if (k.toLowerCase() === lower) return headers[k];
  return undefined;
}

/** Cookies a request carried (blocked ones included, marked), or those of its Cookie header. */
export function requestCookiesOf(r: Pick<NetworkRecord, 'requestCookies' | 'requestHeaders'>): NetworkCookie[] {
  if (r.requestCookies !== undefined) return r.requestCookies;
  const h = headerValue(r.requestHeaders, 'cookie');
  return h !== undefined ? parseCookieHeader(h) : [];
}

/** Cookies a response set, or those of its Set-Cookie header. */
export function responseCookiesOf(r: Pick<NetworkRecord, 'responseCookies' | 'responseHeaders'>): NetworkCookie[] {
  if (r.responseCookies !== undefined) return r.responseCookies;
  const h = headerValue(r.responseHeaders, 'set-cookie');
  return h !== undefined ? parseSetCookieHeader(h) : [];
}
