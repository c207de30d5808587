/**
 * CDP event capture for `bdg cdp`: collections (`<Method> --collect/--until`: subscribed before the method is sent,
 * until the `--until` event or the timeout) and the session's `--listen` buffer, which keeps events between commands
 * until `--events` takes them or `--unlisten` drops them. IPC is request/response, so events are held here and
 * returned with an answer, or streamed to an NDJSON file.
 *
 * Only events of the page the session drives (its flatten session) and browser-level ones are taken: events of
 * attached child sessions (out-of-process iframes, workers) carry a session id `bdg cdp` cannot send to. After
 * `bdg tabs select` the listeners follow the newly driven tab.
 *
 * Everything is bounded: the buffer keeps the newest events (count and bytes; the oldest are dropped and counted),
 * one event over 1 MB is kept without its params, an answer carries about 20,000 characters of events, a file may
 * fall 64 MB behind the disk and grow to 1 GiB before events are dropped and counted.
 */
import type { FileHandle } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { CdpCapturedEvent, CdpCollected, CdpEventsDelivery, CdpListenState, CdpReadResult, CdpUnlistenResult } from '../protocol/commands/cdp.js';
import { BdgError } from '../util/errors.js';
import { fsp } from '../util/fsAsync.js';
import { tempPathFor, writeError } from '../util/fsx.js';
import { pause } from '../util/sleep.js';

export const CAPTURE_LIMITS = {
  /** Events the --listen buffer keeps (the newest). */
  bufferEvents: 1_000,
  /** Characters of event JSON the --listen buffer keeps. */
  bufferBytes: 10 * 1024 * 1024,
  /** An event whose params' JSON is longer is kept without them (`truncatedFrom` says how long they were). */
  eventBytes: 1024 * 1024,
  /** Event names (or domains) listened to at once. */
  listeners: 64,
  /** Collections running at once. */
  collections: 16,
  /** Characters of events one answer carries without --out (as the original bdg). */
  answerChars: 20_000,
  /** Bytes an --out file may have waiting for the disk before events are dropped (CDP events cannot be paused). */
  pendingWriteBytes: 64 * 1024 * 1024,
  /** Bytes one --out file may hold. */
  fileBytes: 1024 * 1024 * 1024,
};

export type CaptureLimits = typeof CAPTURE_LIMITS;

/** An event as held here: its params kept as JSON text, so its size is exact and later mutation cannot change it. */
interface Held {
  method: string;
  ts: number;
  /** The params' JSON; undefined when longer than `eventBytes` (then `size` is that length). */
  json: string | undefined;
  size: number;
}

/** Names match a whole `Domain.event` or, for a bare `Domain`, every event of it. */
function matcher(names: readonly string[] | undefined): (method: string) => boolean {
  if (names === undefined || names.length === 0) return () => true;
  const events = new Set(names.filter((n) => n.includes('.')));
  const domains = new Set(names.filter((n) => !n.includes('.')));
  return (method) => events.has(method) || domains.has(method.slice(0, method.indexOf('.')));
}

function lineOf(h: Held): string {
  return h.json === undefined
    ? JSON.stringify({ method: h.method, params: null, ts: h.ts, truncatedFrom: h.size })
    : `{"method":${JSON.stringify(h.method)},"params":${h.json},"ts":${h.ts}}`;
}

function toEvent(h: Held): CdpCapturedEvent {
  return h.json === undefined
    ? { method: h.method, params: null, ts: h.ts, truncatedFrom: h.size }
    : { method: h.method, params: JSON.parse(h.json) as unknown, ts: h.ts };
}

/**
 * Events for one answer, oldest first, within a character budget. Once one does not fit, it and every later one are
 * left out (counted), so what an answer leaves out is always the end; a first event alone over the budget is still
 * given, its params cut to the start of their JSON text.
 */
class AnswerPage {
  readonly events: CdpCapturedEvent[] = [];
  omitted = 0;
  #used = 0;
  constructor(readonly maxChars: number) {}

  add(h: Held): boolean {
    const size = lineOf(h).length;
    if (this.omitted === 0 && this.#used + size <= this.maxChars) {
      this.events.push(toEvent(h));
      this.#used += size;
      return true;
    }
    if (this.events.length === 0 && this.omitted === 0) {
      const json = h.json ?? 'null';
      this.events.push({
        method: h.method,
        params: json.slice(0, Math.max(0, this.maxChars - 200)),
        ts: h.ts,
        truncatedFrom: h.json === undefined ? h.size : json.length,
      });
      this.#used = this.maxChars;
      return true;
    }
    this.omitted++;
    return false;
  }
}

/**
 * An NDJSON file written under a temp name beside the target and renamed over it only on {@link commit}, so a failed
 * collection never truncates a file already there. Mode 0600: events carry cookies, headers and page data. Lines
 * are queued and written in order by one loop of async writes; what waits for the disk is bounded.
 */
export class NdjsonFile {
  count = 0;
  bytes = 0;
  dropped = 0;
  #error: unknown;
  #queue: string[] = [];
  #pending = 0;
  #flushing: Promise<void> | undefined;

  private constructor(
    readonly file: string,
    readonly temp: string,
    readonly handle: FileHandle,
    readonly limits: Pick<CaptureLimits, 'pendingWriteBytes' | 'fileBytes'>,
  ) {}

  static async open(file: string, limits: Pick<CaptureLimits, 'pendingWriteBytes' | 'fileBytes'> = CAPTURE_LIMITS): Promise<NdjsonFile> {
    if (!isAbsolute(file))
      throw new BdgError(
        'INVALID_ARGUMENTS',
        `--out needs an absolute path (got ${file})`,
        'The CLI resolves a relative path; other clients must send an absolute one.',
      );
    const fs = await fsp();
    const target = await fs.stat(file).catch(() => undefined);
    if (target?.isDirectory() === true) throw writeError(file, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
    const temp = tempPathFor(file);
    try {
      return new NdjsonFile(file, temp, await fs.open(temp, 'wx', 0o600), limits);
    } catch (err) {
      throw writeError(file, err);
    }
  }

  /** Appends one line, or drops it (counted) while too much waits for the disk or the file is at its cap. */
  write(line: string): boolean {
    const size = Buffer.byteLength(line) + 1;
    if (this.#error !== undefined || this.#pending + size > this.limits.pendingWriteBytes || this.bytes + size > this.limits.fileBytes) {
      this.dropped++;
      return false;
    }
    this.#queue.push(`${line}\n`);
    this.#pending += size;
    this.count++;
    this.bytes += size;
    this.#flushing ??= this.#drain();
    return true;
  }

  /** Appends lines, waiting for the disk whenever a few MB wait (nothing is dropped but past the file cap). */
  async writeAll(lines: readonly string[]): Promise<void> {
    for (const line of lines) {
      if (this.#error !== undefined) break;
      while (this.#pending > 4 * 1024 * 1024 && this.#flushing !== undefined) await this.#flushing;
      this.write(line);
    }
    await this.#flushing;
    if (this.#error !== undefined) throw writeError(this.file, this.#error);
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const chunk = this.#queue.splice(0).join('');
      try {
        if (this.#error === undefined) await this.handle.writeFile(chunk);
      } catch (err) {
        this.#error = err;
      }
      this.#pending -= Buffer.byteLength(chunk);
    }
    this.#flushing = undefined;
  }

  /** Flushes, syncs and renames the temp file over the target; a failure removes it and names the cause. */
  async commit(): Promise<{ file: string; count: number; bytes: number }> {
    const fs = await fsp();
    try {
      await this.#flushing;
      if (this.#error !== undefined) throw this.#error instanceof Error ? this.#error : new Error('write failed');
      await this.handle.sync();
      await this.handle.close();
      await fs.rename(this.temp, this.file);
    } catch (err) {
      await this.handle.close().catch(() => undefined);
      await fs.unlink(this.temp).catch(() => undefined);
      throw writeError(this.file, err);
    }
    return { file: this.file, count: this.count, bytes: this.bytes };
  }

  /** Closes and removes the temp file, leaving the target as it was. */
  async discard(): Promise<void> {
    this.#queue = [];
    await this.#flushing;
    await this.handle.close().catch(() => undefined);
    await (await fsp()).unlink(this.temp).catch(() => undefined);
  }
}

interface Collection {
  match: (method: string) => boolean;
  until: string | undefined;
  untilArrived: () => void;
  done: boolean;
  page: AnswerPage | undefined;
  file: NdjsonFile | undefined;
}

export interface CollectOptions {
  events: readonly string[];
  until?: string | undefined;
  timeoutMs: number;
  /** Absolute path of an NDJSON file to write the events to instead of returning them. */
  out?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** The session's event capture: the `--listen` buffer and the running collections, fed by the session's event fan-out. */
export class CdpCapture {
  readonly #limits: CaptureLimits;
  readonly #pageSessionId: () => string | undefined;
  readonly #listening: string[] = [];
  #listenMatch: (method: string) => boolean = () => false;
  #buffer: Held[] = [];
  #bufferBytes = 0;
  #dropped = 0;
  readonly #waiters = new Set<() => void>();
  readonly #collections = new Set<Collection>();

  constructor(pageSessionId: () => string | undefined, limits: CaptureLimits = CAPTURE_LIMITS) {
    this.#pageSessionId = pageSessionId;
    this.#limits = limits;
  }

  /** Every CDP event of the connection; cheap when nothing listens or collects. */
  handleEvent(method: string, params: unknown, sessionId: string | undefined): void {
    if (this.#listening.length === 0 && this.#collections.size === 0) return;
    if (sessionId !== undefined && sessionId !== this.#pageSessionId()) return;
    const listened = this.#listening.length > 0 && this.#listenMatch(method);
    let held: Held | undefined;
    const hold = (): Held => (held ??= this.#hold(method, params));
    if (listened) this.#push(hold());
    for (const c of this.#collections) {
      if (c.done || !(c.match(method) || method === c.until)) continue;
      const h = hold();
      if (c.file !== undefined) c.file.write(lineOf(h));
      else c.page?.add(h);
      if (method === c.until) c.untilArrived();
    }
  }

  #hold(method: string, params: unknown): Held {
    let json: string;
    try {
      json = JSON.stringify(params ?? {});
    } catch {
      json = '{}';
    }
    const ts = Date.now();
    return json.length > this.#limits.eventBytes ? { method, ts, json: undefined, size: json.length } : { method, ts, json, size: json.length };
  }

  #push(h: Held): void {
    this.#buffer.push(h);
    this.#bufferBytes += h.json?.length ?? 0;
    while (this.#buffer.length > this.#limits.bufferEvents || (this.#bufferBytes > this.#limits.bufferBytes && this.#buffer.length > 0)) {
      const oldest = this.#buffer.shift() as Held;
      this.#bufferBytes -= oldest.json?.length ?? 0;
      this.#dropped++;
    }
    for (const wake of this.#waiters) wake();
  }

  state(): CdpListenState {
    return { listening: [...this.#listening], buffered: this.#buffer.length, dropped: this.#dropped };
  }

  /** Starts buffering these events (names already listened to stay as they are). */
  listen(names: readonly string[]): CdpListenState {
    const added = names.filter((n) => !this.#listening.includes(n));
    if (this.#listening.length + added.length > this.#limits.listeners) {
      throw new BdgError(
        'INVALID_ARGUMENTS',
        `At most ${this.#limits.listeners} events are listened to at once (${this.#listening.length} already, ${added.length} more asked)`,
        'Listen to a whole domain instead (bdg cdp --listen Network), or stop with bdg cdp --unlisten first.',
      );
    }
    this.#listening.push(...added);
    this.#listenMatch = matcher(this.#listening);
    return this.state();
  }

  /** Stops listening and discards the buffer; NOT_FOUND when nothing was listened to. */
  unlisten(): CdpUnlistenResult {
    this.#assertListening();
    const stopped = this.#listening.splice(0);
    const discarded = this.#buffer.length;
    this.#buffer = [];
    this.#bufferBytes = 0;
    this.#listenMatch = () => false;
    const state = this.state();
    this.#dropped = 0;
    for (const wake of this.#waiters) wake();
    return { ...state, stopped, discarded };
  }

  /**
   * Reads the matching buffered events: returns them within the answer's budget (the rest stay, as `remaining`),
   * writes them all to a file (taken out only once the file is in place), or discards them; first waiting up to
   * `waitMs` for one when none is buffered. A client that leaves during the wait takes nothing.
   */
  async read(opts: { events?: readonly string[]; waitMs?: number; clear?: boolean; out?: string }, signal: AbortSignal): Promise<CdpReadResult> {
    this.#assertListening();
    const match = matcher(opts.events);
    const notListened = (opts.events ?? []).filter((n) => !this.#covers(n));
    const found = await this.#waitFor(match, opts.waitMs ?? 0, signal);
    const extra = {
      ...(notListened.length > 0 ? { notListened } : {}),
      ...(!found && (opts.waitMs ?? 0) > 0 ? { waitedOut: true } : {}),
    };
    if (signal.aborted) return { ...this.state(), count: 0, events: [], ...extra };
    if (opts.clear === true) {
      const before = this.#buffer.length;
      this.#remove((h) => match(h.method));
      return { ...this.state(), cleared: before - this.#buffer.length, ...extra };
    }
    if (opts.out !== undefined) {
      const taken = this.#buffer.filter((h) => match(h.method));
      const file = await NdjsonFile.open(opts.out);
      try {
        await file.writeAll(taken.map(lineOf));
      } catch (err) {
        await file.discard();
        throw err;
      }
      const written = await file.commit();
      const gone = new Set(taken);
      this.#remove((h) => gone.has(h));
      return { ...this.state(), ...written, ...extra };
    }
    const page = new AnswerPage(this.#limits.answerChars);
    const taken = new Set<Held>();
    for (const h of this.#buffer) if (match(h.method) && page.add(h)) taken.add(h);
    this.#remove((h) => taken.has(h));
    return { ...this.state(), events: page.events, count: page.events.length, ...(page.omitted > 0 ? { remaining: page.omitted } : {}), ...extra };
  }

  /**
   * Runs `send` while collecting: subscribed before it is sent, until `until` arrived (it is collected too) or
   * `timeoutMs` from the subscription passed, but at least until `send` answered. A timeout is not an error: the
   * events so far come back with `complete: false`. When `send` fails nothing is collected and its error is thrown.
   */
  async collect<T>(send: () => Promise<T>, opts: CollectOptions): Promise<{ result: T; collected: CdpCollected }> {
    if (this.#collections.size >= this.#limits.collections) {
      throw new BdgError('BUSY', `${this.#limits.collections} collections are running in this session already`, 'Retry when one of them has finished.');
    }
    const file = opts.out === undefined ? undefined : await NdjsonFile.open(opts.out, this.#limits);
    const arrived = new AbortController();
    const c: Collection = {
      match: opts.events.length > 0 ? matcher(opts.events) : () => false,
      until: opts.until,
      untilArrived: () => {
        c.done = true;
        arrived.abort();
      },
      done: false,
      page: file === undefined ? new AnswerPage(this.#limits.answerChars) : undefined,
      file,
    };
    const deadline = Date.now() + opts.timeoutMs;
    this.#collections.add(c);
    try {
      const result = await send();
      const stop = opts.signal === undefined ? arrived.signal : AbortSignal.any([arrived.signal, opts.signal]);
      await pause(deadline - Date.now(), stop);
      c.done = true;
      this.#collections.delete(c);
      const untilOk = opts.until === undefined || arrived.signal.aborted;
      let delivery: CdpEventsDelivery & { omitted?: number; dropped?: number };
      if (file !== undefined) {
        const written = await file.commit();
        delivery = { ...written, ...(file.dropped > 0 ? { dropped: file.dropped } : {}) };
      } else {
        const page = c.page as AnswerPage;
        delivery = { events: page.events, count: page.events.length, ...(page.omitted > 0 ? { omitted: page.omitted } : {}) };
      }
      const complete = untilOk && opts.signal?.aborted !== true && (delivery.dropped ?? 0) === 0;
      return { result, collected: { complete, ...delivery } };
    } catch (err) {
      c.done = true;
      this.#collections.delete(c);
      await file?.discard();
      throw err;
    }
  }

  #covers(name: string): boolean {
    return this.#listening.includes(name) || (name.includes('.') && this.#listening.includes(name.slice(0, name.indexOf('.'))));
  }

  #remove(drop: (h: Held) => boolean): void {
    const kept: Held[] = [];
    let bytes = 0;
    for (const h of this.#buffer) {
      if (drop(h)) continue;
      kept.push(h);
      bytes += h.json?.length ?? 0;
    }
    this.#buffer = kept;
    this.#bufferBytes = bytes;
  }

  async #waitFor(match: (method: string) => boolean, waitMs: number, signal: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    while (!this.#buffer.some((h) => match(h.method))) {
      const left = deadline - Date.now();
      if (left <= 0 || signal.aborted || this.#listening.length === 0) return false;
      const wake = new AbortController();
      const waiter = (): void => wake.abort();
      this.#waiters.add(waiter);
      await pause(left, AbortSignal.any([wake.signal, signal]));
      this.#waiters.delete(waiter);
    }
    return true;
  }

  #assertListening(): void {
    if (this.#listening.length > 0) return;
    throw new BdgError('NOT_FOUND', 'No CDP events are being listened to', 'Start with: bdg cdp --listen <Event>[,<Event>] (e.g. Fetch.requestPaused)', {
      notListening: true,
    });
  }
}
