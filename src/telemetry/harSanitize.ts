/**
 * Secrets out of a HAR before it leaves the session: a HAR is made to be shared (attached to a bug, pasted to a
 * colleague or a model), and a raw one carries the session's cookies and credentials. Replaced by {@link REDACTED}:
 * cookie values (request and response), the Cookie / Set-Cookie / Authorization / Proxy-Authorization headers and
 * other secret headers (X-Api-Key, X-Auth-Token, X-CSRF-Token, …), and the values of secret-looking parameters
 * (access_token, token, api_key, password, sig, signature, …) in URLs (the request URL, its queryString, Referer and
 * Location headers, the HTTP/2 `:path`, redirect URLs, WebSocket URLs), in form and JSON request bodies and in JSON
 * response bodies. Names stay, so the file still shows what was sent. WebSocket payloads are left as they are.
 */
import type { Har, HarCookie, HarNameValue } from './har.js';

export const REDACTED = '[REDACTED]';

/** Headers whose whole value is a credential. */
const SECRET_HEADERS = new Set([
  'cookie',
  'set-cookie',
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'apikey',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
  'x-xsrf-token',
  'csrf-token',
  'x-session-token',
  'x-refresh-token',
  'x-goog-api-key',
  'x-amz-security-token',
  'x-github-token',
  'private-token',
]);
/** Other `x-` headers named like a credential (`x-my-app-token`, `x-client-secret`). */
const SECRET_HEADER_PATTERN = /^x-[\w-]*(?:token|secret|api-?key|password|passwd|signature|credential)s?$/i;

/** Parameters (query, form, JSON keys) whose value is a credential. */
const SECRET_PARAMS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'auth',
  'auth_token',
  'authorization',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'sig',
  'signature',
  'session',
  'sessionid',
  'session_id',
  'jwt',
  'csrfmiddlewaretoken',
  'x-amz-credential',
  'x-amz-signature',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
]);
/** Other parameters named like one: `csrf_token`, `user-password` (lower-cased first), `appSecret` (as written). */
const SECRET_PARAM_PATTERN = /(?:^|[_.-])(?:token|secret|password|passwd|signature|api[_-]?key)$/;
const SECRET_CAMEL_PATTERN = /[a-z0-9](?:Token|Secret|Password|Signature|ApiKey)$/;

/** Headers whose value is a URL (or a path) that may carry secret parameters. */
const URL_HEADERS = new Set(['referer', 'location', 'content-location', ':path']);

/** Largest JSON body the sanitizer parses to redact its keys; a larger one is left as it is. */
const MAX_JSON_BYTES = 2 * 1024 * 1024;

export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return SECRET_HEADERS.has(n) || SECRET_HEADER_PATTERN.test(n);
}

export function isSecretParam(name: string): boolean {
  const n = name.toLowerCase();
  return SECRET_PARAMS.has(n) || SECRET_PARAM_PATTERN.test(n) || SECRET_CAMEL_PATTERN.test(name);
}

/** Counts what it replaced. */
class Redactor {
  count = 0;

  /** `a=1&token=x` -> `a=1&token=[REDACTED]`, everything else byte for byte (no re-encoding). */
  query(query: string): string {
    return query
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) return pair;
        let name = pair.slice(0, eq);
        try {
          name = decodeURIComponent(name.replace(/\+/g, ' '));
        } catch {
          /* a malformed escape: judge the raw name */
        }
        if (!isSecretParam(name) || pair.slice(eq + 1) === REDACTED) return pair;
        this.count++;
        return `${pair.slice(0, eq + 1)}${REDACTED}`;
      })
      .join('&');
  }

  /** The query part of a URL (or of a path such as HTTP/2's `:path`), fragment kept apart. */
  url(url: string): string {
    const hash = url.indexOf('#');
    const beforeHash = hash < 0 ? url : url.slice(0, hash);
    const q = beforeHash.indexOf('?');
    if (q < 0) return url;
    return `${beforeHash.slice(0, q + 1)}${this.query(beforeHash.slice(q + 1))}${hash < 0 ? '' : url.slice(hash)}`;
  }

  headers(headers: HarNameValue[]): void {
    for (const h of headers) {
      const name = h.name.toLowerCase();
      if (isSecretHeader(name)) {
        if (h.value !== REDACTED) this.count++;
        h.value = REDACTED;
      } else if (URL_HEADERS.has(name)) h.value = this.url(h.value);
    }
  }

  params(params: HarNameValue[]): void {
    for (const p of params) {
      if (isSecretParam(p.name) && p.value !== REDACTED) {
        p.value = REDACTED;
        this.count++;
      }
    }
  }

  cookies(cookies: HarCookie[]): void {
    for (const c of cookies) {
      if (c.value !== REDACTED) this.count++;
      c.value = REDACTED;
    }
  }

  /** A JSON document with the values of secret keys replaced (at any depth); the text unchanged when none is. */
  json(text: string): string {
    if (text.length > MAX_JSON_BYTES) return text;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return text;
    }
    const before = this.count;
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'object' && v !== null) {
        const o = v as Record<string, unknown>;
        for (const k of Object.keys(o)) {
          if (isSecretParam(k) && (typeof o[k] === 'string' || typeof o[k] === 'number') && o[k] !== REDACTED) {
            o[k] = REDACTED;
            this.count++;
          } else walk(o[k]);
        }
      }
    };
    walk(doc);
    return this.count === before ? text : JSON.stringify(doc);
  }
}

const isJson = (mime: string): boolean => /[/+]json\b/i.test(mime);
const isForm = (mime: string): boolean => /^application\/x-www-form-urlencoded/i.test(mime);

/**
 * Replaces the secrets in `har` (in place: pass a document built for the export) and says how many values were
 * replaced; a `comment` on the log says that the file was sanitized and how to keep the values.
 */
export function sanitizeHar(har: Har): number {
  const r = new Redactor();
  for (const e of har.log.entries) {
    const req = e.request;
    req.url = r.url(req.url);
    r.params(req.queryString);
    r.headers(req.headers);
    r.cookies(req.cookies);
    if (req.postData !== undefined) {
      const pd = req.postData;
      if (pd.params !== undefined) r.params(pd.params);
      if (isForm(pd.mimeType)) pd.text = r.query(pd.text);
      else if (isJson(pd.mimeType)) pd.text = r.json(pd.text);
    }
    const res = e.response;
    r.headers(res.headers);
    r.cookies(res.cookies);
    res.redirectURL = r.url(res.redirectURL);
    const c = res.content;
    if (c.text !== undefined && c.encoding === undefined && isJson(c.mimeType)) c.text = r.json(c.text);
    if (e._initiator?.url !== undefined) e._initiator.url = r.url(e._initiator.url);
  }
  har.log.comment ??= `Sanitized by bdg: cookies, credentials in headers and secret parameters in URLs and bodies are replaced by ${REDACTED} (${r.count} values); \`bdg network har --include-sensitive\` keeps them.`;
  return r.count;
}
