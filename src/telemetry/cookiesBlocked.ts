/**
 * Cookies Chrome blocked (or let through by an exemption) on a request, from its extra-info events:
 * `responseReceivedExtraInfo.blockedCookies` (a Set-Cookie Chrome did not store), `.exemptedCookies`, and
 * `requestWillBeSentExtraInfo.associatedCookies` with `blockedReasons` (a stored cookie left out of the request) or
 * an `exemptionReason`. Names and reasons only, never values; at most {@link MAX_BLOCKED_COOKIES} per request, the
 * rest counted. Cookies `document.cookie` could not set involve no request: the Chrome Issues (issues.ts) have those.
 */
import type { Protocol } from 'devtools-protocol';
import type { BlockedCookie, ExemptedCookie, NetworkRecord } from '../protocol/records.js';

/** Most blocked (and, separately, exempted) cookies kept per request. */
export const MAX_BLOCKED_COOKIES = 50;
/** Longest cookie name kept. */
const MAX_NAME_CHARS = 200;

/**
 * Reasons saying a stored cookie does not apply to the request's URL, not that it was blocked: a page has dozens of
 * these (every cookie of another path or domain), and none explains a missing cookie.
 */
const NOT_APPLICABLE = new Set(['DomainMismatch', 'PathMismatch', 'NotOnPath']);

type Cookies = Pick<NetworkRecord, 'blockedCookies' | 'blockedCookiesOmitted' | 'exemptedCookies'>;

/** `value` when it is an array (events are Chrome's, not checked by types), else none. */
function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [];
}

function strings(value: readonly unknown[] | undefined): string[] {
  return listOf(value).filter((r): r is string => typeof r === 'string');
}

function clipName(name: string): string {
  return name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name;
}

/** The name of a Set-Cookie line (`a=1; Path=/` -> `a`); empty when it has no `=`. */
export function cookieLineName(line: string): string {
  const pair = line.split(';', 1)[0] ?? '';
  const eq = pair.indexOf('=');
  return eq < 0 ? '' : pair.slice(0, eq).trim();
}

/** Adds `cookie` once (same name, kind and reasons), keeping at most {@link MAX_BLOCKED_COOKIES} and counting the rest. */
function addBlocked(record: Cookies, cookie: BlockedCookie): void {
  const list = (record.blockedCookies ??= []);
  const same = (c: BlockedCookie): boolean => c.name === cookie.name && c.kind === cookie.kind && c.reasons.join() === cookie.reasons.join();
  if (list.some(same)) return;
  if (list.length < MAX_BLOCKED_COOKIES) list.push(cookie);
  else record.blockedCookiesOmitted = (record.blockedCookiesOmitted ?? 0) + 1;
}

function addExempted(record: Cookies, cookie: ExemptedCookie): void {
  const list = (record.exemptedCookies ??= []);
  if (list.length >= MAX_BLOCKED_COOKIES || list.some((c) => c.name === cookie.name && c.kind === cookie.kind)) return;
  list.push(cookie);
}

/** Notes the cookies of `requestWillBeSentExtraInfo` that Chrome left out of the request, or sent by an exemption. */
export function noteRequestCookies(record: Cookies, associated: readonly Protocol.Network.AssociatedCookie[] | undefined): void {
  for (const a of listOf(associated)) {
    const name = clipName(typeof a.cookie?.name === 'string' ? a.cookie.name : '');
    const reasons = strings(a.blockedReasons);
    if (reasons.length > 0) {
      if (!reasons.some((r) => NOT_APPLICABLE.has(r))) addBlocked(record, { name, kind: 'not-sent', reasons: [...reasons] });
    } else if (typeof a.exemptionReason === 'string' && a.exemptionReason !== 'None') {
      addExempted(record, { name, kind: 'sent', reason: a.exemptionReason });
    }
  }
  tidy(record);
}

/** Notes the Set-Cookies of `responseReceivedExtraInfo` that Chrome did not store, or stored by an exemption. */
export function noteResponseCookies(
  record: Cookies,
  blocked: readonly Protocol.Network.BlockedSetCookieWithReason[] | undefined,
  exempted: readonly Protocol.Network.ExemptedSetCookieWithReason[] | undefined,
): void {
  for (const b of listOf(blocked)) {
    const reasons = strings(b.blockedReasons);
    if (reasons.length === 0) continue;
    const name = clipName(b.cookie?.name ?? cookieLineName(typeof b.cookieLine === 'string' ? b.cookieLine : ''));
    addBlocked(record, { name, kind: 'set-rejected', reasons: [...reasons] });
  }
  for (const x of listOf(exempted)) {
    if (typeof x.exemptionReason !== 'string' || x.exemptionReason === 'None') continue;
    const name = clipName(x.cookie?.name ?? cookieLineName(typeof x.cookieLine === 'string' ? x.cookieLine : ''));
    addExempted(record, { name, kind: 'set', reason: x.exemptionReason });
  }
  tidy(record);
}

/** Empty lists are left out of the record (absent means none). */
function tidy(record: Cookies): void {
  if (record.blockedCookies?.length === 0) delete record.blockedCookies;
  if (record.exemptedCookies?.length === 0) delete record.exemptedCookies;
}

/**
 * Whether a request has a blocked cookie whose name, reason or kind matches `pattern` (whole, case-insensitive,
 * `*` any run of characters; `*` alone: any blocked cookie). Omitted cookies count for `*` only.
 */
export function hasBlockedCookie(record: Cookies, pattern: RegExp, any: boolean): boolean {
  if (any) return (record.blockedCookies?.length ?? 0) + (record.blockedCookiesOmitted ?? 0) > 0;
  return (record.blockedCookies ?? []).some((c) => pattern.test(c.name) || pattern.test(c.kind) || c.reasons.some((r) => pattern.test(r)));
}
