import type { Protocol } from 'devtools-protocol';
import type { ParamsOf, ResultOf } from '../../protocol/commands.js';
import { BdgError } from '../../util/errors.js';
import { normalizeUrl } from '../../util/url.js';
import type { FamilyCommands, Handler, HandlerContext, HandlerTable } from '../context.js';
import { domState, readyState, runAction } from '../dom/driver.js';
import { sleep } from '../../util/sleep.js';
import { PERF_HANDLERS } from './perf.js';
import { emulate, info } from './page/emulate.js';

/** Every navigation command has a `--timeout S` for the load; the contract gives its default. */
function loadMs(params: { timeout: number }): number {
  return Math.round(params.timeout * 1000);
}

function navigationFailed(url: string, errorText: string): BdgError {
  return new BdgError(
    'UNEXPECTED_ERROR',
    `Navigation to ${url} failed: ${errorText}`,
    'Check that the server is up and the URL is right (`bdg peek --network` shows the request).',
    { url, errorText },
  );
}

/**
 * A page stuck in script cannot commit a new document: Page.navigate and Page.reload are answered by the browser,
 * but the load then never happens (seen with Chromium 156 on a page in `for(;;){}`). Stop the script first when
 * the page does not answer; a crashed page needs nothing, the navigation starts a new renderer.
 */
async function freePage(ctx: HandlerContext): Promise<void> {
  if (ctx.session.health.down === undefined) await ctx.session.health.unstick();
}

async function navigate(ctx: HandlerContext, params: ParamsOf<'page.navigate'>, signal: AbortSignal): Promise<ResultOf<'page.navigate'>> {
  const url = normalizeUrl(params.url);
  const started = Date.now();
  await freePage(ctx);
  const { result, triggered } = await runAction(ctx, signal, { settleMaxMs: 500, settleQuietMs: 50 }, () => ctx.session.navigate(url, loadMs(params)));
  if (result.errorText !== undefined) throw navigationFailed(url, result.errorText);
  return {
    action: 'navigate',
    url: ctx.session.page.url,
    title: ctx.session.page.title,
    loadTimedOut: result.loadTimedOut === true,
    readyState: await readyState(ctx.session),
    durationMs: Date.now() - started,
    triggered,
  };
}

async function currentTitle(ctx: HandlerContext): Promise<string> {
  try {
    const r = await ctx.session.pageSend('Runtime.evaluate', { expression: 'document.title', returnByValue: true }, { timeoutMs: 2_000 });
    return typeof r.result.value === 'string' ? r.result.value : ctx.session.page.title;
  } catch {
    return ctx.session.page.title;
  }
}

/** Runs a history/reload step and waits for the main frame to load (or a same-document navigation). */
async function historyStep(
  ctx: HandlerContext,
  params: { timeout: number },
  signal: AbortSignal,
  name: string,
  step: () => Promise<void>,
): Promise<ResultOf<'page.reload'>> {
  const started = Date.now();
  await freePage(ctx);
  const { result, triggered } = await runAction(ctx, signal, { settleMaxMs: 500, settleQuietMs: 50 }, async (watcher) => {
    const urlBefore = ctx.session.page.url;
    await step();
    const deadline = Date.now() + loadMs(params);
    // A same-document entry (pushState, #hash) changes the URL without a load; anything else loads.
    while (Date.now() < deadline && !signal.aborted) {
      if (watcher.navigated && !watcher.navigating) return { loadTimedOut: false };
      if (!watcher.navigated && !watcher.navigating && ctx.session.page.url !== urlBefore && Date.now() - started > 100) return { loadTimedOut: false };
      await sleep(25);
    }
    return { loadTimedOut: true };
  });
  return {
    action: name,
    url: ctx.session.page.url,
    title: await currentTitle(ctx),
    loadTimedOut: result.loadTimedOut,
    readyState: await readyState(ctx.session),
    durationMs: Date.now() - started,
    triggered,
  };
}

async function reload(ctx: HandlerContext, params: ParamsOf<'page.reload'>, signal: AbortSignal): Promise<ResultOf<'page.reload'>> {
  return historyStep(ctx, params, signal, 'reload', async () => {
    await ctx.session.pageSend('Page.reload', { ignoreCache: params.ignoreCache }, { signal });
  });
}

function go(delta: -1 | 1): Handler<'page.back' | 'page.forward'> {
  return async (ctx, params, signal) => {
    const h = await ctx.session.pageSend('Page.getNavigationHistory', {}, { signal });
    const entry = h.entries[h.currentIndex + delta];
    if (entry === undefined) {
      throw new BdgError(
        'NOT_FOUND',
        `There is no ${delta < 0 ? 'previous' : 'next'} page in this tab's history`,
        delta < 0 ? 'Open another page first (`bdg page navigate <url>`).' : 'Go back first.',
      );
    }
    return historyStep(ctx, params, signal, delta < 0 ? 'back' : 'forward', async () => {
      await ctx.session.pageSend('Page.navigateToHistoryEntry', { entryId: entry.id }, { signal });
    });
  };
}

function tabId(ctx: HandlerContext, targetId: string): string {
  const st = domState(ctx.session);
  let id = st.tabIds.get(targetId);
  if (id === undefined) {
    id = `t${++st.tabSeq}`;
    st.tabIds.set(targetId, id);
  }
  return id;
}

/** A blank tab, in the session's browser context when it has one (a shared browser). */
function newTarget(ctx: HandlerContext): { url: string; browserContextId?: string } {
  const context = ctx.session.browserContextId;
  return context !== undefined ? { url: 'about:blank', browserContextId: context } : { url: 'about:blank' };
}

async function pages(ctx: HandlerContext): Promise<Protocol.Target.TargetInfo[]> {
  // The tab the session started with is t1.
  if (ctx.session.targetId !== undefined) tabId(ctx, ctx.session.targetId);
  const { targetInfos } = await ctx.session.conn.send('Target.getTargets', {}, { timeoutMs: 10_000 });
  // In a shared browser the other sessions' tabs are in their own contexts and none of this session's business.
  const context = ctx.session.browserContextId;
  return targetInfos.filter((t) => t.type === 'page' && (context === undefined || t.browserContextId === context));
}

async function listTabs(ctx: HandlerContext): Promise<ResultOf<'tabs.list'>> {
  const tabs = (await pages(ctx)).map((t) => ({
    id: tabId(ctx, t.targetId),
    targetId: t.targetId,
    url: t.url,
    title: t.title,
    selected: t.targetId === ctx.session.targetId,
  }));
  // Stable order: by short id (creation order as bdg first saw them).
  tabs.sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
  return { selected: tabs.find((t) => t.selected)?.id ?? null, tabs };
}

async function findTab(ctx: HandlerContext, id: string): Promise<Protocol.Target.TargetInfo> {
  const all = await pages(ctx);
  for (const t of all) tabId(ctx, t.targetId);
  const st = domState(ctx.session);
  const byShort = all.find((t) => st.tabIds.get(t.targetId) === id);
  if (byShort !== undefined) return byShort;
  const byPrefix = all.filter((t) => t.targetId.toLowerCase().startsWith(id.toLowerCase()));
  if (byPrefix.length === 1) return byPrefix[0] as Protocol.Target.TargetInfo;
  if (byPrefix.length > 1) throw new BdgError('INVALID_ARGUMENTS', `"${id}" matches ${byPrefix.length} tabs`, 'Use the short id from `bdg tabs` (t2).');
  throw new BdgError('NOT_FOUND', `No tab "${id}"`, `Open tabs: ${all.map((t) => `${st.tabIds.get(t.targetId) ?? '?'} ${t.url}`).join(', ')}`);
}

// Tab switches run under the lock of the tab being left (the dispatcher takes it), so no action on it is cut in half.

async function newTab(ctx: HandlerContext, params: ParamsOf<'tabs.new'>, signal: AbortSignal): Promise<ResultOf<'tabs.new'>> {
  const url = params.url !== undefined ? normalizeUrl(params.url) : undefined;
  if (ctx.session.targetId !== undefined) tabId(ctx, ctx.session.targetId);
  const { targetId } = await ctx.session.conn.send('Target.createTarget', newTarget(ctx), { signal });
  await ctx.session.selectTarget(targetId);
  const id = tabId(ctx, targetId);
  let nav: { errorText?: string; loadTimedOut?: boolean } = {};
  if (url !== undefined) {
    nav = (await runAction(ctx, signal, { settleMaxMs: 500, settleQuietMs: 50 }, () => ctx.session.navigate(url, loadMs(params)))).result;
    if (nav.errorText !== undefined) throw navigationFailed(url, nav.errorText);
  }
  return { id, targetId, url: ctx.session.page.url, title: ctx.session.page.title, selected: true, loadTimedOut: nav.loadTimedOut === true };
}

async function selectTab(ctx: HandlerContext, params: ParamsOf<'tabs.select'>): Promise<ResultOf<'tabs.select'>> {
  const t = await findTab(ctx, params.id);
  await ctx.session.selectTarget(t.targetId);
  await ctx.session.conn.send('Target.activateTarget', { targetId: t.targetId }, { timeoutMs: 5_000 }).catch(() => undefined);
  return { id: tabId(ctx, t.targetId), targetId: t.targetId, url: ctx.session.page.url, title: ctx.session.page.title, selected: true };
}

async function closeTab(ctx: HandlerContext, params: ParamsOf<'tabs.close'>, signal: AbortSignal): Promise<ResultOf<'tabs.close'>> {
  const t = await findTab(ctx, params.id);
  const id = tabId(ctx, t.targetId);
  let selected: string | undefined;
  if (t.targetId === ctx.session.targetId) {
    // Move to another tab first so the session never drives a closed page (a blank one if this was the last).
    const others = (await pages(ctx)).filter((p) => p.targetId !== t.targetId);
    const next = others[others.length - 1]?.targetId ?? (await ctx.session.conn.send('Target.createTarget', newTarget(ctx), { signal })).targetId;
    await ctx.session.selectTarget(next);
    selected = tabId(ctx, next);
  }
  await ctx.session.conn.send('Target.closeTarget', { targetId: t.targetId }, { signal, timeoutMs: 10_000 });
  domState(ctx.session).tabIds.delete(t.targetId);
  return { closed: id, targetId: t.targetId, selected: selected ?? tabId(ctx, ctx.session.targetId ?? ''), url: ctx.session.page.url };
}

export const PAGE_HANDLERS: HandlerTable<FamilyCommands<'page' | 'tabs'>> = {
  'page.navigate': navigate,
  'page.reload': reload,
  'page.back': go(-1),
  'page.forward': go(1),
  'page.dialogs': (ctx) => ({ dialogs: ctx.session.dialogs.recent() }),
  ...PERF_HANDLERS,
  'page.info': info,
  'page.emulate': emulate,
  'tabs.list': listTabs,
  'tabs.new': newTab,
  'tabs.select': selectTab,
  'tabs.close': closeTab,
};
