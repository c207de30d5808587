import { access, constants, stat } from 'node:fs/promises';
import type { A11yNode } from '../../protocol/results.js';
import { dirname, resolve } from 'node:path';
import type { Protocol } from 'devtools-protocol';
import type { Params } from '../../protocol/validate.js';
import { BdgError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fsx.js';
import type { CommandHandler, HandlerContext } from '../context.js';
import type { DialogAction } from '../dom/dialogs.js';
import {
  GROUP,
  callOn,
  isContextGone,
  mainLoaderId,
  pageException,
  queryAll,
  readOnly,
  refFor,
  resolveTarget,
  runAction,
  type ElementHandle,
} from '../dom/driver.js';
import { sleep } from '../../util/sleep.js';
import { imageSize } from '../dom/image.js';
import { mouseClick, mouseMove, parseKey, pressKey } from '../dom/input.js';
import {
  ACTIONABLE_FN,
  FILL_KIND_FN,
  FIRE_CHANGE_FN,
  FOCUS_FN,
  FOCUS_SELECT_FN,
  GET_FN,
  PAGE_RECT_FN,
  READ_VALUE_FN,
  SCROLL_TO_FN,
  SCROLL_WINDOW_FN,
  SELECT_OPTION_FN,
  SET_CHECKED_FN,
  SET_VALUE_FN,
  SUBMIT_FN,
  WAIT_CHECK_FN,
} from '../dom/pageScripts.js';

const MAX_EVAL_RESULT_CHARS = 1024 * 1024;

function dialogOf(params: Params): DialogAction {
  return params['dialog'] === 'dismiss' ? 'dismiss' : 'accept';
}

function waitMs(params: Params): number {
  return Math.round(Number(params['timeout'] ?? 5) * 1000);
}

async function query(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const selector = params['selector'] as string;
  const limit = params['limit'] as number;
  return readOnly(ctx.session, async () => {
    const { total, elements } = await queryAll(ctx.session, selector, limit, signal);
    return { selector, total, shown: elements.length, elements: elements.map((e) => e.info) };
  });
}

async function get(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  return readOnly(ctx.session, async () => {
    const el = await resolveTarget(ctx.session, params['target'] as string, { signal });
    const details = await callOn<Record<string, unknown>>(ctx.session, el.objectId, GET_FN, [params['maxLength']]);
    return { ...details, ref: el.ref, matched: el.matched };
  });
}

async function evaluate(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const expression = params['expression'] as string;
  const { result, triggered } = await runAction(ctx, signal, { dialog: dialogOf(params), settleMaxMs: 1_000, settleQuietMs: 50 }, async () => {
    const opts = { signal, timeoutMs: 55_000 };
    const r = await ctx.session.pageSend<Protocol.Runtime.EvaluateResponse>(
      'Runtime.evaluate',
      // replMode: top-level await and re-declarable let/const, like the DevTools console.
      { expression, awaitPromise: true, returnByValue: false, userGesture: true, replMode: true, objectGroup: GROUP, generatePreview: false },
      opts,
    );
    if (r.exceptionDetails !== undefined) throw pageException(r.exceptionDetails, 'The page threw');
    let obj = r.result;
    // replMode awaits a top-level `await`, but an expression whose value is a promise completes with the promise
    // itself (the console shows "Promise {<pending>}"); a script wants what it resolves to.
    if (obj.subtype === 'promise' && obj.objectId !== undefined) {
      const settled = await ctx.session.pageSend<Protocol.Runtime.AwaitPromiseResponse>('Runtime.awaitPromise', { promiseObjectId: obj.objectId, returnByValue: false }, opts);
      if (settled.exceptionDetails !== undefined) throw pageException(settled.exceptionDetails, 'The promise rejected');
      obj = settled.result;
    }
    // Plain data comes back by value; nodes, functions and values that cannot be serialised keep their description.
    if (obj.objectId !== undefined && obj.type === 'object' && obj.subtype !== 'node') {
      const byValue = await ctx.session
        .pageSend<Protocol.Runtime.CallFunctionOnResponse>('Runtime.callFunctionOn', { objectId: obj.objectId, functionDeclaration: 'function () { return this; }', returnByValue: true }, opts)
        .catch(() => undefined);
      if (byValue !== undefined && byValue.exceptionDetails === undefined) {
        const { objectId: _id, ...rest } = obj;
        obj = { ...rest, value: byValue.result.value };
      }
    }
    return obj;
  });
  const type = result.subtype !== undefined ? `${result.type}:${result.subtype}` : result.type;
  let value: unknown = result.value;
  if (result.unserializableValue !== undefined) value = result.unserializableValue;
  else if (result.type === 'undefined') value = undefined;
  // Nodes and other host objects have no by-value form ({}); their description (e.g. "button#buy") says more.
  else if (result.subtype === 'node' && result.description !== undefined) value = result.description;
  else if (value === undefined && result.description !== undefined) value = result.description;
  let truncated = false;
  const text = JSON.stringify(value) ?? '';
  if (text.length > MAX_EVAL_RESULT_CHARS) {
    value = text.slice(0, MAX_EVAL_RESULT_CHARS);
    truncated = true;
  }
  return { type, value: value ?? null, ...(truncated ? { truncated } : {}), triggered };
}

/** Scrolls the element into view and checks it can take pointer input there; fails with the reason otherwise. */
async function actionPoint(ctx: HandlerContext, target: string, el: ElementHandle, needEnabled: boolean, needHit: boolean, deadline: number, signal: AbortSignal): Promise<{ x: number; y: number; el: ElementHandle }> {
  let current = el;
  for (;;) {
    const r = await callOn<{ ok: boolean; reason?: string; by?: string; x?: number; y?: number }>(ctx.session, current.objectId, ACTIONABLE_FN, [needEnabled, needHit], { signal });
    if (r.ok) return { x: r.x as number, y: r.y as number, el: current };
    if (Date.now() >= deadline || signal.aborted) {
      const what = `${current.info.ref ?? ''} ${current.info.tag}${current.info.id !== undefined ? `#${current.info.id}` : ''}`.trim();
      const reasons: Record<string, string> = {
        hidden: 'it is not visible (display/visibility or zero size)',
        disabled: 'it is disabled',
        covered: `another element is on top of it (${r.by ?? 'unknown'})`,
        detached: 'it was removed from the document',
        'outside-viewport': 'its centre cannot be scrolled into the viewport',
      };
      throw new BdgError('UNEXPECTED_ERROR', `Cannot act on ${what}: ${reasons[r.reason ?? ''] ?? r.reason ?? 'not actionable'}`, r.reason === 'covered' ? 'Close the overlay first (dom press Escape, dom click on its close button), or wait for it to go.' : 'Check the element with `bdg dom get`; wait for it with `bdg dom wait --selector`.', { reason: r.reason, ...(r.by !== undefined ? { coveredBy: r.by } : {}) });
    }
    await sleep(100);
    // A selector is looked up again: the page may have re-rendered the element. A ref stays the same node.
    if (!/^(?:ref=)?e\d+$/.test(target.trim())) current = await resolveTarget(ctx.session, target, { waitMs: 0, signal }).catch(() => current);
  }
}

async function click(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const target = params['target'] as string;
  const deadline = Date.now() + waitMs(params);
  const { result, triggered } = await runAction(ctx, signal, { dialog: dialogOf(params) }, async () => {
    const el = await resolveTarget(ctx.session, target, { waitMs: waitMs(params), signal });
    const p = await actionPoint(ctx, target, el, true, true, deadline, signal);
    await mouseClick(ctx.session, p.x, p.y, { button: params['right'] === true ? 'right' : 'left', double: params['double'] === true, signal });
    return { element: p.el.info, x: Math.round(p.x), y: Math.round(p.y) };
  });
  return { action: params['double'] === true ? 'double-click' : params['right'] === true ? 'right-click' : 'click', ...result, triggered };
}

async function hover(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const target = params['target'] as string;
  const deadline = Date.now() + waitMs(params);
  const { result, triggered } = await runAction(ctx, signal, { dialog: dialogOf(params) }, async () => {
    const el = await resolveTarget(ctx.session, target, { waitMs: waitMs(params), signal });
    const p = await actionPoint(ctx, target, el, false, true, deadline, signal);
    await mouseMove(ctx.session, p.x, p.y, signal);
    return { element: p.el.info, x: Math.round(p.x), y: Math.round(p.y) };
  });
  return { action: 'hover', ...result, triggered };
}

function parseBool(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'on', 'yes', '1', 'checked'].includes(v)) return true;
  if (['false', 'off', 'no', '0', 'unchecked'].includes(v)) return false;
  throw new BdgError('INVALID_ARGUMENTS', `Checkboxes and radios take true or false (got "${value}")`);
}

async function fill(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const target = params['target'] as string;
  const value = params['value'] as string;
  const s = ctx.session;
  const deadline = Date.now() + waitMs(params);
  const { result, triggered } = await runAction(ctx, signal, { dialog: dialogOf(params) }, async () => {
    const el = await resolveTarget(s, target, { waitMs: waitMs(params), signal });
    const kind = await callOn<{ kind: string; type?: string; readOnly?: boolean; multiple?: boolean; checked?: boolean; tag?: string }>(s, el.objectId, FILL_KIND_FN);
    if (kind.kind === 'none') {
      throw new BdgError('INVALID_ARGUMENTS', `${el.info.ref ?? ''} <${el.info.tag}${kind.type !== undefined ? ` type=${kind.type}` : ''}> is not a fillable control`, 'Fill inputs, textareas, selects or contenteditable elements; use `dom click` for buttons.');
    }
    if (el.info.disabled === true) throw new BdgError('UNEXPECTED_ERROR', `Cannot fill ${el.info.ref ?? ''} <${el.info.tag}>: it is disabled`, undefined, { reason: 'disabled' });
    if (kind.readOnly === true) throw new BdgError('UNEXPECTED_ERROR', `Cannot fill ${el.info.ref ?? ''} <${el.info.tag}>: it is read-only`, undefined, { reason: 'readonly' });
    switch (kind.kind) {
      case 'file': {
        const path = resolve(typeof params['cwd'] === 'string' ? params['cwd'] : '/', value);
        const st = await stat(path).catch(() => undefined);
        if (st === undefined || !st.isFile()) throw new BdgError('NOT_FOUND', `No such file: ${path}`, 'Give the path of a file to upload.');
        await s.pageSend('DOM.setFileInputFiles', { files: [path], backendNodeId: el.backendNodeId }, { signal, timeoutMs: 10_000 });
        return { element: el.info, kind: 'file', value: path };
      }
      case 'select': {
        const r = await callOn<{ ok: boolean; value?: string; label?: string; options?: Array<{ value: string; label: string }> }>(s, el.objectId, SELECT_OPTION_FN, [value]);
        if (!r.ok) throw new BdgError('NOT_FOUND', `No option "${value}" in ${el.info.ref ?? ''} <select>`, `Options (value: label): ${(r.options ?? []).map((o) => `${o.value}: ${o.label}`).join(', ')}`);
        return { element: el.info, kind: 'select', value: r.value, label: r.label };
      }
      case 'checkbox':
      case 'radio': {
        const want = parseBool(value);
        if (kind.checked !== want) {
          if (want || kind.kind === 'checkbox') {
            // A real click, so click handlers and framework bindings run as they would for a user.
            const p = await actionPoint(ctx, target, el, true, true, deadline, signal).catch(() => undefined);
            if (p !== undefined) await mouseClick(s, p.x, p.y, { button: 'left', double: false, signal });
          }
          const after = await callOn<{ checked?: boolean }>(s, el.objectId, READ_VALUE_FN);
          if (after.checked !== want) await callOn(s, el.objectId, SET_CHECKED_FN, [want]);
        }
        const final = await callOn<{ checked?: boolean }>(s, el.objectId, READ_VALUE_FN);
        return { element: el.info, kind: kind.kind, checked: final.checked };
      }
      case 'text':
      case 'contenteditable': {
        await callOn(s, el.objectId, FOCUS_SELECT_FN);
        if (value === '') await callOn(s, el.objectId, SET_VALUE_FN, ['', false]).catch(() => undefined);
        // Input.insertText edits like typing: the value changes inside the engine, beforeinput/input fire, and
        // frameworks that track the value property (React) see a real change.
        else await s.pageSend('Input.insertText', { text: value }, { signal, timeoutMs: 10_000 });
        let now = await callOn<{ value: string }>(s, el.objectId, READ_VALUE_FN);
        let method = 'insertText';
        if (kind.kind === 'text' && now.value !== value) {
          // Masks, maxlength or number parsing changed what typing produced; set the value directly instead.
          now = { value: await callOn<string>(s, el.objectId, SET_VALUE_FN, [value, false]) };
          method = 'value-setter';
        }
        now = { value: await callOn<string>(s, el.objectId, FIRE_CHANGE_FN) };
        return { element: el.info, kind: kind.kind, value: now.value, method };
      }
      default: {
        const v = await callOn<string>(s, el.objectId, SET_VALUE_FN, [value, true]);
        if (v !== value) throw new BdgError('INVALID_ARGUMENTS', `<input type=${kind.type ?? '?'}> did not accept "${value}" (value is now "${v}")`, 'Use the format the input type expects (date: 2024-05-31, time: 13:45, color: #ff0000).');
        return { element: el.info, kind: kind.type ?? 'value', value: v, method: 'value-setter' };
      }
    }
  });
  return { action: 'fill', ...result, triggered };
}

async function press(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const key = parseKey(params['key'] as string);
  const { result, triggered } = await runAction(ctx, signal, { dialog: dialogOf(params) }, async () => {
    let element: unknown;
    if (typeof params['selector'] === 'string') {
      const el = await resolveTarget(ctx.session, params['selector'], { waitMs: 5_000, signal });
      await callOn(ctx.session, el.objectId, FOCUS_FN);
      element = el.info;
    }
    await pressKey(ctx.session, key, signal);
    return { key: [...key.modifiers, key.def.key === ' ' ? 'Space' : key.def.key].join('+'), ...(element !== undefined ? { element } : {}) };
  });
  return { action: 'press', ...result, triggered };
}

async function submit(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const target = params['target'] as string;
  const timeoutMs = Math.round(Number(params['timeout']) * 1000);
  const { result, triggered } = await runAction(ctx, signal, { dialog: dialogOf(params), settleQuietMs: 500, settleMaxMs: timeoutMs }, async () => {
    const el = await resolveTarget(ctx.session, target, { waitMs: 5_000, signal });
    const r = await callOn<{ ok: boolean; action?: string; method?: string }>(ctx.session, el.objectId, SUBMIT_FN);
    if (!r.ok) throw new BdgError('NOT_FOUND', `${el.info.ref ?? ''} <${el.info.tag}> is not a form and not inside one`, 'Pass the form (e.g. "form#login") or a field inside it.');
    return { element: el.info, form: { action: r.action, method: r.method } };
  });
  if (!triggered.settled) {
    throw new BdgError('TIMEOUT', `The form was submitted but the page did not finish loading or go quiet within ${String(params['timeout'])} s`, 'Raise --timeout, or check `bdg peek` for the request it is waiting on.', { triggered });
  }
  return { action: 'submit', ...result, triggered };
}

async function scroll(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const target = params['target'] as string | undefined;
  const hasXY = params['x'] !== undefined || params['y'] !== undefined;
  const count = (target !== undefined ? 1 : 0) + (hasXY ? 1 : 0) + (params['bottom'] === true ? 1 : 0);
  if (count !== 1) throw new BdgError('INVALID_ARGUMENTS', 'dom scroll needs exactly one of: a target, --x/--y, or --bottom', 'Examples: bdg dom scroll "#footer" | bdg dom scroll --y 800 | bdg dom scroll --bottom');
  const { result, triggered } = await runAction(ctx, signal, { dialog: dialogOf(params), settleQuietMs: 200 }, async () => {
    if (target !== undefined) {
      const el = await resolveTarget(ctx.session, target, { waitMs: 5_000, signal });
      const pos = await callOn<{ x: number; y: number }>(ctx.session, el.objectId, SCROLL_TO_FN);
      return { element: el.info, scroll: pos };
    }
    const doc = await ctx.session.pageSend<Protocol.Runtime.EvaluateResponse>('Runtime.evaluate', { expression: 'document', objectGroup: GROUP });
    const pos = await callOn<Record<string, number>>(ctx.session, doc.result.objectId as string, SCROLL_WINDOW_FN, [params['x'] ?? null, params['y'] ?? null, params['bottom'] === true]);
    return { scroll: pos };
  });
  return { action: 'scroll', ...result, triggered };
}

function urlMatches(url: string, want: string): boolean {
  // Only /pattern/flags with real regex flags is a regex: a path such as /orders/confirm is a substring.
  const m = /^\/(.+)\/([dgimsuy]*)$/.exec(want);
  if (m !== null && new Set(m[2]).size === (m[2] as string).length) {
    try {
      return new RegExp(m[1] as string, m[2]).test(url);
    } catch {
      throw new BdgError('INVALID_ARGUMENTS', `--url ${want} is not a valid regular expression`);
    }
  }
  return url.includes(want);
}

async function wait(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const selector = params['selector'] as string | undefined;
  const text = params['text'] as string | undefined;
  const url = params['url'] as string | undefined;
  const idle = params['networkIdle'] === true;
  if (selector === undefined && text === undefined && url === undefined && !idle) {
    throw new BdgError('INVALID_ARGUMENTS', 'dom wait needs at least one of --selector, --text, --url, --network-idle', 'Example: bdg dom wait --selector ".results" --timeout 10');
  }
  const s = ctx.session;
  const started = Date.now();
  const timeoutMs = Math.round(Number(params['timeout']) * 1000);
  const deadline = started + timeoutMs;
  let lastNet = Date.now();
  let pendingSeen = -1;
  const unsubscribe = s.conn.on((method, _p, sid) => {
    if (sid === s.pageSessionId && (method === 'Network.requestWillBeSent' || method === 'Network.loadingFinished' || method === 'Network.loadingFailed')) lastNet = Date.now();
  });
  const state: Record<string, boolean> = {};
  try {
    for (;;) {
      if (url !== undefined) state['url'] = urlMatches(s.page.url, url);
      if (selector !== undefined || text !== undefined) {
        try {
          const doc = await s.pageSend<Protocol.Runtime.EvaluateResponse>('Runtime.evaluate', { expression: 'document', objectGroup: GROUP }, { signal, timeoutMs: 5_000 });
          const r = await callOn<{ selector?: boolean; text?: boolean }>(s, doc.result.objectId as string, WAIT_CHECK_FN, [selector ?? null, text ?? null], { signal, timeoutMs: 5_000 });
          if (selector !== undefined) state['selector'] = r.selector === true;
          if (text !== undefined) state['text'] = r.text === true;
        } catch (err) {
          if (err instanceof BdgError && err.code === 'UNEXPECTED_ERROR' && /SyntaxError|not a valid selector/.test(err.message)) {
            throw new BdgError('INVALID_ARGUMENTS', `Invalid selector "${String(selector)}": ${err.message}`);
          }
          if (!isContextGone(err) && !(err instanceof BdgError && err.code === 'TIMEOUT' && !signal.aborted)) throw err;
          if (selector !== undefined) state['selector'] = false;
          if (text !== undefined) state['text'] = false;
        } finally {
          await s.pageSend('Runtime.releaseObjectGroup', { objectGroup: GROUP }, { timeoutMs: 2_000 }).catch(() => undefined);
        }
      }
      if (idle) {
        const pending = s.network.pending();
        if (pending !== pendingSeen) {
          pendingSeen = pending;
          lastNet = Math.max(lastNet, Date.now() - 1);
        }
        state['networkIdle'] = Date.now() - lastNet >= 500 && (pending === 0 || Date.now() - lastNet >= 2_000);
      }
      if (Object.values(state).every(Boolean)) return { waitedMs: Date.now() - started, met: state, url: s.page.url };
      if (Date.now() >= deadline || signal.aborted) {
        const missing = Object.entries(state).filter(([, ok]) => !ok).map(([k]) => k);
        throw new BdgError('TIMEOUT', `Timed out after ${String(params['timeout'])} s waiting for ${missing.join(', ')}`, 'Raise --timeout, or check the page with `bdg dom query` / `bdg peek`.', { met: state, url: s.page.url });
      }
      await sleep(100);
    }
  } finally {
    unsubscribe();
  }
}

async function screenshot(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const file = params['file'] as string;
  const ext = file.toLowerCase().split('.').pop() ?? '';
  let format = params['format'] as string | undefined;
  if (format === undefined) format = ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : 'png';
  if (params['viewport'] === true && params['selector'] !== undefined) throw new BdgError('INVALID_ARGUMENTS', '--viewport and --selector cannot be combined');
  // Fail before capturing when the directory cannot take the file (root passes access() checks; writeFileAtomic reports those).
  try {
    await access(dirname(file), constants.W_OK);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new BdgError('PERMISSION_DENIED', `Cannot write ${file}: ${code === 'ENOENT' || code === 'ENOTDIR' ? 'its directory does not exist' : 'the directory is not writable'}`, 'Choose a path in a directory you can write to.');
  }
  const s = ctx.session;
  return readOnly(s, async () => {
    let clip: { x: number; y: number; width: number; height: number };
    let beyond = false;
    const metrics = await s.pageSend<Protocol.Page.GetLayoutMetricsResponse>('Page.getLayoutMetrics', {}, { signal });
    const vv = metrics.cssVisualViewport;
    let element: unknown;
    if (typeof params['selector'] === 'string') {
      const el = await resolveTarget(s, params['selector'], { waitMs: 5_000, signal });
      clip = await callOn<typeof clip>(s, el.objectId, PAGE_RECT_FN);
      if (clip.width < 1 || clip.height < 1) throw new BdgError('UNEXPECTED_ERROR', `${el.info.ref ?? ''} <${el.info.tag}> has no size to capture (hidden?)`);
      beyond = true;
      element = el.info;
    } else if (params['viewport'] === true) {
      clip = { x: vv.pageX, y: vv.pageY, width: vv.clientWidth, height: vv.clientHeight };
    } else {
      const cs = metrics.cssContentSize;
      // Chrome cannot capture arbitrarily tall surfaces; very long pages are cut (reported as truncated).
      clip = { x: 0, y: 0, width: Math.max(1, Math.ceil(cs.width)), height: Math.max(1, Math.min(Math.ceil(cs.height), 16_384)) };
      beyond = true;
    }
    const truncated = params['viewport'] !== true && params['selector'] === undefined && Math.ceil(metrics.cssContentSize.height) > clip.height;
    const maxWidth = params['maxWidth'] as number | undefined;
    const scale = maxWidth !== undefined && clip.width > maxWidth ? maxWidth / clip.width : 1;
    const req: Record<string, unknown> = { format, clip: { ...clip, scale }, captureBeyondViewport: beyond, fromSurface: true };
    if (format === 'jpeg') req['quality'] = params['quality'];
    const shot = await s.pageSend<Protocol.Page.CaptureScreenshotResponse>('Page.captureScreenshot', req, { signal, timeoutMs: 50_000 });
    const bytes = Buffer.from(shot.data, 'base64');
    const size = imageSize(bytes);
    await writeFileAtomic(file, bytes, 0o644);
    return {
      path: file,
      format,
      bytes: bytes.length,
      width: size?.width ?? null,
      height: size?.height ?? null,
      mode: params['selector'] !== undefined ? 'element' : params['viewport'] === true ? 'viewport' : 'full-page',
      scaled: scale < 1,
      ...(truncated ? { truncated: true } : {}),
      ...(element !== undefined ? { element } : {}),
    };
  });
}

interface AxValue {
  value?: unknown;
}
interface AxNode {
  nodeId: string;
  ignored: boolean;
  role?: AxValue;
  name?: AxValue;
  value?: AxValue;
  properties?: Array<{ name: string; value: AxValue }>;
  childIds?: string[];
  parentId?: string;
  backendDOMNodeId?: number;
}

const BORING = new Set(['generic', 'none', 'presentation', 'LineBreak', 'InlineTextBox', 'RootWebArea', 'WebArea']);
const STATE_PROPS = ['focused', 'disabled', 'checked', 'pressed', 'expanded', 'selected', 'required', 'invalid', 'readonly', 'multiselectable', 'modal', 'busy'];

function states(n: AxNode): string[] {
  const out: string[] = [];
  for (const p of n.properties ?? []) {
    const v = p.value.value;
    if (p.name === 'level') out.push(`level=${String(v)}`);
    else if (STATE_PROPS.includes(p.name)) {
      if (v === true || v === 'true') out.push(p.name);
      else if (v === 'mixed') out.push(`${p.name}=mixed`);
      else if ((p.name === 'checked' || p.name === 'expanded' || p.name === 'pressed') && (v === false || v === 'false')) out.push(`not ${p.name}`);
    }
  }
  return out;
}

async function axTree(ctx: HandlerContext, signal: AbortSignal): Promise<{ nodes: AxNode[]; loaderId: string }> {
  const loaderId = await mainLoaderId(ctx.session, signal);
  const { nodes } = await ctx.session.pageSend<{ nodes: AxNode[] }>('Accessibility.getFullAXTree', {}, { signal, timeoutMs: 25_000 });
  return { nodes, loaderId };
}

function toA11y(ctx: HandlerContext, n: AxNode, loaderId: string): A11yNode {
  const role = String(n.role?.value ?? '');
  const name = String(n.name?.value ?? '');
  const out: A11yNode = { role, name };
  if (n.backendDOMNodeId !== undefined && role !== 'StaticText' && role !== 'RootWebArea') out.ref = refFor(ctx.session, loaderId, n.backendDOMNodeId, `${role} "${name.slice(0, 40)}"`);
  const v = n.value?.value;
  if (v !== undefined && v !== '') out.value = String(v);
  const st = states(n);
  if (st.length > 0) out.states = st;
  return out;
}

async function a11y(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const full = params['full'] === true;
  const limit = params['limit'] as number;
  const { nodes, loaderId } = await axTree(ctx, signal);
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const root = nodes.find((n) => n.parentId === undefined) ?? nodes[0];
  let count = 0;
  let truncated = false;
  const build = (n: AxNode, parentText: string): A11yNode[] => {
    const kids = (n.childIds ?? []).map((id) => byId.get(id)).filter((c): c is AxNode => c !== undefined);
    const role = String(n.role?.value ?? '');
    const name = String(n.name?.value ?? '');
    // Compact: ignored nodes and nameless generic containers give their children to their parent; text that
    // only repeats its parent's name is dropped.
    const skip = !full && (n.ignored || (BORING.has(role) && name === '') || role === 'InlineTextBox' || (role === 'StaticText' && (name.trim() === '' || parentText.includes(`\u0000${name}\u0000`))));
    if (skip) return kids.flatMap((c) => build(c, parentText));
    if (count >= limit) {
      truncated = true;
      return [];
    }
    count++;
    const node = toA11y(ctx, n, loaderId);
    const children = kids.flatMap((c) => build(c, `\u0000${name}\u0000${String(n.value?.value ?? '')}\u0000`));
    if (children.length > 0) node.children = children;
    return [node];
  };
  const tree = root !== undefined ? build(root, '') : [];
  return { url: ctx.session.page.url, nodes: count, truncated, tree };
}

async function a11yQuery(ctx: HandlerContext, params: Params, signal: AbortSignal): Promise<unknown> {
  const role = (params['role'] as string | undefined)?.toLowerCase();
  const name = (params['name'] as string | undefined)?.toLowerCase();
  if (role === undefined && name === undefined) throw new BdgError('INVALID_ARGUMENTS', 'dom a11y query needs --role and/or --name', 'Example: bdg dom a11y query --role button --name "place order"');
  const limit = params['limit'] as number;
  const { nodes, loaderId } = await axTree(ctx, signal);
  const hits = nodes.filter((n) => !n.ignored && (role === undefined || String(n.role?.value ?? '').toLowerCase() === role) && (name === undefined || String(n.name?.value ?? '').toLowerCase().includes(name)) && String(n.role?.value ?? '') !== 'InlineTextBox');
  return { role: role ?? null, name: name ?? null, total: hits.length, matches: hits.slice(0, limit).map((n) => toA11y(ctx, n, loaderId)) };
}

export const DOM_HANDLERS: Record<string, CommandHandler> = {
  'dom.query': query,
  'dom.get': get,
  'dom.eval': evaluate,
  'dom.screenshot': screenshot,
  'dom.a11y': a11y,
  'dom.a11y.query': a11yQuery,
  'dom.click': click,
  'dom.fill': fill,
  'dom.hover': hover,
  'dom.press': press,
  'dom.pressKey': press,
  'dom.submit': submit,
  'dom.scroll': scroll,
  'dom.wait': wait,
};

