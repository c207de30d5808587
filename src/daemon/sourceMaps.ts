/**
 * Console messages at their original source positions: the page side of telemetry/sourceMaps.ts. Which map a
 * script names comes from the Debugger's script listing (pageScripts.ts), or, for a script no longer alive (an
 * earlier page load), from its response's `SourceMap` header or its `//# sourceMappingURL=` comment; maps load
 * through Network.loadNetworkResource, the way DevTools loads them (the page's cookies, and no request in the page's
 * own network record). Nothing runs on the event path: positions are resolved when a command asks for output, and a
 * command waits for that at most {@link WAIT_MS}; what is still loading then is cached for the next one.
 */
import type { ConsoleRecord } from '../protocol/records.js';
import { SourceMapResolver, sourceMappingUrlOf, urlsOf, withOriginalPositions, type LoadResult, type ScriptMapRef } from '../telemetry/sourceMaps.js';
import { listPageScripts } from './pageScripts.js';
import { PROBE_MS } from './pageHealth.js';
import type { BrowserSession } from './session.js';
import { BdgError } from '../util/errors.js';
import { pause } from '../util/sleep.js';

/** Longest a command waits for maps before answering with the generated positions. */
export const WAIT_MS = 2000;
/** One map (or script) fetch, start to end. */
const FETCH_TIMEOUT_MS = 5000;
/** The Debugger listing of the page's scripts. */
const LIST_TIMEOUT_MS = 5000;
/** Largest script read to find its `sourceMappingURL` comment (scripts no longer alive in the page only). */
const MAX_SCRIPT_BYTES = 10 * 1024 * 1024;
/** Script URLs whose map reference a listing keeps. */
const MAX_SCRIPTS = 5000;
/** Bytes read per IO.read. */
const CHUNK = 1024 * 1024;

/** An inline map's data: URL seen in a listing while nobody asked for that script (kept only when asked). */
const INLINE = 'inline';

const STATES = new WeakMap<BrowserSession, PageSourceMaps>();

/**
 * `records` with their original positions (`original`, `originalStack`, `sourceMapError`) wherever the page serves
 * source maps; the records themselves when none names a script that could have one.
 */
export async function withSourceMaps<R extends ConsoleRecord>(session: BrowserSession, records: readonly R[], signal?: AbortSignal): Promise<R[]> {
  const urls = records.flatMap(urlsOf).filter((u) => /^https?:|^file:/i.test(u));
  if (urls.length === 0) return [...records];
  let state = STATES.get(session);
  if (state === undefined) {
    state = new PageSourceMaps(session);
    STATES.set(session, state);
  }
  const resolver = state.resolverFor(session.console.navigation);
  const waitMs = state.waitFor(urls);
  // The maps get at most waitMs (or until the command is cancelled); the wait ends as soon as they are ready.
  const prepared = new AbortController();
  const preparing = resolver.prepare(urls).finally(() => prepared.abort());
  // A Chrome that does not answer (a stopped process) would hold the command for the whole wait, though it cannot
  // list scripts or load maps: when the browser does not answer within the page-health probe's bound, the command
  // goes on with the generated positions (the loading goes on for the next command). The browser is asked, not the
  // page, and outside the page-health probe: what the page's health says is left to the commands that need the page.
  if (waitMs > PROBE_MS)
    session.conn.send('Browser.getVersion', {}, { timeoutMs: PROBE_MS }).catch((err: unknown) => {
      if (err instanceof BdgError && err.code === 'TIMEOUT') prepared.abort();
    });
  await Promise.race([preparing, pause(waitMs, signal === undefined ? prepared.signal : AbortSignal.any([signal, prepared.signal]))]);
  return records.map((r) => withOriginalPositions(r, resolver));
}

/** One session's resolver and the map references of the page's scripts. */
class PageSourceMaps {
  #resolver: SourceMapResolver;
  #navigation = -1;
  readonly #session: BrowserSession;
  #sessionId: string | undefined;
  /** Script URL → what its newest listed script names as its map. */
  readonly #refs = new Map<string, ScriptMapRef | typeof INLINE>();
  /** URLs being asked for: a listing keeps their inline maps' data: URLs. */
  readonly #wanted = new Set<string>();
  #listing: Promise<void> | undefined;
  /** When a command first asked for each script URL: only the first commands wait for its map. */
  readonly #firstAsked = new Map<string, number>();

  /**
   * How long a command showing messages of `urls` waits: {@link WAIT_MS} from when the newest of them was first
   * asked for, so a map that loads slowly holds up the first commands (a poll of `tail` or `console --follow`
   * included) for that long in all, not each of them.
   */
  waitFor(urls: readonly string[]): number {
    const now = Date.now();
    let until = 0;
    for (const url of urls) {
      let at = this.#firstAsked.get(url);
      if (at === undefined) {
        at = now;
        this.#firstAsked.set(url, at);
        if (this.#firstAsked.size > MAX_SCRIPTS) this.#firstAsked.delete(this.#firstAsked.keys().next().value as string);
      }
      until = Math.max(until, at + WAIT_MS);
    }
    return Math.max(0, until - now);
  }

  constructor(session: BrowserSession) {
    this.#session = session;
    this.#resolver = this.#newResolver();
  }

  /**
   * The resolver of page load `navigation`: every page load starts with empty caches, so a rebuild that a reload
   * brings in (same URLs, new maps) is what the next listing shows. Older page loads' messages map with the maps
   * of the current one.
   */
  resolverFor(navigation: number): SourceMapResolver {
    if (navigation !== this.#navigation) {
      this.#navigation = navigation;
      this.#resolver = this.#newResolver();
      this.#refs.clear();
      this.#firstAsked.clear();
    }
    return this.#resolver;
  }

  #newResolver(): SourceMapResolver {
    return new SourceMapResolver({ mapRefOf: (url) => this.#mapRefOf(url), load: (url, max) => this.#load(url, max) });
  }

  async #mapRefOf(url: string): Promise<ScriptMapRef> {
    if (this.#session.pageSessionId !== this.#sessionId) {
      this.#sessionId = this.#session.pageSessionId;
      this.#refs.clear();
    }
    let ref = this.#refs.get(url);
    if (ref === undefined || ref === INLINE) {
      this.#wanted.add(url);
      try {
        // The listing in flight may have passed this script already: then one more, which others asking join.
        if (this.#listing !== undefined) await this.#listing;
        ref = this.#refs.get(url);
        if (ref === undefined || ref === INLINE) await this.#list();
        ref = this.#refs.get(url);
      } finally {
        this.#wanted.delete(url);
      }
    }
    if (ref === INLINE) return { error: 'the inline source map could not be read' };
    // The resolver keeps what it parses from an inline map; the data: URL (as large as the map) is not kept here.
    if (ref !== undefined && 'mapUrl' in ref && ref.mapUrl.startsWith('data:')) this.#refs.set(url, INLINE);
    return ref ?? this.#fromNetworkRecord(url);
  }

  #list(): Promise<void> {
    this.#listing ??= listPageScripts(
      this.#session,
      (e) => {
        const mapUrl = e.sourceMapURL ?? '';
        const ref: ScriptMapRef | typeof INLINE = mapUrl === '' ? { none: true } : mapUrl.startsWith('data:') && !this.#wanted.has(e.url) ? INLINE : { mapUrl };
        // Scripts are listed oldest first: the newest of one URL (a reload) wins.
        this.#refs.delete(e.url);
        this.#refs.set(e.url, ref);
        if (this.#refs.size > MAX_SCRIPTS) this.#refs.delete(this.#refs.keys().next().value as string);
      },
      { timeoutMs: LIST_TIMEOUT_MS },
    )
      .then(() => undefined)
      .finally(() => (this.#listing = undefined));
    return this.#listing;
  }

  /**
   * A script no longer alive in the page (an earlier page load): its map from the response's `SourceMap` header, or
   * from the comment at the end of the script read again. Only URLs the page loaded as scripts are read again.
   */
  async #fromNetworkRecord(url: string): Promise<ScriptMapRef> {
    const record = this.#session.network
      .all()
      .reverse()
      .find((r) => r.url === url && r.resourceType === 'Script' && r.state === 'finished');
    if (record === undefined) return { none: true };
    const headers = record.responseHeaders ?? {};
    const header = Object.entries(headers).find(([k]) => /^(x-)?sourcemap$/i.test(k))?.[1];
    if (header !== undefined && header.trim() !== '') return { mapUrl: header.trim() };
    const script = await this.#load(url, MAX_SCRIPT_BYTES);
    if ('error' in script) return { none: true };
    const mapUrl = sourceMappingUrlOf(script.text);
    return mapUrl !== undefined ? { mapUrl } : { none: true };
  }

  /** Loads `url` through the page's frame (its cookies), refusing more than `maxBytes`. */
  async #load(url: string, maxBytes: number): Promise<LoadResult> {
    const session = this.#session;
    const deadline = Date.now() + FETCH_TIMEOUT_MS;
    const left = (): number => Math.max(1, deadline - Date.now());
    const frameId = session.mainFrameId;
    const { resource } = await session.pageSend(
      'Network.loadNetworkResource',
      { ...(frameId !== undefined ? { frameId } : {}), url, options: { disableCache: false, includeCredentials: true } },
      { timeoutMs: left() },
    );
    const handle = resource.stream;
    try {
      if (resource.httpStatusCode !== undefined && resource.httpStatusCode >= 400) return { error: `HTTP ${resource.httpStatusCode}` };
      if (!resource.success)
        return { error: resource.netErrorName ?? (resource.httpStatusCode !== undefined ? `HTTP ${resource.httpStatusCode}` : 'load failed') };
      if (handle === undefined) return { error: 'no content' };
      const length = Number(Object.entries(resource.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-length')?.[1]);
      if (Number.isFinite(length) && length > maxBytes) return { error: tooLarge(maxBytes) };
      const chunks: Buffer[] = [];
      let bytes = 0;
      for (;;) {
        if (Date.now() >= deadline) return { error: `timed out after ${FETCH_TIMEOUT_MS} ms` };
        const part = await session.pageSend('IO.read', { handle, size: CHUNK }, { timeoutMs: left() });
        const buf = Buffer.from(part.data, part.base64Encoded === true ? 'base64' : 'utf8');
        bytes += buf.length;
        if (bytes > maxBytes) return { error: tooLarge(maxBytes) };
        chunks.push(buf);
        if (part.eof) break;
      }
      return { text: Buffer.concat(chunks).toString('utf8') };
    } finally {
      if (handle !== undefined) void session.pageSend('IO.close', { handle }, { timeoutMs: 2000 }).catch(() => undefined);
    }
  }
}

function tooLarge(max: number): string {
  return `larger than ${Math.round(max / (1024 * 1024))} MB (the cap)`;
}
