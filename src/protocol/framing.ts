/**
 * JSON Lines framing shared by the CLI and the daemon: one JSON document per line, with a maximum frame size so
 * a peer that never sends a newline cannot grow our memory without bound.
 */
export const MAX_REQUEST_FRAME = 1024 * 1024;
export const MAX_RESPONSE_FRAME = 256 * 1024 * 1024;

export class FrameTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`frame exceeds ${limit} bytes`);
  }
}

export function encodeFrame(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/** Splits a byte stream into frames. Feed chunks; complete lines come back parsed (or as parse errors). */
export class FrameDecoder {
  readonly #max: number;
  #parts: Buffer[] = [];
  #pending = 0;

  constructor(maxFrame: number) {
    this.#max = maxFrame;
  }

  /** Returns the complete frames in this chunk. Throws FrameTooLargeError when a frame passes the limit. */
  push(chunk: Buffer): Array<{ ok: true; value: unknown } | { ok: false; error: string }> {
    const out: Array<{ ok: true; value: unknown } | { ok: false; error: string }> = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (this.#pending + piece.length > this.#max) throw new FrameTooLargeError(this.#max);
      const line = this.#parts.length > 0 ? Buffer.concat([...this.#parts, piece]).toString('utf8') : piece.toString('utf8');
      this.#parts = [];
      this.#pending = 0;
      start = nl + 1;
      if (line.trim() === '') continue;
      try {
        out.push({ ok: true, value: JSON.parse(line) });
      } catch (err) {
        out.push({ ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.#pending + rest.length > this.#max) throw new FrameTooLargeError(this.#max);
      this.#parts.push(rest);
      this.#pending += rest.length;
    }
    return out;
  }

  get buffered(): number {
    return this.#pending;
  }
}
