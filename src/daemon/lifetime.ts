/**
 * How long a daemon lives when nobody stops it: the idle timeout (no command for a while) and the owner (a
 * process whose exit ends the session). Both end the session through the daemon's one shutdown path, which writes
 * session.json as `bdg stop` does. Timers only, no synchronous I/O: the owner check reads the process table
 * through the platform seam's asynchronous `processStatus`.
 */
import type { IdleInfo, OwnerInfo } from '../protocol/commands/session.js';
import type { Logger } from '../util/logger.js';
import { isSameProcessAliveAsync, type ProcessIdentity } from '../util/proc.js';
import type { DaemonConfig } from './config.js';
import type { EndReason } from './sessionFile.js';

/** How often the owner's identity is checked. */
export const OWNER_POLL_MS = 2_000;

/**
 * Requests that are not activity: asking whether the session is alive (`bdg status`, `bdg sessions`, the probe of
 * `bdg <url>` and `bdg cleanup`) must not keep it alive for ever. Everything else counts, follow loops included
 * (someone is watching), and a command that is still running holds the idle clock at zero.
 */
const PASSIVE_COMMANDS: ReadonlySet<string> = new Set(['status']);

export interface LifetimeOptions {
  now?: () => number;
  ownerPollMs?: number;
  /** The owner check; the platform's pid + start-time check unless a test fakes it. */
  isAlive?: (id: ProcessIdentity) => Promise<boolean>;
}

/** Why a session gets no idle timeout, or undefined when it does. */
export function idleOff(config: Pick<DaemonConfig, 'idleTimeoutSec' | 'chromeWsUrl' | 'headless'>): IdleInfo['off'] {
  if (config.idleTimeoutSec === undefined || config.idleTimeoutSec <= 0) return 'disabled';
  // Someone else's Chrome, or a window a person may be looking at: never closed for being idle.
  if (config.chromeWsUrl !== undefined) return 'attached';
  if (!config.headless) return 'headed';
  return undefined;
}

export class Lifetime {
  readonly #log: Logger;
  readonly #stop: (reason: EndReason, detail: string) => void;
  readonly #now: () => number;
  readonly #pollMs: number;
  readonly #isAlive: (id: ProcessIdentity) => Promise<boolean>;
  readonly #idleMs: number | undefined;
  readonly #off: IdleInfo['off'];
  readonly #owner: ProcessIdentity | undefined;
  #last: number;
  #inFlight = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #ownerTimer: NodeJS.Timeout | undefined;
  #checking = false;
  #ended = false;

  constructor(
    config: Pick<DaemonConfig, 'idleTimeoutSec' | 'chromeWsUrl' | 'headless' | 'owner'>,
    log: Logger,
    stop: (reason: EndReason, detail: string) => void,
    opts: LifetimeOptions = {},
  ) {
    this.#log = log;
    this.#stop = stop;
    this.#now = opts.now ?? Date.now;
    this.#pollMs = opts.ownerPollMs ?? OWNER_POLL_MS;
    this.#isAlive = opts.isAlive ?? isSameProcessAliveAsync;
    this.#off = idleOff(config);
    this.#idleMs = this.#off === undefined && config.idleTimeoutSec !== undefined ? config.idleTimeoutSec * 1000 : undefined;
    this.#owner = config.owner;
    this.#last = this.#now();
  }

  /** Arms both once the session is ready: the idle clock starts now. */
  start(): void {
    this.#last = this.#now();
    if (this.#idleMs !== undefined) {
      this.#log.info(`idle timeout: ${this.#idleMs / 1000} s`);
      this.#armIdle(this.#idleMs);
    } else this.#log.debug(`no idle timeout (${this.#off ?? 'off'})`);
    if (this.#owner !== undefined) {
      this.#log.info(`owner: pid ${this.#owner.pid}${this.#owner.startTime !== undefined ? ` (start time ${this.#owner.startTime})` : ''}`);
      void this.#checkOwner();
      this.#ownerTimer = setInterval(() => void this.#checkOwner(), this.#pollMs);
      this.#ownerTimer.unref();
    }
  }

  /** Runs one request; every command but the passive ones is activity, from its start to its end. */
  async track<T>(cmd: string, run: () => Promise<T>): Promise<T> {
    if (PASSIVE_COMMANDS.has(cmd)) return run();
    this.#inFlight++;
    this.#last = this.#now();
    try {
      return await run();
    } finally {
      this.#inFlight--;
      this.#last = this.#now();
    }
  }

  idle(): IdleInfo {
    const idleMs = this.#inFlight > 0 ? 0 : Math.max(0, this.#now() - this.#last);
    const info: IdleInfo = {
      timeoutSec: this.#idleMs !== undefined ? this.#idleMs / 1000 : null,
      idleSec: Math.floor(idleMs / 1000),
      stopsInSec: this.#idleMs !== undefined ? Math.max(0, Math.ceil((this.#idleMs - idleMs) / 1000)) : null,
    };
    if (this.#off !== undefined) info.off = this.#off;
    return info;
  }

  owner(): OwnerInfo | null {
    return this.#owner !== undefined ? { pid: this.#owner.pid, startTime: this.#owner.startTime ?? null } : null;
  }

  /** Stops both timers (the session is ending anyway). */
  dispose(): void {
    this.#ended = true;
    clearTimeout(this.#idleTimer);
    clearInterval(this.#ownerTimer);
  }

  #end(reason: EndReason, detail: string): void {
    if (this.#ended) return;
    this.dispose();
    this.#log.info(detail);
    this.#stop(reason, detail);
  }

  #armIdle(ms: number): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.#onIdleTimer(), ms);
    this.#idleTimer.unref();
  }

  #onIdleTimer(): void {
    const idleMs = this.#idleMs;
    if (this.#ended || idleMs === undefined) return;
    // A command still running is activity; the clock restarts when it ends.
    if (this.#inFlight > 0) return this.#armIdle(idleMs);
    const left = this.#last + idleMs - this.#now();
    if (left > 0) return this.#armIdle(left);
    this.#end('idle-timeout', `idle timeout: no command for ${idleMs / 1000} s`);
  }

  async #checkOwner(): Promise<void> {
    const owner = this.#owner;
    if (owner === undefined || this.#ended || this.#checking) return;
    this.#checking = true;
    try {
      if (!(await this.#isAlive(owner))) this.#end('owner-exited', `owner process ${owner.pid} exited`);
    } catch (err) {
      this.#log.warn(`owner check failed: ${String(err)}`);
    } finally {
      this.#checking = false;
    }
  }
}
