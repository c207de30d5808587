/**
 * The crash-safe journal: requests (once finished or failed), console messages, and WebSockets (from their handshake
 * on, with their frames) appended to `journal.ndjson` in the session directory as they arrive, so a daemon killed
 * with SIGKILL still leaves its record. One JSON object per line (docs/session-file.md#the-journal). Writes are
 * batched off the request path: records are queued and written every `flushMs` (or at once when `maxBatch` are
 * waiting), one write at a time, through fs/promises only. The file is bounded: past `maxBytes` it is renamed to
 * `journal.1.ndjson` (replacing the one before) and a new one begun; WebSocket frames take at most `maxFrameBytes` of
 * a segment (the first ones; later frames of that segment are counted, not written). A failed write never reaches
 * the caller: it is logged once, counted, and the batch is dropped (the records are still in the daemon's memory and
 * in session.json).
 */
import { basename, dirname, join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type { ConsoleRecord, NavigationRecord, NetworkRecord, WebSocketFrame } from '../protocol/records.js';
import { errnoCode } from '../util/errors.js';
import { fsp } from '../util/fsAsync.js';
import type { Logger } from '../util/logger.js';
import { HISTORY_DIR, journalHistoryName } from '../util/sessionHistory.js';
import { isTextMimeType } from './networkClassify.js';

/** Format version of the journal's lines; a reader refuses a newer one. */
export const JOURNAL_VERSION = 1;

export interface JournalLimits {
  /** Most bytes of one segment; past it the segment becomes the previous one (so at most twice this on disk). */
  maxBytes: number;
  /** How long a record waits in the queue before it is written. */
  flushMs: number;
  /** A queue this long is written at once. */
  maxBatch: number;
  /** Most records waiting; past it the oldest are dropped (and counted), as when the disk is slower than the page. */
  maxQueue: number;
  /** Response bodies longer than this are left out of the journal (session.json and `details` still have them). */
  maxBodyBytes: number;
  /**
   * Most bytes of WebSocket frames per segment (their payloads are cut as the frame buffer cuts them); past it a
   * segment's further frames are left out and counted, so a chatty socket cannot rotate the requests away.
   */
  maxFrameBytes: number;
}

export const JOURNAL_LIMITS: JournalLimits = {
  maxBytes: 16 * 1024 * 1024,
  flushMs: 200,
  maxBatch: 500,
  maxQueue: 20_000,
  maxBodyBytes: 256 * 1024,
  maxFrameBytes: 4 * 1024 * 1024,
};

/** The first line of every segment. */
export interface JournalHeader {
  t: 'session';
  v: number;
  pid: number;
  startedAt: string;
  url: string;
  sessionDir: string;
  bdg: string;
  /** 1 for the first segment, 2 after the first rotation, ... */
  segment: number;
}

/** One line of the journal. A record may appear more than once (a body fetched later): the last one wins. */
export type JournalLine =
  | JournalHeader
  | { t: 'network'; r: NetworkRecord }
  | { t: 'console'; r: ConsoleRecord }
  | { t: 'navigation'; r: NavigationRecord }
  /** Frames of WebSocket `s` (its record id), oldest first; a socket's frames come in many such lines. */
  | { t: 'frames'; s: string; f: WebSocketFrame[] }
  | { t: 'end'; at: string; reason: string };

export interface JournalStats {
  file: string;
  /** Lines written (headers excluded). */
  records: number;
  /** Bytes of the current segment. */
  bytes: number;
  rotations: number;
  /** Records dropped because the queue was full, or in a batch whose write failed. */
  dropped: number;
  /** WebSocket frames written, and those left out past a segment's frame bytes (or dropped with a batch). */
  frames: number;
  framesDropped: number;
  writeErrors: number;
  queued: number;
}

/** The previous segment's name beside a journal file: `journal.ndjson` -> `journal.1.ndjson`. */
export function previousSegment(path: string): string {
  const name = basename(path);
  return join(dirname(path), name.endsWith('.ndjson') ? `${name.slice(0, -'.ndjson'.length)}.1.ndjson` : `${name}.1`);
}

type Item =
  | { kind: 'network'; record: NetworkRecord; tries: number }
  | { kind: 'console'; record: ConsoleRecord }
  | { kind: 'frame'; record: NetworkRecord; frame: WebSocketFrame };

/** JSON bytes of a frame beyond its payload, roughly (`{"seq":1,"type":"receive",...}`). */
const FRAME_LINE_OVERHEAD = 80;

/** How many times a finished text response is held back waiting for its body (fetched as it finishes). */
const BODY_WAIT_FLUSHES = 3;

export interface JournalOptions {
  path: string;
  header: () => Omit<JournalHeader, 't' | 'v' | 'segment'>;
  /** The session's navigations, oldest first; new and changed ones are written with each batch. */
  navigations: () => readonly NavigationRecord[];
  log: Logger;
  limits?: JournalLimits;
}

/** The journal writer; see the module comment. */
export class Journal {
  readonly path: string;
  readonly #opts: JournalOptions;
  readonly #limits: JournalLimits;
  #queue: Item[] = [];
  #handle: FileHandle | undefined;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  #failedOnce = false;
  #segment = 0;
  #bytes = 0;
  #records = 0;
  #rotations = 0;
  #dropped = 0;
  #writeErrors = 0;
  #frames = 0;
  #framesDropped = 0;
  /** Frame bytes written to the current segment. */
  #segmentFrameBytes = 0;
  /** JSON last written per navigation index, so only new or changed navigations are written again. */
  readonly #navWritten = new Map<number, string>();

  constructor(opts: JournalOptions) {
    this.#opts = opts;
    this.path = opts.path;
    this.#limits = opts.limits ?? JOURNAL_LIMITS;
  }

  /** A request that finished or failed (or a WebSocket that closed). */
  network(record: NetworkRecord): void {
    this.#push({ kind: 'network', record, tries: 0 });
  }

  /** A console message, as it arrives. */
  console(record: ConsoleRecord): void {
    this.#push({ kind: 'console', record });
  }

  /**
   * A WebSocket that opened: journaled now, so a daemon killed while it is open still leaves it (its line is written
   * again with each batch of its frames, and when it closes, so the last one has its counts).
   */
  webSocket(record: NetworkRecord): void {
    this.#push({ kind: 'network', record, tries: 0 });
  }

  /** A frame of WebSocket `record`, as the frame buffer kept it. */
  frame(record: NetworkRecord, frame: WebSocketFrame): void {
    this.#push({ kind: 'frame', record, frame });
  }

  stats(): JournalStats {
    return {
      file: this.path,
      records: this.#records,
      bytes: this.#bytes,
      rotations: this.#rotations,
      dropped: this.#dropped,
      frames: this.#frames,
      framesDropped: this.#framesDropped,
      writeErrors: this.#writeErrors,
      queued: this.#queue.length,
    };
  }

  /**
   * Writes what is queued now (the timer does this on its own); `final` also writes the text responses still waiting
   * for their bodies.
   */
  flush(final = false): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#flushing !== undefined) return this.#flushing.then(() => this.flush(final));
    const run = this.#write(final).finally(() => {
      this.#flushing = undefined;
    });
    this.#flushing = run;
    return run;
  }

  /** Writes the rest and an end line, closes the file; nothing is journaled afterwards. */
  async close(reason = 'stopped'): Promise<void> {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    await this.flush(true);
    this.#closed = true;
    clearTimeout(this.#timer);
    if (this.#handle !== undefined) {
      await this.#append(`${JSON.stringify({ t: 'end', at: new Date().toISOString(), reason } satisfies JournalLine)}\n`).catch(() => undefined);
      await this.#handle.close().catch(() => undefined);
      this.#handle = undefined;
    }
  }

  /** Closes the journal and deletes both segments (the session's record is session.json now). */
  async remove(): Promise<void> {
    await this.close();
    const fs = await fsp();
    await Promise.all([fs.unlink(this.path).catch(() => undefined), fs.unlink(previousSegment(this.path)).catch(() => undefined)]);
  }

  #push(item: Item): void {
    if (this.#closed) return;
    this.#queue.push(item);
    if (this.#queue.length > this.#limits.maxQueue) {
      const gone = this.#queue.shift();
      if (gone?.kind === 'frame') this.#framesDropped++;
      else this.#dropped++;
    }
    if (this.#queue.length >= this.#limits.maxBatch) this.#schedule(0);
    else this.#schedule(this.#limits.flushMs);
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) {
      if (ms > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, ms);
    this.#timer.unref();
  }

  /** One batch: the queue's lines (text responses whose body is still coming wait a few rounds), then the write. */
  async #write(final: boolean): Promise<void> {
    const items = this.#queue;
    this.#queue = [];
    const lines: string[] = [];
    const later: Item[] = [];
    // Frames are written per socket, one line per batch, followed by the socket's record as it is now.
    const frames = new Map<NetworkRecord, WebSocketFrame[]>();
    for (const item of items) {
      if (item.kind !== 'frame') continue;
      const list = frames.get(item.record);
      if (list !== undefined) list.push(item.frame);
      else frames.set(item.record, [item.frame]);
    }
    for (const item of items) {
      if (item.kind === 'console') {
        lines.push(JSON.stringify({ t: 'console', r: item.record } satisfies JournalLine));
        continue;
      }
      if (item.kind === 'frame') continue;
      const r = item.record;
      // A socket with frames in this batch is written after them.
      if (r.webSocket !== undefined && frames.has(r)) continue;
      const bodyComing =
        r.state === 'finished' && r.body === undefined && r.bodyUnavailable === undefined && r.webSocket === undefined && isTextMimeType(r.mimeType ?? '');
      if (bodyComing && !final && item.tries < BODY_WAIT_FLUSHES) {
        later.push({ ...item, tries: item.tries + 1 });
        continue;
      }
      lines.push(JSON.stringify({ t: 'network', r: this.#withoutLargeBody(r) } satisfies JournalLine));
    }
    const { lines: frameLines, written: framesWritten } = this.#frameLines(frames);
    lines.push(...frameLines);
    for (const nav of this.#opts.navigations().slice(-20)) {
      const json = JSON.stringify(nav);
      if (this.#navWritten.get(nav.index) === json) continue;
      this.#navWritten.set(nav.index, json);
      lines.push(JSON.stringify({ t: 'navigation', r: nav } satisfies JournalLine));
    }
    if (this.#navWritten.size > 100) for (const key of [...this.#navWritten.keys()].slice(0, this.#navWritten.size - 50)) this.#navWritten.delete(key);
    this.#queue.unshift(...later);
    if (this.#queue.length > 0 && !final) this.#schedule(this.#limits.flushMs);
    if (lines.length === 0) return;
    const text = `${lines.join('\n')}\n`;
    try {
      await this.#ensureOpen(Buffer.byteLength(text));
      await this.#append(text);
      this.#records += lines.length;
      this.#frames += framesWritten;
    } catch (err) {
      this.#writeErrors++;
      this.#dropped += lines.length;
      this.#framesDropped += framesWritten;
      if (!this.#failedOnce) {
        this.#failedOnce = true;
        this.#opts.log.error(`writing the journal ${this.path} failed (${lines.length} records not journaled; further failures are counted only)`, err);
      }
      // A broken handle (the file removed, the disk gone) is reopened by the next batch.
      if (errnoCode(err) !== 'ENOSPC' && this.#handle !== undefined) {
        await this.#handle.close().catch(() => undefined);
        this.#handle = undefined;
      }
    }
  }

  /** A journal an earlier daemon left where ours goes (started without the CLI's clean-up): kept in history/. */
  async #keepStale(): Promise<void> {
    const fs = await fsp();
    const st = await fs.stat(this.path);
    const history = join(dirname(this.path), HISTORY_DIR);
    await fs.mkdir(history, { mode: 0o700 }).catch((err: unknown) => {
      if (errnoCode(err) !== 'EEXIST') throw err;
    });
    for (let n = 1; n < 1000; n++) {
      const names = journalHistoryName(st.mtime.toISOString(), n);
      const taken = await fs.lstat(join(history, names.current)).then(
        () => true,
        () => false,
      );
      if (taken) continue;
      await fs.rename(previousSegment(this.path), join(history, names.previous)).catch(() => undefined);
      await fs.rename(this.path, join(history, names.current));
      this.#opts.log.warn(`an earlier session's journal was in the way; kept it as ${join(history, names.current)}`);
      return;
    }
  }

  /**
   * The lines of a batch's frames: per socket, its frames (within the segment's frame bytes; the rest counted as
   * dropped) and then its record, so the journal's last line for a socket has the counts of its last frames.
   */
  #frameLines(frames: Map<NetworkRecord, WebSocketFrame[]>): { lines: string[]; written: number } {
    const lines: string[] = [];
    let written = 0;
    for (const [record, list] of frames) {
      const kept: WebSocketFrame[] = [];
      for (const f of list) {
        const bytes = f.data.length + FRAME_LINE_OVERHEAD;
        if (this.#segmentFrameBytes + bytes > this.#limits.maxFrameBytes) {
          this.#framesDropped++;
          continue;
        }
        this.#segmentFrameBytes += bytes;
        kept.push(f);
      }
      if (kept.length > 0) lines.push(JSON.stringify({ t: 'frames', s: record.id, f: kept } satisfies JournalLine));
      lines.push(JSON.stringify({ t: 'network', r: record } satisfies JournalLine));
      written += kept.length;
    }
    return { lines, written };
  }

  #withoutLargeBody(r: NetworkRecord): NetworkRecord {
    if (r.body === undefined || r.body.data.length <= this.#limits.maxBodyBytes) return r;
    const { body: _b, ...rest } = r;
    return { ...rest, bodyUnavailable: 'too-large' };
  }

  async #append(text: string): Promise<void> {
    const handle = this.#handle;
    if (handle === undefined) throw new Error('journal not open');
    await handle.write(text);
    this.#bytes += Buffer.byteLength(text);
  }

  /** Opens the first segment, or starts a new one when `incoming` bytes would pass the bound. */
  async #ensureOpen(incoming: number): Promise<void> {
    const fs = await fsp();
    if (this.#handle !== undefined && this.#bytes + incoming <= this.#limits.maxBytes) return;
    if (this.#handle !== undefined) {
      await this.#handle.close().catch(() => undefined);
      this.#handle = undefined;
      await fs.rename(this.path, previousSegment(this.path));
      this.#rotations++;
    }
    // The first segment is created exclusively: a journal left by an earlier daemon is the clean-up's to keep, never
    // ours to overwrite. Later segments (and a reopen after a failure) append to our own file.
    const first = this.#segment === 0;
    const handle = await fs.open(this.path, first ? 'wx' : 'a', 0o600).catch(async (err: unknown) => {
      if (!first || errnoCode(err) !== 'EEXIST') throw err;
      await this.#keepStale();
      return fs.open(this.path, 'wx', 0o600);
    });
    this.#handle = handle;
    this.#segment++;
    this.#segmentFrameBytes = 0;
    const st = await handle.stat();
    this.#bytes = st.size;
    if (st.size === 0) {
      const header: JournalHeader = { t: 'session', v: JOURNAL_VERSION, ...this.#opts.header(), segment: this.#segment };
      await this.#append(`${JSON.stringify(header)}\n`);
      // A new segment knows nothing of the navigations before it: the next batch writes them again.
      if (this.#segment > 1) {
        this.#navWritten.clear();
        this.#schedule(this.#limits.flushMs);
      }
    }
  }
}
