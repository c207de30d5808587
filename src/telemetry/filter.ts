/**
 * The DevTools network filter language: `status-code:404 domain:*.example.com -method:OPTIONS api`. Terms are
 * separated by white space and must all match; `-` (or `!`, as the original bdg writes it) before a term negates it; a term without a known `key:` is text
 * searched in the URL (case-insensitive), `/re/` a regular expression on the URL, and `"quoted text"` is always text.
 * A value may list alternatives separated by commas (`status-code:500,502`).
 */
import type { NetworkRecord } from '../protocol/records.js';
import { suggest } from '../protocol/validate.js';
import { BdgError } from '../util/errors.js';
import { hasBlockedCookie } from './cookiesBlocked.js';

/** The keys a filter term may use, with what they match (for help texts and error hints). */
export const FILTER_KEYS: Readonly<Record<string, string>> = {
  'status-code': 'HTTP status: 404, or a class such as 5xx',
  domain: 'host name; * is a wildcard (*.example.com)',
  method: 'request method (GET, POST, …)',
  'mime-type': 'response MIME type; * is a wildcard (image/*)',
  'resource-type': 'document, stylesheet, image, media, font, script, xhr, fetch, websocket, …',
  'larger-than': 'transferred size at least this many bytes (1000, 10k, 1M; k = 1024)',
  'has-response-header': 'a response header name',
  is: 'failed (network error or status >= 400), running (in flight), from-cache, from-service-worker, mocked, blocked (by network mock/block)',
  scheme: 'URL scheme (http, https, data, ws, …)',
  'has-blocked-cookies': 'a cookie Chrome blocked on the request, by name, reason or kind (set-rejected, not-sent); * for any',
};

const IS_VALUES = ['failed', 'running', 'from-cache', 'from-service-worker', 'mocked', 'blocked'] as const;

/** CDP Network.ResourceType values, lower-cased as DevTools shows them. */
const RESOURCE_TYPES = [
  'document',
  'stylesheet',
  'image',
  'media',
  'font',
  'script',
  'texttrack',
  'xhr',
  'fetch',
  'prefetch',
  'eventsource',
  'websocket',
  'manifest',
  'signedexchange',
  'ping',
  'cspviolationreport',
  'preflight',
  'fedcm',
  'other',
];

/** The fields of a record a filter looks at. */
export type FilterableRecord = Pick<
  NetworkRecord,
  | 'url'
  | 'method'
  | 'state'
  | 'status'
  | 'mimeType'
  | 'resourceType'
  | 'encodedDataLength'
  | 'responseHeaders'
  | 'fromCache'
  | 'fromServiceWorker'
  | 'intercepted'
  | 'blockedCookies'
  | 'blockedCookiesOmitted'
>;

/** One parsed term. */
export interface FilterTerm {
  /** A key of {@link FILTER_KEYS}, `text` or `regex`. */
  key: string;
  value: string;
  negated: boolean;
}

/** A compiled filter: its terms and the predicate that ANDs them. */
export interface NetworkFilter {
  terms: FilterTerm[];
  matches(record: FilterableRecord): boolean;
}

type Predicate = (r: FilterableRecord) => boolean;

/** Parses filter text; throws INVALID_ARGUMENTS naming the bad term and the valid keys. An empty text matches all. */
export function parseNetworkFilter(text: string): NetworkFilter {
  const terms: FilterTerm[] = [];
  const predicates: Predicate[] = [];
  for (const token of tokenize(text)) {
    const { term, predicate } = parseTerm(token);
    terms.push(term);
    predicates.push(term.negated ? (r) => !predicate(r) : predicate);
  }
  return { terms, matches: (r) => predicates.every((p) => p(r)) };
}

interface Token {
  raw: string;
  negated: boolean;
  /** The whole term was in double quotes: plain text. */
  quoted: boolean;
  body: string;
}

/** Splits on white space outside double quotes; quotes are removed, `-` in front of a term is negation. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    const start = i;
    let body = '';
    let quotedWhole = false;
    let negated = false;
    if ((text[i] === '-' || text[i] === '!') && i + 1 < text.length && !/\s/.test(text[i + 1] as string)) {
      negated = true;
      i++;
    }
    const bodyStart = i;
    while (i < text.length && !/\s/.test(text[i] as string)) {
      if (text[i] === '"') {
        const close = text.indexOf('"', i + 1);
        if (close < 0) throw invalid(`Unterminated quote in filter term ${text.slice(start)}`);
        if (i === bodyStart && (close + 1 >= text.length || /\s/.test(text[close + 1] as string))) quotedWhole = true;
        body += text.slice(i + 1, close);
        i = close + 1;
      } else {
        body += text[i];
        i++;
      }
    }
    out.push({ raw: text.slice(start, i), negated, quoted: quotedWhole, body });
  }
  return out;
}

function parseTerm(t: Token): { term: FilterTerm; predicate: Predicate } {
  const text = (value: string): { term: FilterTerm; predicate: Predicate } => {
    const needle = value.toLowerCase();
    return { term: { key: 'text', value, negated: t.negated }, predicate: (r) => r.url.toLowerCase().includes(needle) };
  };
  if (t.quoted) return text(t.body);
  const re = /^\/(.+)\/$/.exec(t.body);
  if (re !== null) {
    let regex: RegExp;
    try {
      regex = new RegExp(re[1] as string, 'i');
    } catch (err) {
      throw invalid(`Invalid regular expression in filter term ${t.raw}: ${(err as Error).message}`);
    }
    return { term: { key: 'regex', value: re[1] as string, negated: t.negated }, predicate: (r) => regex.test(r.url) };
  }
  const kv = /^([A-Za-z][A-Za-z-]*):(.*)$/.exec(t.body);
  if (kv === null) return text(t.body);
  const key = (kv[1] as string).toLowerCase();
  const value = kv[2] as string;
  if (!(key in FILTER_KEYS)) {
    const close = suggest(key, Object.keys(FILTER_KEYS));
    // `localhost:3000` and `http://…` are text to find in the URL, unless the word is a misspelt key.
    if (close.length === 0 && (value.startsWith('//') || /^\d/.test(value))) return text(t.body);
    throw invalid(`Unknown filter key "${key}" in ${t.raw}${close.length > 0 ? ` (did you mean ${close.map((k) => `${k}:`).join(', ')}?)` : ''}`);
  }
  if (value === '') throw invalid(`Filter term ${t.raw} needs a value after the colon`);
  const alternatives = value.split(',').filter((v) => v !== '');
  const one = alternatives.map((v) => valuePredicate(key, v, t.raw));
  const predicate: Predicate = one.length === 1 ? (one[0] as Predicate) : (r) => one.some((p) => p(r));
  return { term: { key, value, negated: t.negated }, predicate };
}

function valuePredicate(key: string, value: string, raw: string): Predicate {
  switch (key) {
    case 'status-code': {
      if (/^\d{3}$/.test(value)) {
        const code = Number(value);
        return (r) => r.status === code;
      }
      const cls = /^([1-5])xx$/i.exec(value);
      if (cls !== null) {
        const hundred = Number(cls[1]);
        return (r) => r.status !== undefined && Math.floor(r.status / 100) === hundred;
      }
      throw invalid(`Invalid status code in ${raw}: use a code such as 404 or a class such as 5xx`);
    }
    case 'domain': {
      const regex = wildcard(value);
      return (r) => regex.test(hostOf(r.url));
    }
    case 'method': {
      const method = value.toUpperCase();
      return (r) => r.method.toUpperCase() === method;
    }
    case 'mime-type': {
      const regex = wildcard(value);
      return (r) => r.mimeType !== undefined && regex.test((r.mimeType.split(';')[0] ?? '').trim());
    }
    case 'resource-type': {
      const type = value.toLowerCase();
      if (!RESOURCE_TYPES.includes(type)) throw invalid(`Unknown resource type in ${raw}`, `Resource types: ${RESOURCE_TYPES.join(', ')}`);
      return (r) => r.resourceType?.toLowerCase() === type;
    }
    case 'larger-than': {
      const m = /^(\d+(?:\.\d+)?)([km]?)b?$/i.exec(value);
      if (m === null) throw invalid(`Invalid size in ${raw}: use bytes or a k/M suffix (1000, 10k, 1M)`);
      const unit = (m[2] ?? '').toLowerCase();
      const bytes = Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
      // DevTools compares the transferred size.
      return (r) => (r.encodedDataLength ?? 0) >= bytes;
    }
    case 'has-response-header': {
      const name = value.toLowerCase();
      return (r) => r.responseHeaders !== undefined && Object.keys(r.responseHeaders).some((k) => k.toLowerCase() === name);
    }
    case 'is':
      switch (value.toLowerCase()) {
        case 'failed':
          return (r) => r.state === 'failed' || (r.status !== undefined && r.status >= 400);
        case 'running':
          return (r) => r.state === 'pending';
        case 'from-cache':
          return (r) => r.fromCache === true;
        case 'from-service-worker':
          return (r) => r.fromServiceWorker === true;
        case 'mocked':
        case 'blocked': {
          const action = value.toLowerCase();
          return (r) => r.intercepted?.action === action;
        }
        default:
          throw invalid(`Unknown value in ${raw}`, `is: takes ${IS_VALUES.join(', ')}`);
      }
    case 'scheme': {
      const scheme = value.toLowerCase().replace(/:$/, '');
      return (r) => schemeOf(r.url) === scheme;
    }
    case 'has-blocked-cookies': {
      const regex = wildcard(value);
      return (r) => hasBlockedCookie(r, regex, value === '*');
    }
    default:
      throw invalid(`Unknown filter key in ${raw}`);
  }
}

function invalid(message: string, hint?: string): BdgError {
  return new BdgError(
    'INVALID_ARGUMENTS',
    message,
    hint ??
      `Filter keys: ${Object.keys(FILTER_KEYS)
        .map((k) => `${k}:`)
        .join(' ')}; plain words match the URL; prefix - (or !) to negate; quote text that contains a colon.`,
  );
}

/** A case-insensitive whole-string matcher where `*` is any run of characters. */
function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

function schemeOf(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return m !== null ? (m[1] as string).toLowerCase() : '';
}
