/**
 * Source maps for console output: where a message's location and its stack frames are in the original source.
 * Maps are fetched lazily (only for the scripts a requested message names), cached per map URL within a count and
 * byte bound, and a failure is remembered as a reason for a while. The page and CDP side (which map a script names,
 * how a URL is loaded) is injected, so this module stays free of the daemon.
 */
import { FlattenMap, originalPositionFor, type TraceMap } from '@jridgewell/trace-mapping';
import type { ConsoleRecord, OriginalLocation } from '../protocol/records.js';
import { STACK_LINE, calledAs, renamedFrame } from './stackFrames.js';

/** What a script says about its source map: its URL (absolute, or relative to the script; data: allowed), or none. */
export type ScriptMapRef = { mapUrl: string } | { none: true } | { error: string };

/** A loaded resource's text, or why it could not be loaded. */
export type LoadResult = { text: string } | { error: string };

export interface SourceMapDeps {
  /** The source map the script at `scriptUrl` names. */
  mapRefOf(scriptUrl: string): Promise<ScriptMapRef>;
  /** Loads an http(s) URL as text, refusing more than `maxBytes`. */
  load(url: string, maxBytes: number): Promise<LoadResult>;
}

export interface SourceMapLimits {
  /** Largest map accepted (bytes of JSON, after data: URL decoding). */
  maxMapBytes: number;
  /** Most maps cached; the least recently used goes first. */
  maxMaps: number;
  /** Most bytes of map JSON the cached maps came from. */
  maxCachedBytes: number;
  /** Most script URLs whose map reference is remembered. */
  maxScripts: number;
  /** A failure (404, too large, bad JSON) is retried after this long. */
  failureTtlMs: number;
}

export const DEFAULT_SOURCE_MAP_LIMITS: SourceMapLimits = {
  maxMapBytes: 10 * 1024 * 1024,
  maxMaps: 16,
  maxCachedBytes: 32 * 1024 * 1024,
  maxScripts: 2000,
  failureTtlMs: 30_000,
};

/** Said of a message whose map was still loading when the command's wait ran out. */
export const STILL_LOADING = 'the source map is still loading; ask again';

type MapEntry = { map: TraceMap; bytes: number } | { error: string; at: number };
/** `key`: the map's cache key. An inline map's data: URL is dropped from `ref` once the map is parsed (it is as large as the map). */
type ScriptEntry = { url: string; ref: ScriptMapRef; at: number; key?: string | undefined };

/** Stands for an inline map's data: URL once the map is cached. */
const INLINE_DROPPED = 'data:';

/** One position's answer: mapped, not covered by any map, or a reason the map could not be used. */
export type PositionAnswer = { original: OriginalLocation } | { none: true } | { error: string } | { pending: true };

/** Resolves generated positions to original ones through the page's source maps, with bounded caches. */
export class SourceMapResolver {
  readonly #deps: SourceMapDeps;
  readonly #limits: SourceMapLimits;
  readonly #now: () => number;
  /** Script URL → its map reference (insertion order is recency). */
  readonly #scripts = new Map<string, ScriptEntry>();
  readonly #scriptsLoading = new Map<string, Promise<void>>();
  /** Map URL → the parsed map or why there is none (insertion order is recency). */
  readonly #maps = new Map<string, MapEntry>();
  readonly #mapsLoading = new Map<string, Promise<void>>();
  #cachedBytes = 0;

  constructor(deps: SourceMapDeps, limits: SourceMapLimits = DEFAULT_SOURCE_MAP_LIMITS, now: () => number = Date.now) {
    this.#deps = deps;
    this.#limits = limits;
    this.#now = now;
  }

  /** Cache occupancy, for status and tests. */
  stats(): { maps: number; bytes: number; scripts: number } {
    return { maps: [...this.#maps.values()].filter((e) => 'map' in e).length, bytes: this.#cachedBytes, scripts: this.#scripts.size };
  }

  /**
   * Loads what the scripts at `urls` need (their map references, then their maps). Settles when all are known;
   * never rejects. A caller that cannot wait that long just stops waiting: the loading goes on and is cached.
   */
  prepare(urls: Iterable<string>): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const url of new Set(urls)) if (isFetchable(url)) jobs.push(this.#prepareScript(url));
    return Promise.all(jobs).then(() => undefined);
  }

  /** The original position of 1-based `line`:`column` in the script at `url`, from what is cached now. */
  lookup(url: string, line: number, column: number): PositionAnswer {
    if (!isFetchable(url)) return { none: true };
    const script = this.#scripts.get(url);
    if (script === undefined) return { pending: true };
    const ref = script.ref;
    if ('none' in ref) return { none: true };
    if ('error' in ref) return { error: ref.error };
    const key = script.key;
    if (key === undefined) return { error: `cannot resolve source map URL ${shortUrl(ref.mapUrl)}` };
    const entry = this.#maps.get(key);
    if (entry === undefined) return { pending: true };
    if ('error' in entry) return { error: entry.error };
    // Recency: a map in use moves to the end of the eviction order.
    this.#maps.delete(key);
    this.#maps.set(key, entry);
    const pos = originalPositionFor(entry.map, { line, column: Math.max(0, column - 1) });
    if (pos.source === null) return { none: true };
    const original: OriginalLocation = { url: pos.source, line: pos.line, column: pos.column + 1 };
    if (pos.name !== null) original.name = pos.name;
    return { original };
  }

  #prepareScript(url: string): Promise<void> {
    const cached = this.#scripts.get(url);
    const stale =
      cached === undefined ||
      ('error' in cached.ref && this.#now() - cached.at > this.#limits.failureTtlMs) ||
      ('mapUrl' in cached.ref && cached.ref.mapUrl === INLINE_DROPPED && (cached.key === undefined || !this.#fresh(cached.key)));
    if (cached !== undefined && !stale) return this.#prepareMap(cached);
    let loading = this.#scriptsLoading.get(url);
    if (loading === undefined) {
      loading = this.#deps
        .mapRefOf(url)
        .catch((e: unknown): ScriptMapRef => ({ error: errorText(e) }))
        .then((ref) => {
          this.#scripts.delete(url);
          this.#scripts.set(url, { url, ref, at: this.#now(), key: 'mapUrl' in ref ? mapKey(ref.mapUrl, url) : undefined });
          while (this.#scripts.size > this.#limits.maxScripts) this.#scripts.delete(this.#scripts.keys().next().value as string);
        })
        .finally(() => this.#scriptsLoading.delete(url));
      this.#scriptsLoading.set(url, loading);
    }
    return loading.then(() => {
      const entry = this.#scripts.get(url);
      return entry !== undefined ? this.#prepareMap(entry) : undefined;
    });
  }

  #prepareMap(script: ScriptEntry): Promise<void> {
    const { ref, key, url: scriptUrl } = script;
    if (!('mapUrl' in ref) || key === undefined) return Promise.resolve();
    if (this.#fresh(key)) return Promise.resolve();
    let loading = this.#mapsLoading.get(key);
    if (loading === undefined) {
      loading = this.#loadMap(ref.mapUrl, scriptUrl)
        .catch((e: unknown): MapEntry => ({ error: errorText(e), at: this.#now() }))
        .then((loaded) => {
          this.#store(key, loaded);
          // Parsed or refused, the map's answer is cached under `key`; asked again later, the script is listed again.
          if (ref.mapUrl.startsWith('data:')) script.ref = { mapUrl: INLINE_DROPPED };
        })
        .finally(() => this.#mapsLoading.delete(key));
      this.#mapsLoading.set(key, loading);
    }
    return loading;
  }

  /** A map (or its failure, within the failure TTL) is cached under `key`. */
  #fresh(key: string): boolean {
    const entry = this.#maps.get(key);
    return entry !== undefined && !('error' in entry && this.#now() - entry.at > this.#limits.failureTtlMs);
  }

  async #loadMap(mapUrl: string, scriptUrl: string): Promise<MapEntry> {
    const max = this.#limits.maxMapBytes;
    let text: string;
    // Sources in an inline map are relative to the script, as browsers resolve them.
    let base: string;
    if (mapUrl.startsWith('data:')) {
      const decoded = decodeDataUrl(mapUrl, max);
      if ('error' in decoded) return { error: decoded.error, at: this.#now() };
      text = decoded.text;
      base = scriptUrl;
    } else {
      base = new URL(mapUrl, scriptUrl).href;
      const loaded = await this.#deps.load(base, max);
      if ('error' in loaded) return { error: `source map ${shortUrl(base)}: ${loaded.error}`, at: this.#now() };
      text = loaded.text;
    }
    if (text.length > max) return { error: `source map ${shortUrl(base)} is larger than ${formatMb(max)}`, at: this.#now() };
    const map = parseSourceMap(text, base);
    if ('error' in map) return { error: `source map ${shortUrl(base)}: ${map.error}`, at: this.#now() };
    return { map: map.map, bytes: text.length };
  }

  #store(key: string, entry: MapEntry): void {
    const old = this.#maps.get(key);
    if (old !== undefined && 'map' in old) this.#cachedBytes -= old.bytes;
    this.#maps.delete(key);
    this.#maps.set(key, entry);
    if ('map' in entry) this.#cachedBytes += entry.bytes;
    // Failures are small; maps count against both bounds. The entry just stored stays even if it alone is over.
    let maps = [...this.#maps.values()].filter((e) => 'map' in e).length;
    for (const [k, e] of this.#maps) {
      if (k === key) continue;
      if (maps <= this.#limits.maxMaps && this.#cachedBytes <= this.#limits.maxCachedBytes && this.#maps.size <= this.#limits.maxMaps * 4) break;
      this.#maps.delete(k);
      if ('map' in e) {
        this.#cachedBytes -= e.bytes;
        maps--;
      }
    }
  }
}

/** The script URLs a record's location and stack name. */
export function urlsOf(record: ConsoleRecord): string[] {
  const urls: string[] = [];
  if (record.url !== undefined && scriptLocated(record)) urls.push(record.url);
  if (record.stack !== undefined)
    for (const line of record.stack.split('\n')) if (STACK_LINE.test(line)) urls.push((STACK_LINE.exec(line) as RegExpExecArray)[2] as string);
  return urls;
}

/**
 * A copy of `record` with `original` (its location in the original source), `originalStack` (each mapped frame at
 * its original position, under its function's original name where the map names one: {@link renamedFrame}) and
 * `sourceMapError` (why a map it needed could not be used), from what `resolver` has cached; the record itself,
 * unchanged, when no map covers any of its positions.
 */
export function withOriginalPositions<R extends ConsoleRecord>(record: R, resolver: SourceMapResolver): R {
  let original: OriginalLocation | undefined;
  let error: string | undefined;
  let pending = false;
  const note = (a: PositionAnswer): OriginalLocation | undefined => {
    if ('original' in a) return a.original;
    if ('error' in a) error ??= a.error;
    if ('pending' in a) pending = true;
    return undefined;
  };
  if (record.url !== undefined && record.line !== undefined && scriptLocated(record))
    original = note(resolver.lookup(record.url, record.line, record.column ?? 1));
  let originalStack: string | undefined;
  if (record.stack !== undefined) {
    const lines = record.stack.split('\n');
    const frames = lines.map((line) => {
      const m = STACK_LINE.exec(line);
      return m === null ? undefined : { m, at: note(resolver.lookup(m[2] as string, Number(m[3]), Number(m[4]))) };
    });
    let mapped = false;
    const out = lines.map((line, i) => {
      const f = frames[i];
      if (f?.at === undefined) return line;
      mapped = true;
      return `${renamedFrame(f.m[1] as string, calledAs(frames[i + 1]))}${f.at.url}:${f.at.line}:${f.at.column}${f.m[5] as string}`;
    });
    if (mapped) originalStack = out.join('\n');
  }
  if (error === undefined && pending) error = STILL_LOADING;
  if (original === undefined && originalStack === undefined && error === undefined) return record;
  const out: R = { ...record };
  if (original !== undefined) out.original = original;
  if (originalStack !== undefined) out.originalStack = originalStack;
  if (error !== undefined) out.sourceMapError = error;
  return out;
}

/** False for a browser log entry about a resource (a failed load): its URL is that resource's, not a script position. */
function scriptLocated(record: ConsoleRecord): boolean {
  return !(record.kind === 'browser' && record.type === 'network');
}

/**
 * Parses a source map (plain or with sections). `sourcesContent` is dropped first: it is the bulk of most maps and
 * only positions are needed.
 */
export function parseSourceMap(text: string, mapUrl: string): { map: TraceMap } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text.startsWith(")]}'") ? text.slice(text.indexOf('\n') + 1) : text);
  } catch {
    return { error: 'not valid JSON' };
  }
  if (typeof json !== 'object' || json === null || (!('mappings' in json) && !('sections' in json))) return { error: 'not a source map (no mappings)' };
  stripSourcesContent(json);
  try {
    return { map: new FlattenMap(json as never, mapUrl) };
  } catch (e) {
    return { error: `not a valid source map (${errorText(e)})` };
  }
}

function stripSourcesContent(map: object): void {
  if ('sourcesContent' in map) delete (map as { sourcesContent?: unknown }).sourcesContent;
  const sections = (map as { sections?: unknown }).sections;
  if (Array.isArray(sections))
    for (const s of sections) {
      const inner = (s as { map?: unknown } | null)?.map;
      if (typeof inner === 'object' && inner !== null) stripSourcesContent(inner);
    }
}

/** The text of a `data:` URL, refusing more than `maxBytes` once decoded. */
export function decodeDataUrl(url: string, maxBytes: number): { text: string } | { error: string } {
  const comma = url.indexOf(',');
  if (comma < 0) return { error: 'malformed inline source map (data: URL without a comma)' };
  const meta = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  const base64 = /;base64$/i.test(meta);
  // Base64 decodes to 3/4 of its length; refuse before decoding what is surely too large.
  if ((base64 ? Math.floor((payload.length * 3) / 4) : payload.length / 3) > maxBytes)
    return { error: `inline source map is larger than ${formatMb(maxBytes)}` };
  let text: string;
  try {
    text = base64 ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
  } catch {
    return { error: 'malformed inline source map (bad percent-encoding)' };
  }
  if (Buffer.byteLength(text) > maxBytes) return { error: `inline source map is larger than ${formatMb(maxBytes)}` };
  return { text };
}

/** The last `//# sourceMappingURL=` (or `//@`) comment of a script, as V8 reads it. */
export function sourceMappingUrlOf(script: string): string | undefined {
  const tail = script.length > 4096 ? script.slice(-4096) : script;
  let found: string | undefined;
  for (const m of tail.matchAll(/\/\/[#@][ \t]sourceMappingURL=[ \t]*([^\s'"]+)[ \t]*$/gm)) found = m[1];
  return found;
}

/** The URLs a map can be fetched for: the page's scripts, not `eval` or extension code. */
function isFetchable(url: string): boolean {
  return /^https?:\/\//i.test(url) || url.startsWith('file:');
}

function mapKey(mapUrl: string, scriptUrl: string): string | undefined {
  // An inline map belongs to its script; the data: URL itself would be a key as large as the map.
  if (mapUrl.startsWith('data:')) return `inline:${scriptUrl}:${mapUrl.length}`;
  try {
    return new URL(mapUrl, scriptUrl).href;
  } catch {
    return undefined;
  }
}

function shortUrl(url: string): string {
  return url.length > 120 ? `${url.slice(0, 119)}…` : url;
}

function formatMb(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
