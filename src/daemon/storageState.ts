import { readFile } from 'node:fs/promises';
import type { Protocol } from 'devtools-protocol';
import type { StateCounts } from '../protocol/commands/storage.js';
import { BdgError } from '../util/errors.js';
import type { BrowserSession } from './session.js';

/** What `state save` writes: the browser's cookies and Web Storage per origin (Playwright's storageState shape). */
export interface StateFile {
  version: 1;
  savedAt: string;
  cookies: Protocol.Network.Cookie[];
  origins: Array<{ origin: string; localStorage: Array<{ name: string; value: string }>; sessionStorage: Array<{ name: string; value: string }> }>;
}

/** Largest state file `state load` / `--state` reads: it is cookies and storage, not a data dump. */
const MAX_STATE_BYTES = 32 * 1024 * 1024;

const OPTS = { timeoutMs: 10_000 };

/** The origin of a URL, or undefined for opaque ones (about:blank, data:). */
export function originOf(url: string): string | undefined {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? undefined : o;
  } catch {
    return undefined;
  }
}

/** The page's origin and its frames' (same- and cross-origin), in tree order, without repeats. */
export async function pageOrigins(session: BrowserSession, signal?: AbortSignal): Promise<string[]> {
  const { frameTree } = await session.pageSend('Page.getFrameTree', {}, { ...OPTS, ...(signal !== undefined ? { signal } : {}) });
  const out: string[] = [];
  const walk = (t: Protocol.Page.FrameTree): void => {
    const o = t.frame.securityOrigin !== '' ? originOf(t.frame.securityOrigin) : originOf(t.frame.url);
    if (o !== undefined && !out.includes(o)) out.push(o);
    for (const c of t.childFrames ?? []) walk(c);
  };
  walk(frameTree);
  return out;
}

export function storageId(origin: string, local: boolean): Protocol.DOMStorage.StorageId {
  return { securityOrigin: origin, isLocalStorage: local };
}

/** DOMStorage answers "Frame not found for the given storage id" for an origin the page has no frame of. */
export function noFrameError(err: unknown, origin: string): unknown {
  if (!(err instanceof Error) || !/Frame not found/i.test(err.message)) return err;
  return new BdgError(
    'NOT_FOUND',
    `The page has no frame of ${origin}, so its storage cannot be reached`,
    'Use an origin of the page or one of its frames (`bdg dom eval "location.origin"`), or open that origin first.',
  );
}

export async function storageItems(session: BrowserSession, origin: string, local: boolean, signal?: AbortSignal): Promise<Array<[string, string]>> {
  const r = await session
    .pageSend('DOMStorage.getDOMStorageItems', { storageId: storageId(origin, local) }, { ...OPTS, ...(signal !== undefined ? { signal } : {}) })
    .catch((err: unknown) => {
      throw noFrameError(err, origin);
    });
  return r.entries.map((e) => [e[0] ?? '', e[1] ?? '']);
}

/** Reads a state file; NOT_FOUND or INVALID_ARGUMENTS say what is wrong with it. */
export async function readStateFile(path: string): Promise<StateFile> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_STATE_BYTES) throw new BdgError('INVALID_ARGUMENTS', `${path} is larger than ${MAX_STATE_BYTES / 1024 / 1024} MB; not a state file`);
    text = buf.toString('utf8');
  } catch (err) {
    if (err instanceof BdgError) throw err;
    throw new BdgError(
      'NOT_FOUND',
      `Cannot read the state file ${path}: ${err instanceof Error ? err.message : String(err)}`,
      'Write one with `bdg state save FILE`.',
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new BdgError('INVALID_ARGUMENTS', `${path} is not JSON`, 'Give a file `bdg state save` wrote.');
  }
  const d = data as Partial<StateFile>;
  if (typeof d !== 'object' || d === null || !Array.isArray(d.cookies) || !Array.isArray(d.origins))
    throw new BdgError('INVALID_ARGUMENTS', `${path} is not a bdg state file (no cookies/origins)`, 'Give a file `bdg state save` wrote.');
  return d as StateFile;
}

/** A saved cookie as Network.setCookies takes it; a session cookie keeps no expiry. */
function cookieParam(c: Protocol.Network.Cookie): Protocol.Network.CookieParam {
  const p: Protocol.Network.CookieParam = { name: c.name, value: c.value, domain: c.domain, path: c.path, secure: c.secure, httpOnly: c.httpOnly };
  if (c.sameSite !== undefined) p.sameSite = c.sameSite;
  if (c.session !== true && typeof c.expires === 'number' && c.expires > 0) p.expires = c.expires;
  return p;
}

export function countState(state: StateFile): StateCounts {
  return {
    cookies: state.cookies.length,
    origins: state.origins.length,
    localStorage: state.origins.reduce((n, o) => n + (o.localStorage?.length ?? 0), 0),
    sessionStorage: state.origins.reduce((n, o) => n + (o.sessionStorage?.length ?? 0), 0),
  };
}

/**
 * `this`-less page script: applies saved Web Storage when the document's origin has some. The data is the
 * argument (a JSON literal, which is a JavaScript expression), never code spliced from the file's strings.
 */
const APPLY_STORAGE_FN = `function (byOrigin) {
  const e = byOrigin[location.origin];
  if (!e) return;
  try { for (const [k, v] of e.local) localStorage.setItem(k, v); } catch (err) {}
  try { for (const [k, v] of e.session) sessionStorage.setItem(k, v); } catch (err) {}
}`;

type PendingStorage = Record<string, { local: Array<[string, string]>; session: Array<[string, string]> }>;

/**
 * Storage for origins the page has no frame of cannot go through DOMStorage (Chrome: "Frame not found for the given
 * storage id"). It goes into a script that runs before the page's own in every new document of this tab, and the
 * script is removed once each of those origins has loaded, so it is applied once, as if it had been there.
 */
async function applyOnLoad(session: BrowserSession, pending: PendingStorage, o: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  const remaining = new Set(Object.keys(pending));
  const { identifier } = await session.pageSend('Page.addScriptToEvaluateOnNewDocument', { source: `(${APPLY_STORAGE_FN})(${JSON.stringify(pending)});` }, o);
  const sessionId = session.pageSessionId;
  const off = session.conn.on((method, _params, sid) => {
    if (sid !== sessionId || method !== 'Page.loadEventFired') return;
    void pageOrigins(session)
      .then(async (loaded) => {
        for (const origin of loaded) remaining.delete(origin);
        if (remaining.size > 0) return;
        off();
        await session.pageSend('Page.removeScriptToEvaluateOnNewDocument', { identifier }, { timeoutMs: 10_000 });
      })
      .catch(() => undefined);
  });
}

/**
 * Applies a state file to the session: cookies through Network.setCookies; Web Storage through DOMStorage for the
 * origins the page has a frame of, and for the others (all of them for `--state`, before the first navigation)
 * when a document of that origin is created. sessionStorage lands in this tab's namespace.
 */
export async function applyState(session: BrowserSession, state: StateFile, signal?: AbortSignal): Promise<StateCounts> {
  const o = { ...OPTS, ...(signal !== undefined ? { signal } : {}) };
  if (state.cookies.length > 0) await session.pageSend('Network.setCookies', { cookies: state.cookies.map(cookieParam) }, o);
  const live = new Set(await pageOrigins(session, signal).catch(() => [] as string[]));
  const pending: PendingStorage = {};
  for (const origin of state.origins) {
    const local = (origin.localStorage ?? []).map((i): [string, string] => [String(i.name), String(i.value)]);
    const sess = (origin.sessionStorage ?? []).map((i): [string, string] => [String(i.name), String(i.value)]);
    if (!live.has(origin.origin)) {
      pending[origin.origin] = { local, session: sess };
      continue;
    }
    for (const [isLocal, items] of [
      [true, local],
      [false, sess],
    ] as const) {
      for (const [key, value] of items) await session.pageSend('DOMStorage.setDOMStorageItem', { storageId: storageId(origin.origin, isLocal), key, value }, o);
    }
  }
  if (Object.keys(pending).length > 0) await applyOnLoad(session, pending, o);
  return countState(state);
}

/** Collects cookies (every cookie of the browser context) and the storage of `origins`. */
export async function collectState(session: BrowserSession, origins: string[], signal?: AbortSignal): Promise<StateFile> {
  const o = { ...OPTS, ...(signal !== undefined ? { signal } : {}) };
  const { cookies } = await session.conn.send('Storage.getCookies', {}, o);
  const out: StateFile = { version: 1, savedAt: new Date().toISOString(), cookies, origins: [] };
  for (const origin of origins) {
    const local = await storageItems(session, origin, true, signal);
    const sess = await storageItems(session, origin, false, signal);
    if (local.length === 0 && sess.length === 0) continue;
    out.origins.push({
      origin,
      localStorage: local.map(([name, value]) => ({ name, value })),
      sessionStorage: sess.map(([name, value]) => ({ name, value })),
    });
  }
  return out;
}
