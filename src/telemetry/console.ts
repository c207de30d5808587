/**
 * Collects console messages, uncaught exceptions and browser log entries from CDP events into a bounded buffer of
 * {@link ConsoleRecord}s, rendered as text the way DevTools shows them.
 */
import type { Protocol } from 'devtools-protocol';
import type { BufferStats, ConsoleLevel, ConsoleRecord } from '../protocol/records.js';
import { RingBuffer } from '../util/ringBuffer.js';
import { intern } from './intern.js';
import { keptArgs } from './consoleArgs.js';
import { findRecord } from './recordId.js';
import { formatConsoleArgs, formatStackTrace, renderRemoteObject, splitErrorDescription } from './preview.js';

/** Options for {@link ConsoleCollector}. */
export interface ConsoleCollectorOptions {
  /** Most records kept; older ones are dropped. */
  maxItems: number;
  /** Most (estimated) bytes kept; older records are dropped. */
  maxBytes: number;
  /** Clock for records whose event has no usable timestamp (epoch ms); defaults to Date.now. */
  now?: () => number;
  /** Called with each new record as it arrives: the journal's feed. */
  onRecord?: (record: ConsoleRecord) => void;
}

/**
 * Longest text kept per field: one huge log line (a serialized state dump) must not push the whole history out of
 * the byte-bounded buffer.
 */
const MAX_TEXT_CHARS = 100_000;

/** Fixed per-record overhead in the byte estimate (object, ids, numbers), calibrated against V8 heap growth. */
const RECORD_OVERHEAD = 260;

/** Console call types whose stack is kept: the stack is what these calls are about. */
const STACK_TYPES: ReadonlySet<string> = new Set(['trace', 'error', 'assert']);

/** Collects console telemetry; feed it CDP events with {@link ConsoleCollector.handle}. */
export class ConsoleCollector {
  readonly #handles = new WeakMap<ConsoleRecord, ReadonlyArray<Protocol.Runtime.RemoteObject | undefined>>();
  readonly #buffer: RingBuffer<ConsoleRecord>;
  readonly #now: () => number;
  readonly #onRecord: ((record: ConsoleRecord) => void) | undefined;
  #seq = 0;
  #navigation = 0;

  constructor(opts: ConsoleCollectorOptions) {
    this.#now = opts.now ?? Date.now;
    this.#onRecord = opts.onRecord;
    this.#buffer = new RingBuffer<ConsoleRecord>(opts.maxItems, opts.maxBytes);
  }

  /** Index of the navigation new records are attributed to. */
  get navigation(): number {
    return this.#navigation;
  }

  /** Attributes records created from now on to main-frame navigation `index`. */
  setNavigation(index: number): void {
    this.#navigation = index;
  }

  /**
   * Consumes one CDP event. Handles Runtime.consoleAPICalled, Runtime.exceptionThrown and Log.entryAdded; other
   * methods and malformed params are ignored.
   */
  handle(method: string, params: unknown): void {
    if (typeof params !== 'object' || params === null) return;
    switch (method) {
      case 'Runtime.consoleAPICalled':
        this.#onConsoleApi(params as Protocol.Runtime.ConsoleAPICalledEvent);
        break;
      case 'Runtime.exceptionThrown':
        this.#onException(params as Protocol.Runtime.ExceptionThrownEvent);
        break;
      case 'Log.entryAdded':
        this.#onLogEntry(params as Protocol.Log.EntryAddedEvent);
        break;
      default:
        break;
    }
  }

  /** The record with short id `id` (`c12`), if still in the buffer. */
  get(id: string): ConsoleRecord | undefined {
    return findRecord(this.#buffer, id, 'c');
  }

  /** The newest `n` records, oldest first. */
  last(n: number): ConsoleRecord[] {
    return this.#buffer.last(n);
  }

  /** All buffered records, oldest first. */
  all(): ConsoleRecord[] {
    return this.#buffer.toArray();
  }

  /** Buffer occupancy and how many records were dropped to stay within the bounds. */
  stats(): BufferStats {
    return this.#buffer.stats();
  }

  #onConsoleApi(e: Protocol.Runtime.ConsoleAPICalledEvent): void {
    const type = typeof e.type === 'string' ? e.type : 'log';
    const formatted = formatConsoleArgs(Array.isArray(e.args) ? e.args : []);
    let text = formatted.text;
    if (type === 'assert') text = text === '' || text === 'console.assert' ? 'Assertion failed' : `Assertion failed: ${text}`;
    else if (type === 'clear') text = 'Console was cleared';
    const record = this.#base(
      'console',
      consoleLevel(type),
      type,
      text,
      e.timestamp,
      keptArgs(type, clip(text), formatted.args.map(clip)),
      e.stackTrace?.callFrames[0],
    );
    if (STACK_TYPES.has(type)) setStack(record, formatStackTrace(e.stackTrace));
    const handles = (Array.isArray(e.args) ? e.args : []).map((a) => (a.type === 'object' && a.objectId !== undefined ? handleOf(a) : undefined));
    if (handles.some((h) => h !== undefined)) this.#handles.set(record, handles);
    this.#push(record);
  }

  /**
   * The page-side object handles of a console call's arguments (undefined for primitives), so `details console`
   * can expand objects deeper than Chrome's one-level preview while the page still holds them. Kept beside the
   * record, not in it: handles mean nothing in session.json, and a record dropped from the buffer takes its
   * handles with it.
   */
  handlesOf(record: ConsoleRecord): ReadonlyArray<Protocol.Runtime.RemoteObject | undefined> | undefined {
    return this.#handles.get(record);
  }

  #onException(e: Protocol.Runtime.ExceptionThrownEvent): void {
    const d = e.exceptionDetails as Protocol.Runtime.ExceptionDetails | undefined;
    if (d === undefined) return;
    const detailsText = typeof d.text === 'string' && d.text !== '' ? d.text : 'Uncaught';
    const ex = d.exception;
    let text: string;
    let stack: string | undefined;
    if (ex !== undefined && ex.subtype === 'error' && ex.description !== undefined) {
      // The description is "TypeError: x is not a function\n    at …": the real message, unlike d.text ("Uncaught").
      const split = splitErrorDescription(ex.description);
      text = split.message;
      stack = split.stack;
    } else if (ex !== undefined) {
      // A thrown non-Error (`throw "boom"`, `throw {code: 1}`): DevTools shows "Uncaught boom".
      text = `${detailsText} ${renderRemoteObject(ex)}`;
    } else {
      text = detailsText;
    }
    stack ??= formatStackTrace(d.stackTrace);
    // Unhandled promise rejections come as "Uncaught (in promise)"; keep that distinction in the type.
    const type = /\(in promise\)/.test(detailsText) ? 'unhandledrejection' : 'exception';
    const hasUrl = typeof d.url === 'string' && d.url !== '';
    const record = this.#base('exception', 'error', type, text, e.timestamp, undefined, hasUrl ? undefined : d.stackTrace?.callFrames[0]);
    if (hasUrl) {
      record.url = intern(d.url as string);
      if (typeof d.lineNumber === 'number') record.line = d.lineNumber + 1;
      if (typeof d.columnNumber === 'number') record.column = d.columnNumber + 1;
    }
    setStack(record, stack);
    this.#push(record);
  }

  #onLogEntry(e: Protocol.Log.EntryAddedEvent): void {
    const entry = e.entry as Protocol.Log.LogEntry | undefined;
    if (entry === undefined) return;
    const hasUrl = typeof entry.url === 'string' && entry.url !== '';
    const text = typeof entry.text === 'string' ? entry.text : '';
    const record = this.#base(
      'browser',
      logLevel(entry.level),
      entry.source ?? 'other',
      text,
      entry.timestamp,
      undefined,
      hasUrl ? undefined : entry.stackTrace?.callFrames[0],
    );
    if (hasUrl) {
      record.url = intern(entry.url as string);
      if (typeof entry.lineNumber === 'number') record.line = entry.lineNumber + 1;
    }
    this.#push(record);
  }

  /**
   * The record, built whole: one object literal per shape, in the field order records always had, so every field is
   * in the object. Added one by one after the literal, `args` and the location took a property array beside each of
   * 10,000 messages (0.6 MB). `frame` is the call frame of the location (0-based; the record's are 1-based).
   */
  #base(
    kind: ConsoleRecord['kind'],
    level: ConsoleLevel,
    type: string,
    text: string,
    timestamp: number | undefined,
    args?: string[],
    frame?: Protocol.Runtime.CallFrame,
  ): ConsoleRecord {
    // Runtime and Log timestamps are already epoch milliseconds.
    const ts = typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : this.#now();
    const id = `c${++this.#seq}`;
    const t = intern(type);
    const x = clip(text);
    const navigation = this.#navigation;
    if (frame === undefined || frame.url === '') {
      if (args === undefined) return { id, kind, level, type: t, text: x, timestamp: ts, navigation };
      return { id, kind, level, type: t, text: x, timestamp: ts, navigation, args };
    }
    // Interned: a page logs from a few scripts, and every message's event brings its own copy of the URL.
    const url = intern(frame.url);
    const line = frame.lineNumber + 1;
    const column = frame.columnNumber + 1;
    if (args === undefined) return { id, kind, level, type: t, text: x, timestamp: ts, navigation, url, line, column };
    return { id, kind, level, type: t, text: x, timestamp: ts, navigation, args, url, line, column };
  }

  #push(record: ConsoleRecord): void {
    this.#buffer.push(record, estimateSize(record));
    this.#onRecord?.(record);
  }
}

/** Level of a console.* call type, as DevTools files it. */
function consoleLevel(type: string): ConsoleLevel {
  switch (type) {
    case 'debug':
      return 'debug';
    case 'info':
      return 'info';
    case 'error':
    case 'assert':
      return 'error';
    case 'warning':
      return 'warning';
    default: // log, dir, dirxml, table, trace, clear, groups, count, timeEnd, profile…
      return 'log';
  }
}

function logLevel(level: string | undefined): ConsoleLevel {
  switch (level) {
    case 'verbose':
      return 'debug';
    case 'warning':
      return 'warning';
    case 'error':
      return 'error';
    default:
      return 'info';
  }
}

function setStack(record: ConsoleRecord, stack: string | undefined): void {
  if (stack !== undefined && stack !== '') record.stack = clip(stack);
}

function clip(s: string): string {
  return s.length > MAX_TEXT_CHARS ? `${s.slice(0, MAX_TEXT_CHARS)}…` : s;
}

/** An object argument without its preview: enough to find and describe it in the page later. */
function handleOf(a: Protocol.Runtime.RemoteObject): Protocol.Runtime.RemoteObject {
  const h: Protocol.Runtime.RemoteObject = { type: a.type };
  if (a.subtype !== undefined) h.subtype = a.subtype;
  if (a.className !== undefined) h.className = a.className;
  if (a.description !== undefined) h.description = a.description;
  if (a.objectId !== undefined) h.objectId = a.objectId;
  return h;
}

/** Cheap size estimate: string lengths plus a fixed overhead (no serialization per message). */
function estimateSize(r: ConsoleRecord): number {
  let n = RECORD_OVERHEAD + r.text.length + r.type.length + (r.url?.length ?? 0) + (r.stack?.length ?? 0);
  if (r.args !== undefined) for (const a of r.args) n += a.length + 40;
  return n;
}
