/**
 * The browser side of a session: the Chrome we launched (or the one we attached to), the one CDP connection to
 * it, and closing it again.
 */
import { DEFAULT_WINDOW, MOBILE_VIEWPORT } from '../protocol/emulation.js';
import { mkdir } from 'node:fs/promises';
import { CdpConnection, type TraceSink } from '../cdp/connection.js';
import { assertPortFree, findChrome, launchChrome, type LaunchedChrome } from '../cdp/chrome.js';
import { WebSocketTransport } from '../cdp/transport.js';
import type { GridInfo, RemoteInfo } from '../protocol/commands/session.js';
import type { RemoteSecrets } from '../protocol/messages.js';
import { BdgError } from '../util/errors.js';
import { displayUrl, type HeaderMap } from '../util/http.js';
import { writeError } from '../util/fsx.js';
import { CHROME_SESSION_ENV } from '../util/paths.js';
import { identityOf, killGroupQuietly } from '../util/proc.js';
import type { Logger } from '../util/logger.js';
import type { DaemonConfig } from './config.js';
import { GridSession, gridCapabilities, gridKeepAliveMs } from './grid.js';
import { connectRemote, reresolve, takeRemoteSecrets } from './remote.js';
import type { EndReason } from './sessionFile.js';
import { joinSharedBrowser, leaveSharedBrowser, recordContext, type Membership } from './sharedBrowser.js';
import { withoutDaemonMalloc } from '../util/mallocEnv.js';

/** How long a lost attached browser is looked for at its /json/version before the session ends. */
const RECONNECT_MS = 15_000;

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
  readonly #secrets: RemoteSecrets;
  readonly #headers: HeaderMap;
  #grid: GridSession | undefined;
  readonly #remoteNotes: string[] = [];
  #wire: ((conn: CdpConnection) => void) | undefined;
  #onReconnected: ((conn: CdpConnection) => Promise<void>) | undefined;
  #reconnecting = false;
  /** `--shared-browser`: the membership, and this session's browser context in that Chrome. */
  #shared: Membership | undefined;
  #contextId: string | undefined;
  #sharedClosed = false;
  #leaving: Promise<void> | undefined;

  constructor(config: DaemonConfig, log: Logger, trace?: TraceSink, onLaunch?: (pid: number) => void) {
    this.#config = config;
    // Header values and real URLs come in the environment, never on our command line (protocol/messages.ts).
    this.#secrets = takeRemoteSecrets();
    this.#headers = this.#secrets.headers ?? {};
    this.#log = log;
    this.#trace = trace;
    this.#onLaunch = onLaunch;
  }

  get chromePid(): number | undefined {
    return this.#chrome?.pid ?? this.#shared?.record.pid;
  }
  /** The shared browser this session is a member of, and its context there; undefined for a browser of its own. */
  get shared(): { name: string; dir: string; browserContextId: string | null; launched: boolean } | undefined {
    const m = this.#shared;
    return m === undefined ? undefined : { name: m.name, dir: m.dir, browserContextId: this.#contextId ?? null, launched: m.launched };
  }
  /** Whether the Chrome runs headless: a shared one as the session that launched it asked. */
  get headless(): boolean {
    return this.#shared?.record.headless ?? this.#config.headless;
  }
  /** The browser context the session's tabs live in (shared browser only). */
  get browserContextId(): string | undefined {
    return this.#contextId;
  }
  /** Whether leaving the shared browser closed its Chrome (this session was its last member). */
  get sharedChromeClosed(): boolean {
    return this.#sharedClosed;
  }
  get attached(): boolean {
    return this.#config.chromeWsUrl !== undefined;
  }
  /** The browser's DevTools WebSocket URL, as it may be shown (no password or query values: tokens go there). */
  get wsEndpoint(): string | undefined {
    return this.#wsEndpoint !== undefined ? displayUrl(this.#wsEndpoint) : undefined;
  }
  /** Chrome's debugging port; none for a Grid session (the endpoint's port is the Grid's). */
  get port(): number | undefined {
    if (this.#wsEndpoint === undefined || this.#config.grid !== undefined) return undefined;
    const port = Number(new URL(this.#wsEndpoint).port);
    return Number.isFinite(port) && port > 0 ? port : undefined;
  }
  get version(): string | undefined {
    return this.#version;
  }
  /** The Selenium Grid session (`--grid`), if any. */
  get grid(): GridInfo | undefined {
    const g = this.#grid;
    return g !== undefined ? { url: g.url, sessionId: g.sessionId, browserVersion: g.browserVersion } : undefined;
  }
  /** A remote browser's connection as status shows it: header names, the endpoint, notes; undefined for a launched one. */
  get remote(): RemoteInfo | undefined {
    if (this.#config.grid === undefined && this.#config.chromeWsUrl === undefined) return undefined;
    return {
      headerNames: Object.keys(this.#headers),
      endpoint: this.#wsEndpoint !== undefined ? displayUrl(this.#wsEndpoint) : null,
      notes: [...this.#remoteNotes],
    };
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
    const shared = this.#config.sharedBrowser;
    if (shared !== undefined) {
      this.#conn = await this.#joinShared(shared, connOpts);
    } else if (this.#config.grid !== undefined) {
      this.#conn = new CdpConnection(await this.#connectGrid(), connOpts);
    } else if (this.#config.chromeWsUrl !== undefined) {
      const remote = await connectRemote(this.#secrets.chromeWsUrl ?? this.#config.chromeWsUrl, this.#headers);
      for (const note of remote.notes) this.#log.warn(note);
      this.#remoteNotes.push(...remote.notes);
      this.#wsEndpoint = remote.wsUrl;
      this.#conn = new CdpConnection(remote.transport, connOpts);
    } else {
      const chrome = await this.#launch();
      this.#conn = new CdpConnection(chrome.transport, { ...connOpts, diagnostics: () => chrome.stderr.toString() });
    }
    const conn = this.#conn;
    this.#wire = wire;
    this.#watch(conn);
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
    if (this.#shared !== undefined) {
      // The session's own cookies, storage and cache; disposed by Chrome should this daemon die (its connection closes).
      const { browserContextId } = await conn.send('Target.createBrowserContext', { disposeOnDetach: true }, { timeoutMs: 10_000 });
      this.#contextId = browserContextId;
      await recordContext(this.#shared, browserContextId).catch((err: unknown) => this.#log.warn('recording the browser context failed', err));
      this.#log.info(`in shared browser "${this.#shared.name}" as context ${browserContextId}`);
    }
    return conn;
  }

  /**
   * What happens when the connection closes without bdg asking: a launched Chrome's exit is handled by #launch;
   * an attached browser (--chrome-ws-url) is looked for again (#reconnect); a Grid session ends the session.
   */
  #watch(conn: CdpConnection): void {
    conn.onClose((reason) => {
      this.#log.warn(`CDP connection closed: ${reason}`);
      if (this.#closing || this.#chrome !== undefined || conn !== this.#conn || this.#reconnecting) return;
      if (this.#config.chromeWsUrl !== undefined && this.#onReconnected !== undefined) void this.#reconnect(reason);
      else {
        const which = this.#shared !== undefined ? `the shared browser "${this.#shared.name}"` : 'Chrome';
        this.#onGone?.('connection-lost', `Connection to ${which} lost: ${reason}`);
      }
    });
  }

  /**
   * The attached browser went away (it restarted, its container was replaced): ask its /json/version where it
   * is now, for up to RECONNECT_MS, and carry on there (the session re-attaches in a new tab, onReconnected). The
   * session ends only when no browser answers in that time.
   */
  async #reconnect(reason: string): Promise<void> {
    const input = this.#secrets.chromeWsUrl ?? this.#config.chromeWsUrl ?? '';
    const why = `The connection to the browser was lost (${reason})`;
    const deadline = Date.now() + RECONNECT_MS;
    let last: unknown;
    this.#reconnecting = true;
    try {
      for (let delay = 250; Date.now() < deadline && !this.#closing; delay = Math.min(delay * 2, 2_000)) {
        await new Promise((r) => setTimeout(r, delay));
        if (this.#closing) return;
        try {
          const remote = await reresolve(input, this.#headers, why);
          const conn = new CdpConnection(remote.transport, { defaultTimeoutMs: 30_000, trace: this.#trace });
          this.#conn = conn;
          this.#wsEndpoint = remote.wsUrl;
          this.#watch(conn);
          this.#wire?.(conn);
          this.#version = (await conn.send('Browser.getVersion', {}, { timeoutMs: 10_000 })).product;
          await this.#onReconnected?.(conn);
          const note = remote.notes[0] ?? `${why}; reconnected.`;
          this.#log.warn(note);
          this.#remoteNotes.push(note);
          if (this.#remoteNotes.length > 10) this.#remoteNotes.splice(0, this.#remoteNotes.length - 10);
          return;
        } catch (err) {
          last = err;
          this.#log.info(`reconnect attempt failed: ${(err as Error).message}`);
          if (this.#conn !== undefined && !this.#conn.closed) this.#conn.close();
        }
      }
    } finally {
      this.#reconnecting = false;
    }
    if (this.#closing) return;
    this.#onGone?.(
      'connection-lost',
      `Connection to Chrome lost: ${reason}; no browser answered at ${displayUrl(input)} within ${RECONNECT_MS / 1000} s (${(last as Error | undefined)?.message ?? 'no attempt'})`,
    );
  }

  /**
   * Called once the connection to an attached browser is back after a loss, with the new connection: the page
   * re-attaches there. Without it, a lost connection ends the session.
   */
  onReconnected(listener: (conn: CdpConnection) => Promise<void>): void {
    this.#onReconnected = listener;
  }

  /** Creates the Grid session and connects to its se:cdp endpoint; the session is deleted if that fails. */
  async #connectGrid(): Promise<WebSocketTransport> {
    const url = this.#secrets.grid ?? this.#config.grid ?? '';
    const grid = await GridSession.create({
      url,
      headers: this.#headers,
      capabilities: gridCapabilities(this.#secrets.capabilities, { headless: this.#config.headless, chromeFlags: this.#config.chromeFlags }),
      sessionDir: this.#config.sessionDir,
      log: this.#log,
      createTimeoutMs: Math.max(30_000, this.#config.loadTimeoutMs),
      keepAliveMs: gridKeepAliveMs(),
    });
    this.#grid = grid;
    try {
      const remote = await connectRemote(grid.cdpUrl, this.#headers);
      this.#wsEndpoint = remote.wsUrl;
      return remote.transport;
    } catch (err) {
      await grid.delete();
      throw err;
    }
  }

  /** Joins (or launches) the shared browser and connects to it; a failed connection leaves the browser again. */
  async #joinShared(shared: { name: string; dir: string }, connOpts: { defaultTimeoutMs: number; trace: TraceSink | undefined }): Promise<CdpConnection> {
    const membership = await joinSharedBrowser({
      dir: shared.dir,
      name: shared.name,
      sessionDir: this.#config.sessionDir,
      sessionName: this.#config.sessionName ?? null,
      self: identityOf(process.pid),
      headless: this.#config.headless,
      chromeFlags: this.#config.chromeFlags,
      log: this.#log,
    });
    this.#shared = membership;
    if (!membership.launched && membership.record.headless !== this.#config.headless) {
      this.#log.warn(`the shared browser "${shared.name}" runs ${membership.record.headless ? 'headless' : 'headed'}, as the session that launched it asked`);
    }
    let transport: WebSocketTransport;
    try {
      transport = await WebSocketTransport.connect(membership.record.wsEndpoint, { timeoutMs: 10_000 });
    } catch (err) {
      throw new BdgError(
        'CDP_CONNECTION_FAILED',
        `Cannot connect to the shared browser "${shared.name}" at ${membership.record.wsEndpoint}: ${(err as Error).message}`,
        'Run `bdg cleanup --all` to end a shared browser that no longer answers, then start again.',
      );
    }
    this.#wsEndpoint = membership.record.wsEndpoint;
    return new CdpConnection(transport, connOpts);
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
      env: { ...withoutDaemonMalloc(process.env), [CHROME_SESSION_ENV]: this.#config.sessionDir },
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
    if (this.#shared !== undefined) {
      this.#leaving ??= this.#leaveShared(this.#shared, conn);
      await this.#leaving;
      return;
    }
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
    const grid = this.#grid;
    if (grid !== undefined) {
      // Deleting the WebDriver session is what ends its Chrome (and frees the Grid's slot).
      conn?.close();
      await grid.delete();
      return;
    }
    if (conn !== undefined && !conn.closed) {
      if (killChrome) await conn.send('Browser.close', {}, { timeoutMs: 3_000 }).catch(() => undefined);
      else if (targetId !== undefined) await conn.send('Target.closeTarget', { targetId }, { timeoutMs: 3_000 }).catch(() => undefined);
      conn.close();
    }
  }

  /**
   * Leaves the shared browser: disposes this session's context (its tabs, cookies and storage go with it), then
   * the registry decides whether this was the last member, in which case Chrome is closed over this connection.
   */
  async #leaveShared(membership: Membership, conn: CdpConnection | undefined): Promise<void> {
    const open = conn !== undefined && !conn.closed;
    if (open && this.#contextId !== undefined) {
      await conn.send('Target.disposeBrowserContext', { browserContextId: this.#contextId }, { timeoutMs: 5_000 }).catch((err: unknown) => {
        this.#log.warn('disposing the browser context failed', err);
      });
    }
    const left = await leaveSharedBrowser(membership, this.#log, async () => {
      if (open && !conn.closed) await conn.send('Browser.close', {}, { timeoutMs: 2_000 });
    }).catch((err: unknown) => {
      this.#log.error('leaving the shared browser failed', err);
      return { closedChrome: false, remaining: -1 };
    });
    this.#sharedClosed = left.closedChrome;
    conn?.close();
  }
}
