import type { DaemonCommandName } from '../protocol/commands.js';
import type { Request } from '../protocol/messages.js';
import type { DaemonContext, HandlerTable } from './context.js';
import { Dispatcher } from './dispatcher.js';
import { domState } from './dom/driver.js';
import { BUNDLE_HANDLERS } from './handlers/bundle.js';
import { CDP_HANDLERS } from './handlers/cdp.js';
import { CONSOLE_HANDLERS } from './handlers/console.js';
import { CSS_HANDLERS } from './handlers/css.js';
import { NETWORK_HANDLERS } from './handlers/network.js';
import { DOM_HANDLERS } from './handlers/dom/index.js';
import { PAGE_HANDLERS } from './handlers/page.js';
import { SESSION_HANDLERS } from './handlers/session.js';
import { STORAGE_HANDLERS } from './handlers/storage.js';

export type { DaemonContext, HandlerContext } from './context.js';

/**
 * Every request the daemon answers, by command name; each family keeps its handlers in handlers/. The type makes
 * the compiler check this table against the contract: a daemon command without a handler does not build.
 */
export const HANDLERS: HandlerTable<DaemonCommandName> = {
  ...SESSION_HANDLERS,
  ...CDP_HANDLERS,
  ...NETWORK_HANDLERS,
  ...CONSOLE_HANDLERS,
  ...DOM_HANDLERS,
  ...PAGE_HANDLERS,
  ...BUNDLE_HANDLERS,
  ...CSS_HANDLERS,
  ...STORAGE_HANDLERS,
};

const dispatchers = new WeakMap<DaemonContext['session'], Dispatcher>();

/** Runs a request through the session's dispatcher (one per session: it owns that session's tab mutexes). */
export function dispatch(ctx: DaemonContext, req: Request, signal: AbortSignal): Promise<unknown> {
  let d = dispatchers.get(ctx.session);
  if (d === undefined) {
    const state = domState(ctx.session);
    d = new Dispatcher({ handlers: HANDLERS, locks: state.locks, tabName: (targetId) => state.tabIds.get(targetId) });
    dispatchers.set(ctx.session, d);
  }
  return d.dispatch(ctx, req, signal);
}

/**
 * The socket server's backstop for a request: the dispatcher's own budget answers first with the better message;
 * this only guarantees an answer if the dispatcher itself were stuck.
 */
export function timeoutFor(cmd: string): number {
  return Dispatcher.timeoutOf(cmd) + 2_000;
}
