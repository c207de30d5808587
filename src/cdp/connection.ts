import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import { BdgError } from '../util/errors.js';
import type { Transport } from './transport.js';

/** A CDP command name; the method name selects its parameter and result types. */
export type CdpMethod = keyof ProtocolMapping.Commands;
/**
 * The parameters of `M`. A command that takes none accepts `{}` too, so `send('Page.enable', {})` stays typed
 * instead of falling through to the untyped overload.
 */
export type CdpParams<M extends CdpMethod> = ProtocolMapping.Commands[M]['paramsType'] extends []
  ? Record<string, never> | undefined
  : ProtocolMapping.Commands[M]['paramsType'][0];
/** What Chrome answers to `M`. */
export type CdpResult<M extends CdpMethod> = ProtocolMapping.Commands[M]['returnType'];

export interface CallOptions {
  sessionId?: string | undefined;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** Names the option a user raises when this call times out, for the error's hint. */
  timeoutHint?: string;
}

/** Options of a call on a session whose id is already bound. */
export type SessionCallOptions = Omit<CallOptions, 'sessionId'>;
/** A typed send bound to one flatten session: what a module that only talks to the page is handed. */
export type SessionSend = <M extends CdpMethod>(method: M, params?: CdpParams<M>, opts?: SessionCallOptions) => Promise<CdpResult<M>>;

export type EventListener = (method: string, params: unknown, sessionId: string | undefined) => void;

/** Receives one line per CDP message in (`<`) and out (`>`) when protocol tracing is on. */
export type TraceSink = (line: string) => void;

/** Characters of params or result a trace line keeps; the rest is counted, not written. */
export const TRACE_MAX_CHARS = 2048;

interface PendingCall {
  method: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  cleanup: () => void;
}

/** A CDP error keeps Chrome's code, message and data. */
export class CdpError extends Error {
  constructor(
    readonly method: string,
    readonly cdpCode: number,
    readonly cdpMessage: string,
    readonly cdpData?: string,
  ) {
    super(`${method}: ${cdpMessage}${cdpData !== undefined ? ` (${cdpData})` : ''}`);
    this.name = 'CdpError';
  }
}

/**
 * One CDP connection (browser-level; page sessions are multiplexed with flatten sessionIds). Every pending call
 * knows its method and its own deadline; when the wire closes, all of them are rejected at once with the reason
 * and the tail of Chrome's stderr.
 */
export class CdpConnection {
  readonly #transport: Transport;
  readonly #pending = new Map<number, PendingCall>();
  readonly #listeners = new Set<EventListener>();
  readonly #closeListeners = new Set<(reason: string) => void>();
  readonly #defaultTimeoutMs: number;
  readonly #diagnostics: () => string;
  readonly #trace: TraceSink | undefined;
  #nextId = 1;
  #closedReason: string | undefined;

  constructor(transport: Transport, opts: { defaultTimeoutMs: number; diagnostics?: () => string; trace?: TraceSink | undefined }) {
    this.#transport = transport;
    this.#defaultTimeoutMs = opts.defaultTimeoutMs;
    this.#diagnostics = opts.diagnostics ?? (() => '');
    this.#trace = opts.trace;
    transport.onMessage = (message) => this.#onMessage(message);
    transport.onClose = (reason) => this.#onClose(reason);
  }

  get closed(): boolean {
    return this.#closedReason !== undefined;
  }

  get closedReason(): string | undefined {
    return this.#closedReason;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.#closeListeners.add(listener);
  }

  /** Sends one command; the method name types its parameters and its result. */
  send<M extends CdpMethod>(method: M, params?: CdpParams<M>, opts?: CallOptions): Promise<CdpResult<M>> {
    // The method name is what types params and result; Chrome's answer is that method's result by the protocol.
    return this.sendRaw(method, params ?? {}, opts) as Promise<CdpResult<M>>;
  }

  /**
   * Sends a method whose name is only known at run time (`bdg cdp <Domain.method>`, which checks it against the
   * schema first); everything bdg itself calls goes through the typed `send`.
   */
  sendRaw(method: string, params: object = {}, opts: CallOptions = {}): Promise<unknown> {
    if (this.#closedReason !== undefined) return Promise.reject(this.#closedError(method));
    if (opts.signal?.aborted === true) return Promise.reject(new BdgError('TIMEOUT', `${method} was cancelled`));
    const id = this.#nextId++;
    const timeoutMs = opts.timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        this.#settle(id)?.reject(new BdgError('TIMEOUT', `${method} was cancelled: ${String(opts.signal?.reason ?? 'aborted')}`));
      };
      const timer = setTimeout(() => {
        this.#settle(id)?.reject(
          new BdgError(
            'TIMEOUT',
            `CDP call ${method} timed out after ${timeoutMs} ms`,
            opts.timeoutHint ?? 'The page or browser is not responding; raise the timeout or check the page.',
          ),
        );
      }, timeoutMs);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        method,
        resolve,
        reject,
        timer,
        cleanup: () => opts.signal?.removeEventListener('abort', onAbort),
      });
      const message: Record<string, unknown> = { id, method, params };
      if (opts.sessionId !== undefined) message['sessionId'] = opts.sessionId;
      this.#trace?.(traceLine('>', method, id, opts.sessionId, 'params', params));
      this.#transport.send(JSON.stringify(message));
    });
  }

  close(): void {
    this.#transport.close();
  }

  #settle(id: number): PendingCall | undefined {
    const call = this.#pending.get(id);
    if (call === undefined) return undefined;
    this.#pending.delete(id);
    clearTimeout(call.timer);
    call.cleanup();
    return call;
  }

  #onMessage(raw: string): void {
    let message: {
      id?: number;
      method?: string;
      params?: unknown;
      sessionId?: string;
      result?: unknown;
      error?: { code: number; message: string; data?: string };
    };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return; // Chrome only sends JSON; a broken frame is dropped rather than taking the daemon down.
    }
    if (typeof message.id === 'number') {
      const call = this.#settle(message.id);
      if (this.#trace !== undefined) {
        const [label, body] = message.error !== undefined ? ['error', message.error] : ['result', message.result ?? {}];
        this.#trace(traceLine('<', call?.method ?? '(no pending call)', message.id, message.sessionId, label, body));
      }
      if (call === undefined) return;
      if (message.error !== undefined) call.reject(new CdpError(call.method, message.error.code, message.error.message, message.error.data));
      else call.resolve(message.result ?? {});
      return;
    }
    if (typeof message.method === 'string') {
      this.#trace?.(traceLine('<', message.method, undefined, message.sessionId, 'params', message.params ?? {}));
      for (const listener of this.#listeners) {
        try {
          listener(message.method, message.params ?? {}, message.sessionId);
        } catch {
          /* a faulty listener must not stop the others or the connection */
        }
      }
    }
  }

  #closedError(method: string): BdgError {
    const tail = this.#diagnostics();
    return new BdgError(
      'CDP_CONNECTION_FAILED',
      `${method} failed: the DevTools connection is closed (${this.#closedReason ?? 'unknown reason'})`,
      'Chrome exited or the connection dropped; `bdg status` tells what happened, and `bdg <url>` starts a new session.',
      tail !== '' ? { chromeStderr: tail } : undefined,
    );
  }

  #onClose(reason: string): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    for (const id of [...this.#pending.keys()]) {
      const call = this.#settle(id);
      call?.reject(this.#closedError(call.method));
    }
    for (const listener of this.#closeListeners) listener(reason);
  }
}

/**
 * One trace line: direction, method, id (absent for events), flatten session, and the params or result as JSON
 * cut at {@link TRACE_MAX_CHARS} so a large response body does not flood the log.
 */
export function traceLine(direction: '>' | '<', method: string, id: number | undefined, sessionId: string | undefined, label: string, body: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(body) ?? 'undefined';
  } catch {
    json = String(body);
  }
  const cut = json.length > TRACE_MAX_CHARS ? `${json.slice(0, TRACE_MAX_CHARS)}… (${json.length - TRACE_MAX_CHARS} more chars)` : json;
  return `cdp ${direction} ${method}${id !== undefined ? ` id=${id}` : ''}${sessionId !== undefined ? ` session=${sessionId}` : ''} ${label}=${cut}`;
}
