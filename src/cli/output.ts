import { BdgError } from '../util/errors.js';
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

/** Where a command's answer goes: data to stdout (one JSON document with --json), diagnostics to stderr. */
export class Output {
  readonly json: boolean;
  constructor(json: boolean) {
    this.json = json;
  }

  async success(data: unknown, human: () => string): Promise<number> {
    if (this.json) await write(process.stdout, `${JSON.stringify({ success: true, data }, null, 2)}\n`);
    else {
      const text = human();
      await write(process.stdout, text.endsWith('\n') || text === '' ? text : `${text}\n`);
    }
    return 0;
  }

  /** A failure: JSON document on stdout with --json (error, code, exitCode, hint), text on stderr otherwise. */
  async failure(err: BdgError, extra?: Record<string, unknown>): Promise<number> {
    const exitCode = exitCodeFor(err.code);
    if (this.json) {
      const doc: Record<string, unknown> = { success: false, error: err.message, code: err.code, exitCode };
      if (err.hint !== undefined) doc['hint'] = err.hint;
      if (err.data !== undefined) doc['data'] = err.data;
      if (extra !== undefined) Object.assign(doc, extra);
      await write(process.stdout, `${JSON.stringify(doc, null, 2)}\n`);
    } else {
      let text = `Error: ${err.message}\n`;
      if (err.hint !== undefined) text += `Hint: ${err.hint}\n`;
      const stderrTail = (err.data as { chromeStderr?: unknown } | undefined)?.chromeStderr;
      if (typeof stderrTail === 'string') text += `Chrome said:\n${stderrTail}\n`;
      await write(process.stderr, text);
    }
    return exitCode;
  }

  /** Diagnostics (progress, notes about cleaned-up files): stderr in both modes, so stdout stays parseable. */
  note(message: string): void {
    process.stderr.write(`${message}\n`);
  }
}
