import type { Protocol } from 'devtools-protocol';
import { Buffer } from 'node:buffer';
import { isAbsolute } from 'node:path';
import type { ParamsOf, ResultOf } from '../../protocol/commands.js';
import { MAX_MOCK_BODY_BYTES } from '../../protocol/commands/network.js';
import type { NavigationRecord, NetworkListItem, NetworkRecord } from '../../protocol/records.js';
import { VERSION } from '../../protocol/version.js';
import { fromCdpCookie, requestCookiesOf, responseCookiesOf } from '../../telemetry/cookies.js';
import { parseNetworkFilter } from '../../telemetry/filter.js';
import { buildHar, writeHarFile, type Har } from '../../telemetry/har.js';
import { seqOfId as seqOf } from '../../telemetry/recordId.js';
import { sanitizeHar } from '../../telemetry/harSanitize.js';
import { guessContentType, parseHeaderLines } from '../../telemetry/interception.js';
import { orderRequests } from '../../telemetry/networkOrder.js';
import { notAWebSocket, webSocketFramesResult } from '../../telemetry/webSocket.js';
import { BdgError } from '../../util/errors.js';
import { normalizeUrl } from '../../util/url.js';
import type { FamilyCommands, HandlerContext, HandlerTable } from '../context.js';
import { waitForRequest } from '../telemetryWait.js';
import type { BrowserSession } from '../session.js';

/** Longest a HAR export spends fetching response bodies from Chrome before writing what it has. */
const HAR_BODY_DEADLINE_MS = 15_000;

export type { NetworkListItem } from '../../protocol/records.js';

/** A network record without the heavy parts (headers, cookies, bodies), for every listing: peek, tail, network list. */
export function listItem(r: NetworkRecord): NetworkListItem {
  const { requestHeaders: _a, responseHeaders: _b, body: _c, postData: _d, requestCookies: _e, responseCookies: _f, ...rest } = r;
  return rest;
}

/** Sequence number of a listing id (`n12` -> 12), for `--since`. */
export function parseSince(value: string | undefined, prefix: string): number | undefined {
  if (value === undefined) return undefined;
  const m = new RegExp(`^${prefix}?(\\d+)$`).exec(String(value));
  if (m === null) throw new BdgError('INVALID_ARGUMENTS', `--since needs an id such as ${prefix}12 (got "${String(value)}")`);
  return Number(m[1]);
}

function find(ctx: HandlerContext, id: string): NetworkRecord {
  const record = ctx.session.network.find(id);
  if (record === undefined) {
    throw new BdgError(
      'NOT_FOUND',
      `No network request with id "${id}"`,
      'Use an id that `bdg network list` prints (e.g. n3); old items may have been dropped from the buffer.',
    );
  }
  return record;
}

/** `--page current|all`, with `--current` as its older spelling; the two saying different things is an error. */
export function pageScope(params: { page?: 'current' | 'all'; current: boolean }): 'current' | 'all' {
  if (params.current && params.page === 'all')
    throw new BdgError(
      'INVALID_ARGUMENTS',
      '--current and --page all contradict each other',
      'Use one of them: --page current (same as --current) or --page all.',
    );
  return params.current ? 'current' : (params.page ?? 'all');
}

/** `--from JOURNAL` is read by the bdg CLI itself (no daemon needed); a request naming it here came from elsewhere. */
export function fromIsForTheCli(): BdgError {
  return new BdgError(
    'INVALID_ARGUMENTS',
    '--from is read by the bdg CLI, not by the daemon',
    'Run the command with the bdg CLI, which reads the journal file itself.',
  );
}

function list(ctx: HandlerContext, params: ParamsOf<'network.list'>): ResultOf<'network.list'> {
  if (params.from !== undefined) throw fromIsForTheCli();
  const s = ctx.session;
  const filter = parseNetworkFilter(params.filter ?? '');
  const since = parseSince(params.since, 'n');
  const page = pageScope(params);
  const current = page === 'current' ? s.network.navigation : undefined;
  const all = s.network.all();
  const matched = all.filter((r) => (since === undefined || seqOf(r.id) > since) && (current === undefined || r.navigation === current) && filter.matches(r));
  const nav = s.navigationAt(s.network.navigation);
  return {
    requests: orderRequests(matched, params.sort, params.last === 0 ? matched.length : params.last).map(listItem),
    matched: matched.length,
    sort: params.sort,
    page,
    filter: filter.terms,
    navigation: nav !== undefined ? { index: nav.index, url: nav.url } : null,
    latestId: all[all.length - 1]?.id ?? null,
    stats: { ...s.network.stats(), pending: s.network.pending() },
  };
}

/** The HAR of `records` as this session exports it (`network har`, `bundle`); not sanitized yet. */
export function sessionHar(s: BrowserSession, records: readonly NetworkRecord[], navigations: readonly NavigationRecord[]): Har {
  return buildHar({
    records,
    navigations,
    creator: { name: 'bdg', version: VERSION },
    browserProduct: s.browserVersion,
    webSocketFrames: (r) => s.network.webSockets.allOf(r.id),
  });
}

async function har(ctx: HandlerContext, params: ParamsOf<'network.har'>): Promise<ResultOf<'network.har'>> {
  if (params.from !== undefined) throw fromIsForTheCli();
  const s = ctx.session;
  const { file, bodies } = params;
  if (file === undefined || !isAbsolute(file)) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `network.har needs an absolute file path (got "${String(file)}")`,
      'The bdg CLI resolves FILE against its current directory; other clients must send an absolute path.',
    );
  }
  const filter = parseNetworkFilter(params.filter ?? '');
  const current = params.current ? s.network.navigation : undefined;
  let records = s.network.all().filter((r) => (current === undefined || r.navigation === current) && filter.matches(r));
  // Text bodies were fetched as their requests finished; the rest Chrome may still hold: fetch them now, bounded in time.
  if (bodies) await s.fetchBodiesOf(records, HAR_BODY_DEADLINE_MS);
  else records = records.map(({ body: _b, bodyUnavailable: _u, ...rest }) => rest);
  const navigations = current === undefined ? s.navigations : s.navigations.filter((n) => n.index === current);
  const doc = sessionHar(s, records, navigations);
  const redacted = params.includeSensitive ? 0 : sanitizeHar(doc);
  return writeHarFile(file, doc, { sanitized: !params.includeSensitive, redacted, dropped: s.network.stats().dropped });
}

function webSocketFrames(ctx: HandlerContext, params: ParamsOf<'network.ws'>): ResultOf<'network.ws'> {
  if (params.from !== undefined) throw fromIsForTheCli();
  const r = find(ctx, params.id);
  if (r.webSocket === undefined) throw notAWebSocket(r);
  const store = ctx.session.network.webSockets;
  const picked = store.frames(r.id, {
    ...(params.since !== undefined ? { since: params.since } : {}),
    last: params.last === 0 ? Number.MAX_SAFE_INTEGER : params.last,
  });
  return webSocketFramesResult({ ...r, webSocket: r.webSocket }, picked, store.lastSeq);
}

function headers(ctx: HandlerContext, params: ParamsOf<'network.headers'>): ResultOf<'network.headers'> {
  const r = find(ctx, params.id);
  return {
    id: r.id,
    requestId: r.requestId,
    method: r.method,
    url: r.url,
    state: r.state,
    status: r.status ?? null,
    statusText: r.statusText ?? null,
    requestHeaders: r.requestHeaders,
    responseHeaders: r.responseHeaders ?? null,
    requestCookies: requestCookiesOf(r),
    responseCookies: responseCookiesOf(r),
  };
}

async function cookies(ctx: HandlerContext, params: ParamsOf<'network.cookies'>, signal: AbortSignal): Promise<ResultOf<'network.cookies'>> {
  const s = ctx.session;
  const opts = { timeoutMs: 10_000, signal };
  if (params.all) {
    // Storage.getCookies is a browser-level command: every cookie of the (default) browser context.
    const r = await s.conn.send('Storage.getCookies', {}, opts);
    return { scope: 'all', url: null, cookies: r.cookies.map((c) => fromCdpCookie(c)) };
  }
  const url = params.url !== undefined ? normalizeUrl(params.url) : undefined;
  const r = await s.pageSend('Network.getCookies', url !== undefined ? { urls: [url] } : {}, opts);
  return { scope: url !== undefined ? 'url' : 'page', url: url ?? s.page.url, cookies: r.cookies.map((c) => fromCdpCookie(c)) };
}

/** The URL a cookie command is about: --url, else the page's (unless --domain says where). */
function cookieUrl(ctx: HandlerContext, url: string | undefined, domain: string | undefined): string | undefined {
  if (url !== undefined) return normalizeUrl(url);
  if (domain !== undefined) return undefined;
  const page = ctx.session.page.url;
  if (!/^https?:/.test(page))
    throw new BdgError('INVALID_ARGUMENTS', `The page (${page}) is not http(s): say where the cookie is for`, 'Pass --url https://host/ or --domain host.');
  return page;
}

async function cookieSet(ctx: HandlerContext, params: ParamsOf<'network.cookies.set'>, signal: AbortSignal): Promise<ResultOf<'network.cookies.set'>> {
  const url = cookieUrl(ctx, params.url, params.domain);
  const p: Protocol.Network.SetCookieRequest = { name: params.name, value: params.value, secure: params.secure, httpOnly: params.httpOnly };
  if (url !== undefined) p.url = url;
  if (params.domain !== undefined) p.domain = params.domain;
  p.path = params.path ?? '/';
  if (params.sameSite !== undefined) p.sameSite = params.sameSite;
  if (params.expires !== undefined) p.expires = params.expires;
  const r = await ctx.session.pageSend('Network.setCookie', p, { timeoutMs: 10_000, signal });
  if (!r.success)
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `Chrome refused the cookie "${params.name}"`,
      'A Secure or SameSite=None cookie needs an https URL; a domain must match the URL; names cannot hold ; or =.',
    );
  return { name: params.name, url: url ?? null, domain: params.domain ?? null, set: true };
}

async function cookieDelete(ctx: HandlerContext, params: ParamsOf<'network.cookies.delete'>, signal: AbortSignal): Promise<ResultOf<'network.cookies.delete'>> {
  const url = cookieUrl(ctx, params.url, params.domain);
  const opts = { timeoutMs: 10_000, signal };
  const matches = (c: Protocol.Network.Cookie): boolean =>
    c.name === params.name && (params.domain === undefined || c.domain === params.domain) && (params.path === undefined || c.path === params.path);
  const before = (await ctx.session.conn.send('Storage.getCookies', {}, opts)).cookies.filter(matches).length;
  const p: Protocol.Network.DeleteCookiesRequest = { name: params.name };
  if (url !== undefined) p.url = url;
  if (params.domain !== undefined) p.domain = params.domain;
  if (params.path !== undefined) p.path = params.path;
  await ctx.session.pageSend('Network.deleteCookies', p, opts);
  const after = (await ctx.session.conn.send('Storage.getCookies', {}, opts)).cookies.filter(matches).length;
  return { name: params.name, url: url ?? null, domain: params.domain ?? null, deleted: Math.max(0, before - after) };
}

async function mock(ctx: HandlerContext, params: ParamsOf<'network.mock'>): Promise<ResultOf<'network.mock'>> {
  // The daemon reads no files a request names: the CLI reads --file and sends its content as a base64 body.
  if (params.file !== undefined && params.body === undefined)
    throw new BdgError(
      'INVALID_ARGUMENTS',
      'network.mock: the daemon does not read files; send the content as body (base64: true)',
      'The bdg CLI reads --file itself; other clients send the bytes.',
    );
  let body: Buffer;
  if (params.body === undefined) body = Buffer.alloc(0);
  else if (params.base64) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(params.body.replace(/\s+/g, '')))
      throw new BdgError('INVALID_ARGUMENTS', '--body is not valid base64 (--base64 was given)');
    body = Buffer.from(params.body, 'base64');
  } else body = Buffer.from(params.body, 'utf8');
  if (body.length > MAX_MOCK_BODY_BYTES)
    throw new BdgError('INVALID_ARGUMENTS', `The mock body is larger than ${MAX_MOCK_BODY_BYTES / 1024} KB (${body.length} bytes)`);
  const headers = parseHeaderLines(params.header);
  if (!headers.some((h) => h.name.toLowerCase() === 'content-type') && body.length > 0)
    headers.push({ name: 'Content-Type', value: guessContentType(body, params.file) });
  return ctx.session.interception.add({
    action: 'mock',
    pattern: params.pattern,
    method: params.method,
    times: params.times,
    response: { status: params.status, headers, body },
  });
}

function mocks(ctx: HandlerContext): ResultOf<'network.mocks'> {
  const i = ctx.session.interception;
  return { rules: i.list(), intercepting: i.intercepting, patterns: i.patternCount };
}

async function unmock(ctx: HandlerContext, params: ParamsOf<'network.unmock'>): Promise<ResultOf<'network.unmock'>> {
  const i = ctx.session.interception;
  const removed = await i.remove(params.id, params.all);
  return { removed, rules: i.list(), intercepting: i.intercepting };
}

async function throttle(ctx: HandlerContext, params: ParamsOf<'network.throttle'>): Promise<ResultOf<'network.throttle'>> {
  const t = ctx.session.throttle;
  const changed = await t.set({ preset: params.preset, download: params.download, upload: params.upload, latency: params.latency });
  return { throttle: t.state, changed };
}

async function networkWait(ctx: HandlerContext, params: ParamsOf<'network.wait'>, signal: AbortSignal): Promise<ResultOf<'network.wait'>> {
  const filter = parseNetworkFilter(params.filter);
  if (filter.terms.length === 0)
    throw new BdgError('INVALID_ARGUMENTS', 'network wait needs filter terms', 'For example: bdg network wait "/api/orders status-code:2xx"');
  const started = Date.now();
  const record = await waitForRequest(ctx.session, filter, {
    timeoutMs: Math.round(params.timeout * 1000),
    signal,
    since: parseSince(params.since, 'n'),
    what: `a request matching "${params.filter}" to finish`,
  }).promise;
  const waitedMs = Date.now() - started;
  // Shown like `details network`: with its bodies, within the command's budget.
  const body = await ctx.session.fetchBody(record, signal).catch(() => undefined);
  await ctx.session.fetchPostData(record, signal).catch(() => undefined);
  if (body === undefined || record.body !== undefined) return { item: record, waitedMs };
  const { bodyUnavailable: _dropped, ...rest } = record;
  return { item: { ...rest, body }, waitedMs };
}

export const NETWORK_HANDLERS: HandlerTable<FamilyCommands<'network'>> = {
  'network.list': list,
  'network.har': har,
  'network.headers': headers,
  'network.cookies': cookies,
  'network.cookies.set': cookieSet,
  'network.cookies.delete': cookieDelete,
  'network.ws': webSocketFrames,
  'network.mock': mock,
  'network.block': (ctx, params) => ctx.session.interception.add({ action: 'block', pattern: params.pattern, method: params.method, times: params.times }),
  'network.mocks': mocks,
  'network.unmock': unmock,
  'network.throttle': throttle,
  'network.wait': networkWait,
};
