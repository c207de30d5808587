import { readFile } from 'node:fs/promises';
import { extname, resolve as resolvePath, sep } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

/** Called with each client that opened a WebSocket on the route's path. */
export type WebSocketHandler = (ws: WebSocket, req: IncomingMessage) => void;

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/**
 * A fixture HTTP server on 127.0.0.1 with routes and request waiters (after Playwright's test server). Unknown
 * paths get 404. Every request is recorded so tests can assert what the browser actually sent.
 */
const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export class FixtureServer {
  readonly #server: Server;
  readonly #routes = new Map<string, RouteHandler>();
  readonly #prefixes: Array<[string, RouteHandler]> = [];
  readonly #waiters = new Map<string, Array<(r: SeenRequest) => void>>();
  readonly #sockets = new Map<string, WebSocketHandler>();
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly requests: SeenRequest[] = [];
  #port = 0;

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const seen: SeenRequest = { method: req.method ?? 'GET', path, headers: req.headers, body };
        this.requests.push(seen);
        const waiters = this.#waiters.get(path) ?? [];
        this.#waiters.delete(path);
        for (const w of waiters) w(seen);
        const handler = this.#routes.get(path) ?? this.#prefixes.find(([p]) => path.startsWith(p))?.[1];
        if (handler === undefined) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found');
          return;
        }
        void Promise.resolve(handler(req, res, body)).catch((err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        });
      });
    });
    this.#server.keepAliveTimeout = 1000;
    this.#server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const handler = this.#sockets.get(path);
      if (handler === undefined) {
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => handler(ws, req));
    });
  }

  static async start(): Promise<FixtureServer> {
    const s = new FixtureServer();
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    s.#port = (s.#server.address() as AddressInfo).port;
    return s;
  }

  get port(): number {
    return this.#port;
  }

  url(path = '/'): string {
    return `http://127.0.0.1:${this.#port}${path}`;
  }

  route(path: string, handler: RouteHandler): this {
    this.#routes.set(path, handler);
    return this;
  }

  /** Accepts WebSocket connections on `path` (the `ws` package's server, sharing this HTTP server's port). */
  webSocket(path: string, handler: WebSocketHandler): this {
    this.#sockets.set(path, handler);
    return this;
  }

  /** Serves a fixed body with a content type. */
  static(path: string, contentType: string, body: string | Buffer, status = 200, headers: Record<string, string> = {}): this {
    return this.route(path, (_req, res) => {
      res.writeHead(status, { 'content-type': contentType, ...headers });
      res.end(body);
    });
  }

  /** Serves every file under `dir` at `prefix` (which ends with /), for built third-party apps from node_modules. */
  directory(prefix: string, dir: string): this {
    this.#prefixes.push([
      prefix,
      async (req, res) => {
        const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(prefix.length));
        const file = resolvePath(dir, rel);
        if (!file.startsWith(resolvePath(dir) + sep)) {
          res.writeHead(403);
          res.end();
          return;
        }
        const body = await readFile(file).catch(() => undefined);
        if (body === undefined) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found');
          return;
        }
        res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      },
    ]);
    return this;
  }

  html(path: string, html: string): this {
    return this.static(path, 'text/html; charset=utf-8', html);
  }

  waitForRequest(path: string, timeoutMs = 10_000): Promise<SeenRequest> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no request for ${path} within ${timeoutMs} ms`)), timeoutMs);
      const list = this.#waiters.get(path) ?? [];
      list.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#waiters.set(path, list);
    });
  }

  close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
