/**
 * Request interception rules (`network mock`, `network block`) as pure data: what a rule's target means, which
 * Fetch.enable patterns the rules need, and which rule (if any) answers a paused request. The daemon module
 * (daemon/interception.ts) owns the Fetch domain and the rule list; this file has no I/O.
 *
 * A target is a URL pattern or `resource-type:script,image`. In a URL pattern `*` is any run of characters and
 * nothing else is special (`?` is the query's `?`); a pattern with a `*` must match the whole URL (without its
 * fragment), one without matches any URL that contains it.
 */
import type { Protocol } from 'devtools-protocol';
import { BdgError } from '../util/errors.js';

/** CDP Network.ResourceType values, as Fetch patterns take them. */
export const INTERCEPT_RESOURCE_TYPES = [
  'Document',
  'Stylesheet',
  'Image',
  'Media',
  'Font',
  'Script',
  'TextTrack',
  'XHR',
  'Fetch',
  'Prefetch',
  'EventSource',
  'Manifest',
  'SignedExchange',
  'Ping',
  'CSPViolationReport',
  'Preflight',
  'Other',
] as const satisfies readonly Protocol.Network.ResourceType[];

/** Longest URL pattern a rule takes. */
export const MAX_PATTERN_LENGTH = 2048;

/** What a rule intercepts: a URL glob (as a regex and as Chrome's pattern), or resource types. */
export interface InterceptTarget {
  /** As the user wrote it. */
  text: string;
  /** URL rules: the whole-URL regex the glob stands for. */
  url?: RegExp;
  /** URL rules: Chrome's urlPattern for it (`*` and `?` wildcards, `\` escapes). */
  fetchPattern?: string;
  /** `resource-type:` rules: the CDP resource types. */
  resourceTypes?: Protocol.Network.ResourceType[];
}

/** Parses a rule's target; an empty one, an unknown resource type or an overlong pattern is a user error. */
export function parseTarget(text: string): InterceptTarget {
  const t = text.trim();
  if (t === '') throw new BdgError('INVALID_ARGUMENTS', 'The URL pattern is empty', 'Give a URL pattern such as "*/api/users*" or "resource-type:image".');
  if (t.length > MAX_PATTERN_LENGTH) throw new BdgError('INVALID_ARGUMENTS', `The URL pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  const m = /^resource-type:(.+)$/i.exec(t);
  if (m !== null) {
    const types = (m[1] as string).split(',').map((w) => {
      const found = INTERCEPT_RESOURCE_TYPES.find((rt) => rt.toLowerCase() === w.trim().toLowerCase());
      if (found === undefined)
        throw new BdgError('INVALID_ARGUMENTS', `Unknown resource type "${w.trim()}"`, `Resource types: ${INTERCEPT_RESOURCE_TYPES.join(', ').toLowerCase()}`);
      return found;
    });
    return { text: t, resourceTypes: [...new Set(types)] };
  }
  const glob = t.includes('*') ? t : `*${t}*`;
  return { text: t, url: globRegExp(glob), fetchPattern: fetchUrlPattern(glob) };
}

/** `*` is any run of characters, everything else literal; the whole string must match. */
export function globRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

/** Chrome's urlPattern for the glob: its `?` (one character) and `\` (escape) made literal, `*` kept. */
export function fetchUrlPattern(glob: string): string {
  return glob.replace(/[\\?]/g, '\\$&');
}

/** A request as the rules see it (from Fetch.requestPaused). */
export interface PausedRequest {
  url: string;
  method: string;
  resourceType: string;
}

/** The part of a rule matching looks at. */
export interface MatchableRule {
  target: InterceptTarget;
  /** Upper-case method, or every method. */
  method?: string;
  /** False once its `--times` are used up. */
  active: boolean;
}

/** The URL without its fragment, which never reaches the network (Chrome's patterns do not see it either). */
function withoutFragment(url: string): string {
  const i = url.indexOf('#');
  return i === -1 ? url : url.slice(0, i);
}

export function ruleMatches(rule: MatchableRule, req: PausedRequest): boolean {
  if (!rule.active) return false;
  if (rule.method !== undefined && rule.method !== req.method.toUpperCase()) return false;
  const { url, resourceTypes } = rule.target;
  if (resourceTypes !== undefined) return resourceTypes.some((t) => t === req.resourceType);
  return url !== undefined && url.test(withoutFragment(req.url));
}

/** The rule that answers a request: the newest active one that matches (a later rule overrides an earlier one). */
export function matchRule<R extends MatchableRule>(rules: readonly R[], req: PausedRequest): R | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i] as R;
    if (ruleMatches(r, req)) return r;
  }
  return undefined;
}

/**
 * The Fetch.enable patterns the active rules need, at the request stage, without duplicates: a pattern per URL
 * rule, one per resource type. None when no rule is active (then Fetch stays off: nothing is paused).
 */
export function fetchPatterns(rules: readonly MatchableRule[]): Protocol.Fetch.RequestPattern[] {
  const seen = new Set<string>();
  const out: Protocol.Fetch.RequestPattern[] = [];
  const add = (p: Protocol.Fetch.RequestPattern): void => {
    const key = `${p.urlPattern ?? ''}\n${p.resourceType ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  for (const r of rules) {
    if (!r.active) continue;
    if (r.target.resourceTypes !== undefined)
      for (const resourceType of r.target.resourceTypes) add({ urlPattern: '*', resourceType, requestStage: 'Request' });
    else if (r.target.fetchPattern !== undefined) add({ urlPattern: r.target.fetchPattern, requestStage: 'Request' });
  }
  return out;
}

/** Header names as HTTP allows them (RFC 9110 tokens). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `--header` values, one `Name: value` each (the flag is repeatable; a value with newlines holds one per line). */
export function parseHeaderLines(values: readonly string[] | undefined): Protocol.Fetch.HeaderEntry[] {
  if (values === undefined) return [];
  const out: Protocol.Fetch.HeaderEntry[] = [];
  for (const line of values.flatMap((v) => v.split('\n'))) {
    if (line.trim() === '') continue;
    const i = line.indexOf(':');
    const name = i === -1 ? '' : line.slice(0, i).trim();
    if (i <= 0 || !TOKEN.test(name))
      throw new BdgError('INVALID_ARGUMENTS', `--header needs NAME:VALUE (got "${line}")`, 'For example: --header "Cache-Control: no-store"');
    out.push({ name, value: line.slice(i + 1).trim() });
  }
  return out;
}

/** Content types by file extension, for a `--file` body given without a Content-Type header. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  json: 'application/json',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  xml: 'application/xml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  woff2: 'font/woff2',
  wasm: 'application/wasm',
};

/**
 * The Content-Type a mock answers with when its headers name none: by the file's extension, JSON when the text
 * body parses as JSON, plain text otherwise (binary files without a known extension: octet-stream).
 */
export function guessContentType(body: Buffer, fileName: string | undefined): string {
  if (fileName !== undefined) {
    const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
    const known = ext !== undefined ? BY_EXTENSION[ext] : undefined;
    if (known !== undefined) return known;
  }
  const text = body.toString('utf8');
  if (Buffer.byteLength(text) !== body.length || text.includes('\u0000')) return 'application/octet-stream';
  try {
    JSON.parse(text);
    return 'application/json';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}
