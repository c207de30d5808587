/**
 * The page bdg drives: which target it is (and switching to another), its flatten session, the routing of that
 * session's events to the collectors, what the page shows (URL, title, main frame, crashed or not) and
 * navigating it.
 */
import type { Protocol } from 'devtools-protocol';
import { CdpError, type CdpConnection, type CdpMethod, type CdpParams, type CdpResult, type SessionCallOptions } from '../cdp/connection.js';
import type { NavigationRecord } from '../protocol/records.js';
import type { ConsoleCollector } from '../telemetry/console.js';
import type { IssueCollector } from '../telemetry/issues.js';
import { NavigationTracker, type NavigationChange } from '../telemetry/navigation.js';
import type { NetworkCollector } from '../telemetry/network.js';
import { BdgError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { DialogTracker } from './dom/dialogs.js';
import { LIMITS } from './limits.js';
import { PROBE_MS, type PageDown, type PageHealth, type PageProbe } from './pageHealth.js';
import type { PageInfo } from '../protocol/records.js';

export type { PageInfo } from '../protocol/records.js';

export interface PageTargetDeps {
  /** The live connection (throws when Chrome is gone). */
  conn: () => CdpConnection;
  network: NetworkCollector;
  console: ConsoleCollector;
  issues: IssueCollector;
  dialogs: DialogTracker;
  log: Logger;
  /** True while the session closes: a target going away then is expected. */
  closing: () => boolean;
  /** The renderer crashed (Inspector.targetCrashed); the session keeps running. */
  onCrash: () => void;
  /** A request finished loading (after the network collector saw it): its body can be fetched now. */
  onRequestFinished?: (requestId: string) => void;
}

export class PageTarget implements PageHealth {
  readonly #deps: PageTargetDeps;
  readonly #nav = new NavigationTracker({ maxItems: LIMITS.navigations });
  #pageSession: string | undefined;
  #targetId: string | undefined;
  #mainFrameId: string | undefined;
  #url = 'about:blank';
  #title = '';
  #down: PageDown | undefined;
  readonly #downListeners = new Set<(down: PageDown) => void>();
  #hungSince: number | undefined;
  readonly #loadWaiters = new Set<() => void>();

  constructor(deps: PageTargetDeps) {
    this.#deps = deps;
  }

  get page(): PageInfo {
    return { url: this.#url, title: this.#title };
  }
  /** The page cannot run script: its renderer crashed or its tab is gone (see {@link down}). */
  get crashed(): boolean {
    return this.#down !== undefined;
  }
  get down(): PageDown | undefined {
    return this.#down;
  }
  get hungSince(): number | undefined {
    return this.#hungSince;
  }
  onDown(listener: (down: PageDown) => void): () => void {
    this.#downListeners.add(listener);
    return () => this.#downListeners.delete(listener);
  }
  get navigations(): NavigationRecord[] {
    return this.#nav.navigations;
  }
  get navigationsDropped(): number {
    return this.#nav.dropped;
  }
  navigationAt(index: number): NavigationRecord | undefined {
    return this.#nav.get(index);
  }
  get targetId(): string | undefined {
    return this.#targetId;
  }
  get sessionId(): string | undefined {
    return this.#pageSession;
  }
  get mainFrameId(): string | undefined {
    return this.#mainFrameId;
  }

  /** Sends a command to the page's session. */
  send<M extends CdpMethod>(method: M, params?: CdpParams<M>, opts: SessionCallOptions = {}): Promise<CdpResult<M>> {
    return this.#deps.conn().send(method, params, { ...opts, sessionId: this.#pageSession });
  }

  /** Attaches to the first page target (launched Chrome) or to a new tab (attached Chrome: never take over one of the user's). */
  async attachFirst(newTab: boolean, browserContextId?: string): Promise<void> {
    const conn = this.#deps.conn();
    let targetId: string | undefined;
    if (!newTab) {
      const { targetInfos } = await conn.send('Target.getTargets');
      targetId = targetInfos.find((t) => t.type === 'page')?.targetId;
    }
    if (targetId === undefined) {
      ({ targetId } = await conn.send('Target.createTarget', { url: 'about:blank', ...(browserContextId !== undefined ? { browserContextId } : {}) }));
    }
    this.#targetId = targetId;
    const { sessionId } = await conn.send('Target.attachToTarget', { targetId, flatten: true });
    this.#pageSession = sessionId;
    // A re-attach after the browser came back (daemon/browser.ts) starts on a page that is up.
    this.#down = undefined;
    this.#hungSince = undefined;
    await conn.send('Target.setDiscoverTargets', { discover: true });
    await this.#enableDomains();
  }

  /**
   * Makes another page target the one bdg drives: attaches to it, enables the telemetry domains there and routes
   * its events to the collectors (events of the previous page are no longer recorded; its session is detached).
   */
  async select(targetId: string): Promise<void> {
    if (targetId === this.#targetId) return;
    const conn = this.#deps.conn();
    const previous = this.#pageSession;
    const { sessionId } = await conn.send('Target.attachToTarget', { targetId, flatten: true });
    this.#targetId = targetId;
    this.#pageSession = sessionId;
    await this.#enableDomains();
    const { frameTree } = await this.send('Page.getFrameTree');
    this.#url = frameTree.frame.url + (frameTree.frame.urlFragment ?? '');
    this.#title = '';
    this.#down = undefined;
    this.#hungSince = undefined;
    this.#applyNavigation(this.#nav.committed(this.#url));
    await this.#refreshTitle();
    if (previous !== undefined) await conn.send('Target.detachFromTarget', { sessionId: previous }, { timeoutMs: 5_000 }).catch(() => undefined);
  }

  async #enableDomains(): Promise<void> {
    const { frameTree } = await this.send('Page.getFrameTree');
    this.#mainFrameId = frameTree.frame.id;
    this.#nav.mainFrameId = frameTree.frame.id;
    await Promise.all([
      this.send('Page.enable'),
      this.send('Page.setLifecycleEventsEnabled', { enabled: true }),
      // Chrome keeps response bodies in its own buffers until we ask for them (lazy body fetch).
      this.send('Network.enable', { maxTotalBufferSize: 200 * 1024 * 1024, maxResourceBufferSize: 20 * 1024 * 1024, maxPostDataSize: 1024 * 1024 }),
      this.send('Runtime.enable'),
      this.send('Log.enable'),
      this.send('Inspector.enable').catch(() => undefined),
      // Chrome Issues; a browser without the Audits domain (some remote ones) just has none.
      this.send('Audits.enable').catch(() => undefined),
    ]);
  }

  /** Every CDP event of the connection: browser-level ones for the target's fate, the page session's for telemetry. */
  handleEvent(method: string, params: unknown, sessionId: string | undefined): void {
    if (sessionId === undefined) {
      if (method === 'Target.targetDestroyed' && (params as Protocol.Target.TargetDestroyedEvent).targetId === this.#targetId && !this.#deps.closing()) {
        this.#deps.log.warn('page target destroyed');
        this.#goDown({ reason: 'closed', since: Date.now() });
      }
      if (method === 'Target.targetCrashed') {
        // The browser-level twin of Inspector.targetCrashed (discovery is on), carrying Chrome's termination status.
        const e = params as Protocol.Target.TargetCrashedEvent;
        if (e.targetId === this.#targetId) this.#crashedNow(e.status);
      }
      return;
    }
    if (sessionId !== this.#pageSession) return;
    if (method.startsWith('Network.')) {
      // A navigation starts with its document request, which must already carry the new index.
      if (method === 'Network.requestWillBeSent') this.#applyNavigation(this.#nav.handle(method, params));
      this.#deps.network.handle(method, params);
      if (method === 'Network.loadingFinished') this.#deps.onRequestFinished?.((params as Protocol.Network.LoadingFinishedEvent).requestId);
      return;
    }
    switch (method) {
      case 'Runtime.consoleAPICalled':
      case 'Runtime.exceptionThrown':
      case 'Log.entryAdded':
        this.#deps.console.handle(method, params);
        break;
      case 'Audits.issueAdded':
        this.#deps.issues.handle(method, params);
        break;
      case 'Runtime.executionContextCreated':
        // A renderer that creates contexts is alive again (a reload or navigation after the crash).
        this.#recovered();
        break;
      case 'Page.frameNavigated': {
        const { frame, type } = params as Protocol.Page.FrameNavigatedEvent;
        if (frame.parentId === undefined) {
          this.#recovered();
          this.#hungSince = undefined;
          this.#mainFrameId = frame.id;
          this.#url = frame.url + (frame.urlFragment ?? '');
          this.#applyNavigation(this.#nav.handle(method, params));
          // A page restored from the back/forward cache fires no load event, which is where the title is read.
          if (type === 'BackForwardCacheRestore') void this.#refreshTitle();
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
        this.#deps.dialogs.opened(params as Protocol.Page.JavascriptDialogOpeningEvent, (answer) =>
          this.#deps.conn().send('Page.handleJavaScriptDialog', answer, { sessionId, timeoutMs: 5_000 }),
        );
        break;
      case 'Inspector.targetCrashed':
        this.#crashedNow(undefined);
        break;
      default:
        break;
    }
  }

  /** Inspector.targetCrashed and Target.targetCrashed both say it; the first one counts, the second adds the status. */
  #crashedNow(status: string | undefined): void {
    if (this.#down?.reason === 'crashed') {
      if (status !== undefined && this.#down.status === undefined) this.#down.status = status;
      return;
    }
    this.#deps.log.error(`page crashed${status !== undefined ? ` (${status})` : ''}`);
    this.#goDown({ reason: 'crashed', since: Date.now(), ...(status !== undefined ? { status } : {}) });
    this.#deps.onCrash();
  }

  #goDown(down: PageDown): void {
    this.#down = down;
    this.#hungSince = undefined;
    for (const l of [...this.#downListeners]) l(down);
  }

  #recovered(): void {
    if (this.#down?.reason !== 'crashed') return;
    this.#deps.log.info(`page recovered from the crash of ${Math.round((Date.now() - this.#down.since) / 1000)} s ago`);
    this.#down = undefined;
  }

  async probe(timeoutMs = PROBE_MS): Promise<PageProbe> {
    const answered = (err: unknown): boolean => !(err instanceof BdgError && err.code === 'TIMEOUT');
    const [page, browser] = await Promise.all([
      this.send('Runtime.evaluate', { expression: '1', returnByValue: true }, { timeoutMs }).then(() => true, answered),
      this.#deps
        .conn()
        .send('Browser.getVersion', {}, { timeoutMs })
        .then(() => true, answered),
    ]);
    if (page) this.#hungSince = undefined;
    else this.#hungSince ??= Date.now() - timeoutMs;
    return { page, browser, waitedMs: timeoutMs, ...(this.#hungSince !== undefined ? { hungSince: this.#hungSince } : {}) };
  }

  async unstick(): Promise<{ wasHung: boolean; answers: boolean }> {
    if (this.#down !== undefined) return { wasHung: false, answers: false };
    if ((await this.probe()).page) return { wasHung: false, answers: true };
    this.#deps.log.warn('the page does not answer: terminating its script (Runtime.terminateExecution)');
    await this.send('Runtime.terminateExecution', {}, { timeoutMs: 2_000 }).catch((err: unknown) =>
      this.#deps.log.warn('Runtime.terminateExecution failed', err),
    );
    const after = await this.probe(2_000);
    this.#deps.log.info(after.page ? 'the page answers again' : 'the page still does not answer');
    return { wasHung: true, answers: after.page };
  }

  #applyNavigation(change: NavigationChange | undefined): void {
    if (change?.network !== undefined) this.#deps.network.setNavigation(change.network);
    if (change?.console !== undefined) {
      this.#deps.console.setNavigation(change.console);
      this.#deps.issues.setNavigation(change.console);
    }
  }

  async #refreshTitle(): Promise<void> {
    try {
      const r = await this.send('Runtime.evaluate', { expression: 'document.title', returnByValue: true }, { timeoutMs: 2_000 });
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
      const res = await this.send('Page.navigate', { url }, { timeoutMs });
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
}
