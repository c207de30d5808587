import type { Params } from '../protocol/validate.js';
import type { BrowserSession } from './session.js';

export interface HandlerContext {
  session: BrowserSession;
  sessionDir: string;
  socketPath: string;
  /** Stops the session (files written, Chrome gone) and resolves with the summary; the daemon exits after replying. */
  stop: (killChrome: boolean) => Promise<unknown>;
  ipcStats: () => unknown;
  startedAt: number;
  timeoutSec: number | undefined;
  /** True while the daemon is still starting: the socket answers, but the first page has not loaded yet. */
  starting: () => boolean;
  /** True once the session is shutting down: requests other than `stop` are answered "stopping". */
  stopping: () => boolean;
}

export type CommandHandler = (ctx: HandlerContext, params: Params, signal: AbortSignal) => Promise<unknown> | unknown;
