import { findCommand, locksTab, type CommandSpec, type DaemonCommandName } from '../protocol/commands.js';
import type { Request } from '../protocol/messages.js';
import { validateParams, type Params } from '../protocol/validate.js';
import { BdgError } from '../util/errors.js';
import type { HandlerContext, HandlerTable } from './context.js';
import type { KeyedMutex } from './dom/mutex.js';

/** Budget of a command whose entry declares none. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface DispatcherOptions {
  handlers: HandlerTable<DaemonCommandName>;
  /** Per-tab mutexes, keyed by target id. */
  locks: KeyedMutex;
  /** Short id of a tab (t1) for messages. */
  tabName?: (targetId: string) => string | undefined;
  /** A command's time budget; the contract's `timeoutMs` unless a test wants shorter. */
  budgetMs?: (spec: CommandSpec) => number;
}

/**
 * Everything a request goes through besides its handler, in one place: the contract entry (unknown commands and
 * keys rejected, defaults applied), "stopping" answers, the tab's mutex for commands the contract says change the
 * page, the command's time budget (a wait for the mutex counts against it), and the abort signal handlers pass on
 * to CDP. Handlers only do their job.
 */
export class Dispatcher {
  readonly #handlers: HandlerTable<DaemonCommandName>;
  readonly #locks: KeyedMutex;
  readonly #tabName: (targetId: string) => string | undefined;
  readonly #budgetMs: (spec: CommandSpec) => number;

  constructor(opts: DispatcherOptions) {
    this.#handlers = opts.handlers;
    this.#locks = opts.locks;
    this.#tabName = opts.tabName ?? (() => undefined);
    this.#budgetMs = opts.budgetMs ?? ((spec) => spec.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  /** The time budget of a command by name (the default for names the contract does not know). */
  static timeoutOf(cmd: string): number {
    return findCommand(cmd)?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async dispatch(ctx: HandlerContext, req: Pick<Request, 'cmd' | 'params'>, clientGone: AbortSignal): Promise<unknown> {
    const spec = findCommand(req.cmd);
    if (spec === undefined || spec.runs !== 'daemon' || !(req.cmd in this.#handlers)) {
      throw new BdgError('INVALID_ARGUMENTS', `Unknown request "${req.cmd}"`, `The daemon answers: ${Object.keys(this.#handlers).join(', ')}`);
    }
    const params = validateParams(spec, req.params);
    if (ctx.stopping() && spec.name !== 'stop') {
      // Same shape as the CLI's own "no session" answer, so status and the follow loops read it as "ended".
      throw new BdgError('NOT_FOUND', 'No session is running (the session is stopping)', 'Start a new one with `bdg <url>` once it has stopped.', { sessionDir: ctx.sessionDir, stopping: true });
    }
    const timeoutMs = this.#budgetMs(spec);
    const signal = AbortSignal.any([clientGone, AbortSignal.timeout(timeoutMs)]);
    const progress: Progress = {};
    // Listen for the abort before the handler runs, so the budget wins over a handler that gives up on the same
    // signal with a vaguer error of its own.
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = (): void => reject(clientGone.aborted ? new BdgError('UNEXPECTED_ERROR', 'client disconnected') : this.#timedOut(spec, timeoutMs, progress));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    return Promise.race([aborted, this.#run(ctx, spec, params, signal, progress)]);
  }

  #run(ctx: HandlerContext, spec: CommandSpec, params: Params, signal: AbortSignal, progress: Progress): Promise<unknown> {
    // validateParams checked `params` against this very entry, which is what ParamsOf<name> is read from: the one
    // place where the run-time check stands in for the compile-time type.
    const handler = this.#handlers[spec.name as DaemonCommandName] as (ctx: HandlerContext, params: Params, signal: AbortSignal) => unknown;
    // A handler that throws at once still answers through the promise, like one that rejects.
    const run = (): Promise<unknown> =>
      Promise.resolve().then(() => {
        delete progress.waitingFor;
        return handler(ctx, params, signal);
      });
    if (!locksTab(spec)) return run();
    const targetId = ctx.session.targetId;
    if (targetId === undefined) throw new BdgError('CDP_CONNECTION_FAILED', 'No page is attached', 'Start a new session with `bdg <url>`.');
    progress.waitingFor = targetId;
    return this.#locks.run(targetId, signal, run, spec.name);
  }

  /** The budget ran out: while queued for the tab (naming what holds it, and since when), or while running. */
  #timedOut(spec: CommandSpec, timeoutMs: number, progress: Progress): BdgError {
    const seconds = `${Math.round(timeoutMs / 100) / 10} s`;
    if (progress.waitingFor !== undefined) {
      const holder = this.#locks.holder(progress.waitingFor);
      const tab = this.#tabName(progress.waitingFor) ?? 'the tab';
      const busy = holder !== undefined ? `${holder.label}, running for ${Math.round((Date.now() - holder.since) / 1000)} s` : 'another command';
      return new BdgError(
        'TIMEOUT',
        `${spec.name} did not start within ${seconds}: ${tab} is busy with ${busy}`,
        'Commands that change the page run one at a time per tab; retry when that one has finished (read-only commands such as `bdg peek` still answer).',
        { waitedForLock: true, busyWith: holder?.label ?? null },
      );
    }
    return new BdgError('TIMEOUT', `${spec.name} did not finish within ${timeoutMs} ms`, 'The page may be busy; try again or check `bdg status`.');
  }
}

/** Where a request is, for the message when its budget runs out. */
interface Progress {
  /** Set while queued for this target's mutex. */
  waitingFor?: string;
}
