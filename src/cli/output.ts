import { VERSION } from '../protocol/version.js';
import type { BdgError } from '../util/errors.js';
import { exitCodeFor } from '../util/exitCodes.js';

/** Writes and waits until the data is handed to the OS, so a piped reader never sees output cut off at exit. */
export function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (text === '') {
      resolve();
      return;
    }
    stream.write(text, () => resolve());
  });
}

/**
 * Where a runner's answer goes. The CLI prints it (`StdoutOutput`); batch and MCP record it (`CapturedOutput`) and
 * run the very same runners, so every front door shows the text the CLI prints.
 */
export interface Output {
  /** The answer is wanted as one JSON document (runners that print progress or follow use this). */
  readonly json: boolean;
  /** A result: `data` as the JSON envelope's data, `human()` the text the CLI prints (called only if wanted). */
  success(data: unknown, human: () => string): Promise<number>;
  /** A failure; returns its exit code. */
  failure(err: BdgError, extra?: Record<string, unknown>): Promise<number>;
  /** Diagnostics (progress, notes about cleaned-up files), never part of the answer. */
  note(message: string): void;
}

/** The `--json` document of a success, as the original bdg writes it: `{version, success: true, data}`. */
export interface SuccessEnvelope {
  version: string;
  success: true;
  data: unknown;
}

export function successEnvelope(data: unknown): SuccessEnvelope {
  return { version: VERSION, success: true, data };
}

/**
 * The `--json` document of a failure: version, error, code, exitCode, the hint (as `hint` and, under the original
 * bdg's name, `suggestion`) and data when there are some.
 */
export function failureEnvelope(err: BdgError, extra?: Record<string, unknown>): Record<string, unknown> {
  const doc: Record<string, unknown> = { version: VERSION, success: false, error: err.message, code: err.code, exitCode: exitCodeFor(err.code) };
  if (err.hint !== undefined) {
    doc['hint'] = err.hint;
    doc['suggestion'] = err.hint;
  }
  if (err.data !== undefined) doc['data'] = err.data;
  if (extra !== undefined) Object.assign(doc, extra);
  return doc;
}

/** The text of a failure as the CLI prints it on stderr: the message, the hint (not when quiet), Chrome's last words. */
export function failureText(err: BdgError, quiet = false): string {
  let text = `Error: ${err.message}\n`;
  if (err.hint !== undefined && !quiet) text += `Hint: ${err.hint}\n`;
  const stderrTail = (err.data as { chromeStderr?: unknown } | undefined)?.chromeStderr;
  if (typeof stderrTail === 'string') text += `Chrome said:\n${stderrTail}\n`;
  return text;
}

/**
 * A JSON document as the CLI prints it: indented on a terminal, where a person reads it; on one line otherwise,
 * where an agent or a pipe pays for every byte of whitespace (as the original bdg does).
 */
export function jsonText(doc: unknown): string {
  return `${process.stdout.isTTY ? JSON.stringify(doc, null, 2) : JSON.stringify(doc)}\n`;
}

/** One line of a `--follow --json` stream: a whole success envelope, so each line parses on its own. */
export function jsonLine(data: unknown): string {
  return `${JSON.stringify(successEnvelope(data))}\n`;
}

const withNewline = (text: string): string => (text.endsWith('\n') || text === '' ? text : `${text}\n`);

/** The CLI's output: data to stdout (one JSON document with --json), diagnostics to stderr. */
export class StdoutOutput implements Output {
  readonly json: boolean;
  /** `-q` / `--quiet` (the original bdg's): no hints under errors, no notes. */
  readonly #quiet: boolean;
  constructor(json: boolean, quiet = false) {
    this.json = json;
    this.#quiet = quiet;
  }

  async success(data: unknown, human: () => string): Promise<number> {
    if (this.json) await write(process.stdout, jsonText(successEnvelope(data)));
    else await write(process.stdout, withNewline(human()));
    return 0;
  }

  /** A failure: JSON document on stdout with --json (error, code, exitCode, hint), text on stderr otherwise. */
  async failure(err: BdgError, extra?: Record<string, unknown>): Promise<number> {
    if (this.json) await write(process.stdout, jsonText(failureEnvelope(err, extra)));
    else await write(process.stderr, failureText(err, this.#quiet));
    return exitCodeFor(err.code);
  }

  note(message: string): void {
    if (!this.#quiet) process.stderr.write(`${message}\n`);
  }
}

/** What one command answered, as a `CapturedOutput` recorded it. */
export type Captured =
  | { ok: true; exitCode: 0; envelope: SuccessEnvelope; data: unknown; text: string }
  | { ok: false; exitCode: number; envelope: Record<string, unknown>; error: BdgError; text: string };

/**
 * Records one command's answer instead of printing it: the envelope `--json` would print, and the text the CLI
 * would print (rendered only when `render` is set, so a JSON-only batch does not pay for it). Notes are kept in
 * order; `onNote` also sees each one as it comes.
 */
export class CapturedOutput implements Output {
  readonly json: boolean;
  readonly notes: string[] = [];
  #result: Captured | undefined;
  readonly #render: boolean;
  readonly #onNote: ((message: string) => void) | undefined;

  constructor(opts: { json?: boolean; render?: boolean; onNote?: (message: string) => void } = {}) {
    this.json = opts.json ?? false;
    this.#render = opts.render ?? true;
    this.#onNote = opts.onNote;
  }

  /** The answer; a runner that returned without giving one is a bug, reported as such by the caller. */
  get result(): Captured | undefined {
    return this.#result;
  }

  success(data: unknown, human: () => string): Promise<number> {
    this.#result = { ok: true, exitCode: 0, envelope: successEnvelope(data), data, text: this.#render ? withNewline(human()) : '' };
    return Promise.resolve(0);
  }

  failure(err: BdgError, extra?: Record<string, unknown>): Promise<number> {
    const exitCode = exitCodeFor(err.code);
    this.#result = { ok: false, exitCode, envelope: failureEnvelope(err, extra), error: err, text: failureText(err) };
    return Promise.resolve(exitCode);
  }

  note(message: string): void {
    this.notes.push(message);
    this.#onNote?.(message);
  }
}
