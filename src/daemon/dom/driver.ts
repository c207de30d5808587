import { objectGroup, releaseObjectGroup } from './objectGroup.js';
import type { Protocol } from 'devtools-protocol';
import { CdpError } from '../../cdp/connection.js';
import type { ConsoleRecord } from '../../protocol/records.js';
import type { ActionCompat, ActionConsoleError, ActionReport, ElementInfo, TriggeredRequest } from '../../protocol/results.js';
import { firstOriginalLocation } from '../../telemetry/stackFrames.js';
import { BdgError } from '../../util/errors.js';
import type { HandlerContext } from '../context.js';
import type { BrowserSession } from '../session.js';
import { ActivityWatcher } from './activity.js';
import { DomChangeWatch, NO_EFFECT_WINDOW_MS, type DocumentCall } from './effects.js';
import type { DialogAction } from './dialogs.js';
import { downloadsOf } from '../downloads.js';
import { KeyedMutex } from './mutex.js';
import { DESCRIBE_ALL_FN, DESCRIBE_FN, LABEL_CONTROL_FN, QUERY_FN } from './pageScripts.js';
import { REF_PATTERN, RefRegistry } from './refs.js';
import { sleep } from '../../util/sleep.js';
import { withSourceMaps } from '../sourceMaps.js';

export type { ElementInfo } from '../../protocol/results.js';

/** A resolved element: a remote object handle in the page plus its ref. */
export interface ElementHandle {
  objectId: string;
  backendNodeId: number;
  ref: string;
  info: ElementInfo;
  /** How many elements the selector matched (1 for a ref). */
  matched: number;
}

/** Per-session DOM state: element refs, per-tab locks, short tab ids. */
export interface DomState {
  refs: RefRegistry;
  locks: KeyedMutex;
  tabIds: Map<string, string>;
  tabSeq: number;
  /** bdg's isolated world in the current document's main frame; a new document needs a new one. */
  world?: { targetId: string; frameId: string; loaderId: string; contextId: number };
  /** The last `dom query`: its 0-based indexes are targets (`dom click 0`) until the page navigates. */
  lastQuery?: { selector: string; targetId: string; loaderId: string; refs: string[]; total: number };
}

const STATES = new WeakMap<BrowserSession, DomState>();

export function domState(session: BrowserSession): DomState {
  let s = STATES.get(session);
  if (s === undefined) {
    s = { refs: new RefRegistry(), locks: new KeyedMutex(), tabIds: new Map(), tabSeq: 0 };
    STATES.set(session, s);
  }
  return s;
}

function currentTarget(session: BrowserSession): string {
  const t = session.targetId;
  if (t === undefined) throw new BdgError('CDP_CONNECTION_FAILED', 'No page is attached', 'Start a new session with `bdg <url>`.');
  return t;
}

export function label(info: Pick<ElementInfo, 'tag' | 'id' | 'classes'>): string {
  return `${info.tag}${info.id !== undefined ? `#${info.id}` : ''}${info.classes.length > 0 ? `.${info.classes.slice(0, 3).join('.')}` : ''}`;
}

/** Messages of exceptions thrown while a navigation tears down the page's JS world. */
export function isContextGone(err: unknown): boolean {
  const m = err instanceof Error ? err.message : String(err);
  return /Execution context was destroyed|Cannot find context with specified id|Inspected target navigated or closed|Cannot find default execution context|No frame with given id/i.test(
    m,
  );
}

function exceptionText(d: Protocol.Runtime.ExceptionDetails): string {
  const desc = d.exception?.description ?? (d.exception?.value !== undefined ? String(d.exception.value) : undefined) ?? d.text;
  // V8's description is "Error: message\n    at ..."; the first line is what a user needs.
  return (desc.split('\n')[0] ?? desc).trim();
}

/** The page threw: a BdgError carrying its message (UNEXPECTED_ERROR unless the caller names another code). */
export function pageException(d: Protocol.Runtime.ExceptionDetails, what: string, code: 'UNEXPECTED_ERROR' | 'PAGE_EXCEPTION' = 'UNEXPECTED_ERROR'): BdgError {
  const text = exceptionText(d);
  const data: Record<string, unknown> = { exception: text };
  if (d.lineNumber !== undefined) data['line'] = d.lineNumber + 1;
  if (d.columnNumber !== undefined) data['column'] = d.columnNumber + 1;
  return new BdgError(code, `${what}: ${text}`, undefined, data);
}

interface CallOpts {
  byValue?: boolean;
  await?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  userGesture?: boolean;
}

/** Runtime.callFunctionOn with by-value args; page exceptions become BdgErrors. */
export async function callOn<T>(session: BrowserSession, objectId: string, fn: string, args: unknown[] = [], opts: CallOpts = {}): Promise<T> {
  const r = await session.pageSend(
    'Runtime.callFunctionOn',
    {
      objectId,
      functionDeclaration: fn,
      arguments: args.map((value) => ({ value })),
      returnByValue: opts.byValue ?? true,
      awaitPromise: opts.await ?? true,
      userGesture: opts.userGesture ?? true,
      objectGroup: objectGroup(),
    },
    cdpOpts(opts),
  );
  if (r.exceptionDetails !== undefined) throw pageException(r.exceptionDetails, 'The page threw');
  return ((opts.byValue ?? true) ? r.result.value : r.result.objectId) as T;
}

function cdpOpts(opts: { signal?: AbortSignal; timeoutMs?: number }): { signal?: AbortSignal; timeoutMs?: number } {
  const o: { signal?: AbortSignal; timeoutMs?: number } = {};
  if (opts.signal !== undefined) o.signal = opts.signal;
  if (opts.timeoutMs !== undefined) o.timeoutMs = opts.timeoutMs;
  return o;
}

/** The name of the isolated world bdg's page-side code runs in (visible as a context in DevTools). */
export const WORLD_NAME = 'bdg';

/**
 * The execution context of bdg's isolated world (Page.createIsolatedWorld) in the main frame of the current
 * document. Its built-ins are its own (a page that replaces querySelectorAll, Event or dispatchEvent changes only
 * the main world's), and its DOM wrappers carry none of the page's own properties; same-origin iframes reached
 * from it get the same world. A navigation destroys it with the document, so it is keyed by the frame's loaderId.
 */
export async function worldContext(session: BrowserSession, signal?: AbortSignal, fresh = false): Promise<number> {
  const state = domState(session);
  const targetId = currentTarget(session);
  const o = cdpOpts({ ...(signal !== undefined ? { signal } : {}), timeoutMs: 10_000 });
  const { frameTree } = await session.pageSend('Page.getFrameTree', {}, o);
  const { id: frameId, loaderId } = frameTree.frame;
  const w = state.world;
  if (!fresh && w !== undefined && w.targetId === targetId && w.frameId === frameId && w.loaderId === loaderId) return w.contextId;
  let contextId: number;
  try {
    ({ executionContextId: contextId } = await session.pageSend('Page.createIsolatedWorld', { frameId, worldName: WORLD_NAME }, o));
  } catch (err) {
    if (isContextGone(err) || !(err instanceof CdpError)) throw err;
    throw new BdgError(
      'RESOURCE_CONFLICT',
      `bdg could not open its own JavaScript world in the page (${err.message}), and will not run its code among the page's globals`,
      'Reload the page (`bdg page reload`) and try again; `bdg dom eval` still runs in the page itself.',
    );
  }
  state.world = { targetId, frameId, loaderId, contextId };
  return contextId;
}

/** Runs `fn` with the isolated world's context id, once more with a new world if the old one is gone. */
async function inWorld<T>(session: BrowserSession, signal: AbortSignal | undefined, fn: (contextId: number) => Promise<T>): Promise<T> {
  try {
    return await fn(await worldContext(session, signal));
  } catch (err) {
    if (!isContextGone(err)) throw err;
    return fn(await worldContext(session, signal, true));
  }
}

/** The main frame document's object id, in bdg's isolated world. */
export async function documentObject(session: BrowserSession, signal?: AbortSignal): Promise<string> {
  const r = await inWorld(session, signal, (contextId) =>
    session.pageSend(
      'Runtime.evaluate',
      { expression: 'document', objectGroup: objectGroup(), contextId },
      cdpOpts({ ...(signal !== undefined ? { signal } : {}), timeoutMs: 10_000 }),
    ),
  );
  if (r.result.objectId === undefined) throw new BdgError('UNEXPECTED_ERROR', 'The page has no document');
  return r.result.objectId;
}

/** A node by backend id as a remote object in bdg's isolated world (CdpError when the node is gone). */
export async function resolveNode(session: BrowserSession, backendNodeId: number, signal?: AbortSignal): Promise<string | undefined> {
  const r = await inWorld(session, signal, (executionContextId) =>
    session.pageSend('DOM.resolveNode', { backendNodeId, objectGroup: objectGroup(), executionContextId }, { timeoutMs: 10_000 }),
  );
  return r.object.objectId;
}

export async function mainLoaderId(session: BrowserSession, signal?: AbortSignal): Promise<string> {
  const { frameTree } = await session.pageSend('Page.getFrameTree', {}, cdpOpts({ ...(signal !== undefined ? { signal } : {}), timeoutMs: 10_000 }));
  return frameTree.frame.loaderId;
}

/** Releases the current command's handles (see objectGroup.ts: each command has a group of its own). */
export async function releaseHandles(session: BrowserSession): Promise<void> {
  await releaseObjectGroup(session);
}

/**
 * Finds elements for a selector (CSS, `text=...`, `css:has-text("...")`, `xpath=...`), searching open shadow
 * roots and same-origin iframes. Returns handles for the first `limit` and the total count.
 */
export async function queryAll(
  session: BrowserSession,
  selector: string,
  limit: number,
  signal?: AbortSignal,
): Promise<{ total: number; elements: ElementHandle[]; loaderId: string }> {
  const state = domState(session);
  const targetId = currentTarget(session);
  const loaderId = await mainLoaderId(session, signal);
  const doc = await documentObject(session, signal);
  let arrayId: string;
  try {
    arrayId = await callOn<string>(session, doc, QUERY_FN, [selector], { byValue: false, ...(signal !== undefined ? { signal } : {}) });
  } catch (err) {
    if (err instanceof BdgError && err.code === 'UNEXPECTED_ERROR' && /SyntaxError|not a valid selector|supported at the end|XPath/i.test(err.message)) {
      throw new BdgError(
        'INVALID_ARGUMENTS',
        `Invalid selector "${selector}": ${String((err.data as { exception?: string } | undefined)?.exception ?? err.message)}`,
        'Use CSS (form button[type=submit]), text=Place order, button:has-text("Place order") or xpath=//button.',
      );
    }
    throw err;
  }
  const total = await callOn<number>(session, arrayId, 'function () { return this.length; }');
  const infos = await callOn<ElementInfo[]>(session, arrayId, DESCRIBE_ALL_FN, [limit]);
  const props = await session.pageSend('Runtime.getProperties', { objectId: arrayId, ownProperties: true }, { timeoutMs: 10_000 });
  const elements: ElementHandle[] = [];
  for (let i = 0; i < infos.length; i++) {
    const objectId = props.result.find((p) => p.name === String(i))?.value?.objectId;
    const info = infos[i];
    if (objectId === undefined || info === undefined) continue;
    const { node } = await session.pageSend('DOM.describeNode', { objectId }, { timeoutMs: 10_000 });
    const ref = state.refs.add(targetId, loaderId, node.backendNodeId, label(info));
    info.ref = ref;
    elements.push({ objectId, backendNodeId: node.backendNodeId, ref, info, matched: total });
  }
  return { total, elements, loaderId };
}

/** Remembers a `dom query`'s matches, so their 0-based indexes can be targets. */
export function rememberQuery(session: BrowserSession, selector: string, loaderId: string, refs: string[], total: number): void {
  domState(session).lastQuery = { selector, targetId: currentTarget(session), loaderId, refs, total };
}

export const INDEX_PATTERN = /^\d{1,6}$/;

/** A 0-based index into the last `dom query`'s matches -> that element; stale (87) once the page navigated. */
async function resolveIndex(session: BrowserSession, index: number, signal?: AbortSignal): Promise<ElementHandle> {
  const q = domState(session).lastQuery;
  if (q === undefined)
    throw new BdgError('NOT_FOUND', `No \`dom query\` to take index ${index} from`, 'Run `bdg dom query <selector>` first; its matches are numbered from 0.');
  const from = `\`dom query ${JSON.stringify(q.selector)}\``;
  if (q.targetId !== session.targetId || q.loaderId !== (await mainLoaderId(session, signal))) {
    throw new BdgError('STALE_REFERENCE', `Index ${index} is from ${from} on a page that has since navigated (or another tab)`, 'Run `bdg dom query` again.', {
      index,
    });
  }
  const ref = q.refs[index];
  if (ref === undefined) {
    const why = index < q.total ? `only the first ${q.refs.length} of its ${q.total} matches were listed (raise --limit)` : `it matched ${q.total}`;
    throw new BdgError('INVALID_ARGUMENTS', `Index ${index} is out of range for ${from}: ${why}`, 'Indexes are 0-based.', { index, count: q.total });
  }
  return resolveRef(session, ref, signal);
}

/** Registers a ref for a node found another way (accessibility tree). */
export function refFor(session: BrowserSession, loaderId: string, backendNodeId: number, what: string): string {
  return domState(session).refs.add(currentTarget(session), loaderId, backendNodeId, what);
}

function staleError(ref: string, why: string, labelText?: string): BdgError {
  return new BdgError(
    'STALE_REFERENCE',
    `Element reference ${ref}${labelText !== undefined ? ` (${labelText})` : ''} is stale: ${why}`,
    'Refs point at one element of one document; run `bdg dom query <selector>` (or `bdg dom a11y`) again for fresh refs.',
    { ref },
  );
}

/** Resolves a ref to a live element, or fails with STALE_REFERENCE (never another element). */
export async function resolveRef(session: BrowserSession, ref: string, signal?: AbortSignal): Promise<ElementHandle> {
  const state = domState(session);
  const entry = state.refs.get(ref);
  if (entry === undefined) {
    if (state.refs.forgotten(ref)) throw staleError(ref, 'too many newer refs were handed out since');
    throw new BdgError('NOT_FOUND', `No element reference ${ref} in this session`, 'Refs come from `bdg dom query`, `bdg dom get` or `bdg dom a11y`.');
  }
  if (entry.targetId !== session.targetId) {
    const tab = state.tabIds.get(entry.targetId);
    throw new BdgError(
      'STALE_REFERENCE',
      `Element reference ${ref} (${entry.label}) belongs to another tab${tab !== undefined ? ` (${tab})` : ''}`,
      `Select that tab (\`bdg tabs select ${tab ?? '<id>'}\`) or query again in this one.`,
      { ref },
    );
  }
  const loaderId = await mainLoaderId(session, signal);
  if (loaderId !== entry.loaderId) throw staleError(ref, 'the page navigated since it was made', entry.label);
  let objectId: string | undefined;
  try {
    objectId = await resolveNode(session, entry.backendNodeId, signal);
  } catch (err) {
    if (err instanceof CdpError) throw staleError(ref, 'the element no longer exists', entry.label);
    throw err;
  }
  if (objectId === undefined) throw staleError(ref, 'the element no longer exists', entry.label);
  const connected = await callOn<boolean>(session, objectId, 'function () { return this.isConnected; }');
  if (!connected) throw staleError(ref, 'the element was removed from the document', entry.label);
  const info = await callOn<ElementInfo>(session, objectId, DESCRIBE_FN);
  info.ref = ref;
  return { objectId, backendNodeId: entry.backendNodeId, ref, info, matched: 1 };
}

/**
 * A selector or ref -> one element. Selectors prefer the first visible match; with `waitMs`, a selector that
 * matches nothing is retried until then (pages render after fetches). NOT_FOUND when nothing matches.
 */
export async function resolveTarget(
  session: BrowserSession,
  target: string,
  opts: { waitMs?: number; signal?: AbortSignal; index?: number | undefined } = {},
): Promise<ElementHandle> {
  const m = REF_PATTERN.exec(target.trim());
  const { index } = opts;
  if (index !== undefined && (m !== null || INDEX_PATTERN.test(target.trim())))
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `--index picks one of a selector's matches; "${target}" is already one element`,
      'Drop --index, or give a selector.',
    );
  if (m !== null) return resolveRef(session, m[1] as string, opts.signal);
  if (INDEX_PATTERN.test(target.trim())) return resolveIndex(session, Number(target.trim()), opts.signal);
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    try {
      // --index N (the original bdg's): the Nth match in document order, visible or not; out of range is 81 at once.
      const { total, elements } = await queryAll(session, target, index !== undefined ? index + 1 : 50, opts.signal);
      if (index !== undefined && total > 0) {
        const nth = elements[index];
        if (nth !== undefined) return nth;
        throw new BdgError(
          'INVALID_ARGUMENTS',
          `--index ${index} is out of range: "${target}" matches ${total} element${total === 1 ? '' : 's'}`,
          'Indexes are 0-based.',
          {
            index,
            count: total,
          },
        );
      }
      const pick = elements.find((e) => e.info.visible) ?? elements[0];
      if (pick !== undefined) return pick;
    } catch (err) {
      if (!isContextGone(err)) throw err;
    }
    if (Date.now() >= deadline || opts.signal?.aborted === true) break;
    await sleep(100);
  }
  throw new BdgError(
    'NOT_FOUND',
    `No element matches "${target}"`,
    'Check the selector with `bdg dom query`; text forms: text=Sign in, button:has-text("Sign in").',
    { selector: target },
  );
}

/** The element with this backend node id (`dom query`'s `nodeId`) in the current document, or NOT_FOUND (83). */
export async function resolveNodeId(session: BrowserSession, backendNodeId: number, signal?: AbortSignal): Promise<ElementHandle> {
  const missing = (): BdgError =>
    new BdgError(
      'NOT_FOUND',
      `No element with nodeId ${backendNodeId} in this page`,
      'Node ids come from `bdg dom query` or `bdg dom get --raw`; the page may have navigated since.',
      {
        nodeId: backendNodeId,
      },
    );
  let objectId: string | undefined;
  try {
    objectId = await resolveNode(session, backendNodeId, signal);
  } catch (err) {
    if (err instanceof CdpError) throw missing();
    throw err;
  }
  if (objectId === undefined) throw missing();
  const ok = await callOn<boolean>(session, objectId, 'function () { return this.nodeType === 1 && this.isConnected; }');
  if (!ok) throw missing();
  const info = await callOn<ElementInfo>(session, objectId, DESCRIBE_FN);
  info.ref = refFor(session, await mainLoaderId(session, signal), backendNodeId, label(info));
  return { objectId, backendNodeId, ref: info.ref, info, matched: 1 };
}

/** A `<label>` stands for its control (`label.control`), as in the original bdg and Playwright; other elements as they are. */
export async function viaLabel(session: BrowserSession, el: ElementHandle): Promise<ElementHandle> {
  if (el.info.tag !== 'label') return el;
  const objectId = await callOn<string | undefined>(session, el.objectId, LABEL_CONTROL_FN, [], { byValue: false });
  if (objectId === undefined) return el;
  const { node } = await session.pageSend('DOM.describeNode', { objectId }, { timeoutMs: 10_000 });
  const info = await callOn<ElementInfo>(session, objectId, DESCRIBE_FN);
  const loaderId = await mainLoaderId(session);
  info.ref = refFor(session, loaderId, node.backendNodeId, label(info));
  info.viaLabel = el.info.ref ?? label(el.info);
  return { objectId, backendNodeId: node.backendNodeId, ref: info.ref, info, matched: el.matched };
}

export type { ActionReport } from '../../protocol/results.js';

function numericId(id: string): number {
  return Number(id.slice(1));
}

/**
 * Runs a page-changing action (the dispatcher holds the tab's lock), answering dialogs as asked, then waits for its
 * effects to settle (bounded) and reports what it triggered.
 */
export async function runAction<T>(
  ctx: HandlerContext,
  signal: AbortSignal,
  opts: { dialog?: DialogAction | undefined; settleQuietMs?: number; settleMaxMs?: number; effects?: 'pointer' | 'keys' },
  action: (watcher: ActivityWatcher) => Promise<T>,
): Promise<{ result: T; triggered: ActionReport; compat: ActionCompat }> {
  const session = ctx.session;
  currentTarget(session);
  const lastNet = session.network.last(1)[0];
  const lastCon = session.console.last(1)[0];
  const netMark = lastNet !== undefined ? numericId(lastNet.id) : 0;
  const conMark = lastCon !== undefined ? numericId(lastCon.id) : 0;
  const dialogMark = session.dialogs.seq;
  const downloads = downloadsOf(session);
  const downloadMark = downloads?.seq ?? 0;
  const urlBefore = session.page.url;
  const restoreDialogs = opts.dialog !== undefined ? session.dialogs.override(opts.dialog) : undefined;
  const watcher = new ActivityWatcher(session);
  // `effects`: the action says "no visible effect" when nothing at all came of it (effects.ts).
  const docCall: DocumentCall = async (fn, args) =>
    callOn(session, await documentObject(session, signal), fn, args, { timeoutMs: 2_000, signal, userGesture: false });
  // With --no-wait (settleMaxMs 0) there is no window to watch, so no "no visible effect" claim either.
  const domWatch = opts.effects !== undefined && opts.settleMaxMs !== 0 ? await DomChangeWatch.start(docCall, opts.effects === 'keys') : undefined;
  let watching = domWatch !== undefined;
  try {
    const result = await action(watcher);
    const actedAt = Date.now();
    const settled = await watcher.settle(opts.settleQuietMs ?? 150, opts.settleMaxMs ?? 3_000, signal);
    let domChanges: number | undefined;
    let noEffect = false;
    if (domWatch !== undefined) {
      const lastNow = (): boolean =>
        watcher.requestsStarted > 0 ||
        watcher.navigated ||
        watcher.navigating ||
        session.page.url !== urlBefore ||
        session.dialogs.seq > dialogMark ||
        numericId(session.console.last(1)[0]?.id ?? 'c0') > conMark ||
        (downloads !== undefined && downloads.seq > downloadMark);
      domChanges = await domWatch.changes();
      // Nothing yet: watch on for the rest of the window (bounded); something did happen: no extra wait.
      while (!lastNow() && domChanges === 0 && Date.now() - actedAt < NO_EFFECT_WINDOW_MS && !signal.aborted) {
        await sleep(Math.min(50, NO_EFFECT_WINDOW_MS - (Date.now() - actedAt)));
        domChanges = await domWatch.changes();
      }
      const final = await domWatch.changes(true);
      watching = false;
      if (final !== undefined) domChanges = final;
      noEffect = domChanges === 0 && !lastNow();
    }
    const requests = session.network
      .last(200)
      .filter((r) => numericId(r.id) > netMark)
      .slice(0, 50)
      .map((r) => ({ id: r.id, method: r.method, url: r.url, state: r.state, ...(r.status !== undefined ? { status: r.status } : {}) }));
    const errorRecords = session.console.last(200).filter((c) => numericId(c.id) > conMark && c.level === 'error');
    const fresh = session.network.last(200).filter((r) => numericId(r.id) > netMark);
    const triggeredRequests: TriggeredRequest[] = fresh.slice(0, 50).map((r) => ({
      requestId: r.requestId,
      id: r.id,
      method: r.method,
      url: r.url,
      ...(r.status !== undefined ? { status: r.status } : {}),
      ...(r.durationMs !== undefined ? { durationMs: Math.round(r.durationMs) } : {}),
      ...(r.state === 'pending' ? { pending: true as const } : {}),
      ...(r.state === 'failed' ? { failed: true as const, ...(r.errorText !== undefined ? { errorText: r.errorText } : {}) } : {}),
    }));
    const dialogs = session.dialogs.since(dialogMark);
    // Mapped to their original source only when there are any, within the bounded wait every console output has
    // (after the report's snapshot of requests and dialogs, so that wait adds none to them).
    const mappedErrors = errorRecords.length > 0 ? await withSourceMaps(session, errorRecords, signal) : [];
    const consoleErrors = mappedErrors.slice(0, 20).map(actionConsoleError);
    const errors = new Map<string, ActionCompat['errors'][number]>();
    for (const c of mappedErrors) {
      const text = cut(c.text);
      const e = errors.get(text);
      if (e !== undefined) e.count++;
      else if (errors.size < 20) {
        const original = firstOriginalLocation(c);
        errors.set(text, {
          text,
          count: 1,
          ...(c.url !== undefined ? { source: `${c.url}${c.line !== undefined ? `:${c.line}` : ''}` } : {}),
          ...(original !== undefined ? { originalSource: `${original.url}:${original.line}:${original.column}` } : {}),
        });
      }
    }
    const compat: ActionCompat = {
      triggeredRequests,
      ...(fresh.length > triggeredRequests.length ? { triggeredRequestsOmitted: fresh.length - triggeredRequests.length } : {}),
      dialogs,
      errors: [...errors.values()],
      ...(watcher.navigated || session.page.url !== urlBefore ? { navigation: { url: session.page.url, from: urlBefore } } : {}),
      ...(noEffect ? { effect: 'none' as const } : {}),
    };
    const triggered: ActionReport = {
      urlBefore,
      url: session.page.url,
      navigated: watcher.navigated,
      requests,
      consoleErrors,
      dialogs,
      settled,
      ...(domChanges !== undefined ? { domChanges } : {}),
      ...(noEffect ? { effect: 'none' as const } : {}),
    };
    // A download starts after its response arrives; one begun by this action is waited for (bounded) and reported.
    if (downloads !== undefined && downloads.seq > downloadMark) triggered.downloads = await downloads.since(downloadMark, 10_000, signal);
    return { result, triggered, compat };
  } finally {
    if (watching) await domWatch?.changes(true);
    watcher.stop();
    restoreDialogs?.();
    await releaseHandles(session);
  }
}

/** A console error text as an action report shows it: the first 300 characters. */
function cut(text: string): string {
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** An action report's entry for a console error: the generated position, and the original one when a map gave it. */
function actionConsoleError(c: ConsoleRecord): ActionConsoleError {
  const original = firstOriginalLocation(c);
  return {
    id: c.id,
    text: cut(c.text),
    ...(c.url !== undefined ? { url: c.url } : {}),
    ...(c.line !== undefined ? { line: c.line } : {}),
    ...(c.column !== undefined ? { column: c.column } : {}),
    ...(original !== undefined ? { original } : {}),
    ...(c.sourceMapError !== undefined ? { sourceMapError: c.sourceMapError } : {}),
  };
}

/** The document's readyState (loading, interactive, complete), read in bdg's world; null when the page does not answer. */
export async function readyState(session: BrowserSession): Promise<string | null> {
  try {
    const doc = await documentObject(session);
    return await callOn<string>(session, doc, 'function () { return this.readyState; }', [], { timeoutMs: 2_000 });
  } catch {
    return null;
  } finally {
    await releaseHandles(session);
  }
}

/** Read-only work: no lock, handles released afterwards. */
export async function readOnly<T>(session: BrowserSession, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await releaseHandles(session);
  }
}
