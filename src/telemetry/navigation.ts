/**
 * Main-frame navigations and which one each network request and console message belongs to.
 *
 * A navigation starts when its document request goes out (Network.requestWillBeSent of type Document in the main
 * frame whose requestId equals its loaderId) and commits later (Page.frameNavigated with that loaderId). Requests
 * switch to the new navigation at its start, so the document request itself belongs to the page it loads; console
 * messages switch at the commit, since the old document keeps running (and logging) until then.
 *
 * A navigation's URL is its document's, without the `#fragment`: the fragment never goes on the wire, and a
 * reload (whose request Chrome may send with or without it) loads the same document as the navigation before it.
 * The page's own URL (what `status` shows as the page) keeps it.
 */
import type { Protocol } from 'devtools-protocol';
import type { NavigationRecord } from '../protocol/records.js';

/** Options for {@link NavigationTracker}. */
export interface NavigationTrackerOptions {
  /** Most navigations kept; older ones are dropped and counted. */
  maxItems: number;
  /** Clock (epoch ms); defaults to Date.now. */
  now?: () => number;
}

/** Which attribution an event changed: the navigation index new requests / console messages belong to. */
export interface NavigationChange {
  network?: number;
  console?: number;
}

/** `url` without its `#fragment`. */
export function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

/** Most started-but-uncommitted navigations remembered (a download or a 204 never commits). */
const MAX_UNCOMMITTED = 16;

/** Tracks main-frame navigations; feed it CDP events with {@link NavigationTracker.handle}. */
export class NavigationTracker {
  readonly navigations: NavigationRecord[] = [];
  readonly #maxItems: number;
  readonly #now: () => number;
  /** loaderId -> navigation index, for navigations whose document request went out but that did not commit yet. */
  readonly #uncommitted = new Map<string, number>();
  #mainFrameId: string | undefined;
  #dropped = 0;
  #network = 0;
  #console = 0;

  constructor(opts: NavigationTrackerOptions) {
    this.#maxItems = opts.maxItems;
    this.#now = opts.now ?? Date.now;
  }

  /** Navigations dropped from the front of the list to keep it bounded. */
  get dropped(): number {
    return this.#dropped;
  }
  /** Index new network requests are attributed to. */
  get networkNavigation(): number {
    return this.#network;
  }
  /** Index new console messages are attributed to: the navigation whose document is showing. */
  get consoleNavigation(): number {
    return this.#console;
  }
  get mainFrameId(): string | undefined {
    return this.#mainFrameId;
  }
  set mainFrameId(id: string | undefined) {
    this.#mainFrameId = id;
  }

  /** The navigation record with `index`, if still kept. */
  get(index: number): NavigationRecord | undefined {
    const i = index - this.#dropped;
    return i >= 0 ? this.navigations[i] : undefined;
  }

  /** The committed (current) navigation, if any. */
  current(): NavigationRecord | undefined {
    return this.get(this.#console);
  }

  /**
   * Consumes one CDP event of the page session (Network.requestWillBeSent, Page.frameNavigated,
   * Page.domContentEventFired, Page.loadEventFired); returns the attributions it changed. Call it before the
   * collectors see the same event.
   */
  handle(method: string, params: unknown): NavigationChange | undefined {
    if (typeof params !== 'object' || params === null) return undefined;
    switch (method) {
      case 'Network.requestWillBeSent':
        return this.#onRequest(params as Protocol.Network.RequestWillBeSentEvent);
      case 'Page.frameNavigated':
        return this.#onFrameNavigated(params as Protocol.Page.FrameNavigatedEvent);
      case 'Page.domContentEventFired': {
        const nav = this.current();
        if (nav !== undefined && nav.domContentLoadedAt === undefined) nav.domContentLoadedAt = this.#now();
        return undefined;
      }
      case 'Page.loadEventFired': {
        const nav = this.current();
        if (nav !== undefined && nav.loadedAt === undefined) nav.loadedAt = this.#now();
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * Records a navigation that is already committed (bdg switched to another tab showing `url`): new requests and
   * console messages belong to it.
   */
  committed(url: string): NavigationChange | undefined {
    if (url === 'about:blank' && this.navigations.length === 0 && this.#dropped === 0) return undefined;
    const index = this.#push(withoutFragment(url), this.#now());
    this.#network = index;
    this.#console = index;
    return { network: index, console: index };
  }

  /** Sets the title of the current navigation. */
  setTitle(title: string): void {
    const nav = this.current();
    if (nav !== undefined && title !== '') nav.title = title;
  }

  #onRequest(e: Protocol.Network.RequestWillBeSentEvent): NavigationChange | undefined {
    // A redirect hop continues the same navigation; only the first hop starts one.
    if (e.type !== 'Document' || e.requestId !== e.loaderId || e.redirectResponse !== undefined || typeof e.request?.url !== 'string') return undefined;
    if (this.#mainFrameId === undefined || e.frameId !== this.#mainFrameId) return undefined;
    const at = typeof e.wallTime === 'number' && Number.isFinite(e.wallTime) ? Math.round(e.wallTime * 1000) : this.#now();
    const index = this.#push(withoutFragment(e.request.url), at);
    this.#uncommitted.set(e.loaderId, index);
    for (const oldest of this.#uncommitted.keys()) {
      if (this.#uncommitted.size <= MAX_UNCOMMITTED) break;
      this.#uncommitted.delete(oldest);
    }
    this.#network = index;
    return { network: index };
  }

  #onFrameNavigated(e: Protocol.Page.FrameNavigatedEvent): NavigationChange | undefined {
    const frame = e.frame as Protocol.Page.Frame | undefined;
    if (frame === undefined || frame.parentId !== undefined) return undefined;
    this.#mainFrameId = frame.id;
    // Page.Frame.url is the document's URL without its fragment (urlFragment holds that).
    const url = withoutFragment(frame.url);
    let index = this.#uncommitted.get(frame.loaderId);
    // A failed document request commits an error page under a loader of its own: it is still that navigation.
    let loaderId = frame.loaderId;
    if (index === undefined && url.startsWith('chrome-error://')) {
      const started = [...this.#uncommitted].find(([, i]) => i === this.#network);
      if (started !== undefined) [loaderId, index] = started;
    }
    if (index !== undefined) {
      this.#uncommitted.delete(loaderId);
      const nav = this.get(index);
      // The committed URL is the end of any redirect chain; an error page keeps the URL that failed.
      if (nav !== undefined && !url.startsWith('chrome-error://')) nav.url = url;
      this.#console = index;
      return { console: index };
    }
    // Committed without a document request we saw: about:blank, a back/forward-cache restore, a navigation
    // started before we attached.
    return this.committed(url);
  }

  #push(url: string, timestamp: number): number {
    const index = this.navigations.length + this.#dropped;
    // The very first navigation is index 0, which records made before it (about:blank) also carry.
    this.navigations.push({ index, url, timestamp });
    if (this.navigations.length > this.#maxItems) {
      this.navigations.shift();
      this.#dropped++;
    }
    return index;
  }
}
