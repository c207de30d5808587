import { createWriteStream, renameSync, statSync, type WriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * The daemon's one logger: levelled lines appended to daemon.log without blocking the event loop. When the file
 * passes its cap it is rotated to daemon.log.1 (one generation), so the log never grows without bound.
 */
export class Logger {
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #level: number;
  #stream: WriteStream;
  #bytes: number;
  #rotating = false;

  constructor(path: string, opts: { maxBytes?: number; level?: LogLevel } = {}) {
    this.#path = path;
    this.#maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
    this.#level = ORDER[opts.level ?? 'info'];
    // Start-up only: size the file we append to, rotating an oversized one before the first write.
    let size = 0;
    try {
      size = statSync(path).size;
      if (size > this.#maxBytes) {
        renameSync(path, `${path}.1`);
        size = 0;
      }
    } catch {
      size = 0;
    }
    this.#bytes = size;
    this.#stream = this.#open();
  }

  #open(): WriteStream {
    const s = createWriteStream(this.#path, { flags: 'a', mode: 0o600 });
    s.on('error', () => undefined); // logging must never take the daemon down
    return s;
  }

  log(level: LogLevel, message: string, extra?: unknown): void {
    if (ORDER[level] < this.#level) return;
    let line = `${new Date().toISOString()} ${level.toUpperCase()} [${process.pid}] ${message}`;
    if (extra !== undefined) {
      if (extra instanceof Error) line += `\n${extra.stack ?? extra.message}`;
      else {
        try {
          line += ` ${JSON.stringify(extra)}`;
        } catch {
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- last resort when JSON.stringify throws (a cycle, a BigInt)
          line += ` ${String(extra)}`;
        }
      }
    }
    line += '\n';
    this.#bytes += Buffer.byteLength(line);
    this.#stream.write(line);
    if (this.#bytes > this.#maxBytes && !this.#rotating) void this.#rotate();
  }

  debug(message: string, extra?: unknown): void {
    this.log('debug', message, extra);
  }
  info(message: string, extra?: unknown): void {
    this.log('info', message, extra);
  }
  warn(message: string, extra?: unknown): void {
    this.log('warn', message, extra);
  }
  error(message: string, extra?: unknown): void {
    this.log('error', message, extra);
  }

  async #rotate(): Promise<void> {
    this.#rotating = true;
    const old = this.#stream;
    await new Promise<void>((resolve) => old.end(resolve));
    await rename(this.#path, `${this.#path}.1`).catch(() => undefined);
    this.#bytes = 0;
    this.#stream = this.#open();
    this.#rotating = false;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#stream.end(resolve));
  }
}
