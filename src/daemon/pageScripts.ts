/**
 * The scripts alive in the driven page, as the Debugger domain names them (Chrome tells script ids, URLs and source
 * map URLs to that domain only). bdg does not keep Debugger enabled: it would let `debugger;` statements pause the
 * page. A listing enables it just long enough for Chrome to send Debugger.scriptParsed for every script (sent
 * before enable answers), with pauses skipped, then disables it again.
 */
import type { Protocol } from 'devtools-protocol';
import type { SessionCallOptions } from '../cdp/connection.js';
import type { BrowserSession } from './session.js';

/** One listing at a time per session: a second one's disable must not cut the first one's enable short. */
const QUEUE = new WeakMap<BrowserSession, Promise<unknown>>();

/**
 * Calls `visit` with each script the page holds; false when Debugger could not be enabled (nothing was listed).
 * Listings of one session run one after the other.
 */
export function listPageScripts(session: BrowserSession, visit: (e: Protocol.Debugger.ScriptParsedEvent) => void, opts: SessionCallOptions): Promise<boolean> {
  const run = (QUEUE.get(session) ?? Promise.resolve()).then(() => listOnce(session, visit, opts));
  const settled = run.catch(() => undefined);
  QUEUE.set(session, settled);
  return run;
}

async function listOnce(session: BrowserSession, visit: (e: Protocol.Debugger.ScriptParsedEvent) => void, opts: SessionCallOptions): Promise<boolean> {
  const sid = session.pageSessionId;
  const off = session.conn.on((method, params, sessionId) => {
    if (sessionId !== sid || method !== 'Debugger.scriptParsed') return;
    visit(params as Protocol.Debugger.ScriptParsedEvent);
  });
  try {
    await session.pageSend('Debugger.enable', {}, opts);
    await session.pageSend('Debugger.setSkipAllPauses', { skip: true }, opts).catch(() => undefined);
    return true;
  } catch {
    return false;
  } finally {
    off();
    await session.pageSend('Debugger.disable', {}, opts).catch(() => undefined);
  }
}
