/**
 * Reads a session's journal (telemetry/journal.ts writes it) without a daemon: what `--from FILE` on
 * `details`, `network list` and `network har` runs, typically on the journal a daemon killed with SIGKILL left
 * (kept in history/ by the next command). This layer sits beside the CLI and is reached only through a lazy
 * import() of a runner that was given --from, so the CLI's start-up never loads the HAR or filter code.
 */
import { basename } from 'node:path';
import type { NetworkListResult, HarResult, WebSocketFramesResult } from '../protocol/commands/network.js';
import type { DetailsResult } from '../protocol/commands/session.js';
import type { ConsoleRecord, NavigationRecord, NetworkListItem, NetworkRecord, WebSocketFrame } from '../protocol/records.js';
import { VERSION } from '../protocol/version.js';
import { parseNetworkFilter } from '../telemetry/filter.js';
import { buildHar, writeHarFile, type Har } from '../telemetry/har.js';
import { sanitizeHar } from '../telemetry/harSanitize.js';
import { JOURNAL_VERSION, journalFiles, type JournalHeader, type JournalLine } from '../telemetry/journal.js';
import { orderRequests, type SortSpec } from '../telemetry/networkOrder.js';
import { notAWebSocket, selectFrames, webSocketFramesResult } from '../telemetry/webSocket.js';
import { DEFAULT_WEBSOCKET_LIMITS } from '../telemetry/webSocketRecords.js';
import { BdgError, errnoCode } from '../util/errors.js';
import { fsp } from '../util/fsAsync.js';
import { withConsoleArgs } from '../telemetry/consoleArgs.js';

/** Largest journal file read (two segments are at most 32 MB as written; this leaves room for hand-made ones). */
const MAX_READ_BYTES = 512 * 1024 * 1024;

export interface JournalContents {
  /** The files read, previous segment first. */
  files: string[];
  header: JournalHeader | null;
  /** Requests by first appearance, each as last written. */
  network: NetworkRecord[];
  console: ConsoleRecord[];
  navigations: NavigationRecord[];
  /** WebSocket frames by socket record id, oldest first: the newest of each socket, as many as a session keeps. */
  frames: Map<string, WebSocketFrame[]>;
  /**
   * Frames not read: beyond that bound, or (as the journal's frames headers and end line say) left out of the journal
   * when it was written, as the oldest frames rotated away.
   */
  framesDropped: number;
  /** How and when the session ended, when the journal says (a killed daemon leaves no end line). */
  ended: { at: string; reason: string } | null;
  /** Lines that were not JSON: the last one of a daemon killed in the middle of a write. */
  badLines: number;
}

async function readText(file: string): Promise<string | undefined> {
  const fs = await fsp();
  try {
    const st = await fs.stat(file);
    if (!st.isFile())
      throw new BdgError('INVALID_ARGUMENTS', `${file} is not a file`, 'Name a journal file: journal.ndjson, or history/journal-<time>.ndjson.');
    if (st.size > MAX_READ_BYTES) throw new BdgError('INVALID_ARGUMENTS', `${file} is larger than ${MAX_READ_BYTES / 1024 / 1024} MB; not read`);
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof BdgError) throw err;
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new BdgError('PERMISSION_DENIED', `Cannot read ${file}: ${errnoCode(err) ?? String(err)}`);
  }
}

/** Parses journal text; lines of several segments may be given in order. Pure. */
export function parseJournal(texts: readonly string[]): Omit<JournalContents, 'files'> {
  let header: JournalHeader | null = null;
  let badLines = 0;
  let ended: JournalContents['ended'] = null;
  const network = new Map<string, NetworkRecord>();
  const consoleById = new Map<string, ConsoleRecord>();
  const navigations = new Map<number, NavigationRecord>();
  const frames = new Map<string, WebSocketFrame[]>();
  let framesDropped = 0;
  // Counted by the writer, cumulative: the largest a frames header or the end line says.
  let writerDropped = 0;
  const perSocket = DEFAULT_WEBSOCKET_LIMITS.perSocketFrames;
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let parsed: JournalLine;
      try {
        parsed = JSON.parse(line) as JournalLine;
      } catch {
        badLines++;
        continue;
      }
      switch (parsed.t) {
        case 'session':
          if (typeof parsed.v === 'number' && parsed.v > JOURNAL_VERSION) {
            throw new BdgError(
              'INVALID_ARGUMENTS',
              `The journal was written by a newer bdg (format ${parsed.v}; this one reads ${JOURNAL_VERSION})`,
              'Read it with the bdg version that wrote it.',
            );
          }
          header ??= parsed;
          if (typeof parsed.framesDropped === 'number') writerDropped = Math.max(writerDropped, parsed.framesDropped);
          break;
        case 'network':
          if (typeof parsed.r?.id === 'string') {
            const had = network.get(parsed.r.id);
            if (had === undefined || !olderSocket(parsed.r, had)) network.set(parsed.r.id, parsed.r);
          }
          break;
        case 'console':
          if (typeof parsed.r?.id === 'string') consoleById.set(parsed.r.id, parsed.r);
          break;
        case 'navigation':
          if (typeof parsed.r?.index === 'number') navigations.set(parsed.r.index, parsed.r);
          break;
        case 'frames': {
          if (typeof parsed.s !== 'string' || !Array.isArray(parsed.f)) {
            badLines++;
            break;
          }
          let list = frames.get(parsed.s);
          if (list === undefined) frames.set(parsed.s, (list = []));
          for (const f of parsed.f) if (typeof f?.seq === 'number' && typeof f.data === 'string') list.push(f);
          // Bounded as a session's buffer is: the newest of each socket (cut in bulk, not per frame).
          if (list.length > 2 * perSocket) {
            framesDropped += list.length - perSocket;
            frames.set(parsed.s, list.slice(-perSocket));
          }
          break;
        }
        case 'end':
          ended = { at: parsed.at, reason: parsed.reason };
          if (typeof parsed.framesDropped === 'number') writerDropped = Math.max(writerDropped, parsed.framesDropped);
          break;
        default:
          badLines++;
      }
    }
  }
  return {
    header,
    network: [...network.values()].sort((a, b) => seq(a.id) - seq(b.id)),
    console: [...consoleById.values()].sort((a, b) => seq(a.id) - seq(b.id)),
    navigations: [...navigations.values()].sort((a, b) => a.index - b.index),
    frames: new Map(
      [...frames].map(([id, list]) => {
        if (list.length > perSocket) framesDropped += list.length - perSocket;
        return [id, list.slice(-perSocket)];
      }),
    ),
    framesDropped: framesDropped + writerDropped,
    ended,
    badLines,
  };
}

/**
 * Whether socket record `a` is an earlier state than `b`, the one already read: the journal and its frames file
 * each have lines of one socket (its open and close; its counts with each batch of frames), read file by file, not
 * in the order they were written. A closed socket is later than an open one, more frames later than fewer.
 */
export function olderSocket(a: NetworkRecord, b: NetworkRecord): boolean {
  if (a.webSocket === undefined || b.webSocket === undefined) return false;
  const closed = (r: NetworkRecord): number => (r.webSocket?.state === 'closed' ? 1 : 0);
  if (closed(a) !== closed(b)) return closed(a) < closed(b);
  const frames = (r: NetworkRecord): number => (r.webSocket?.framesSent ?? 0) + (r.webSocket?.framesReceived ?? 0);
  return frames(a) < frames(b);
}

function seq(id: string): number {
  const n = Number(id.slice(1));
  return Number.isFinite(n) ? n : 0;
}

/**
 * Reads `file` and, when it is a current segment, the files beside it: its previous segment (`journal.1.ndjson`) and
 * its WebSocket frames (`journal-frames.1.ndjson`, `journal-frames.ndjson`).
 */
export async function readJournal(file: string): Promise<JournalContents> {
  const current = await readText(file);
  if (current === undefined) {
    throw new BdgError(
      'NOT_FOUND',
      `No journal at ${file}`,
      'After a daemon was killed, the next bdg command keeps its journal in the session directory as history/journal-<time>.ndjson and says where.',
    );
  }
  const files: string[] = [];
  const texts: string[] = [];
  for (const f of basename(file).endsWith('.1.ndjson') ? [file] : journalFiles(file)) {
    const text = f === file ? current : await readText(f).catch(() => undefined);
    if (text === undefined) continue;
    files.push(f);
    texts.push(text);
  }
  const parsed = parseJournal(texts);
  if (parsed.header === null && parsed.network.length === 0 && parsed.console.length === 0) {
    throw new BdgError('INVALID_ARGUMENTS', `${file} is not a bdg journal`, 'Name a journal file: journal.ndjson, or history/journal-<time>.ndjson.');
  }
  return { files, ...parsed };
}

function notFound(kind: 'network request' | 'console message', id: string, file: string): BdgError {
  return new BdgError(
    'NOT_FOUND',
    `No ${kind} with id "${id}" in ${file}`,
    `List what it holds with \`bdg network list --from ${file}\` (requests are journaled once they finished or failed).`,
  );
}

/** `details network|console <id> --from FILE`. */
export function detailsFrom(j: JournalContents, type: 'network' | 'console', id: string, file: string): DetailsResult {
  if (type === 'network') {
    const r = j.network.find((x) => x.id === id) ?? [...j.network].reverse().find((x) => x.requestId === id);
    if (r === undefined) throw notFound('network request', id, file);
    return { type: 'network', item: r };
  }
  const c = j.console.find((x) => x.id === id);
  if (c === undefined) throw notFound('console message', id, file);
  return { type: 'console', item: withConsoleArgs(c) };
}

function listItem(r: NetworkRecord): NetworkListItem {
  const { requestHeaders: _a, responseHeaders: _b, body: _c, postData: _d, requestCookies: _e, responseCookies: _f, ...rest } = r;
  return rest;
}

/** `network list --from FILE`: the same listing as from a session, over what the journal holds. */
export function listFrom(
  j: JournalContents,
  params: { filter?: string | undefined; last: number; sort: string; page?: 'current' | 'all' | undefined; current: boolean; since?: string | undefined },
): NetworkListResult {
  const filter = parseNetworkFilter(params.filter ?? '');
  const page = params.current ? 'current' : (params.page ?? 'all');
  const lastNav = j.navigations[j.navigations.length - 1];
  const current = page === 'current' ? (lastNav?.index ?? Math.max(0, ...j.network.map((r) => r.navigation))) : undefined;
  const since = params.since !== undefined ? seq(params.since.startsWith('n') ? params.since : `n${params.since}`) : undefined;
  const matched = j.network.filter(
    (r) => (since === undefined || seq(r.id) > since) && (current === undefined || r.navigation === current) && filter.matches(r),
  );
  const nav = current !== undefined ? j.navigations.find((n) => n.index === current) : lastNav;
  return {
    requests: orderRequests(matched, params.sort as SortSpec, params.last).map(listItem),
    matched: matched.length,
    sort: params.sort,
    page,
    filter: filter.terms,
    navigation: nav !== undefined ? { index: nav.index, url: nav.url } : null,
    latestId: j.network[j.network.length - 1]?.id ?? null,
    stats: { count: j.network.length, dropped: 0, bytes: 0, maxItems: 0, maxBytes: 0, filtered: 0, pending: 0 },
  };
}

/** The HAR of a journal's requests, sanitized unless `includeSensitive` (the same builder and sanitizer as a session's). */
export function harOf(
  j: JournalContents,
  opts: { filter?: string | undefined; current: boolean; bodies: boolean; includeSensitive: boolean },
): { doc: Har; redacted: number } {
  const filter = parseNetworkFilter(opts.filter ?? '');
  const lastNav = j.navigations[j.navigations.length - 1]?.index;
  const current = opts.current ? lastNav : undefined;
  let records = j.network.filter((r) => (current === undefined || r.navigation === current) && filter.matches(r));
  if (!opts.bodies) records = records.map(({ body: _b, bodyUnavailable: _u, ...rest }) => rest);
  const doc = buildHar({
    records,
    navigations: current === undefined ? j.navigations : j.navigations.filter((n) => n.index === current),
    creator: { name: 'bdg', version: VERSION },
    browserProduct: undefined,
    webSocketFrames: (r) => j.frames.get(r.id) ?? [],
  });
  const redacted = opts.includeSensitive ? 0 : sanitizeHar(doc);
  return { doc, redacted };
}

/** `network ws <id> --from FILE`: a journaled socket's frames, as `network ws` lists a session's. */
export function framesFrom(j: JournalContents, params: { id: string; last: number; since?: number | undefined }, file: string): WebSocketFramesResult {
  const r = j.network.find((x) => x.id === params.id) ?? [...j.network].reverse().find((x) => x.requestId === params.id);
  if (r === undefined) throw notFound('network request', params.id, file);
  if (r.webSocket === undefined) throw notAWebSocket(r);
  const list = j.frames.get(r.id) ?? [];
  const picked = selectFrames(list, {
    ...(params.since !== undefined ? { since: params.since } : {}),
    last: params.last === 0 ? Number.MAX_SAFE_INTEGER : params.last,
  });
  let lastSeq = 0;
  for (const frames of j.frames.values()) lastSeq = Math.max(lastSeq, frames[frames.length - 1]?.seq ?? 0);
  // Frames the socket had that the journal no longer holds (the oldest rotated away) are dropped ones, as a
  // session's buffer counts those it no longer keeps.
  const w = r.webSocket;
  const missing = w.framesSent + w.framesReceived - list.filter((f) => f.type !== 'error').length;
  return webSocketFramesResult({ ...r, webSocket: { ...w, framesDropped: Math.max(w.framesDropped, missing) } }, picked, lastSeq);
}

/** `network har --from JOURNAL [FILE]`: written atomically, mode 0600, as a session's HAR is. */
export async function writeHarFrom(
  j: JournalContents,
  file: string,
  opts: { filter?: string | undefined; current: boolean; bodies: boolean; includeSensitive: boolean },
): Promise<HarResult> {
  const { doc, redacted } = harOf(j, opts);
  // A journal holds requests at their end: none is pending, and the journal counts no drops of its own here.
  return writeHarFile(file, doc, { sanitized: !opts.includeSensitive, redacted, dropped: 0 });
}
