/**
 * The browser side of a session: the Chrome we launched (or the one we attached to), the one CDP connection to
 * it, and closing it again.
 */
import { DEFAULT_WINDOW, MOBILE_VIEWPORT } from '../protocol/emulation.js';
import { mkdir } from 'node:fs/promises';
import { CdpConnection, type TraceSink } from '../cdp/connection.js';
import { assertPortFree, findChrome, launchChrome, resolveBrowserWsUrl, type LaunchedChrome } from '../cdp/chrome.js';
import { WebSocketTransport } from '../cdp/transport.js';
import { BdgError } from '../util/errors.js';
import { writeError } from '../util/fsx.js';
import { CHROME_SESSION_ENV } from '../util/paths.js';
import { killGroupQuietly } from '../util/proc.js';
import type { Logger } from '../util/logger.js';
import type { DaemonConfig } from './config.js';
import type { EndReason } from './sessionFile.js';

export class Browser {
  readonly #config: DaemonConfig;
  readonly #log: Logger;
  readonly #trace: TraceSink | undefined;
  #conn: CdpConnection | undefined;
  #chrome: LaunchedChrome | undefined;
  #wsEndpoint: string | undefined;
  #version: string | undefined;
  #onGone: ((reason: EndReason, detail: string) => void) | undefined;
  readonly #onLaunch: ((pid: number) => void) | undefined;
  #closing = false;
  #groupEnded = false;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(config: DaemonConfig, log: Logger, trace?: TraceSink, onLaunch?: (pid: number) => void) {
    this.#config = config;
    this.#log = log;
    this.#trace = trace;
    this.#onLaunch = onLaunch;
  }

  get chromePid(): number | undefined {
    return this.#chrome?.pid;
  }
  get attached(): boolean {
    return this.#config.chromeWsUrl !== undefined;
  }
  get wsEndpoint(): string | undefined {
    return this.#wsEndpoint;
  }
  get port(): number | undefined {
    if (this.#wsEndpoint === undefined) return undefined;
    const port = Number(new URL(this.#wsEndpoint).port);
    return Number.isFinite(port) && port > 0 ? port : undefined;
  }
  get version(): string | undefined {
    return this.#version;
  }
  get connected(): boolean {
    return this.#conn !== undefined && !this.#conn.closed;
  }
  /** True once close() was called: whatever goes away after that was asked to. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Called once when Chrome or the connection goes away without being asked to. */
  onGone(listener: (reason: EndReason, detail: string) => void): void {
    this.#onGone = listener;
  }

  get conn(): CdpConnection {
    if (this.#conn === undefined || this.#conn.closed) {
      throw new BdgError(
        'CDP_CONNECTION_FAILED',
        `Not connected to Chrome${this.#conn?.closedReason !== undefined ? ` (${this.#conn.closedReason})` : ''}`,
        'Start a new session with `bdg <url>`.',
      );
    }
    return this.#conn;
  }

  /**
   * Launches Chrome (or attaches with --chrome-ws-url) and waits until it answers. `wire` sees the connection
   * before the first message goes out, so its event listeners miss nothing.
   */
  async connect(wire: (conn: CdpConnection) => void): Promise<CdpConnection> {
    const connOpts = { defaultTimeoutMs: 30_000, trace: this.#trace };
    if (this.#config.chromeWsUrl !== undefined) {
      const wsUrl = await resolveBrowserWsUrl(this.#config.chromeWsUrl, 5_000);
      let transport: WebSocketTransport;
      try {
        transport = await WebSocketTransport.connect(wsUrl, 5_000);
      } catch (err) {
        throw new BdgError(
          'CDP_CONNECTION_FAILED',
          `Cannot connect to ${wsUrl}: ${(err as Error).message}`,
          'Check that Chrome is running with --remote-debugging-port and the URL is right.',
        );
      }
      this.#wsEndpoint = wsUrl;
      this.#conn = new CdpConnection(transport, connOpts);
    } else {
      const chrome = await this.#launch();
      this.#conn = new CdpConnection(chrome.transport, { ...connOpts, diagnostics: () => chrome.stderr.toString() });
    }
    const conn = this.#conn;
    conn.onClose((reason) => {
      this.#log.warn(`CDP connection closed: ${reason}`);
      if (!this.#closing && this.#chrome === undefined) this.#onGone?.('connection-lost', `Connection to Chrome lost: ${reason}`);
    });
    wire(conn);
    // A Chrome (or a CHROME_PATH wrapper) that exits at once fails the start now, not when the call times out: a
    // child the wrapper left behind can hold the pipe open, so its closing would not tell.
    const chrome = this.#chrome;
    const exitedEarly =
      chrome === undefined
        ? new Promise<never>(() => undefined)
        : chrome.exited.then(() => {
            throw this.exitedError() ?? new BdgError('CHROME_LAUNCH_FAILED', 'Chrome exited during start-up');
          });
    exitedEarly.catch(() => undefined);
    try {
      this.#version = (await Promise.race([conn.send('Browser.getVersion', {}, { timeoutMs: 20_000 }), exitedEarly])).product;
    } catch (err) {
      if (err instanceof BdgError && err.code === 'CHROME_LAUNCH_FAILED') throw err;
      const tail = this.#chrome?.stderr.toString() ?? '';
      throw new BdgError(
        'CHROME_LAUNCH_FAILED',
        `Chrome did not answer on its DevTools connection: ${(err as Error).message}${tail !== '' ? `\n${tail}` : ''}`,
        'Check the Chrome flags (--chrome-flags) and that the browser starts by hand; the daemon log has details.',
      );
    }
    this.#log.debug('browser answered');
    return conn;
  }

  async #launch(): Promise<LaunchedChrome> {
    const executable = findChrome();
    await assertPortFree(this.#config.port);
    const userDataDir = this.#config.userDataDir ?? `${this.#config.sessionDir}/chrome-profile`;
    await mkdir(userDataDir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
      throw writeError(userDataDir, err);
    });
    const chrome = launchChrome({
      executable,
      headless: this.#config.headless,
      port: this.#config.port,
      userDataDir,
      extraFlags: this.#config.chromeFlags,
      windowSize: this.#config.emulation?.viewport ?? (this.#config.emulation?.mobile === true ? MOBILE_VIEWPORT : DEFAULT_WINDOW),
      isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
      // Inherited by whatever Chrome's launcher starts: `bdg cleanup` recognises those by it (src/client/state.ts).
      env: { ...process.env, [CHROME_SESSION_ENV]: this.#config.sessionDir },
    });
    this.#chrome = chrome;
    this.#log.info(`launched ${executable} pid ${chrome.pid}${chrome.pgid !== undefined ? ` (process group ${chrome.pgid})` : ''}`);
    this.#onLaunch?.(chrome.pid);
    void chrome.wsEndpoint.then((ws) => {
      this.#wsEndpoint = ws;
    });
    void chrome.exited.then(({ code, signal }) => {
      this.#exit = { code, signal };
      this.#log.info(`chrome exited code=${String(code)} signal=${String(signal)}`);
      if (!this.#closing) {
        this.#onGone?.(
          'chrome-exited',
          `Chrome (pid ${chrome.pid}) exited unexpectedly (${signal !== null ? `signal ${signal}` : `exit code ${String(code)}`})`,
        );
      }
    });
    return chrome;
  }

  /** Once the Chrome we launched has exited: the start-up error that says how, with the tail of its stderr. */
  exitedError(): BdgError | undefined {
    const chrome = this.#chrome;
    const exit = this.#exit;
    if (chrome === undefined || exit === undefined) return undefined;
    const tail = chrome.stderr.toString();
    return new BdgError(
      'CHROME_LAUNCH_FAILED',
      `Chrome (${chrome.executable}, pid ${chrome.pid}) exited during start-up (${exit.signal !== null ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`})${tail !== '' ? `:\n${tail}` : ''}`,
      'Check that the browser starts by hand, CHROME_PATH and --chrome-flags; the daemon log has details.',
    );
  }

  /**
   * Ends the process group of the Chrome we launched (SIGKILL), once: on close, and from the daemon's exit
   * handler (synchronous), so that no way out of the daemon leaves a launcher's children behind.
   */
  endChromeGroup(): void {
    if (this.#groupEnded) return;
    this.#groupEnded = true;
    this.#killGroup();
  }

  #killGroup(): void {
    const pgid = this.#chrome?.pgid;
    if (pgid !== undefined && killGroupQuietly(pgid, 'SIGKILL')) this.#log.debug(`ended what was left of Chrome's process group ${pgid}`);
  }

  /** Waits (briefly) for the DevTools endpoint of a Chrome we launched, which it prints right after binding the port. */
  async settleEndpoint(): Promise<void> {
    if (this.#chrome !== undefined && this.#wsEndpoint === undefined) {
      // The pipe can be answering slightly before Chrome prints the endpoint.
      this.#wsEndpoint = await Promise.race([this.#chrome.wsEndpoint, new Promise<undefined>((r) => setTimeout(() => r(undefined), 2_000))]);
    }
  }

  /**
   * Closes the browser side. A Chrome we launched is closed (Browser.close, then SIGKILL if it lingers) and
   * awaited; an attached Chrome only loses the tab we opened (`targetId`), unless killChrome.
   */
  async close(killChrome: boolean, targetId: string | undefined): Promise<void> {
    this.#closing = true;
    const conn = this.#conn;
    const chrome = this.#chrome;
    if (chrome !== undefined) {
      if (conn !== undefined && !conn.closed) await conn.send('Browser.close', {}, { timeoutMs: 2_000 }).catch(() => undefined);
      const exited = await Promise.race([chrome.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3_000))]);
      if (!exited) {
        this.#log.warn(`Chrome pid ${chrome.pid} did not exit after Browser.close; killing its process group`);
        this.#killGroup();
        chrome.process.kill('SIGKILL');
        await chrome.exited;
      }
      // Chrome is gone; what its launcher started (a wrapper's children) and helpers still exiting go with it.
      this.#groupEnded = true;
      this.#killGroup();
      conn?.close();
      return;
    }
    if (conn !== undefined && !conn.closed) {
      if (killChrome) await conn.send('Browser.close', {}, { timeoutMs: 3_000 }).catch(() => undefined);
      else if (targetId !== undefined) await conn.send('Target.closeTarget', { targetId }, { timeoutMs: 3_000 }).catch(() => undefined);
      conn.close();
    }
  }
}
