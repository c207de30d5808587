/**
 * Waits on telemetry (`network wait`, `console wait`, `dom wait --request/--console`): subscriptions to the CDP
 * events that complete a record, checked as each arrives; no polling. The listener runs after the collectors'
 * (it is added to the connection later), so the record an event completes is already up to date.
 *
 * Only what happens after the wait starts counts: a request that finishes, a message that arrives. `--since <id>`
 * also counts what is already recorded after that id. A wait holds no lock: the action that triggers what it
 * waits for runs in another command. It ends on a match, on its own timeout (TIMEOUT, exit 102), or when the
 * dispatcher aborts it (budget, client gone).
 */
import type { ConsoleLevel, ConsoleRecord, NetworkRecord } from '../protocol/records.js';
import type { NetworkFilter } from '../telemetry/filter.js';
import { seqOfId as seqOf } from '../telemetry/recordId.js';
import { BdgError } from '../util/errors.js';
import type { BrowserSession } from './session.js';

/** Longest REGEX a wait takes, and how much of a message's text it is tried on. */
export const MAX_REGEX_LENGTH = 1000;
const MAX_TEXT_TESTED = 10_000;

const RANK: Readonly<Record<ConsoleLevel, number>> = { error: 0, warning: 1, info: 2, log: 2, debug: 3 };

/** A user's regular expression: `/re/flags` or the bare pattern; too long or invalid is a user error. */
export function compileUserRegex(text: string, flag: string): RegExp {
  if (text.length > MAX_REGEX_LENGTH) throw new BdgError('INVALID_ARGUMENTS', `${flag} is longer than ${MAX_REGEX_LENGTH} characters`);
  if (text === '') throw new BdgError('INVALID_ARGUMENTS', `${flag} is empty`);
  const m = /^\/(.+)\/([dimsuy]*)$/s.exec(text);
  const [source, flags] = m !== null && new Set(m[2]).size === (m[2] as string).length ? [m[1] as string, m[2] as string] : [text, ''];
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new BdgError('INVALID_ARGUMENTS', `${flag} ${text} is not a valid regular expression: ${(err as Error).message}`);
  }
}

/** A request is over: finished, failed, or (a WebSocket) closed. */
const settled = (r: NetworkRecord): boolean => r.state !== 'pending';

export interface WaitOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** Also records after this sequence number that completed before the wait started. */
  since?: number | undefined;
  /** What the timeout message says was awaited. */
  what: string;
}

/**
 * Resolves with a value once `check` finds one (first on what `initial` yields, then on every event `check`
 * is called with), rejects with TIMEOUT after `timeoutMs` or with the abort reason when `signal` fires.
 */
function subscribe<T>(
  session: BrowserSession,
  opts: WaitOptions,
  initial: () => T | undefined,
  onEvent: (method: string, params: unknown) => T | undefined,
): { promise: Promise<T>; cancel: () => void } {
  let cancel = (): void => undefined;
  const promise = new Promise<T>((resolve, reject) => {
    const first = initial();
    if (first !== undefined) {
      resolve(first);
      return;
    }
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      opts.signal.removeEventListener('abort', onAbort);
      fn();
    };
    const unsubscribe = session.conn.on((method, params, sessionId) => {
      if (done || sessionId === undefined || sessionId !== session.pageSessionId) return;
      const found = onEvent(method, params);
      if (found !== undefined) finish(() => resolve(found));
    });
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new BdgError(
              'TIMEOUT',
              `Timed out after ${Math.round(opts.timeoutMs / 100) / 10} s waiting for ${opts.what}`,
              'Raise --timeout, or check `bdg peek`.',
            ),
          ),
        ),
      opts.timeoutMs,
    );
    const onAbort = (): void =>
      finish(() => reject(opts.signal.reason instanceof Error ? opts.signal.reason : new BdgError('TIMEOUT', 'The wait was cut short')));
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
    cancel = () => finish(() => reject(new BdgError('UNEXPECTED_ERROR', 'The wait was cancelled')));
  });
  // A caller that cancels does not want the rejection.
  promise.catch(() => undefined);
  return { promise, cancel: () => cancel() };
}

/** The first request matching `filter` that finishes after the wait starts (or after `since`). */
export function waitForRequest(session: BrowserSession, filter: NetworkFilter, opts: WaitOptions): { promise: Promise<NetworkRecord>; cancel: () => void } {
  const net = session.network;
  const counts = (r: NetworkRecord | undefined): r is NetworkRecord =>
    r !== undefined && settled(r) && (opts.since === undefined || seqOf(r.id) > opts.since) && filter.matches(r);
  return subscribe(
    session,
    opts,
    () => (opts.since === undefined ? undefined : net.all().find((r) => seqOf(r.id) > (opts.since as number) && counts(r))),
    (method, params) => {
      const requestId = (params as { requestId?: unknown }).requestId;
      if (typeof requestId !== 'string') return undefined;
      switch (method) {
        case 'Network.loadingFinished':
        case 'Network.loadingFailed':
        case 'Network.webSocketClosed': {
          const r = net.get(requestId);
          return counts(r) ? r : undefined;
        }
        case 'Network.requestWillBeSent': {
          // A redirect ends the previous hop (its 3xx answer) as the next one starts.
          const hop = net.get(requestId);
          const prev = hop?.redirectedFrom !== undefined ? net.get(hop.redirectedFrom) : undefined;
          return counts(prev) ? prev : undefined;
        }
        default:
          return undefined;
      }
    },
  );
}

export interface ConsoleMatch {
  level?: ConsoleLevel | undefined;
  regex?: RegExp | undefined;
}

/** The first console message (or exception, or browser log entry) matching, arriving after the wait starts. */
export function waitForConsole(session: BrowserSession, match: ConsoleMatch, opts: WaitOptions): { promise: Promise<ConsoleRecord>; cancel: () => void } {
  const con = session.console;
  const maxRank = match.level !== undefined ? RANK[match.level] : RANK.debug;
  const matches = (c: ConsoleRecord): boolean => RANK[c.level] <= maxRank && (match.regex === undefined || match.regex.test(c.text.slice(0, MAX_TEXT_TESTED)));
  // Messages up to here are old news (unless --since says otherwise); each event adds at most one record.
  let cursor = opts.since ?? (con.last(1)[0] !== undefined ? seqOf((con.last(1)[0] as ConsoleRecord).id) : 0);
  let scanAll = opts.since !== undefined;
  const newer = (): ConsoleRecord | undefined => {
    const recent = scanAll ? con.all() : con.last(8);
    scanAll = false;
    let found: ConsoleRecord | undefined;
    for (const c of recent) {
      const seq = seqOf(c.id);
      if (seq <= cursor) continue;
      cursor = seq;
      if (found === undefined && matches(c)) found = c;
      if (found !== undefined) break;
    }
    return found;
  };
  return subscribe(
    session,
    opts,
    () => (opts.since !== undefined ? newer() : undefined),
    (method) => (method === 'Runtime.consoleAPICalled' || method === 'Runtime.exceptionThrown' || method === 'Log.entryAdded' ? newer() : undefined),
  );
}
