import type { Protocol } from 'devtools-protocol';
import type { BrowserSession } from '../session.js';
import { sleep } from '../../util/sleep.js';

/**
 * Watches the selected page's CDP events while an action runs: requests started and still in flight, main-frame
 * navigations and their load. Used to wait for the effects of an action to settle and to report them.
 */
export class ActivityWatcher {
  readonly #inflight = new Set<string>();
  readonly #unsubscribe: () => void;
  #lastActivity = Date.now();
  #navigating = false;
  #navigated = false;
  #requests = 0;

  constructor(session: BrowserSession) {
    const sessionId = session.pageSessionId;
    this.#unsubscribe = session.conn.on((method, params, sid) => {
      if (sid !== sessionId) return;
      switch (method) {
        case 'Network.requestWillBeSent': {
          const e = params as Protocol.Network.RequestWillBeSentEvent;
          // A redirect reuses the requestId; it is still the same request in flight.
          if (!this.#inflight.has(e.requestId)) this.#requests++;
          this.#inflight.add(e.requestId);
          this.#lastActivity = Date.now();
          break;
        }
        case 'Network.loadingFinished':
        case 'Network.loadingFailed':
          this.#inflight.delete((params as { requestId: string }).requestId);
          this.#lastActivity = Date.now();
          break;
        case 'Page.frameRequestedNavigation':
        case 'Page.frameStartedLoading': {
          const frameId = (params as { frameId: string }).frameId;
          if (frameId === session.mainFrameId) {
            this.#navigating = true;
            this.#lastActivity = Date.now();
          }
          break;
        }
        case 'Page.frameNavigated': {
          const e = params as Protocol.Page.FrameNavigatedEvent;
          if (e.frame.parentId === undefined) {
            this.#navigated = true;
            // A back/forward cache restore shows a complete page: no load event follows.
            this.#navigating = e.type !== 'BackForwardCacheRestore';
            this.#lastActivity = Date.now();
          }
          break;
        }
        case 'Page.navigatedWithinDocument':
          this.#lastActivity = Date.now();
          break;
        case 'Page.frameStoppedLoading':
        case 'Page.loadEventFired':
          if (method === 'Page.loadEventFired' || (params as { frameId: string }).frameId === session.mainFrameId) {
            this.#navigating = false;
            this.#lastActivity = Date.now();
          }
          break;
        default:
          break;
      }
    });
  }

  /** A main-frame document change happened since the watcher started. */
  get navigated(): boolean {
    return this.#navigated;
  }
  get navigating(): boolean {
    return this.#navigating;
  }
  get requestsStarted(): number {
    return this.#requests;
  }
  get inflight(): number {
    return this.#inflight.size;
  }

  /**
   * Waits until no main-frame navigation is loading and no request started since the watcher began is in
   * flight, for `quietMs` in a row; gives up quietly at `maxMs`. Returns whether it settled.
   */
  async settle(quietMs: number, maxMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + maxMs;
    await sleep(Math.min(quietMs, 50));
    while (Date.now() < deadline && signal?.aborted !== true) {
      if (!this.#navigating && this.#inflight.size === 0 && Date.now() - this.#lastActivity >= quietMs) return true;
      await sleep(25);
    }
    return !this.#navigating && this.#inflight.size === 0;
  }

  /** Waits for a main-frame navigation to start and load, up to maxMs. */
  async waitForLoad(maxMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline && signal?.aborted !== true) {
      if (this.#navigated && !this.#navigating) return true;
      await sleep(25);
    }
    return false;
  }

  stop(): void {
    this.#unsubscribe();
  }
}
