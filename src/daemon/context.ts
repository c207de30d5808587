import type { DaemonCommandName, ParamsOf, ResultOf } from '../protocol/commands.js';
import type { IdleInfo, OwnerInfo } from '../protocol/commands/session.js';
import type { BrowserSession } from './session.js';

/** What the daemon hands the dispatcher with every request. */
export interface DaemonContext {
  session: BrowserSession;
  sessionDir: string;
  socketPath: string;
  /** Stops the session (files written, Chrome gone) and resolves with the summary; the daemon exits after replying. */
  stop: (killChrome: boolean) => Promise<ResultOf<'stop'>>;
  ipcStats: () => { connections: number; served: number; rejectedBusy: number } | undefined;
  startedAt: number;
  timeoutSec: number | undefined;
  /** True while the daemon is still starting: the socket answers, but the first page has not loaded yet. */
  starting: () => boolean;
  /** True once the session is shutting down: requests other than `stop` are answered "stopping". */
  stopping: () => boolean;
  /** The session's name; absent for the default session. */
  sessionName?: string | undefined;
  /** The idle timeout and the owner as they stand (daemon/lifetime.ts); absent in tests that need neither. */
  lifetime?: { idle: () => IdleInfo; owner: () => OwnerInfo | null };
}

/** What a handler is given: the daemon's context plus its own request's deadline. */
export interface HandlerContext extends DaemonContext {
  /**
   * When the dispatcher answers TIMEOUT for this request (epoch ms; time spent waiting for the tab counts). A
   * handler that can explain its own timeout better gives up a little before it.
   */
  deadline: number;
}

/**
 * A daemon command's handler: params validated against its contract entry (defaults applied), the result its
 * family declared. The dispatcher has already taken the tab's lock when the contract asks for it, and aborts
 * `signal` on timeout or when the client goes away.
 */
export type Handler<N extends DaemonCommandName> = (ctx: HandlerContext, params: ParamsOf<N>, signal: AbortSignal) => Promise<ResultOf<N>> | ResultOf<N>;

/** Handlers for exactly the commands `N`: one missing, or one for a command that does not exist, does not compile. */
export type HandlerTable<N extends DaemonCommandName> = { readonly [K in N]: Handler<K> };

/** The daemon commands of one family: its bare name and its dotted sub-commands (`dom`, `dom.click`, ...). */
export type FamilyCommands<F extends string> = Extract<DaemonCommandName, F | `${F}.${string}`>;
