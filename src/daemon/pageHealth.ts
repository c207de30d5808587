/**
 * Whether the page bdg drives can run script: gone (its renderer crashed, or its tab closed), hung (its main
 * thread does not answer), or fine. The dispatcher reads this for every command the contract marks as needing the
 * page (`page` in the command's entry), so handlers do not check it one by one; the errors it gives are built here.
 */
import { BdgError } from '../util/errors.js';

/** Longest a probe waits for the page's main thread before calling it busy. */
export const PROBE_MS = 500;

/** The page cannot run script at all until something replaces its document (or another tab is selected). */
export interface PageDown {
  /** `crashed`: the renderer process is gone (Inspector.targetCrashed); `closed`: the tab itself is gone. */
  reason: 'crashed' | 'closed';
  since: number;
  /** Chrome's termination status for a crash (`crashed`, `killed`, `oom`, ...), from Target.targetCrashed. */
  status?: string;
}

/** One probe: a trivial `Runtime.evaluate` on the page and `Browser.getVersion` on the browser, side by side. */
export interface PageProbe {
  /** The page's main thread answered (an error answer counts: it answered). */
  page: boolean;
  /** The browser process answered; when it did not either, Chrome as a whole is not responding. */
  browser: boolean;
  /** How long the probe waited for an answer that did not come (PROBE_MS unless asked otherwise). */
  waitedMs: number;
  /** When the page first failed a probe, if it has not answered one since. */
  hungSince?: number;
}

/** What the dispatcher and the navigation handlers need to know about the selected page. */
export interface PageHealth {
  /** Set while the page is crashed or its tab is gone; cleared when a new document commits. */
  readonly down: PageDown | undefined;
  /** Calls `listener` when the page goes down (renderer crash, tab closed); returns the unsubscribe. */
  onDown(listener: (down: PageDown) => void): () => void;
  /** When the page failed its last probe, unless it has answered one since (or its document was replaced). */
  readonly hungSince: number | undefined;
  /** Asks the page and the browser for a trivial answer, waiting at most `timeoutMs` each. */
  probe(timeoutMs?: number): Promise<PageProbe>;
  /**
   * Frees a main thread stuck in script: when the page does not answer a probe, `Runtime.terminateExecution` (which
   * Chrome serves off the main thread, so it gets through a page in `for(;;){}`), then a second probe. Never sent
   * to a page that answers: terminating an idle page would cut short whatever script runs next.
   */
  unstick(): Promise<{ wasHung: boolean; answers: boolean }>;
}

/** A command that needs the page, refused (or ended) because the page is down. */
export function pageDownError(command: string, down: PageDown, during: boolean): BdgError {
  const secs = Math.round((Date.now() - down.since) / 1000);
  const ago = secs < 1 ? 'just now' : `${secs} s ago`;
  if (down.reason === 'closed') {
    return new BdgError(
      'NOT_FOUND',
      `${command} ${during ? 'was cut short' : 'cannot run'}: the selected tab was closed${during ? '' : ` ${ago}`}`,
      'List the open tabs with `bdg tabs`, then `bdg tabs select <id>` or `bdg tabs new <url>`.',
      { pageDown: 'closed' },
    );
  }
  const status = down.status !== undefined && down.status !== 'crashed' ? ` (${down.status})` : '';
  return new BdgError(
    'PAGE_CRASHED',
    during
      ? `${command} was cut short: the page crashed while it ran (renderer gone${status})`
      : `${command} cannot run: the page crashed ${ago} (renderer gone${status})`,
    'Bring the page back with `bdg page reload` or `bdg page navigate <url>`; what was recorded before the crash is still there (`bdg peek`, and a session.json snapshot).',
    { pageCrashed: true, ...(down.status !== undefined ? { status: down.status } : {}) },
  );
}

/**
 * The page (or Chrome) did not answer a probe: say so, with how long the probe waited, and how to get out. `what`
 * is the start of the message (`dom.click did not finish within 120 s`, `dom.click was not started`).
 */
export function unresponsiveError(what: string, probe: PageProbe, chromePid: number | undefined, extra: Record<string, unknown> = {}): BdgError {
  const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
  if (!probe.browser) {
    const who = chromePid !== undefined ? `Chrome (pid ${chromePid})` : 'Chrome';
    return new BdgError(
      'TIMEOUT',
      `${what}: ${who} is not responding (neither the page nor the browser answered within ${seconds(probe.waitedMs)})`,
      `If Chrome was stopped (SIGSTOP), continue it${chromePid !== undefined ? ` (\`kill -CONT ${chromePid}\`)` : ''}; otherwise end the session with \`bdg stop\` (or \`bdg cleanup --force\`) and start a new one.`,
      { chromeResponding: false, probeMs: probe.waitedMs, ...extra },
    );
  }
  const hungFor = probe.hungSince !== undefined ? Date.now() - probe.hungSince : 0;
  return new BdgError(
    'TIMEOUT',
    `${what}: the page's main thread is busy, it did not answer a probe within ${seconds(probe.waitedMs)}${hungFor >= 1_000 ? ` (none for ${seconds(hungFor)} now)` : ''}; a script on the page may be stuck in a loop`,
    'Reload the page (`bdg page reload`) or open another (`bdg page navigate <url>`): bdg stops the stuck script first. Read-only commands (`bdg peek`, `bdg status`, `bdg console`) still answer.',
    { pageHung: true, probeMs: probe.waitedMs, ...(probe.hungSince !== undefined ? { hungForMs: hungFor } : {}), ...extra },
  );
}
