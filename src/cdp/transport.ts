import type { Readable, Writable } from 'node:stream';
import type WebSocket from 'ws';

/** The one thing the CDP connection needs from a wire: send a message, hear messages, hear the end. */
export interface Transport {
  send(message: string): void;
  close(): void;
  onMessage: (message: string) => void;
  /** Called once, whether the peer closed, the wire errored, or close() was called. */
  onClose: (reason: string) => void;
}

/**
 * Chrome's --remote-debugging-pipe: NUL-delimited JSON on fds 3 (to Chrome) and 4 (from Chrome). Chrome exits
 * when this pipe closes, so a daemon killed with SIGKILL never leaves an orphan browser behind.
 */
/** A WebSocket message as text: `ws` hands over a Buffer, an ArrayBuffer or fragments. */
function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

export class PipeTransport implements Transport {
  onMessage: (message: string) => void = () => undefined;
  onClose: (reason: string) => void = () => undefined;
  readonly #out: Writable;
  readonly #in: Readable;
  #pending: Buffer[] = [];
  #closed = false;

  constructor(toChrome: Writable, fromChrome: Readable) {
    this.#out = toChrome;
    this.#in = fromChrome;
    fromChrome.on('data', (chunk: Buffer) => this.#onData(chunk));
    const end = (reason: string) => () => this.#finish(reason);
    fromChrome.on('end', end('Chrome closed the DevTools pipe'));
    fromChrome.on('close', end('Chrome closed the DevTools pipe'));
    fromChrome.on('error', (err) => this.#finish(`DevTools pipe read error: ${err.message}`));
    toChrome.on('error', (err) => this.#finish(`DevTools pipe write error: ${err.message}`));
  }

  #onData(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(0, start);
      if (end === -1) break;
      const piece = chunk.subarray(start, end);
      const message = this.#pending.length > 0 ? Buffer.concat([...this.#pending, piece]).toString('utf8') : piece.toString('utf8');
      this.#pending = [];
      start = end + 1;
      this.onMessage(message);
    }
    if (start < chunk.length) this.#pending.push(chunk.subarray(start));
  }

  #finish(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose(reason);
  }

  send(message: string): void {
    if (this.#closed) return;
    this.#out.write(message);
    this.#out.write('\0');
  }

  close(): void {
    if (!this.#closed) {
      this.#out.end();
      this.#in.destroy();
    }
    this.#finish('connection closed by bdg');
  }
}

/** The server answered the WebSocket handshake with an HTTP status instead of switching protocols. */
export class HandshakeError extends Error {
  readonly status: number;
  constructor(status: number, statusText: string) {
    super(`the server answered HTTP ${status}${statusText !== '' ? ` ${statusText}` : ''} instead of opening the WebSocket`);
    this.name = 'HandshakeError';
    this.status = status;
  }
}

/** A WebSocket to a Chrome that bdg attached to (--chrome-ws-url). Errors count as a close so nothing hangs. */
export class WebSocketTransport implements Transport {
  onMessage: (message: string) => void = () => undefined;
  onClose: (reason: string) => void = () => undefined;
  readonly #ws: WebSocket;
  #closed = false;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: WebSocket.RawData) => this.onMessage(rawText(data)));
    ws.on('close', (code, reason) => this.#finish(`WebSocket closed (${code}${reason.length > 0 ? `: ${reason.toString()}` : ''})`));
    ws.on('error', (err) => this.#finish(`WebSocket error: ${err.message}`));
  }

  /**
   * Opens a ws:// or wss:// connection. `headers` go on the handshake (a `Host` among them replaces the one
   * derived from the URL, for a Chrome in a container that only accepts `localhost`); wss:// verifies the
   * server's certificate against Node's CAs plus NODE_EXTRA_CA_CERTS. A handshake the server answers with an
   * HTTP status (401, 404 for a stale browser id) rejects with a HandshakeError carrying it.
   */
  static async connect(url: string, opts: { timeoutMs: number; headers?: Record<string, string> }): Promise<WebSocketTransport> {
    // Loaded on the first connection, not at start-up: a daemon that launched its Chrome talks to it over a pipe,
    // and `ws` brings node:http, node:https and node:tls with it (5.8 MB of RSS in every such daemon).
    const { default: Client } = await import('ws');
    return new Promise((resolve, reject) => {
      const ws = new Client(url, {
        perMessageDeflate: false,
        maxPayload: 256 * 1024 * 1024,
        handshakeTimeout: opts.timeoutMs,
        ...(opts.headers !== undefined && Object.keys(opts.headers).length > 0 ? { headers: opts.headers } : {}),
      });
      const fail = (err: Error): void => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(err);
      };
      ws.once('error', fail);
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        fail(new HandshakeError(res.statusCode ?? 0, res.statusMessage ?? ''));
      });
      ws.once('open', () => {
        ws.off('error', fail);
        ws.removeAllListeners('unexpected-response');
        resolve(new WebSocketTransport(ws));
      });
    });
  }

  #finish(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose(reason);
  }

  send(message: string): void {
    if (!this.#closed) this.#ws.send(message);
  }

  close(): void {
    if (!this.#closed) this.#ws.close();
    this.#finish('connection closed by bdg');
  }
}
