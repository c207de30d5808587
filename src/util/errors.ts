import type { ErrorCode } from './exitCodes.js';

/** What crosses the socket and what `--json` prints for a failure. Never carries a stack. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  hint?: string;
  data?: unknown;
}

/** An error that is a value: a closed code, a message for humans, a hint for what to do next. */
export class BdgError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly data: unknown;

  constructor(code: ErrorCode, message: string, hint?: string, data?: unknown) {
    super(message);
    this.name = 'BdgError';
    this.code = code;
    this.hint = hint;
    this.data = data;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message };
    if (this.hint !== undefined) info.hint = this.hint;
    if (this.data !== undefined) info.data = this.data;
    return info;
  }

  static from(info: ErrorInfo): BdgError {
    return new BdgError(info.code, info.message, info.hint, info.data);
  }
}

/** Wraps anything thrown into a BdgError; unknown throwables become SOFTWARE_ERROR. */
export function toBdgError(err: unknown): BdgError {
  if (err instanceof BdgError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new BdgError('SOFTWARE_ERROR', message, 'This is a bug in bdg; the daemon log (daemon.log in the session directory) has details.');
}

export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? (err as { code: string }).code : undefined;
}
