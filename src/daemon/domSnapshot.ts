/** The page's HTML for session.json, taken on the way out while the renderer is still there. */
import type { SessionSend } from '../cdp/connection.js';
import type { Logger } from '../util/logger.js';
import { LIMITS } from './limits.js';
import type { PageInfo } from './pageTarget.js';
import type { DomSnapshot } from './sessionFile.js';

/** The document's outerHTML with the page's URL and title as they are when it arrives (cut at LIMITS.domSnapshotBytes), or null when the page cannot answer in time. */
export async function takeDomSnapshot(send: SessionSend, page: () => PageInfo, log: Logger): Promise<DomSnapshot | null> {
  try {
    const r = await send(
      'Runtime.evaluate',
      { expression: 'document.documentElement ? document.documentElement.outerHTML : ""', returnByValue: true },
      { timeoutMs: 3_000 },
    );
    let html = typeof r.result.value === 'string' ? r.result.value : '';
    const truncated = html.length > LIMITS.domSnapshotBytes;
    if (truncated) html = html.slice(0, LIMITS.domSnapshotBytes);
    const { url, title } = page();
    return { url, title, html, truncated };
  } catch (err) {
    log.warn(`DOM snapshot failed: ${(err as Error).message}`);
    return null;
  }
}
