/**
 * Builds a HAR 1.2 log (http://www.softwareishard.com/blog/har-12-spec/) from network records, shaped like
 * Chrome DevTools' own export so DevTools and other HAR viewers import it: one page per main-frame navigation,
 * DevTools' timing breakdown, `_resourceType` / `_initiator` / `_priority` extensions, bodies as text or base64.
 */
import {
  bodyUnavailableText,
  timingsObject,
  type NavigationRecord,
  type NetworkCookie,
  type NetworkRecord,
  type NetworkTimings,
  type WebSocketFrame,
} from '../protocol/records.js';
import type { HarResult } from '../protocol/commands/network.js';
import { writeFileAtomic } from '../util/fsx.js';
import { headerValue, requestCookiesOf, responseCookiesOf } from './cookies.js';

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: string;
  _blockedReasons?: string[];
}

export interface HarPostData {
  mimeType: string;
  text: string;
  params?: HarNameValue[];
}

export interface HarContent {
  size: number;
  compression?: number;
  mimeType: string;
  text?: string;
  encoding?: string;
  comment?: string;
}

export interface HarRequest {
  method: string;
  url: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  queryString: HarNameValue[];
  postData?: HarPostData;
  headersSize: number;
  bodySize: number;
}

export interface HarResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  content: HarContent;
  redirectURL: string;
  headersSize: number;
  bodySize: number;
  _transferSize: number;
  _error: string | null;
}

export interface HarEntry {
  pageref?: string;
  startedDateTime: string;
  time: number;
  request: HarRequest;
  response: HarResponse;
  cache: Record<string, never>;
  timings: NetworkTimings;
  serverIPAddress?: string;
  _resourceType: string;
  _initiator?: { type: string; url?: string; lineNumber?: number };
  _priority?: string;
  _fromCache?: string;
  _bdgId: string;
  _state: NetworkRecord['state'];
  /** Answered by a `network mock` rule or failed by a `network block` rule: the rule's id. */
  _bdg?: { mocked?: string; blocked?: string };
  /** WebSocket entries: the frames kept, as DevTools exports them (time in epoch seconds, data text or base64). */
  _webSocketMessages?: HarWebSocketMessage[];
}

export interface HarWebSocketMessage {
  type: WebSocketFrame['type'];
  time: number;
  opcode: number;
  data: string;
}

export interface HarPage {
  startedDateTime: string;
  id: string;
  title: string;
  pageTimings: { onContentLoad: number; onLoad: number };
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    browser?: { name: string; version: string };
    pages: HarPage[];
    entries: HarEntry[];
    comment?: string;
  };
}

/** What {@link buildHar} needs. */
export interface HarInput {
  records: readonly NetworkRecord[];
  navigations: readonly NavigationRecord[];
  creator: { name: string; version: string };
  /** Chrome's product string (`HeadlessChrome/124.0.6367.60`), if known. */
  browserProduct?: string | undefined;
  /** The kept frames of a WebSocket record, oldest first. */
  webSocketFrames?: (record: NetworkRecord) => readonly WebSocketFrame[];
}

/** Builds the HAR document. Pure: bodies must already be on the records. */
export function buildHar(input: HarInput): Har {
  const pages = input.navigations.map(toPage);
  const pageIds = new Set(pages.map((p) => p.id));
  const entries = [...input.records]
    .sort((a, b) => a.startedAt - b.startedAt)
    .map((r) => {
      const entry = toEntry(r);
      if (r.webSocket !== undefined) entry._webSocketMessages = (input.webSocketFrames?.(r) ?? []).map(toMessage);
      const pageref = `page_${r.navigation}`;
      return pageIds.has(pageref) ? { pageref, ...entry } : entry;
    });
  const log: Har['log'] = { version: '1.2', creator: { ...input.creator }, pages, entries };
  const browser = parseProduct(input.browserProduct);
  if (browser !== undefined) log.browser = browser;
  return { log };
}

/** HAR wants the redirect target as an absolute URL; Location may be relative to the request's URL. */
function absoluteUrl(location: string | undefined, base: string): string {
  if (location === undefined || location === '') return '';
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

function toMessage(f: WebSocketFrame): HarWebSocketMessage {
  return { type: f.type, time: f.time / 1000, opcode: f.opcode, data: f.data };
}

function toPage(n: NavigationRecord): HarPage {
  return {
    startedDateTime: new Date(n.timestamp).toISOString(),
    id: `page_${n.index}`,
    title: n.title ?? n.url,
    pageTimings: {
      onContentLoad: n.domContentLoadedAt !== undefined ? Math.max(0, n.domContentLoadedAt - n.timestamp) : -1,
      onLoad: n.loadedAt !== undefined ? Math.max(0, n.loadedAt - n.timestamp) : -1,
    },
  };
}

const NO_TIMINGS: NetworkTimings = { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 };

function toEntry(r: NetworkRecord): HarEntry {
  const timings = r.timing ?? NO_TIMINGS;
  // `ssl` lies within `connect`: not counted twice (HAR 1.2, and DevTools).
  const time = [timings.blocked, timings.dns, timings.connect, timings.send, timings.wait, timings.receive].reduce((sum, t) => sum + Math.max(0, t), 0);
  const entry: HarEntry = {
    startedDateTime: new Date(r.startedAt).toISOString(),
    time: round3(time),
    request: toRequest(r),
    response: toResponse(r),
    cache: {},
    timings: timingsObject(timings),
    _resourceType: (r.resourceType ?? 'other').toLowerCase(),
    _bdgId: r.id,
    _state: r.state,
  };
  const ip = serverIp(r.remoteAddress);
  if (ip !== undefined) entry.serverIPAddress = ip;
  if (r.initiator !== undefined) entry._initiator = { ...r.initiator };
  if (r.priority !== undefined) entry._priority = r.priority;
  if (r.cacheSource !== undefined) entry._fromCache = r.cacheSource;
  if (r.intercepted !== undefined) entry._bdg = { [r.intercepted.action]: r.intercepted.rule };
  return entry;
}

function toRequest(r: NetworkRecord): HarRequest {
  const req: HarRequest = {
    method: r.method,
    // DevTools leaves the fragment out: it never goes on the wire.
    url: r.url.split('#')[0] ?? r.url,
    httpVersion: httpVersion(r.protocol),
    cookies: requestCookiesOf(r)
      .filter((c) => c.blockedReasons === undefined)
      .map(toHarCookie),
    headers: toHarHeaders(r.requestHeaders),
    queryString: queryString(r.url),
    headersSize: -1,
    bodySize: r.postData !== undefined ? Buffer.byteLength(r.postData) : 0,
  };
  if (r.postData !== undefined) {
    const mimeType = headerValue(r.requestHeaders, 'content-type') ?? '';
    const postData: HarPostData = { mimeType, text: r.postData };
    if (/^application\/x-www-form-urlencoded/i.test(mimeType)) postData.params = [...new URLSearchParams(r.postData)].map(([name, value]) => ({ name, value }));
    req.postData = postData;
  }
  return req;
}

function toResponse(r: NetworkRecord): HarResponse {
  const headers = r.responseHeaders;
  const headersSize = r.responseHeadersSize ?? -1;
  const cached = r.fromCache === true || r.status === 304;
  const bodySize = cached ? 0 : headersSize >= 0 && r.encodedDataLength !== undefined ? Math.max(0, r.encodedDataLength - headersSize) : -1;
  const content: HarContent = { size: r.decodedBodyLength ?? r.body?.size ?? 0, mimeType: r.mimeType ?? 'x-unknown' };
  // Bytes saved by content encoding; chunked framing can make the wire body larger, which saves nothing.
  if (bodySize >= 0 && !cached && r.status !== 206 && content.size > bodySize) content.compression = content.size - bodySize;
  if (r.body !== undefined) {
    content.text = r.body.data;
    if (r.body.base64) content.encoding = 'base64';
    if (r.body.truncated) content.comment = `truncated to ${r.body.data.length} ${r.body.base64 ? 'base64 characters' : 'characters'} by --max-body-size`;
  } else if (r.bodyUnavailable !== undefined) content.comment = bodyUnavailableText(r.bodyUnavailable);
  return {
    status: r.status ?? 0,
    statusText: r.statusText ?? '',
    httpVersion: r.status !== undefined ? httpVersion(r.protocol) : '',
    cookies: responseCookiesOf(r).map(toHarCookie),
    headers: toHarHeaders(headers),
    content,
    redirectURL: absoluteUrl(headerValue(headers, 'location'), r.url),
    headersSize,
    bodySize,
    _transferSize: r.encodedDataLength ?? 0,
    _error: r.errorText ?? (r.blockedReason !== undefined ? `blocked: ${r.blockedReason}` : null),
  };
}

/** CDP joins repeated headers (Set-Cookie) with newlines; HAR lists each one. */
function toHarHeaders(h: Record<string, string> | undefined): HarNameValue[] {
  if (h === undefined) return [];
  const out: HarNameValue[] = [];
  for (const [name, value] of Object.entries(h)) for (const line of value.split('\n')) out.push({ name, value: line });
  return out;
}

function toHarCookie(c: NetworkCookie): HarCookie {
  const out: HarCookie = { name: c.name, value: c.value };
  if (c.path !== undefined) out.path = c.path;
  if (c.domain !== undefined) out.domain = c.domain;
  if (c.expires !== undefined) out.expires = c.expires;
  if (c.httpOnly !== undefined) out.httpOnly = c.httpOnly;
  if (c.secure !== undefined) out.secure = c.secure;
  if (c.sameSite !== undefined) out.sameSite = c.sameSite;
  if (c.blockedReasons !== undefined) out._blockedReasons = [...c.blockedReasons];
  return out;
}

function queryString(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/** HTTP version as HAR viewers expect it, from CDP's ALPN-style protocol (`http/1.1`, `h2`, `h3`). */
function httpVersion(protocol: string | undefined): string {
  switch (protocol?.toLowerCase()) {
    case undefined:
    case '':
      return 'HTTP/1.1';
    case 'h2':
      return 'HTTP/2.0';
    case 'h3':
    case 'h3-29':
    case 'quic':
      return 'HTTP/3.0';
    default:
      return /^http\//i.test(protocol ?? '') ? (protocol as string).toUpperCase() : (protocol as string);
  }
}

/** `127.0.0.1:3000` -> `127.0.0.1`, `[::1]:3000` -> `::1` (HAR wants the bare address). */
function serverIp(remote: string | undefined): string | undefined {
  if (remote === undefined || remote === '') return undefined;
  const v6 = /^\[([^\]]+)\]/.exec(remote);
  if (v6 !== null) return v6[1];
  const colon = remote.lastIndexOf(':');
  return colon > 0 && remote.indexOf(':') === colon ? remote.slice(0, colon) : remote;
}

function parseProduct(product: string | undefined): { name: string; version: string } | undefined {
  if (product === undefined || product === '') return undefined;
  const slash = product.indexOf('/');
  return slash < 0 ? { name: product, version: '' } : { name: product.slice(0, slash), version: product.slice(slash + 1) };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * Writes a HAR atomically (mode 0600; a failure is a BdgError naming the file and the cause, nothing partial left)
 * and says what is in it: the answer of `network har`, from a live session or a journal alike.
 */
export async function writeHarFile(file: string, doc: Har, info: { sanitized: boolean; redacted: number; dropped: number }): Promise<HarResult> {
  const text = JSON.stringify(doc, null, 2);
  await writeFileAtomic(file, text);
  const entries = doc.log.entries;
  return {
    file,
    entries: entries.length,
    pages: doc.log.pages.length,
    bytes: Buffer.byteLength(text),
    withBodies: entries.filter((e) => e.response.content.text !== undefined).length,
    pending: entries.filter((e) => e._state === 'pending' && e._webSocketMessages === undefined).length,
    dropped: info.dropped,
    sanitized: info.sanitized,
    redacted: info.redacted,
  };
}
