import { mkdir } from 'node:fs/promises';
import type { Protocol } from 'devtools-protocol';
import { CdpConnection, CdpError } from '../cdp/connection.js';
import { assertPortFree, findChrome, launchChrome, resolveBrowserWsUrl, type LaunchedChrome } from '../cdp/chrome.js';
import { WebSocketTransport } from '../cdp/transport.js';
import type { NavigationRecord, NetworkRecord } from '../protocol/records.js';
import { ConsoleCollector } from '../telemetry/console.js';
import { NavigationTracker, type NavigationChange } from '../telemetry/navigation.js';
import { NetworkCollector, isTextMimeType } from '../telemetry/network.js';
import { CDP_EVENT_LIMITS, CdpEventLog } from '../telemetry/cdpEvents.js';
import { BdgError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import type { Logger } from '../util/logger.js';
import { SessionPaths } from '../util/paths.js';
import type { DaemonConfig } from './config.js';
import { buildSessionFile } from './sessionFile.js';
import { DialogTracker } from './dom/dialogs.js';

/**
 * Telemetry bounds. Byte figures are estimates calibrated against V8 heap growth, so together they keep the
 * daemon's heap under ~50 MB of telemetry however much a page produces (bench/README.md has the measurements).
 */
export const LIMITS = {
  networkItems: 10_000,
  networkBytes: 32 * 1024 * 1024,
  consoleItems: 10_000,
  consoleBytes: 8 * 1024 * 1024,
  navigations: 1_000,
  domSnapshotBytes: 5 * 1024 * 1024,
};

export interface PageInfo {
  url: string;
  title: string;
}

/** Why session.json was written; `page-crashed` is a snapshot taken while the session keeps running. */
export type EndReason = 'stopped' | 'timeout' | 'chrome-exited' | 'connection-lost' | 'signal' | 'daemon-error' | 'page-crashed';

/**
 * One browser session: the Chrome we launched (or attached to), the CDP connection, the page we drive and the
 * telemetry collected from it.
 */
export class BrowserSession {
  readonly config: DaemonConfig;
  readonly network: NetworkCollector;
  readonly console: ConsoleCollector;
  /** Recent raw CDP events of every kind, for `bdg cdp --events`. */
  readonly cdpEvents = new CdpEventLog(CDP_EVENT_LIMITS);
  /** JavaScript dialogs, answered as they open so no command hangs on one. */
  readonly dialogs = new DialogTracker();
  readonly startedAt = Date.now();
  readonly #nav = new NavigationTracker({ maxItems: LIMITS.navigations });
  #log: Logger;
  #conn: CdpConnection | undefined;
  #chrome: LaunchedChrome | undefined;
  #pageSession: string | undefined;
  #targetId: string | undefined;
  #mainFrameId: string | undefined;
  #url = 'about:blank';
  #title = '';
  #wsEndpoint: string | undefined;
  #browserVersion: string | undefined;
  #pageCrashed = false;
  #loadWaiters = new Set<() => void>();
  #onGone: ((reason: EndReason, detail: string) => void) | undefined;
  #closing = false;

  constructor(config: DaemonConfig, log: Logger) {
    this.config = config;
    this.#log = log;
    this.network = new NetworkCollector({ maxItems: LIMITS.networkItems, maxBytes: LIMITS.networkBytes, maxBodyBytes: config.maxBodyBytes, includeAll: config.includeAll });
    this.console = new ConsoleCollector({ maxItems: LIMITS.consoleItems, maxBytes: LIMITS.consoleBytes });
  }

  get chromePid(): number | undefined {
    return this.#chrome?.pid;
  }
  get attached(): boolean {
    return this.config.chromeWsUrl !== undefined;
  }
  get wsEndpoint(): string | undefined {
    return this.#wsEndpoint;
  }
  get port(): number | undefined {
    if (this.#wsEndpoint === undefined) return undefined;
    const port = Number(new URL(this.#wsEndpoint).port);
    return Number.isFinite(port) && port > 0 ? port : undefined;
  }
  get browserVersion(): string | undefined {
    return this.#browserVersion;
  }
  get page(): PageInfo {
    return { url: this.#url, title: this.#title };
  }
  get pageCrashed(): boolean {
    return this.#pageCrashed;
  }
  /** Main-frame navigations, oldest first (bounded; see navigationsDropped). */
  get navigations(): NavigationRecord[] {
    return this.#nav.navigations;
  }
  get navigationsDropped(): number {
    return this.#nav.dropped;
  }
  /** The navigation with `index`, if still kept. */
  navigationAt(index: number): NavigationRecord | undefined {
    return this.#nav.get(index);
  }
  /** The selected page target, its flatten session and main frame (what `dom` and `page` commands act on). */
  get targetId(): string | undefined {
    return this.#targetId;
  }
  get pageSessionId(): string | undefined {
    return this.#pageSession;
  }
  get mainFrameId(): string | undefined {
    return this.#mainFrameId;
  }
  get connected(): boolean {
    return this.#conn !== undefined && !this.#conn.closed;
  }

  /** Called once when Chrome or the connection goes away without being asked to. */
  onGone(listener: (reason: EndReason, detail: string) => void): void {
    this.#onGone = listener;
  }

  get conn(): CdpConnection {
    if (this.#conn === undefined || this.#conn.closed) {
      throw new BdgError('CDP_CONNECTION_FAILED', `Not connected to Chrome${this.#conn?.closedReason !== undefined ? ` (${this.#conn.closedReason})` : ''}`, 'Start a new session with `bdg <url>`.');
    }
    return this.#conn;
  }

  /** Sends a command to the page's session. */
  pageSend<T = unknown>(method: string, params: object = {}, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    return this.conn.send<T>(method, params, { ...opts, sessionId: this.#pageSession });
  }

  /** Launches or attaches to Chrome and attaches to a page. Does not navigate. */
  async connect(): Promise<void> {
    if (this.config.chromeWsUrl !== undefined) {
      const wsUrl = await resolveBrowserWsUrl(this.config.chromeWsUrl, 5_000);
      let transport: WebSocketTransport;
      try {
        transport = await WebSocketTransport.connect(wsUrl, 5_000);
      } catch (err) {
        throw new BdgError('CDP_CONNECTION_FAILED', `Cannot connect to ${wsUrl}: ${(err as Error).message}`, 'Check that Chrome is running with --remote-debugging-port and the URL is right.');
      }
      this.#wsEndpoint = wsUrl;
      this.#conn = new CdpConnection(transport, { defaultTimeoutMs: 30_000 });
    } else {
      const executable = findChrome();
      await assertPortFree(this.config.port);
      const userDataDir = this.config.userDataDir ?? `${this.config.sessionDir}/chrome-profile`;
      await mkdir(userDataDir, { recursive: true, mode: 0o700 });
      const chrome = launchChrome({
        executable,
        headless: this.config.headless,
        port: this.config.port,
        userDataDir,
        extraFlags: this.config.chromeFlags,
        isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
      });
      this.#chrome = chrome;
      this.#log.info(`launched ${executable} pid ${chrome.pid}`);
      void chrome.wsEndpoint.then((ws) => {
        this.#wsEndpoint = ws;
      });
      void chrome.exited.then(({ code, signal }) => {
        this.#log.info(`chrome exited code=${String(code)} signal=${String(signal)}`);
        if (!this.#closing) {
          this.#onGone?.('chrome-exited', `Chrome (pid ${chrome.pid}) exited unexpectedly (${signal !== null ? `signal ${signal}` : `exit code ${String(code)}`})`);
        }
      });
      this.#conn = new CdpConnection(chrome.transport, { defaultTimeoutMs: 30_000, diagnostics: () => chrome.stderr.toString() });
    }
    const conn = this.#conn;
    conn.onClose((reason) => {
      this.#log.warn(`CDP connection closed: ${reason}`);
      if (!this.#closing && this.#chrome === undefined) this.#onGone?.('connection-lost', `Connection to Chrome lost: ${reason}`);
    });
    conn.on((method, params, sessionId) => this.cdpEvents.record(method, params, sessionId));
    conn.on((method, params, sessionId) => this.#onEvent(method, params, sessionId));
    let version: Protocol.Browser.GetVersionResponse;
    try {
      version = await conn.send<Protocol.Browser.GetVersionResponse>('Browser.getVersion', {}, { timeoutMs: 20_000 });
    } catch (err) {
      const tail = this.#chrome?.stderr.toString() ?? '';
      throw new BdgError(
        'CHROME_LAUNCH_FAILED',
        `Chrome did not answer on its DevTools connection: ${(err as Error).message}${tail !== '' ? `\n${tail}` : ''}`,
        'Check the Chrome flags (--chrome-flags) and that the browser starts by hand; the daemon log has details.',
      );
    }
    this.#browserVersion = version.product;
    this.#log.debug('browser answered');
    await this.#attachToPage();
    this.#log.debug('attached to page');
    if (this.#chrome !== undefined && this.#wsEndpoint === undefined) {
      // Chrome prints the endpoint right after it binds the port; the pipe can be answering slightly earlier.
      this.#wsEndpoint = await Promise.race([this.#chrome.wsEndpoint, new Promise<undefined>((r) => setTimeout(() => r(undefined), 2_000))]);
    }
  }

  async #attachToPage(): Promise<void> {
    const conn = this.conn;
    let targetId: string | undefined;
    if (!this.attached) {
      const { targetInfos } = await conn.send<Protocol.Target.GetTargetsResponse>('Target.getTargets');
      targetId = targetInfos.find((t) => t.type === 'page')?.targetId;
    }
    if (targetId === undefined) {
      ({ targetId } = await conn.send<Protocol.Target.CreateTargetResponse>('Target.createTarget', { url: 'about:blank' }));
    }
    this.#targetId = targetId;
    const { sessionId } = await conn.send<Protocol.Target.AttachToTargetResponse>('Target.attachToTarget', { targetId, flatten: true });
    this.#pageSession = sessionId;
    await conn.send('Target.setDiscoverTargets', { discover: true });
    await this.#enableDomains();
  }

  /**
   * Makes another page target the one bdg drives: attaches to it, enables the telemetry domains there and routes
   * its events to the collectors (events of the previous page are no longer recorded; its session is detached).
   */
  async selectTarget(targetId: string): Promise<void> {
    if (targetId === this.#targetId) return;
    const conn = this.conn;
    const previous = this.#pageSession;
    const { sessionId } = await conn.send<Protocol.Target.AttachToTargetResponse>('Target.attachToTarget', { targetId, flatten: true });
    this.#targetId = targetId;
    this.#pageSession = sessionId;
    await this.#enableDomains();
    const { frameTree } = await this.pageSend<Protocol.Page.GetFrameTreeResponse>('Page.getFrameTree');
    this.#url = frameTree.frame.url + (frameTree.frame.urlFragment ?? '');
    this.#title = '';
    this.#pageCrashed = false;
    this.#recordNavigation(this.#url);
    await this.#refreshTitle();
    if (previous !== undefined) await conn.send('Target.detachFromTarget', { sessionId: previous }, { timeoutMs: 5_000 }).catch(() => undefined);
  }

  async #enableDomains(): Promise<void> {
    const { frameTree } = await this.pageSend<Protocol.Page.GetFrameTreeResponse>('Page.getFrameTree');
    this.#mainFrameId = frameTree.frame.id;
    this.#nav.mainFrameId = frameTree.frame.id;
    await Promise.all([
      this.pageSend('Page.enable'),
      this.pageSend('Page.setLifecycleEventsEnabled', { enabled: true }),
      // Chrome keeps response bodies in its own buffers until we ask for them (lazy body fetch).
      this.pageSend('Network.enable', { maxTotalBufferSize: 200 * 1024 * 1024, maxResourceBufferSize: 20 * 1024 * 1024, maxPostDataSize: 1024 * 1024 }),
      this.pageSend('Runtime.enable'),
      this.pageSend('Log.enable'),
      this.pageSend('Inspector.enable').catch(() => undefined),
    ]);
  }

  #onEvent(method: string, params: unknown, sessionId: string | undefined): void {
    if (sessionId === undefined) {
      if (method === 'Target.targetDestroyed' && (params as Protocol.Target.TargetDestroyedEvent).targetId === this.#targetId && !this.#closing) {
        this.#log.warn('page target destroyed');
        this.#pageCrashed = true;
      }
      return;
    }
    if (sessionId !== this.#pageSession) return;
    if (method.startsWith('Network.')) {
      // A navigation starts with its document request, which must already carry the new index.
      if (method === 'Network.requestWillBeSent') this.#applyNavigation(this.#nav.handle(method, params));
      this.network.handle(method, params);
      return;
    }
    switch (method) {
      case 'Runtime.consoleAPICalled':
      case 'Runtime.exceptionThrown':
      case 'Log.entryAdded':
        this.console.handle(method, params);
        break;
      case 'Page.frameNavigated': {
        const { frame } = params as Protocol.Page.FrameNavigatedEvent;
        if (frame.parentId === undefined) {
          this.#mainFrameId = frame.id;
          this.#url = frame.url + (frame.urlFragment ?? '');
          this.#applyNavigation(this.#nav.handle(method, params));
          // A page restored from the back/forward cache fires no load event, which is where the title is read.
          if ((params as Protocol.Page.FrameNavigatedEvent).type === 'BackForwardCacheRestore') void this.#refreshTitle();
        }
        break;
      }
      case 'Page.navigatedWithinDocument': {
        const e = params as Protocol.Page.NavigatedWithinDocumentEvent;
        if (e.frameId === this.#mainFrameId) this.#url = e.url;
        break;
      }
      case 'Page.domContentEventFired':
        this.#nav.handle(method, params);
        break;
      case 'Page.loadEventFired':
        this.#nav.handle(method, params);
        for (const w of this.#loadWaiters) w();
        void this.#refreshTitle();
        break;
      case 'Page.lifecycleEvent': {
        const e = params as Protocol.Page.LifecycleEventEvent;
        if (e.name === 'load' && e.frameId === this.#mainFrameId) for (const w of this.#loadWaiters) w();
        break;
      }
      case 'Page.javascriptDialogOpening':
        this.dialogs.opened(params as Protocol.Page.JavascriptDialogOpeningEvent, (answer) => this.conn.send('Page.handleJavaScriptDialog', answer, { sessionId, timeoutMs: 5_000 }));
        break;
      case 'Inspector.targetCrashed':
        this.#pageCrashed = true;
        this.#log.error('page crashed (Inspector.targetCrashed)');
        void this.#writeCrashSnapshot();
        break;
      default:
        break;
    }
  }

  /** A navigation that is already committed (another tab selected). */
  #recordNavigation(url: string): void {
    this.#applyNavigation(this.#nav.committed(url));
  }

  #applyNavigation(change: NavigationChange | undefined): void {
    if (change?.network !== undefined) this.network.setNavigation(change.network);
    if (change?.console !== undefined) this.console.setNavigation(change.console);
  }

  /**
   * session.json when the page crashed: the session keeps running (Chrome and the telemetry are still there), so
   * this is a snapshot that `stop` later replaces. No DOM: the renderer is gone.
   */
  async #writeCrashSnapshot(): Promise<void> {
    try {
      const doc = buildSessionFile(this, 'page-crashed', 'The page crashed (renderer gone); the session keeps running', null);
      await writeFileAtomic(new SessionPaths(this.config.sessionDir).file('output'), JSON.stringify(doc));
      this.#log.info('wrote session.json snapshot after the page crash');
    } catch (err) {
      this.#log.error('writing the crash snapshot failed', err);
    }
  }

  async #refreshTitle(): Promise<void> {
    try {
      const r = await this.pageSend<Protocol.Runtime.EvaluateResponse>('Runtime.evaluate', { expression: 'document.title', returnByValue: true }, { timeoutMs: 2_000 });
      if (typeof r.result.value === 'string') {
        this.#title = r.result.value;
        this.#nav.setTitle(r.result.value);
      }
    } catch {
      /* the page may be navigating again */
    }
  }

  /**
   * Navigates and waits for the load event (or the timeout). Returns an error text when the navigation itself
   * failed (DNS, refused connection), a note when the load did not finish in time.
   */
  async navigate(url: string, timeoutMs: number): Promise<{ errorText?: string; loadTimedOut?: boolean }> {
    let resolveLoad!: () => void;
    const loaded = new Promise<void>((r) => {
      resolveLoad = r;
    });
    this.#loadWaiters.add(resolveLoad);
    try {
      const res = await this.pageSend<Protocol.Page.NavigateResponse>('Page.navigate', { url }, { timeoutMs });
      if (res.errorText !== undefined && res.errorText !== '') {
        this.#url = url;
        return { errorText: res.errorText };
      }
      if (res.loaderId === undefined) return {}; // same-document navigation: no load event follows
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        loaded.then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      await this.#refreshTitle();
      return timedOut ? { loadTimedOut: true } : {};
    } catch (err) {
      if (err instanceof CdpError) return { errorText: err.cdpMessage };
      throw err;
    } finally {
      this.#loadWaiters.delete(resolveLoad);
    }
  }

  /** Fetches (once) and caches a response body, bounded by --max-body-size. */
  async fetchBody(record: NetworkRecord, signal?: AbortSignal): Promise<void> {
    if (record.body !== undefined || record.state !== 'finished' || !this.connected) return;
    try {
      const opts: { timeoutMs: number; signal?: AbortSignal } = { timeoutMs: 5_000 };
      if (signal !== undefined) opts.signal = signal;
      const r = await this.pageSend<Protocol.Network.GetResponseBodyResponse>('Network.getResponseBody', { requestId: record.requestId }, opts);
      const max = this.config.maxBodyBytes;
      const text = isTextMimeType(record.mimeType ?? '');
      let data = r.body;
      let base64 = r.base64Encoded;
      if (base64 && text) {
        data = Buffer.from(r.body, 'base64').toString('utf8');
        base64 = false;
      }
      const padding = base64 ? (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0) : 0;
      const size = base64 ? Math.floor((data.length * 3) / 4) - padding : Buffer.byteLength(data);
      let truncated = false;
      if (size > max) {
        truncated = true;
        data = base64 ? Buffer.from(data, 'base64').subarray(0, max).toString('base64') : Buffer.from(data).subarray(0, max).toString('utf8');
      }
      this.network.setBody(record, { data, base64, truncated, size });
    } catch (err) {
      this.#log.debug(`getResponseBody ${record.requestId} failed: ${(err as Error).message}`);
    }
  }

  /**
   * Fetches (once) a request body Chrome left out of requestWillBeSent (over its post-data limit, or multipart),
   * bounded by --max-body-size.
   */
  async fetchPostData(record: NetworkRecord, signal?: AbortSignal): Promise<void> {
    if (record.hasPostData !== true || record.postData !== undefined || !this.connected) return;
    try {
      const opts: { timeoutMs: number; signal?: AbortSignal } = { timeoutMs: 5_000 };
      if (signal !== undefined) opts.signal = signal;
      const r = await this.pageSend<Protocol.Network.GetRequestPostDataResponse & { base64Encoded?: boolean }>('Network.getRequestPostData', { requestId: record.requestId }, opts);
      this.network.setPostData(record, r.base64Encoded === true ? Buffer.from(r.postData, 'base64').toString('utf8') : r.postData);
    } catch (err) {
      this.#log.debug(`getRequestPostData ${record.requestId} failed: ${(err as Error).message}`);
    }
  }

  /** Response and request bodies of `records` (for a HAR export): bounded concurrency, bounded total time. */
  async fetchBodiesOf(records: readonly NetworkRecord[], deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    const queue = records.filter((r) => (r.state === 'finished' && r.body === undefined) || (r.hasPostData === true && r.postData === undefined));
    const worker = async (): Promise<void> => {
      for (let r = queue.pop(); r !== undefined && Date.now() < deadline; r = queue.pop()) {
        const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
        await this.fetchPostData(r, signal);
        await this.fetchBody(r, signal);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
  }

  /** Bodies of text-like responses for session.json: bounded concurrency, bounded total time. */
  async fetchTextBodies(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    const queue = this.network.all().filter((r) => r.state === 'finished' && r.body === undefined && isTextMimeType(r.mimeType ?? ''));
    const worker = async (): Promise<void> => {
      for (let r = queue.pop(); r !== undefined && Date.now() < deadline; r = queue.pop()) await this.fetchBody(r, AbortSignal.timeout(Math.max(1, deadline - Date.now())));
    };
    await Promise.all(Array.from({ length: 6 }, worker));
  }

  async domSnapshot(): Promise<{ url: string; title: string; html: string; truncated: boolean } | null> {
    if (!this.connected || this.#pageCrashed) return null;
    try {
      const r = await this.pageSend<Protocol.Runtime.EvaluateResponse>(
        'Runtime.evaluate',
        { expression: 'document.documentElement ? document.documentElement.outerHTML : ""', returnByValue: true },
        { timeoutMs: 3_000 },
      );
      let html = typeof r.result.value === 'string' ? r.result.value : '';
      const truncated = html.length > LIMITS.domSnapshotBytes;
      if (truncated) html = html.slice(0, LIMITS.domSnapshotBytes);
      return { url: this.#url, title: this.#title, html, truncated };
    } catch (err) {
      this.#log.warn(`DOM snapshot failed: ${(err as Error).message}`);
      return null;
    }
  }

  /**
   * Closes the browser side. A Chrome we launched is closed (Browser.close, then SIGKILL if it lingers) and
   * awaited; an attached Chrome only loses the tab we opened, unless killChrome.
   */
  async close(killChrome: boolean): Promise<void> {
    this.#closing = true;
    const conn = this.#conn;
    const chrome = this.#chrome;
    if (chrome !== undefined) {
      if (conn !== undefined && !conn.closed) await conn.send('Browser.close', {}, { timeoutMs: 2_000 }).catch(() => undefined);
      const exited = await Promise.race([chrome.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3_000))]);
      if (!exited) {
        this.#log.warn(`Chrome pid ${chrome.pid} did not exit after Browser.close; killing it`);
        chrome.process.kill('SIGKILL');
        await chrome.exited;
      }
      conn?.close();
      return;
    }
    if (conn !== undefined && !conn.closed) {
      if (killChrome) await conn.send('Browser.close', {}, { timeoutMs: 3_000 }).catch(() => undefined);
      else if (this.#targetId !== undefined) await conn.send('Target.closeTarget', { targetId: this.#targetId }, { timeoutMs: 3_000 }).catch(() => undefined);
      conn.close();
    }
  }
}
