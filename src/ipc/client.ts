import { connect } from 'node:net';
import { FrameDecoder, MAX_RESPONSE_FRAME, encodeFrame } from '../protocol/framing.js';
import type { Request, Response } from '../protocol/messages.js';
import { PROTOCOL_VERSION, VERSION } from '../protocol/version.js';
import { BdgError, errnoCode } from '../util/errors.js';
import { sleep } from '../util/sleep.js';

/** Why a connection could not be made: no socket file, a socket nobody listens on, or a daemon under load. */
export class NoDaemonError extends Error {
  constructor(readonly reason: 'missing' | 'refused') {
    super(reason === 'missing' ? 'no daemon socket' : 'daemon socket refused the connection');
  }
}

export interface RequestOptions {
  /** Overall deadline for this request, including retries. */
  timeoutMs?: number;
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

function once(socketPath: string, req: Request, timeoutMs: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath });
    const decoder = new FrameDecoder(MAX_RESPONSE_FRAME);
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new BdgError('TIMEOUT', `No answer from the daemon within ${timeoutMs} ms (${req.cmd})`, 'The daemon may be hung: `bdg status`, or `bdg cleanup --force` to reset.'))),
      timeoutMs,
    );
    let sent = false;
    socket.once('connect', () => {
      sent = true;
      socket.write(encodeFrame(req));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) {
          if (!frame.ok) {
            finish(() => reject(new BdgError('SOFTWARE_ERROR', `Daemon sent a malformed answer: ${frame.error}`)));
            return;
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
  const deadline = Date.now() + (opts.retryBusyMs ?? 15_000);
  const req: Request = { id: nextId++, v: PROTOCOL_VERSION, build: VERSION, cmd, params };
  let delay = 10;
  for (;;) {
    let retryable: unknown;
    try {
      const res = await once(socketPath, req, timeoutMs);
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
