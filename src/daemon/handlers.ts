import { findCommand } from '../protocol/commands.js';
import type { Request } from '../protocol/messages.js';
import { validateParams } from '../protocol/validate.js';
import { BdgError } from '../util/errors.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { CDP_HANDLERS } from './handlers/cdp.js';
import { CONSOLE_HANDLERS } from './handlers/console.js';
import { NETWORK_HANDLERS } from './handlers/network.js';
import { DOM_HANDLERS } from './handlers/dom.js';
import { PAGE_HANDLERS } from './handlers/page.js';
import { SESSION_HANDLERS } from './handlers/session.js';

export type { HandlerContext } from './context.js';

/** Every request the daemon answers, by command name; each family keeps its handlers in handlers/. */
const HANDLERS: Record<string, CommandHandler> = { ...SESSION_HANDLERS, ...CDP_HANDLERS, ...NETWORK_HANDLERS, ...CONSOLE_HANDLERS, ...DOM_HANDLERS, ...PAGE_HANDLERS };

/** Validates a request against the command contract and runs its handler. */
export function dispatch(ctx: HandlerContext, req: Request, signal: AbortSignal): Promise<unknown> {
  const spec = findCommand(req.cmd);
  const handler = HANDLERS[req.cmd];
  if (spec === undefined || spec.runs !== 'daemon' || handler === undefined) {
    const names = Object.keys(HANDLERS);
    throw new BdgError('INVALID_ARGUMENTS', `Unknown request "${req.cmd}"`, `The daemon answers: ${names.join(', ')}`);
  }
  const params = validateParams(spec, req.params);
  if (ctx.stopping() && req.cmd !== 'stop') {
    // Same shape as the CLI's own "no session" answer, so status and the follow loops read it as "ended".
    throw new BdgError('NOT_FOUND', 'No session is running (the session is stopping)', 'Start a new one with `bdg <url>` once it has stopped.', { sessionDir: ctx.sessionDir, stopping: true });
  }
  return Promise.resolve(handler(ctx, params, signal));
}

export function timeoutFor(cmd: string): number | undefined {
  return findCommand(cmd)?.timeoutMs;
}
