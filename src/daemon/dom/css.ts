/**
 * The CSS domain, on while a command needs it: `dom inspect --rules/--why` and `css search` read matched rules and
 * stylesheet text. Enabling it makes Chrome track every stylesheet change, so it is turned on per command (counted,
 * so commands running at the same time share it) and off again when the last one ends. The stylesheet headers come
 * from the `CSS.styleSheetAdded` events Chrome sends for every existing sheet while `CSS.enable` runs.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserSession } from '../session.js';

const CALL = { timeoutMs: 10_000 };

interface CssUse {
  sessionId: string | undefined;
  users: number;
  sheets: Map<string, Protocol.CSS.CSSStyleSheetHeader>;
  ready: Promise<void>;
  off: () => void;
}

const USES = new WeakMap<BrowserSession, CssUse>();

/** Stylesheets kept per page; beyond that the oldest headers are dropped (their rules then show without a file). */
const MAX_SHEETS = 5_000;

/** Runs `fn` with the DOM and CSS domains enabled on the page session; `sheets` are the page's stylesheet headers. */
export async function withCss<T>(session: BrowserSession, fn: (sheets: ReadonlyMap<string, Protocol.CSS.CSSStyleSheetHeader>) => Promise<T>): Promise<T> {
  let use = USES.get(session);
  if (use === undefined || use.sessionId !== session.pageSessionId) {
    const sessionId = session.pageSessionId;
    const sheets = new Map<string, Protocol.CSS.CSSStyleSheetHeader>();
    const off = session.conn.on((method, params, sid) => {
      if (sid !== sessionId) return;
      if (method === 'CSS.styleSheetAdded') {
        const { header } = params as Protocol.CSS.StyleSheetAddedEvent;
        sheets.set(header.styleSheetId, header);
        if (sheets.size > MAX_SHEETS) sheets.delete(sheets.keys().next().value as string);
      } else if (method === 'CSS.styleSheetRemoved') sheets.delete((params as Protocol.CSS.StyleSheetRemovedEvent).styleSheetId);
    });
    const ready = (async () => {
      await session.pageSend('DOM.enable', {}, CALL);
      await session.pageSend('CSS.enable', {}, CALL);
    })();
    use = { sessionId, users: 0, sheets, ready, off };
    USES.set(session, use);
  }
  const u = use;
  u.users++;
  try {
    await u.ready;
    return await fn(u.sheets);
  } finally {
    u.users--;
    if (u.users === 0 && USES.get(session) === u) {
      USES.delete(session);
      u.off();
      await session.pageSend('CSS.disable', {}, { timeoutMs: 2_000 }).catch(() => undefined);
      await session.pageSend('DOM.disable', {}, { timeoutMs: 2_000 }).catch(() => undefined);
    }
  }
}

function baseName(url: string): string {
  try {
    const u = new URL(url);
    const name = u.pathname.split('/').filter(Boolean).pop();
    return name ?? u.host;
  } catch {
    return url;
  }
}

/** Where a stylesheet line is: `app.css:12`, `<style> in index.html:40`, `<constructed>:3`. */
export function sheetLocation(header: Protocol.CSS.CSSStyleSheetHeader | undefined, line0: number): { source: string; url?: string; line: number } {
  if (header === undefined) return { source: `stylesheet:${line0 + 1}`, line: line0 + 1 };
  if (header.isInline) {
    const line = header.startLine + line0 + 1;
    return { source: `<style> in ${baseName(header.sourceURL) || 'page'}:${line}`, url: header.sourceURL, line };
  }
  if (header.sourceURL === '' || header.isConstructed === true) return { source: `<constructed>:${line0 + 1}`, line: line0 + 1 };
  return { source: `${baseName(header.sourceURL)}:${line0 + 1}`, url: header.sourceURL, line: line0 + 1 };
}

export { CALL as CSS_CALL };
