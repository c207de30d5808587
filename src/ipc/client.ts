import { connect } from 'node:net';
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
              ? new BdgError('TIMEOUT', `The daemon took ${req.cmd} but sent no answer within ${seconds(timeoutMs)}`, 'It answers `bdg status` on its own; see daemon.log in the session directory for what the command was doing.', { acked: true })
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
      finish(() => reject(sent ? new ConnectionLostError(req.cmd) : Object.assign(new Error('The daemon closed the connection before the request was sent'), { code: 'ECONNRESET' }))),
    );
  });
}

/**
 * Sends one request and returns the daemon's answer. Retries with jittered backoff while the daemon is
 * saturated (BUSY answer, EAGAIN, a reset before the answer) until the deadline; throws NoDaemonError at once
 * when there is no daemon, so read-only commands never wait for one.
 */
export async function request(socketPath: string, cmd: string, params: Record<string, unknown> = {}, opts: RequestOptions = {}): Promise<Response> {
  const timeoutMs = opts.timeoutMs ?? 35_000;
  const ackTimeoutMs = opts.ackTimeoutMs ?? ACK_TIMEOUT_MS;
  const deadline = Date.now() + (opts.retryBusyMs ?? 15_000);
  const req: Request = { id: nextId++, v: PROTOCOL_VERSION, build: VERSION, cmd, params };
  let delay = 10;
  for (;;) {
    let retryable: unknown;
    try {
      const res = await once(socketPath, req, timeoutMs, ackTimeoutMs);
      if (res.ok || res.error.code !== 'BUSY') return res;
      retryable = BdgError.from(res.error);
    } catch (err) {
      if (err instanceof NoDaemonError || err instanceof BdgError || err instanceof ConnectionLostError) throw err;
      const code = errnoCode(err);
      if (code !== 'EAGAIN' && code !== 'ECONNRESET' && code !== 'EPIPE') throw err;
      retryable = err;
    }
    if (Date.now() + delay > deadline) {
      throw new BdgError('BUSY', `The daemon stayed saturated: ${retryable instanceof Error ? retryable.message : String(retryable)}`, 'Too many simultaneous commands; retry shortly.');
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 250);
  }
}
