import { objectGroup } from '../../dom/objectGroup.js';
import type { Protocol } from 'devtools-protocol';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { ListenerHandler, ListenerRecord } from '../../../protocol/commands/domInspect.js';
import type { HandlerContext } from '../../context.js';
import { callOn, readOnly, resolveTarget } from '../../dom/driver.js';
import { FRAMEWORK_DESCRIBE_FN, FRAMEWORK_HANDLERS_FN, LISTENER_PATH_FN, PATH_LABELS_FN } from '../../dom/inspectScripts.js';
import { listPageScripts } from '../../pageScripts.js';
import type { BrowserSession } from '../../session.js';

const CALL = { timeoutMs: 10_000 };
/** Framework handlers (React props, jQuery, Preact) read per call. */
const MAX_FRAMEWORK_HANDLERS = 50;

/** Preact's proxy listener: it runs the handler Preact keeps on the node (`this.__e` in 11, `this.l` in 10). */
const PREACT_PROXY = /\bthis\.(?:__e|l|_listeners)\b/;

interface FrameworkHandler {
  at: number;
  framework: 'React' | 'jQuery' | 'Preact';
  type: string;
  capture: boolean;
  prop?: string;
  selector?: string;
  name: string;
  source: string;
}
/** Script URLs remembered per page session. */
const MAX_SCRIPTS = 10_000;

/** Events a user's input fires: the ones whose handler on an ancestor means delegation. */
const INTERACTION = new Set([
  'click',
  'dblclick',
  'auxclick',
  'contextmenu',
  'mousedown',
  'mouseup',
  'pointerdown',
  'pointerup',
  'keydown',
  'keyup',
  'keypress',
  'input',
  'change',
  'submit',
  'focusin',
  'focusout',
  'touchstart',
  'touchend',
]);

const SCRIPTS = new WeakMap<BrowserSession, { sessionId: string | undefined; urls: Map<string, string> }>();

/** The URL of each script id, listed again when one of `ids` is not known yet. */
async function scriptUrls(session: BrowserSession, ids: ReadonlySet<string>): Promise<Map<string, string>> {
  let cache = SCRIPTS.get(session);
  if (cache === undefined || cache.sessionId !== session.pageSessionId) {
    cache = { sessionId: session.pageSessionId, urls: new Map() };
    SCRIPTS.set(session, cache);
  }
  const urls = cache.urls;
  if ([...ids].every((id) => urls.has(id))) return urls;
  // Without names the locations say `script <id>`.
  await listPageScripts(
    session,
    (e) => {
      urls.set(e.scriptId, e.url);
      if (urls.size > MAX_SCRIPTS) urls.delete(urls.keys().next().value as string);
    },
    CALL,
  );
  return urls;
}

function baseName(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname.split('/').filter(Boolean).pop() ?? u.host;
  } catch {
    return url;
  }
}

function preview(source: string): string {
  const one = source.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 79)}…` : one;
}

function nameOf(source: string): string {
  const m = /^(?:async\s+)?function\s*\*?\s*([\w$]+)/.exec(source.trim()) ?? /^(?:async\s+)?([\w$]+)\s*\(/.exec(source.trim());
  return m?.[1] ?? 'anonymous';
}

/** `dom listeners`: listeners on the element, its ancestors, document and window, and frameworks' handlers (React, jQuery, Preact). */
export async function listeners(ctx: HandlerContext, params: ParamsOf<'dom.listeners'>, signal: AbortSignal): Promise<ResultOf<'dom.listeners'>> {
  const session = ctx.session;
  const types =
    params.type !== undefined
      ? new Set(
          params.type
            .split(',')
            .map((t) => t.trim().toLowerCase())
            .filter((t) => t !== ''),
        )
      : undefined;
  return readOnly(session, async () => {
    const opts = { ...CALL, signal };
    const el = await resolveTarget(session, params.target, { signal });
    // The page's own world: React keeps its handlers as expando properties there, invisible from bdg's isolated
    // world (a read-only look, so the page's built-ins are good enough).
    const main = await session.pageSend('DOM.resolveNode', { backendNodeId: el.backendNodeId, objectGroup: objectGroup() }, opts);
    const pathId = await callOn<string>(session, main.object.objectId ?? el.objectId, LISTENER_PATH_FN, [], { byValue: false, signal });
    const labels = await callOn<string[]>(session, pathId, PATH_LABELS_FN, [], { signal });
    const props = await session.pageSend('Runtime.getProperties', { objectId: pathId, ownProperties: true }, opts);
    const onOf = (i: number): ListenerRecord['on'] =>
      i === 0 ? 'target' : i === labels.length - 2 ? 'document' : i === labels.length - 1 ? 'window' : 'ancestor';
    const found: Array<{ at: number; rec: ListenerRecord; scriptId?: string; source: string }> = [];
    for (let i = 0; i < labels.length; i++) {
      const objectId = props.result.find((p) => p.name === String(i))?.value?.objectId;
      if (objectId === undefined) continue;
      const { listeners: ls } = await session.pageSend('DOMDebugger.getEventListeners', { objectId, depth: 0 }, opts);
      for (const l of ls) {
        if (types !== undefined && !types.has(l.type.toLowerCase())) continue;
        const source = l.handler?.description ?? '';
        const handler: ListenerHandler = {
          name: nameOf(source),
          preview: preview(source),
          scriptId: l.scriptId,
          lineNumber: l.lineNumber,
          columnNumber: l.columnNumber,
        };
        found.push({
          at: i,
          source,
          scriptId: l.scriptId,
          rec: { type: l.type, on: onOf(i), node: labels[i] ?? '', useCapture: l.useCapture, passive: l.passive, once: l.once, handler },
        });
      }
    }
    // Frameworks dispatch from listeners of their own; the handlers that run are the ones they keep on the nodes.
    const fwId = await callOn<string>(session, pathId, FRAMEWORK_HANDLERS_FN, [MAX_FRAMEWORK_HANDLERS], { byValue: false, signal });
    const fw = await callOn<{ handlers: FrameworkHandler[]; dispatchers: string[] }>(session, fwId, FRAMEWORK_DESCRIBE_FN, [], { signal });
    if (fw.handlers.length > 0) {
      // The dispatchers they stand behind are left out: jQuery's by its source, Preact's proxy on a node Preact handles.
      const jq = new Set(fw.dispatchers);
      const preactAt = new Set(fw.handlers.filter((h) => h.framework === 'Preact').map((h) => h.at));
      for (let k = found.length - 1; k >= 0; k--) {
        const f = found[k] as (typeof found)[number];
        const src = f.source;
        if (jq.has(src) || (preactAt.has(f.at) && PREACT_PROXY.test(src))) found.splice(k, 1);
      }
      const fwProps = await session.pageSend('Runtime.getProperties', { objectId: fwId, ownProperties: true }, opts);
      const listId = fwProps.result.find((p) => p.name === 'handlers')?.value?.objectId;
      const entries = listId !== undefined ? await session.pageSend('Runtime.getProperties', { objectId: listId, ownProperties: true }, opts) : undefined;
      for (const [i, h] of fw.handlers.entries()) {
        if (types !== undefined && !types.has(h.type)) continue;
        const handler: ListenerHandler = { name: h.name !== '' ? h.name : nameOf(h.source), preview: preview(h.source) };
        let scriptId: string | undefined;
        const entryId = entries?.result.find((p) => p.name === String(i))?.value?.objectId;
        if (entryId !== undefined) {
          const fields = await session.pageSend('Runtime.getProperties', { objectId: entryId, ownProperties: true }, opts);
          const fnId = fields.result.find((p) => p.name === 'fn')?.value?.objectId;
          if (fnId !== undefined) {
            const fn = await session.pageSend('Runtime.getProperties', { objectId: fnId, ownProperties: true }, opts);
            const loc = fn.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as Protocol.Debugger.Location | undefined;
            if (loc !== undefined) {
              scriptId = loc.scriptId;
              handler.scriptId = loc.scriptId;
              handler.lineNumber = loc.lineNumber;
              if (loc.columnNumber !== undefined) handler.columnNumber = loc.columnNumber;
            }
          }
        }
        const rec: ListenerRecord = {
          type: h.type,
          on: onOf(h.at),
          node: labels[h.at] ?? '',
          useCapture: h.capture,
          passive: false,
          once: false,
          framework: h.framework,
          ...(h.framework === 'React' && h.prop !== undefined ? { reactProp: h.prop } : {}),
          ...(h.selector !== undefined ? { delegateSelector: h.selector } : {}),
          handler,
        };
        found.push(scriptId !== undefined ? { at: h.at, rec, scriptId, source: h.source } : { at: h.at, rec, source: h.source });
      }
    }
    const ids = new Set(found.map((f) => f.scriptId).filter((id): id is string => id !== undefined && id !== '' && id !== '0'));
    const urls = ids.size > 0 ? await scriptUrls(session, ids) : new Map<string, string>();
    for (const f of found) {
      const h = f.rec.handler;
      if (h.scriptId === undefined || h.lineNumber === undefined) continue;
      const url = urls.get(h.scriptId);
      if (url !== undefined && url !== '') h.url = url;
      h.location = `${url !== undefined && url !== '' ? baseName(url) : `script ${h.scriptId}`}:${h.lineNumber + 1}:${(h.columnNumber ?? 0) + 1}`;
    }
    const ownTypes = new Set(found.filter((f) => f.at === 0).map((f) => f.rec.type));
    found.sort((a, b) => {
      const ao = ownTypes.has(a.rec.type) ? 0 : 1;
      const bo = ownTypes.has(b.rec.type) ? 0 : 1;
      return (
        ao - bo || a.rec.type.localeCompare(b.rec.type) || a.at - b.at || (a.rec.framework !== undefined ? -1 : 0) - (b.rec.framework !== undefined ? -1 : 0)
      );
    });
    const delegated = [...new Set(found.filter((f) => f.at > 0 && INTERACTION.has(f.rec.type) && !ownTypes.has(f.rec.type)).map((f) => f.rec.type))];
    return {
      selector: params.target,
      element: el.info,
      count: found.length,
      omitted: Math.max(0, found.length - params.limit),
      listeners: found.slice(0, params.limit).map((f) => f.rec),
      delegated,
    };
  });
}
