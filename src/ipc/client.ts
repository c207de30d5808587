import { connect, type Socket } from 'node:net';
import { FrameDecoder, MAX_RESPONSE_FRAME, encodeFrame } from '../protocol/framing.js';
import type { Ack, Request, Response } from '../protocol/messages.js';
import { PROTOCOL_VERSION, VERSION } from '../protocol/version.js';
import { BdgError, errnoCode } from '../util/errors.js';
import { sleep } from '../util/sleep.js';

/** Why a connection could not be made: no socket file, a socket nobody listens on, or a daemon under load. */
export class NoDaemonError extends Error {
  constructor(readonly reason: 'missing' | 'refused') {
    super(reason === 'missing' ? 'no daemon socket' : 'daemon socket refused the connection');
  }
}

/** How long a client waits for the daemon to acknowledge a request before calling the daemon unresponsive. */
export const ACK_TIMEOUT_MS = 3_000;

export interface RequestOptions {
  /** Deadline for the answer to one attempt, once the daemon has acknowledged it. */
  timeoutMs?: number;
  /** Deadline for the acknowledgement: a daemon that is stopped or stuck is told apart from a long command by it. */
  ackTimeoutMs?: number;
  /** How long to keep retrying while the daemon is saturated (BUSY, EAGAIN). */
  retryBusyMs?: number;
}

/**
 * The connection closed after the request was sent and before an answer came: the daemon died or dropped us.
 * Never retried, since the request may already have acted (a click must not happen twice).
 */
export class ConnectionLostError extends Error {
  constructor(readonly cmd: string) {
    super(`The daemon closed the connection before answering ${cmd}`);
  }
}

let nextId = 1;

/**
 * The daemon did not acknowledge a request in time: it accepted the connection (the kernel does that for a stopped
 * process too) but is not running. `data.daemonUnresponsive` lets the session layer name the pid.
 */
export function unresponsiveError(cmd: string, waitedMs: number, pid?: number): BdgError {
  const who = pid !== undefined ? `The daemon (pid ${pid})` : 'The daemon';
  return new BdgError(
    'TIMEOUT',
    `${who} did not acknowledge ${cmd} within ${Math.round(waitedMs / 100) / 10} s: it is not responding (stopped or stuck)`,
    `\`bdg cleanup --force\` ends it and its Chrome${pid !== undefined ? `; if it was stopped on purpose, \`kill -CONT ${pid}\` resumes it` : ''}.`,
    { daemonUnresponsive: true, waitedMs, ...(pid !== undefined ? { pid } : {}) },
  );
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function once(socketPath: string, req: Request, timeoutMs: number, ackTimeoutMs: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath });
    const decoder = new FrameDecoder(MAX_RESPONSE_FRAME);
    let settled = false;
    let acked = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(ackTimer);
      socket.destroy();
      fn();
    };
    // Until the ack, the short deadline; after it, the command's own (the daemon answers within its budget, which
    // this is a little longer than, so the daemon's TIMEOUT with its reason normally arrives first).
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            acked
              ? new BdgError(
                  'TIMEOUT',
                  `The daemon took ${req.cmd} but sent no answer within ${seconds(timeoutMs)}`,
                  'It answers `bdg status` on its own; see daemon.log in the session directory for what the command was doing.',
                  { acked: true },
                )
              : unresponsiveError(req.cmd, Math.min(timeoutMs, ackTimeoutMs)),
          ),
        ),
      timeoutMs,
    );
    // A starved client (hundreds of CLIs on two cores) may wake up with the ack already waiting in the socket: timers
    // run before I/O in Node's loop, so look again after the next poll phase (setImmediate) before giving up.
    const ackTimer = setTimeout(
      () =>
        setImmediate(() => {
          if (!acked) finish(() => reject(unresponsiveError(req.cmd, ackTimeoutMs)));
        }),
      Math.min(ackTimeoutMs, timeoutMs),
    );
    let sent = false;
    socket.once('connect', () => {
      sent = true;
      socket.write(encodeFrame({ ...req, ack: true }));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) {
          if (!frame.ok) {
            finish(() => reject(new BdgError('SOFTWARE_ERROR', `Daemon sent a malformed answer: ${frame.error}`)));
            return;
          }
          if ((frame.value as Partial<Ack>).ack === true) {
            acked = true;
            clearTimeout(ackTimer);
            continue;
          }
          finish(() => resolve(frame.value as Response));
          return;
        }
      } catch (err) {
        finish(() => reject(err instanceof Error ? err : new Error(String(err))));
      }
    });
    socket.on('error', (err) => {
      const code = errnoCode(err);
      finish(() => {
        if (code === 'ENOENT' || code === 'ENOTDIR') reject(new NoDaemonError('missing'));
        else if (code === 'ECONNREFUSED') reject(new NoDaemonError('refused'));
        else reject(err);
      });
    });
    socket.on('close', () =>
      finish(() =>
        reject(
          sent
            ? new ConnectionLostError(req.cmd)
            : Object.assign(new Error('The daemon closed the connection before the request was sent'), { code: 'ECONNRESET' }),
        ),
      ),
    );
  });
}

/** Runs `attempt` until it gives an answer other than BUSY, with jittered backoff while the daemon is saturated. */
async function retryingBusy(retryBusyMs: number, attempt: () => Promise<Response>): Promise<Response> {
  const deadline = Date.now() + retryBusyMs;
  let delay = 10;
  for (;;) {
    let retryable: unknown;
    try {
      const res = await attempt();
      if (res.ok || res.error.code !== 'BUSY') return res;
      retryable = BdgError.from(res.error);
    } catch (err) {
      if (err instanceof NoDaemonError || err instanceof BdgError || err instanceof ConnectionLostError) throw err;
      const code = errnoCode(err);
      if (code !== 'EAGAIN' && code !== 'ECONNRESET' && code !== 'EPIPE') throw err;
      retryable = err;
    }
    if (Date.now() + delay > deadline) {
      throw new BdgError(
        'BUSY',
        `The daemon stayed saturated: ${retryable instanceof Error ? retryable.message : String(retryable)}`,
        'Too many simultaneous commands; retry shortly.',
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 250);
  }
}

function newRequest(cmd: string, params: Record<string, unknown>): Request {
  return { id: nextId++, v: PROTOCOL_VERSION, build: VERSION, cmd, params };
}

/** An acknowledged request whose answer did not come within its deadline (the daemon runs: it took the request). */
function noAnswer(cmd: string, timeoutMs: number): BdgError {
  return new BdgError(
    'TIMEOUT',
    `The daemon took ${cmd} but sent no answer within ${seconds(timeoutMs)}`,
    'It answers `bdg status` on its own; see daemon.log in the session directory for what the command was doing.',
    { acked: true },
  );
}

/**
 * Sends one request and returns the daemon's answer. Retries with jittered backoff while the daemon is
 * saturated (BUSY answer, EAGAIN, a reset before the answer) until the deadline; throws NoDaemonError at once
 * when there is no daemon, so read-only commands never wait for one.
 */
export function request(socketPath: string, cmd: string, params: Record<string, unknown> = {}, opts: RequestOptions = {}): Promise<Response> {
  const timeoutMs = opts.timeoutMs ?? 35_000;
  const ackTimeoutMs = opts.ackTimeoutMs ?? ACK_TIMEOUT_MS;
  const req = newRequest(cmd, params);
  return retryingBusy(opts.retryBusyMs ?? 15_000, () => once(socketPath, req, timeoutMs, ackTimeoutMs));
}

type LinkEvent = { kind: 'frame'; value: unknown } | { kind: 'malformed'; error: string } | { kind: 'closed' };

/** One open socket of a DaemonConnection, and the request waiting on it (at most one). */
interface Link {
  socket: Socket;
  lastActivity: number;
  waiter: ((event: LinkEvent) => void) | undefined;
}

/**
 * One socket to the daemon for many requests, sent one after another, each with its own id and deadline (batch:
 * a hundred commands cost one connection, not a hundred). The daemon closes a connection that stays idle
 * (ipc/server.ts, `idleTimeoutMs`, 5 s), so a connection idle for `reuseMs` (a margin below that) is replaced
 * before the next request, and one closed while idle is reopened; both are invisible to the caller. A request
 * is sent again only when the daemon provably never read it: it answered BUSY, or closed the connection as idle
 * (a connection-level TIMEOUT with id 0, sent instead of reading anything). Closed while a request was in flight
 * is ConnectionLostError, never re-sent: the request may have acted.
 */
export class DaemonConnection {
  readonly #socketPath: string;
  readonly #reuseMs: number;
  #link: Link | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(socketPath: string, opts: { reuseMs?: number } = {}) {
    this.#socketPath = socketPath;
    this.#reuseMs = opts.reuseMs ?? 4_000;
  }

  /** Like `request()`, over this connection; concurrent callers are served in order. */
  request(cmd: string, params: Record<string, unknown> = {}, opts: RequestOptions = {}): Promise<Response> {
    const run = this.#queue.then(() => {
      const timeoutMs = opts.timeoutMs ?? 35_000;
      const req = newRequest(cmd, params);
      return retryingBusy(opts.retryBusyMs ?? 15_000, () => this.#exchange(req, timeoutMs, opts.ackTimeoutMs ?? ACK_TIMEOUT_MS));
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** True while a socket is open (for tests and the bench). */
  get connected(): boolean {
    return this.#link !== undefined;
  }

  close(): void {
    const link = this.#link;
    this.#link = undefined;
    link?.socket.destroy();
  }

  async #open(): Promise<Link> {
    const current = this.#link;
    if (current !== undefined && !current.socket.destroyed && Date.now() - current.lastActivity < this.#reuseMs) return current;
    this.close();
    const socket = connect({ path: this.#socketPath });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.destroy();
        const code = errnoCode(err);
        if (code === 'ENOENT' || code === 'ENOTDIR') reject(new NoDaemonError('missing'));
        else if (code === 'ECONNREFUSED') reject(new NoDaemonError('refused'));
        else reject(err);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve();
      });
    });
    const link: Link = { socket, lastActivity: Date.now(), waiter: undefined };
    const decoder = new FrameDecoder(MAX_RESPONSE_FRAME);
    socket.on('data', (chunk: Buffer) => {
      link.lastActivity = Date.now();
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        link.waiter?.({ kind: 'malformed', error: err instanceof Error ? err.message : String(err) });
        return;
      }
      for (const frame of frames) link.waiter?.(frame.ok ? { kind: 'frame', value: frame.value } : { kind: 'malformed', error: frame.error });
    });
    socket.on('error', () => undefined); // 'close' follows and says what matters
    socket.on('close', () => {
      if (this.#link === link) this.#link = undefined;
      link.waiter?.({ kind: 'closed' });
    });
    // Idle, the socket does not keep the process alive; it is ref'd while a request waits on it.
    socket.unref();
    this.#link = link;
    return link;
  }

  async #exchange(req: Request, timeoutMs: number, ackTimeoutMs: number): Promise<Response> {
    const link = await this.#open();
    return new Promise<Response>((resolve, reject) => {
      const settle = (fn: () => void, drop = false): void => {
        clearTimeout(timer);
        clearTimeout(ackTimer);
        link.waiter = undefined;
        link.socket.unref();
        if (drop && this.#link === link) this.close();
        fn();
      };
      // Giving up closes the connection, as a one-shot request does: the daemon aborts the request, and its late
      // answer cannot be taken for the next request's.
      const timer = setTimeout(() => settle(() => reject(noAnswer(req.cmd, timeoutMs)), true), timeoutMs);
      // As for one-shot requests: a daemon that does not acknowledge at once is stopped or stuck.
      const ackTimer = setTimeout(() => settle(() => reject(unresponsiveError(req.cmd, ackTimeoutMs)), true), Math.min(ackTimeoutMs, timeoutMs));
      link.waiter = (event) => {
        if (event.kind === 'closed') settle(() => reject(new ConnectionLostError(req.cmd)));
        else if (event.kind === 'malformed') settle(() => reject(new BdgError('SOFTWARE_ERROR', `Daemon sent a malformed answer: ${event.error}`)), true);
        else {
          if ((event.value as Partial<Ack>).ack === true) {
            if ((event.value as Partial<Ack>).id === req.id) clearTimeout(ackTimer);
            return;
          }
          const res = event.value as Response;
          if (res.id === req.id) settle(() => resolve(res));
          else if (res.id === 0 && !res.ok) {
            // A connection-level answer, after which the daemon closes the connection without reading on. TIMEOUT
            // is its idle timeout, which fired before our request was read: safe to send again, on a new one.
            if (res.error.code === 'TIMEOUT')
              settle(() => reject(Object.assign(new Error('The daemon closed the idle connection before reading the request'), { code: 'ECONNRESET' })), true);
            else settle(() => resolve(res), true);
          }
        }
      };
      link.socket.ref();
      link.socket.write(encodeFrame({ ...req, ack: true }));
    });
  }
}
