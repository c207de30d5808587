/**
 * One browser session as the handlers see it: a facade over the browser (browser.ts), the page it drives
 * (pageTarget.ts), the body-fetch pool (bodies.ts) and the telemetry collectors. It owns the wiring between
 * them and nothing else.
 */
import type { CdpConnection, CdpMethod, CdpParams, CdpResult, SessionCallOptions, TraceSink } from '../cdp/connection.js';
import type { GridInfo, RemoteInfo } from '../protocol/commands/session.js';
import type { NavigationRecord, NetworkBody, NetworkRecord } from '../protocol/records.js';
import { CDP_EVENT_LIMITS, CdpEventLog } from '../telemetry/cdpEvents.js';
import { ConsoleCollector } from '../telemetry/console.js';
import { resetInternTables } from '../telemetry/intern.js';
import { IssueCollector } from '../telemetry/issues.js';
import { Journal } from '../telemetry/journal.js';
import { NetworkCollector, isTextMimeType } from '../telemetry/network.js';
import { VERSION } from '../protocol/version.js';
import { JOURNAL_FILE } from '../util/sessionHistory.js';
import { join } from 'node:path';
import type { BdgError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { BodyPool } from './bodies.js';
import { CdpCapture } from './cdpCapture.js';
import { Browser } from './browser.js';
import type { DaemonConfig } from './config.js';
import { DialogTracker } from './dom/dialogs.js';
import { DEFAULT_WINDOW, MOBILE_VIEWPORT } from '../protocol/emulation.js';
import { Emulation, fitWindow } from './emulation.js';
import { FrameContexts } from './frameContexts.js';
import { takeDomSnapshot } from './domSnapshot.js';
import { Interceptor } from './interception.js';
import { LIMITS } from './limits.js';
import { exposedGc, HEAP_TRIM, HeapTrimmer } from './heapTrim.js';
import type { PageHealth } from './pageHealth.js';
import { PageTarget, type PageInfo } from './pageTarget.js';
import { buildSessionFile, writeSessionFile, type DomSnapshot, type EndReason, type SessionSnapshot } from './sessionFile.js';
import { Throttle } from './throttle.js';
import { ContextEventFilter } from './sharedBrowser.js';

export { LIMITS } from './limits.js';
export type { PageInfo } from './pageTarget.js';
export type { EndReason } from './sessionFile.js';

export interface BrowserSessionOptions {
  /** Receives one line per CDP message in and out (BDG_TRACE_CDP). */
  trace?: TraceSink;
  /** Called as soon as Chrome is spawned, before it answers (so chrome.pid exists however start-up ends). */
  onChromeLaunched?: (pid: number) => void;
}

/**
 * One browser session: the Chrome we launched (or attached to), the CDP connection, the page we drive and the
 * telemetry collected from it.
 */
export class BrowserSession {
  readonly config: DaemonConfig;
  readonly network: NetworkCollector;
  readonly console: ConsoleCollector;
  /** Chrome Issues (Audits.issueAdded): blocked cookies, mixed content, CSP, deprecations, … */
  readonly issues: IssueCollector;
  /** Recent raw CDP events of every kind, for `bdg cdp --events`. */
  readonly cdpEvents = new CdpEventLog(CDP_EVENT_LIMITS);
  /** `bdg cdp --collect` and the `--listen` buffer: events of the driven page, kept for a later answer. */
  readonly cdpCapture = new CdpCapture(() => this.#page.sessionId);
  /** JavaScript dialogs, answered as they open so no command hangs on one. */
  readonly dialogs = new DialogTracker();
  /** `network mock` / `network block` rules, on the page's Fetch domain. */
  readonly interception: Interceptor;
  /** `network throttle`: the emulated network conditions. */
  readonly throttle: Throttle;
  /** The page emulation the session keeps (start options, `page emulate`). */
  readonly emulation: Emulation;
  /** Each frame's main-world execution context (`dom eval --frame`). */
  readonly frameContexts = new FrameContexts();
  readonly startedAt = Date.now();
  /** Finished requests and console messages, appended to journal.ndjson as they arrive (survives kill -9). */
  readonly journal: Journal;
  readonly #log: Logger;
  readonly #browser: Browser;
  readonly #page: PageTarget;
  readonly #bodies: BodyPool;
  /** In a shared browser: keeps the other sessions' targets out of this session's events. */
  readonly #contextEvents = new ContextEventFilter();
  /** A full GC once a burst of events is over (V8 keeps the heap a burst grew into). */
  readonly #heapTrim: HeapTrimmer;

  /** The heap trim's compact step: telemetry packs what it keeps once a burst is over (see daemon/heapTrim.ts). */
  #compact(): void {
    this.cdpEvents.pack();
    this.network.compact();
    resetInternTables();
  }

  constructor(config: DaemonConfig, log: Logger, opts: BrowserSessionOptions = {}) {
    this.config = config;
    this.#log = log;
    this.#heapTrim = new HeapTrimmer({ ...HEAP_TRIM, gc: exposedGc(), compact: () => this.#compact(), log });
    this.journal = new Journal({
      path: join(config.sessionDir, JOURNAL_FILE),
      header: () => ({ pid: process.pid, startedAt: new Date(this.startedAt).toISOString(), url: config.url, sessionDir: config.sessionDir, bdg: VERSION }),
      navigations: () => this.#page.navigations,
      log,
    });
    this.network = new NetworkCollector({
      maxItems: LIMITS.networkItems,
      maxBytes: LIMITS.networkBytes,
      maxBodyBytes: config.maxBodyBytes,
      maxBodyTotalBytes: LIMITS.bodyBytes,
      webSocket: LIMITS.webSocket,
      includeAll: config.includeAll,
      onSettled: (record) => this.journal.network(record),
      onWebSocketOpen: (record) => this.journal.webSocket(record),
      onWebSocketFrame: (record, frame) => this.journal.frame(record, frame),
    });
    this.console = new ConsoleCollector({
      maxItems: LIMITS.consoleItems,
      maxBytes: LIMITS.consoleBytes,
      onRecord: (record) => this.journal.console(record),
    });
    this.issues = new IssueCollector({
      maxItems: LIMITS.issueItems,
      maxBytes: LIMITS.issueBytes,
      navigationOf: (requestId) => this.network.get(requestId)?.navigation,
    });
    this.#browser = new Browser(config, log, opts.trace, opts.onChromeLaunched);
    this.#page = new PageTarget({
      conn: () => this.#browser.conn,
      network: this.network,
      console: this.console,
      issues: this.issues,
      dialogs: this.dialogs,
      log,
      closing: () => this.#browser.closing,
      onCrash: () => void this.#writeCrashSnapshot(),
      // Chrome drops response bodies after a navigation: text ones are fetched as their requests finish.
      onRequestFinished: (requestId) => {
        const record = this.network.bodies.toPrefetch(requestId);
        if (record !== undefined) this.#bodies.prefetch(record);
      },
    });
    this.interception = new Interceptor({ send: (method, params, o) => this.#page.send(method, params, o), network: this.network, log });
    this.throttle = new Throttle((method, params, o) => this.#page.send(method, params, o));
    this.emulation = new Emulation({
      pageSend: (method, params, o) => this.pageSend(method, params, o),
      browserSend: (method, params, o) => this.conn.send(method, params, o),
      pageSessionId: () => this.#page.sessionId,
      log,
      onNewPage: () => this.#fitWindow(),
    });
    // A crashed renderer leaves body requests unanswered until their timeout (Chromium 156), so none are asked then.
    this.#bodies = new BodyPool({
      send: (method, params, o) => this.#page.send(method, params, o),
      sink: this.network.bodies,
      connected: () => this.connected && !this.#page.crashed,
      log,
    });
  }

  get chromePid(): number | undefined {
    return this.#browser.chromePid;
  }
  get attached(): boolean {
    return this.#browser.attached;
  }
  get wsEndpoint(): string | undefined {
    return this.#browser.wsEndpoint;
  }
  get port(): number | undefined {
    return this.#browser.port;
  }
  /** `--shared-browser`: its name and registry directory, this session's browser context, who launched it. */
  get shared(): Browser['shared'] {
    return this.#browser.shared;
  }
  /** Whether the Chrome runs headless (a shared one: as the session that launched it asked). */
  get headless(): boolean {
    return this.#browser.headless;
  }
  /** The browser context of this session's tabs (shared browser only; undefined: the browser's default context). */
  get browserContextId(): string | undefined {
    return this.#browser.browserContextId;
  }
  /** True once close() left a shared browser as its last member and closed its Chrome. */
  get sharedChromeClosed(): boolean {
    return this.#browser.sharedChromeClosed;
  }
  get browserVersion(): string | undefined {
    return this.#browser.version;
  }
  /** The Selenium Grid session the browser runs in (`--grid`). */
  get grid(): GridInfo | undefined {
    return this.#browser.grid;
  }
  /** A remote browser's header names, endpoint and notes (`--chrome-ws-url`, `--grid`). */
  get remote(): RemoteInfo | undefined {
    return this.#browser.remote;
  }
  get page(): PageInfo {
    return this.#page.page;
  }
  get pageCrashed(): boolean {
    return this.#page.crashed;
  }
  /** Crashed, closed or hung: what the dispatcher checks before and around commands that need the page. */
  get health(): PageHealth {
    return this.#page;
  }
  /** Main-frame navigations, oldest first (bounded; see navigationsDropped). */
  get navigations(): NavigationRecord[] {
    return this.#page.navigations;
  }
  get navigationsDropped(): number {
    return this.#page.navigationsDropped;
  }
  /** The navigation with `index`, if still kept. */
  navigationAt(index: number): NavigationRecord | undefined {
    return this.#page.navigationAt(index);
  }
  /** The selected page target, its flatten session and main frame (what `dom` and `page` commands act on). */
  get targetId(): string | undefined {
    return this.#page.targetId;
  }
  get pageSessionId(): string | undefined {
    return this.#page.sessionId;
  }
  get mainFrameId(): string | undefined {
    return this.#page.mainFrameId;
  }
  get connected(): boolean {
    return this.#browser.connected;
  }

  /** Called once when Chrome or the connection goes away without being asked to. */
  onGone(listener: (reason: EndReason, detail: string) => void): void {
    this.#browser.onGone(listener);
  }

  get conn(): CdpConnection {
    return this.#browser.conn;
  }

  /** Sends a command to the page's session; the method name types its parameters and its result. */
  pageSend<M extends CdpMethod>(method: M, params?: CdpParams<M>, opts: SessionCallOptions = {}): Promise<CdpResult<M>> {
    return this.conn.send(method, params, { ...opts, sessionId: this.#page.sessionId });
  }

  /** A method known only at run time (`bdg cdp`), sent to the page's session. */
  pageSendRaw(method: string, params: object, opts: SessionCallOptions = {}): Promise<unknown> {
    return this.conn.sendRaw(method, params, { ...opts, sessionId: this.#page.sessionId });
  }

  /** Launches or attaches to Chrome and attaches to a page. Does not navigate. */
  async connect(): Promise<void> {
    await this.#browser.connect((conn) => {
      conn.on((method, params, sessionId) => {
        if (!this.#contextEvents.accepts(method, params, sessionId)) return;
        this.#heapTrim.note();
        this.cdpEvents.record(method, params, sessionId);
        this.cdpCapture.handleEvent(method, params, sessionId);
        this.#page.handleEvent(method, params, sessionId);
        this.frameContexts.handleEvent(method, params, sessionId);
        this.emulation.handleEvent(method, params, sessionId);
        // After the page's handler: the network record a mark belongs to exists by then.
        if (sessionId !== undefined && sessionId === this.#page.sessionId) this.interception.handleEvent(method, params);
      });
    });
    this.#heapTrim.start();
    const contextId = this.#browser.browserContextId;
    if (contextId !== undefined) this.#contextEvents.contextId = contextId;
    // An attached Chrome is the user's: open our own tab rather than take over one of theirs. In a shared browser
    // the tab is opened in the session's own context.
    await this.#page.attachFirst(this.attached || contextId !== undefined, contextId);
    // An attached browser that restarted is found again (browser.ts): carry on in a new tab at the same page.
    this.#browser.onReconnected(async () => {
      const url = this.#page.page.url;
      await this.#page.attachFirst(true);
      if (url !== '' && url !== 'about:blank') await this.#page.navigate(url, this.config.loadTimeoutMs);
      this.#log.info(`re-attached to the browser in a new tab at ${url}`);
    });
    this.#log.debug('attached to page');
    await this.#fitWindow();
    if (this.config.emulation !== undefined) await this.emulation.set(this.config.emulation);
    await this.#browser.settleEndpoint();
  }

  /** A headless Chrome bdg launched shows each tab's page at the window size it was given (DEFAULT_WINDOW or --viewport). */
  async #fitWindow(): Promise<void> {
    const targetId = this.#page.targetId;
    // A window size given in --chrome-flags is the user's: left as it is.
    if (this.attached || !this.config.headless || targetId === undefined || this.config.chromeFlags.some((f) => f.startsWith('--window-size'))) return;
    const e = this.config.emulation;
    await fitWindow(this.emulation.deps, targetId, e?.viewport ?? (e?.mobile === true ? MOBILE_VIEWPORT : DEFAULT_WINDOW)).catch((err: unknown) =>
      this.#log.warn('could not fit the window to the viewport', err),
    );
  }

  /**
   * Makes another page target the one bdg drives: attaches to it, enables the telemetry domains there and routes
   * its events to the collectors (events of the previous page are no longer recorded; its session is detached).
   */
  async selectTarget(targetId: string): Promise<void> {
    const before = this.#page.sessionId;
    await this.#page.select(targetId);
    // Interception rules and throttling are the session's: the newly driven tab gets them too.
    if (this.#page.sessionId !== before) await Promise.all([this.interception.reapply(), this.throttle.reapply()]);
  }

  /**
   * Navigates and waits for the load event (or the timeout). Returns an error text when the navigation itself
   * failed (DNS, refused connection), a note when the load did not finish in time.
   */
  navigate(url: string, timeoutMs: number): Promise<{ errorText?: string; loadTimedOut?: boolean }> {
    return this.#page.navigate(url, timeoutMs);
  }

  /**
   * Fetches (once) and caches a response body, bounded by --max-body-size; resolves with it even when the body budget
   * keeps newer bodies only.
   */
  fetchBody(record: NetworkRecord, signal?: AbortSignal): Promise<NetworkBody | undefined> {
    return this.#bodies.responseBody(record, signal);
  }

  /**
   * Fetches (once) a request body Chrome left out of requestWillBeSent (over its post-data limit, or multipart),
   * bounded by --max-body-size.
   */
  fetchPostData(record: NetworkRecord, signal?: AbortSignal): Promise<void> {
    return this.#bodies.requestBody(record, signal);
  }

  /** Response and request bodies of `records` (for a HAR export): bounded concurrency, bounded total time. */
  fetchBodiesOf(records: readonly NetworkRecord[], deadlineMs: number): Promise<void> {
    return this.#bodies.fetchAll(records, { deadlineMs, requestBodies: true });
  }

  /** Bodies of text-like responses for session.json: bounded concurrency, bounded total time. */
  fetchTextBodies(deadlineMs: number): Promise<void> {
    return this.#bodies.fetchAll(
      this.network.all().filter((r) => isTextMimeType(r.mimeType ?? '')),
      { deadlineMs, requestBodies: false },
    );
  }

  async domSnapshot(): Promise<DomSnapshot | null> {
    if (!this.connected || this.#page.crashed) return null;
    // A hung page would keep `bdg stop` waiting for the snapshot's own timeout; a probe says so in 500 ms.
    if (!(await this.#page.probe()).page) {
      this.#log.warn('no DOM snapshot: the page does not answer');
      return null;
    }
    return takeDomSnapshot(
      (method, params, o) => this.#page.send(method, params, o),
      () => this.#page.page,
      this.#log,
    );
  }

  /** What session.json records about the session, as of now. */
  snapshot(): SessionSnapshot {
    return {
      url: this.config.url,
      page: this.page,
      startedAt: this.startedAt,
      endedAt: Date.now(),
      chrome: {
        pid: this.chromePid ?? null,
        port: this.port ?? null,
        attached: this.attached,
        headless: this.headless,
        version: this.browserVersion ?? null,
        ...(this.grid !== undefined ? { grid: { url: this.grid.url, sessionId: this.grid.sessionId } } : {}),
      },
      pageCrashed: this.pageCrashed,
      navigations: this.navigations,
      navigationsDropped: this.navigationsDropped,
      network: this.network.all(),
      networkStats: this.network.stats(),
      networkPending: this.network.pending(),
      console: this.console.all(),
      consoleStats: this.console.stats(),
      issues: this.issues.all(),
    };
  }

  /**
   * session.json when the page crashed: the session keeps running (Chrome and the telemetry are still there), so
   * this is a snapshot that `stop` later replaces. No DOM: the renderer is gone.
   */
  async #writeCrashSnapshot(): Promise<void> {
    try {
      await writeSessionFile(
        this.config.sessionDir,
        buildSessionFile(this.snapshot(), 'page-crashed', 'The page crashed (renderer gone); the session keeps running', null),
      );
      this.#log.info('wrote session.json snapshot after the page crash');
    } catch (err) {
      this.#log.error('writing the crash snapshot failed', err);
    }
  }

  /**
   * Closes the browser side. A Chrome we launched is closed (Browser.close, then SIGKILL if it lingers) and
   * awaited; an attached Chrome only loses the tab we opened, unless killChrome.
   */
  close(killChrome: boolean): Promise<void> {
    this.#heapTrim.stop();
    return this.#browser.close(killChrome, this.#page.targetId);
  }

  /** Once the Chrome we launched has exited: a start-up error saying how (exit code, stderr tail). */
  chromeExitedError(): BdgError | undefined {
    return this.#browser.exitedError();
  }

  /** Synchronously ends the process group of the Chrome we launched, unless close() already did (exit handler). */
  endChromeGroup(): void {
    this.#browser.endChromeGroup();
  }
}
