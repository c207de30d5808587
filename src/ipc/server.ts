import { createServer, type Server, type Socket } from 'node:net';
import { chmod, lstat, rmdir, unlink } from 'node:fs/promises';
import { FrameDecoder, FrameTooLargeError, MAX_REQUEST_FRAME, encodeFrame } from '../protocol/framing.js';
import type { Ack, DaemonInfo, Request, Response } from '../protocol/messages.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { BdgError, errnoCode, toBdgError, type ErrorInfo } from '../util/errors.js';

export interface ServerLimits {
  /** Connections served at once; one more is answered BUSY and closed so the client retries. */
  maxConnections: number;
  /** A connection that has not sent a complete request by then is closed. */
  idleTimeoutMs: number;
  /** Longest a request may run when its command declares no timeout. */
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = { maxConnections: 256, idleTimeoutMs: 5_000, requestTimeoutMs: 30_000 };

export type Handler = (req: Request, signal: AbortSignal) => Promise<unknown>;

export interface ServerEvents {
  onError?: (message: string, err?: unknown) => void;
}

async function clearSocketPath(path: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (st.isDirectory()) await rmdir(path);
    else await unlink(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return;
    throw new BdgError(
      'SESSION_FILE_ERROR',
      code === 'ENOTEMPTY' || code === 'EEXIST'
        ? `${path} is a directory with files in it, where the session's socket belongs`
        : `Cannot remove ${path} to listen there: ${code ?? String(err)}`,
      `Move ${path} out of the way, then retry.`,
      { path },
    );
  }
}

/**
 * The daemon's Unix-socket server: JSONL frames bounded in size, a connection limit, an idle timeout for
 * clients that never speak, a per-request timeout, and an AbortSignal that fires when the client goes away.
 */
export class IpcServer {
  readonly #server: Server;
  readonly #limits: ServerLimits;
  readonly #handler: Handler;
  readonly #info: DaemonInfo;
  readonly #timeoutFor: (cmd: string) => number | undefined;
  readonly #events: ServerEvents;
  readonly #sockets = new Set<Socket>();
  #served = 0;
  #rejectedBusy = 0;

  constructor(opts: {
    handler: Handler;
    info: DaemonInfo;
    limits?: Partial<ServerLimits>;
    timeoutFor?: (cmd: string) => number | undefined;
    events?: ServerEvents;
  }) {
    this.#limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.#handler = opts.handler;
    this.#info = opts.info;
    this.#timeoutFor = opts.timeoutFor ?? (() => undefined);
    this.#events = opts.events ?? {};
    this.#server = createServer({ allowHalfOpen: false }, (socket) => this.#onConnection(socket));
    this.#server.on('error', (err) => this.#events.onError?.('server error', err));
  }

  get stats(): { connections: number; served: number; rejectedBusy: number } {
    return { connections: this.#sockets.size, served: this.#served, rejectedBusy: this.#rejectedBusy };
  }

  /**
   * Listens on `path`, first removing whatever is left there (the caller holds the session's lock, so nothing
   * live is): a stale socket, file, FIFO or symlink, or an empty directory. Anything that stays in the way is
   * SESSION_FILE_ERROR naming the path, never the bare EADDRINUSE that listen(2) would give.
   */
  async listen(path: string): Promise<void> {
    await clearSocketPath(path);
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      // A deep backlog: hundreds of CLIs may connect in the same millisecond.
      this.#server.listen({ path, backlog: 1024 }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      if (errnoCode(err) !== 'EADDRINUSE') throw err;
      throw new BdgError(
        'SESSION_FILE_ERROR',
        `Cannot listen on ${path}: something that cannot be removed is in the way`,
        `Move ${path} out of the way, then retry.`,
        { path },
      );
    });
    await chmod(path, 0o600);
  }

  /** Stops accepting; open connections finish their requests. */
  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  destroyAll(): void {
    for (const s of this.#sockets) s.destroy();
  }

  #send(socket: Socket, response: Response | Ack): void {
    if (socket.destroyed || !socket.writable) return;
    socket.write(encodeFrame(response));
  }

  #error(socket: Socket, id: number, error: ErrorInfo, close: boolean): void {
    const response: Response = { id, ok: false, error, daemon: this.#info };
    if (!close) {
      this.#send(socket, response);
      return;
    }
    // Flush the answer, then drop the connection outright: a socket nobody reads from would never see the peer's
    // EOF, and would keep server.close() from completing.
    if (socket.destroyed || !socket.writable) socket.destroy();
    else socket.end(encodeFrame(response), () => socket.destroy());
  }

  #onConnection(socket: Socket): void {
    socket.on('error', () => undefined); // a client vanishing mid-write is normal
    if (this.#sockets.size >= this.#limits.maxConnections) {
      this.#rejectedBusy++;
      this.#error(socket, 0, { code: 'BUSY', message: 'The daemon is serving its maximum number of connections', hint: 'Retry in a moment.' }, true);
      return;
    }
    this.#sockets.add(socket);
    const abort = new AbortController();
    let inFlight = 0;
    socket.on('close', () => {
      this.#sockets.delete(socket);
      abort.abort(new Error('client disconnected'));
    });
    socket.setTimeout(this.#limits.idleTimeoutMs, () => {
      if (inFlight > 0) return; // a long request keeps its connection; the request timeout bounds it
      this.#error(
        socket,
        0,
        { code: 'TIMEOUT', message: `No complete request within ${this.#limits.idleTimeoutMs} ms`, hint: 'Send one JSON request per line.' },
        true,
      );
      socket.destroy();
    });
    const decoder = new FrameDecoder(MAX_REQUEST_FRAME);
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        if (err instanceof FrameTooLargeError) {
          this.#error(
            socket,
            0,
            { code: 'INVALID_ARGUMENTS', message: `Request larger than ${err.limit} bytes`, hint: 'Requests are single JSON lines under 1 MiB.' },
            true,
          );
          socket.destroy();
          return;
        }
        throw err;
      }
      for (const frame of frames) {
        if (!frame.ok) {
          this.#error(socket, 0, { code: 'INVALID_ARGUMENTS', message: `Malformed request: ${frame.error}`, hint: 'Send one JSON request per line.' }, true);
          return;
        }
        inFlight++;
        void this.#dispatch(socket, frame.value, abort.signal).finally(() => {
          inFlight--;
        });
      }
    });
  }

  async #dispatch(socket: Socket, value: unknown, clientGone: AbortSignal): Promise<void> {
    const req = value as Partial<Request>;
    const id = typeof req.id === 'number' ? req.id : 0;
    if (typeof req !== 'object' || req === null || typeof req.cmd !== 'string') {
      this.#error(socket, id, { code: 'INVALID_ARGUMENTS', message: 'Malformed request: expected {"id", "v", "cmd", "params"}' }, true);
      return;
    }
    if (req.v !== PROTOCOL_VERSION) {
      this.#error(
        socket,
        id,
        {
          code: 'SOFTWARE_ERROR',
          message: `This daemon speaks protocol ${PROTOCOL_VERSION} (bdg ${this.#info.version}); the CLI sent ${String(req.v)}`,
          hint: 'A daemon from another bdg version is running: `bdg stop` (or `bdg cleanup --force`) and start again.',
          data: { versionMismatch: true },
        },
        true,
      );
      return;
    }
    if (req.ack === true) this.#send(socket, { id, ack: true });
    const timeoutMs = this.#timeoutFor(req.cmd) ?? this.#limits.requestTimeoutMs;
    const signal = AbortSignal.any([clientGone, AbortSignal.timeout(timeoutMs)]);
    this.#served++;
    // Listen for the abort before the handler runs, so a timeout wins over a handler that gives up on the same signal.
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = (): void =>
        reject(
          clientGone.aborted
            ? new BdgError('UNEXPECTED_ERROR', 'client disconnected')
            : new BdgError('TIMEOUT', `${req.cmd} did not finish within ${timeoutMs} ms`, 'The page may be busy; try again or check `bdg status`.'),
        );
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      const result = await Promise.race([aborted, this.#handler(req as Request, signal)]);
      this.#send(socket, { id, ok: true, result, daemon: this.#info });
    } catch (err) {
      const e = toBdgError(err);
      if (e.code === 'SOFTWARE_ERROR') this.#events.onError?.(`handler ${req.cmd} failed`, err);
      this.#send(socket, { id, ok: false, error: e.toInfo(), daemon: this.#info });
    }
  }
}
