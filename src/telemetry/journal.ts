/**
 * The crash-safe journal: requests (once finished or failed), console messages, and WebSockets (from their handshake
 * on, with their frames) appended to `journal.ndjson` in the session directory as they arrive, so a daemon killed
 * with SIGKILL still leaves its record. One JSON object per line (docs/session-file.md#the-journal). Writes are
 * batched off the request path: records are queued and written every `flushMs` (or at once when `maxBatch` are
 * waiting), one write at a time, through fs/promises only. The file is bounded: past `maxBytes` it is renamed to
 * `journal.1.ndjson` (replacing the one before) and a new one begun. WebSocket frames have files of their own,
 * `journal-frames.ndjson` and its previous segment `journal-frames.1.ndjson`, rotated the same way at
 * `maxFrameBytes`: the newest frames stay (the oldest rotate away, counted), and a chatty socket never rotates the
 * requests away. A failed write never reaches the caller: it is logged once, counted, and the batch is dropped (the
 * records are still in the daemon's memory and in session.json). Over 350 lines as one class: the queue, the two
 * files' rotations and the loss counts share one state, and splitting them would expose it.
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
   * Most bytes of one frames segment (`journal-frames.ndjson`; payloads are cut as the frame buffer cuts them); past
   * it the segment becomes the previous one, so the newest frames, at most twice this, are on disk. A batch with more
   * frames than this keeps its newest.
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
  /** 1 for the first segment, 2 after the first rotation, ... (frames segments are counted on their own). */
  segment: number;
  /** In a frames segment: frames left out of the journal before it began (dropped, or rotated away), for readers. */
  framesDropped?: number;
}

/** One line of the journal. A record may appear more than once (a body fetched later): the last one wins. */
export type JournalLine =
  | JournalHeader
  | { t: 'network'; r: NetworkRecord }
  | { t: 'console'; r: ConsoleRecord }
  | { t: 'navigation'; r: NavigationRecord }
  /** Frames of WebSocket `s` (its record id), oldest first; a socket's frames come in many such lines. */
  | { t: 'frames'; s: string; f: WebSocketFrame[] }
  /** `framesDropped`: frames the journal left out in all, as {@link JournalStats} counts them. */
  | { t: 'end'; at: string; reason: string; framesDropped?: number };

export interface JournalStats {
  file: string;
  /** Lines written (headers excluded). */
  records: number;
  /** Bytes of the current segment. */
  bytes: number;
  rotations: number;
  /** Records dropped because the queue was full, or in a batch whose write failed. */
  dropped: number;
  /**
   * WebSocket frames written, and those not in the journal: dropped from the queue or with a failed batch, cut from
   * a batch over the frame bytes, or in a frames segment rotated away.
   */
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

/** The frames file beside a journal file: `journal.ndjson` -> `journal-frames.ndjson` (its previous: `.1.ndjson`). */
export function framesSegment(path: string): string {
  const name = basename(path);
  return join(dirname(path), name.endsWith('.ndjson') ? `${name.slice(0, -'.ndjson'.length)}-frames.ndjson` : `${name}-frames`);
}

/** Every file of a journal, oldest first: the previous segment, the current one, then the frames files likewise. */
export function journalFiles(path: string): string[] {
  const frames = framesSegment(path);
  return [previousSegment(path), path, previousSegment(frames), frames];
}

type Item =
  | { kind: 'network'; record: NetworkRecord; tries: number }
  | { kind: 'console'; record: ConsoleRecord }
  | { kind: 'frame'; record: NetworkRecord; frame: WebSocketFrame };

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
  readonly #framesPath: string;
  #framesHandle: FileHandle | undefined;
  #framesSegment = 0;
  #framesBytes = 0;
  /** Frames in the current frames segment, and in the previous one (dropped when a rotation replaces it). */
  #framesHere = 0;
  #framesBefore = 0;
  /** JSON last written per navigation index, so only new or changed navigations are written again. */
  readonly #navWritten = new Map<number, string>();

  constructor(opts: JournalOptions) {
    this.#opts = opts;
    this.path = opts.path;
    this.#framesPath = framesSegment(opts.path);
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
      const end: JournalLine = { t: 'end', at: new Date().toISOString(), reason, ...(this.#framesDropped > 0 ? { framesDropped: this.#framesDropped } : {}) };
      await this.#append(`${JSON.stringify(end)}\n`).catch(() => undefined);
      await this.#handle.close().catch(() => undefined);
      this.#handle = undefined;
    }
    await this.#framesHandle?.close().catch(() => undefined);
    this.#framesHandle = undefined;
  }

  /** Closes the journal and deletes its files (the session's record is session.json now). */
  async remove(): Promise<void> {
    await this.close();
    const fs = await fsp();
    await Promise.all(journalFiles(this.path).map((f) => fs.unlink(f).catch(() => undefined)));
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
    const { lines: frameLines, written: framesWritten } = this.#frameLines(items.filter((i): i is Extract<Item, { kind: 'frame' }> => i.kind === 'frame'));
    for (const item of items) {
      if (item.kind === 'console') {
        lines.push(JSON.stringify({ t: 'console', r: item.record } satisfies JournalLine));
        continue;
      }
      if (item.kind === 'frame') continue;
      const r = item.record;
      const bodyComing =
        r.state === 'finished' && r.body === undefined && r.bodyUnavailable === undefined && r.webSocket === undefined && isTextMimeType(r.mimeType ?? '');
      if (bodyComing && !final && item.tries < BODY_WAIT_FLUSHES) {
        later.push({ ...item, tries: item.tries + 1 });
        continue;
      }
      lines.push(JSON.stringify({ t: 'network', r: this.#withoutLargeBody(r) } satisfies JournalLine));
    }
    for (const nav of this.#opts.navigations().slice(-20)) {
      const json = JSON.stringify(nav);
      if (this.#navWritten.get(nav.index) === json) continue;
      this.#navWritten.set(nav.index, json);
      lines.push(JSON.stringify({ t: 'navigation', r: nav } satisfies JournalLine));
    }
    if (this.#navWritten.size > 100) for (const key of [...this.#navWritten.keys()].slice(0, this.#navWritten.size - 50)) this.#navWritten.delete(key);
    this.#queue.unshift(...later);
    if (this.#queue.length > 0 && !final) this.#schedule(this.#limits.flushMs);
    if (lines.length > 0) {
      const text = `${lines.join('\n')}\n`;
      try {
        await this.#ensureOpen(Buffer.byteLength(text));
        await this.#append(text);
        this.#records += lines.length;
      } catch (err) {
        this.#dropped += lines.length;
        await this.#failed(err, `${lines.length} records not journaled`, 'main');
      }
    }
    if (frameLines.length > 0) {
      const text = `${frameLines.join('\n')}\n`;
      try {
        await this.#ensureFramesOpen(Buffer.byteLength(text));
        await this.#appendFrames(text);
        this.#records += frameLines.length;
        this.#frames += framesWritten;
        this.#framesHere += framesWritten;
      } catch (err) {
        this.#framesDropped += framesWritten;
        await this.#failed(err, `${framesWritten} WebSocket frames not journaled`, 'frames');
      }
    }
  }

  /** A failed write: counted, logged once; a broken handle (the file removed, the disk gone) is reopened next batch. */
  async #failed(err: unknown, what: string, file: 'main' | 'frames'): Promise<void> {
    this.#writeErrors++;
    if (!this.#failedOnce) {
      this.#failedOnce = true;
      this.#opts.log.error(`writing the journal ${file === 'main' ? this.path : this.#framesPath} failed (${what}; further failures are counted only)`, err);
    }
    if (errnoCode(err) === 'ENOSPC') return;
    if (file === 'main' && this.#handle !== undefined) {
      await this.#handle.close().catch(() => undefined);
      this.#handle = undefined;
    }
    if (file === 'frames' && this.#framesHandle !== undefined) {
      await this.#framesHandle.close().catch(() => undefined);
      this.#framesHandle = undefined;
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
      await fs.rename(previousSegment(this.#framesPath), join(history, names.framesPrevious)).catch(() => undefined);
      await fs.rename(this.#framesPath, join(history, names.frames)).catch(() => undefined);
      await fs.rename(this.path, join(history, names.current));
      this.#opts.log.warn(`an earlier session's journal was in the way; kept it as ${join(history, names.current)}`);
      return;
    }
  }

  /**
   * The frames file's lines of a batch: per socket, one line of its frames and then its record as it is now (so the
   * frames file's last line for a socket has the counts of its last frames). A batch over the frames segment's bytes
   * keeps its newest frames; the older ones are counted as dropped.
   */
  #frameLines(items: Array<{ record: NetworkRecord; frame: WebSocketFrame }>): { lines: string[]; written: number } {
    // Each frame's JSON once: its bytes decide what fits, and the line is joined from them.
    const json = items.map((i) => JSON.stringify(i.frame));
    let budget = this.#limits.maxFrameBytes;
    let first = items.length;
    while (first > 0) {
      const bytes = Buffer.byteLength(json[first - 1] as string) + 1;
      if (bytes > budget) break;
      budget -= bytes;
      first--;
    }
    this.#framesDropped += first;
    const bySocket = new Map<NetworkRecord, string[]>();
    for (let i = first; i < items.length; i++) {
      const { record } = items[i] as { record: NetworkRecord };
      const list = bySocket.get(record);
      if (list !== undefined) list.push(json[i] as string);
      else bySocket.set(record, [json[i] as string]);
    }
    const lines: string[] = [];
    for (const [record, frames] of bySocket) {
      lines.push(`{"t":"frames","s":${JSON.stringify(record.id)},"f":[${frames.join(',')}]}`);
      lines.push(JSON.stringify({ t: 'network', r: record } satisfies JournalLine));
    }
    return { lines, written: items.length - first };
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

  /**
   * Opens the frames file (after the journal itself, which claims the session directory's journal), or begins a new
   * frames segment when `incoming` bytes would pass the bound: the current one replaces the previous, whose frames
   * are then counted as dropped.
   */
  async #ensureFramesOpen(incoming: number): Promise<void> {
    if (this.#segment === 0) await this.#ensureOpen(0);
    const fs = await fsp();
    if (this.#framesHandle !== undefined) {
      // A segment without frames yet takes a batch whatever its size (a batch is cut to the bound already).
      if (this.#framesBytes + incoming <= this.#limits.maxFrameBytes || this.#framesHere === 0) return;
      await this.#framesHandle.close().catch(() => undefined);
      this.#framesHandle = undefined;
      await fs.rename(this.#framesPath, previousSegment(this.#framesPath));
      this.#framesDropped += this.#framesBefore;
      this.#framesBefore = this.#framesHere;
      this.#framesHere = 0;
    }
    // The first frames segment of this daemon: frames files still here are an earlier session's whose journal went
    // (the journal's own claim moved them to history/ with it otherwise), so they are not this session's to mix in.
    const first = this.#framesSegment === 0;
    if (first) await fs.unlink(previousSegment(this.#framesPath)).catch(() => undefined);
    const handle = await fs.open(this.#framesPath, first ? 'w' : 'a', 0o600);
    this.#framesHandle = handle;
    this.#framesSegment++;
    this.#framesBytes = (await handle.stat()).size;
    if (this.#framesBytes === 0) {
      const header: JournalHeader = {
        t: 'session',
        v: JOURNAL_VERSION,
        ...this.#opts.header(),
        segment: this.#framesSegment,
        framesDropped: this.#framesDropped,
      };
      await this.#appendFrames(`${JSON.stringify(header)}\n`);
    }
  }

  async #appendFrames(text: string): Promise<void> {
    const handle = this.#framesHandle;
    if (handle === undefined) throw new Error('journal frames file not open');
    await handle.write(text);
    this.#framesBytes += Buffer.byteLength(text);
  }
}
