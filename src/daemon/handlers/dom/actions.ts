import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { ElementInfo } from '../../../protocol/results.js';
import { BdgError } from '../../../util/errors.js';
import { sleep } from '../../../util/sleep.js';
import type { HandlerContext } from '../../context.js';
import { GROUP, callOn, resolveTarget, runAction, type ElementHandle } from '../../dom/driver.js';
import { mouseClick, mouseMove, parseKey, pressKey } from '../../dom/input.js';
import { SIZE_FN, parsePoint, viewportPoint } from '../../dom/point.js';
import {
  ACTIONABLE_FN,
  FILL_KIND_FN,
  FIRE_CHANGE_FN,
  FOCUS_FN,
  FOCUS_SELECT_FN,
  READ_VALUE_FN,
  SCROLL_TO_FN,
  SCROLL_WINDOW_FN,
  SELECT_OPTION_FN,
  SET_CHECKED_FN,
  SET_VALUE_FN,
  SUBMIT_FN,
} from '../../dom/pageScripts.js';

/** How long a selector may take to match an actionable element (`--timeout S`; the contract gives the default). */
function waitMs(params: { timeout: number }): number {
  return Math.round(params.timeout * 1000);
}

/** Scrolls the element into view and checks it can take pointer input there; fails with the reason otherwise. */
export async function actionPoint(
  ctx: HandlerContext,
  target: string,
  el: ElementHandle,
  needEnabled: boolean,
  needHit: boolean,
  deadline: number,
  signal: AbortSignal,
): Promise<{ x: number; y: number; el: ElementHandle }> {
  let current = el;
  for (;;) {
    const r = await callOn<{ ok: boolean; reason?: string; by?: string; x?: number; y?: number }>(
      ctx.session,
      current.objectId,
      ACTIONABLE_FN,
      [needEnabled, needHit],
      { signal },
    );
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
      throw new BdgError(
        'UNEXPECTED_ERROR',
        `Cannot act on ${what}: ${reasons[r.reason ?? ''] ?? r.reason ?? 'not actionable'}`,
        r.reason === 'covered'
          ? 'Close the overlay first (dom press Escape, dom click on its close button), or wait for it to go.'
          : 'Check the element with `bdg dom get`; wait for it with `bdg dom wait --selector`.',
        { reason: r.reason, ...(r.by !== undefined ? { coveredBy: r.by } : {}) },
      );
    }
    await sleep(100);
    // A selector is looked up again: the page may have re-rendered the element. A ref stays the same node.
    if (!/^(?:ref=)?e\d+$/.test(target.trim())) current = await resolveTarget(ctx.session, target, { waitMs: 0, signal }).catch(() => current);
  }
}

export async function click(ctx: HandlerContext, params: ParamsOf<'dom.click'>, signal: AbortSignal): Promise<ResultOf<'dom.click'>> {
  const { target } = params;
  if ((target === undefined) === (params.at === undefined))
    throw new BdgError('INVALID_ARGUMENTS', 'dom click needs a target or --at X,Y (one of them)', 'Examples: bdg dom click e4 | bdg dom click --at 120,340');
  const wait = waitMs(params);
  const deadline = Date.now() + wait;
  const button = params.right ? 'right' : 'left';
  const { result, triggered } = await runAction(ctx, signal, { dialog: params.dialog }, async () => {
    if (target === undefined) {
      const v = await viewportPoint(ctx.session, parsePoint(params.at as string, '--at'), signal);
      await mouseClick(ctx.session, v.x, v.y, { button, double: params.double, signal });
      return { x: Math.round(v.x), y: Math.round(v.y) };
    }
    const el = await resolveTarget(ctx.session, target, { waitMs: wait, signal });
    // With --offset the point is the caller's, not the centre: only visibility and enabled state are checked.
    const p = await actionPoint(ctx, target, el, true, params.offset === undefined, deadline, signal);
    let { x, y } = p;
    if (params.offset !== undefined) {
      const off = parsePoint(params.offset, '--offset');
      const size = await callOn<{ width: number; height: number }>(ctx.session, p.el.objectId, SIZE_FN, [], { signal });
      x = p.x - size.width / 2 + off.x;
      y = p.y - size.height / 2 + off.y;
    }
    await mouseClick(ctx.session, x, y, { button, double: params.double, signal });
    return { element: p.el.info, x: Math.round(x), y: Math.round(y) };
  });
  return { action: params.double ? 'double-click' : params.right ? 'right-click' : 'click', ...result, triggered };
}

export async function hover(ctx: HandlerContext, params: ParamsOf<'dom.hover'>, signal: AbortSignal): Promise<ResultOf<'dom.hover'>> {
  const { target } = params;
  const wait = waitMs(params);
  const deadline = Date.now() + wait;
  const { result, triggered } = await runAction(ctx, signal, { dialog: params.dialog }, async () => {
    const el = await resolveTarget(ctx.session, target, { waitMs: wait, signal });
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

export async function fill(ctx: HandlerContext, params: ParamsOf<'dom.fill'>, signal: AbortSignal): Promise<ResultOf<'dom.fill'>> {
  const { target, value } = params;
  const s = ctx.session;
  const wait = waitMs(params);
  const deadline = Date.now() + wait;
  const { result, triggered } = await runAction(
    ctx,
    signal,
    { dialog: params.dialog },
    async (): Promise<Omit<ResultOf<'dom.fill'>, 'action' | 'triggered'>> => {
      const el = await resolveTarget(s, target, { waitMs: wait, signal });
      const kind = await callOn<{ kind: string; type?: string; readOnly?: boolean; multiple?: boolean; checked?: boolean; tag?: string }>(
        s,
        el.objectId,
        FILL_KIND_FN,
      );
      if (kind.kind === 'none') {
        throw new BdgError(
          'INVALID_ARGUMENTS',
          `${el.info.ref ?? ''} <${el.info.tag}${kind.type !== undefined ? ` type=${kind.type}` : ''}> is not a fillable control`,
          'Fill inputs, textareas, selects or contenteditable elements; use `dom click` for buttons.',
        );
      }
      if (el.info.disabled === true)
        throw new BdgError('UNEXPECTED_ERROR', `Cannot fill ${el.info.ref ?? ''} <${el.info.tag}>: it is disabled`, undefined, { reason: 'disabled' });
      if (kind.readOnly === true)
        throw new BdgError('UNEXPECTED_ERROR', `Cannot fill ${el.info.ref ?? ''} <${el.info.tag}>: it is read-only`, undefined, { reason: 'readonly' });
      switch (kind.kind) {
        case 'file': {
          const path = resolve(params.cwd ?? '/', value);
          const st = await stat(path).catch(() => undefined);
          if (st === undefined || !st.isFile()) throw new BdgError('NOT_FOUND', `No such file: ${path}`, 'Give the path of a file to upload.');
          await s.pageSend('DOM.setFileInputFiles', { files: [path], backendNodeId: el.backendNodeId }, { signal, timeoutMs: 10_000 });
          return { element: el.info, kind: 'file', value: path };
        }
        case 'select': {
          const r = await callOn<{ ok: boolean; value?: string; label?: string; options?: Array<{ value: string; label: string }> }>(
            s,
            el.objectId,
            SELECT_OPTION_FN,
            [value],
          );
          if (!r.ok)
            throw new BdgError(
              'NOT_FOUND',
              `No option "${value}" in ${el.info.ref ?? ''} <select>`,
              `Options (value: label): ${(r.options ?? []).map((o) => `${o.value}: ${o.label}`).join(', ')}`,
            );
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
          if (v !== value)
            throw new BdgError(
              'INVALID_ARGUMENTS',
              `<input type=${kind.type ?? '?'}> did not accept "${value}" (value is now "${v}")`,
              'Use the format the input type expects (date: 2024-05-31, time: 13:45, color: #ff0000).',
            );
          return { element: el.info, kind: kind.type ?? 'value', value: v, method: 'value-setter' };
        }
      }
    },
  );
  return { action: 'fill', ...result, triggered };
}

export async function press(ctx: HandlerContext, params: ParamsOf<'dom.press' | 'dom.pressKey'>, signal: AbortSignal): Promise<ResultOf<'dom.press'>> {
  const key = parseKey(params.key);
  const { result, triggered } = await runAction(ctx, signal, { dialog: params.dialog }, async () => {
    let element: ElementInfo | undefined;
    if (params.selector !== undefined) {
      const el = await resolveTarget(ctx.session, params.selector, { waitMs: 5_000, signal });
      await callOn(ctx.session, el.objectId, FOCUS_FN);
      element = el.info;
    }
    await pressKey(ctx.session, key, signal);
    return { key: [...key.modifiers, key.def.key === ' ' ? 'Space' : key.def.key].join('+'), ...(element !== undefined ? { element } : {}) };
  });
  return { action: 'press', ...result, triggered };
}

export async function submit(ctx: HandlerContext, params: ParamsOf<'dom.submit'>, signal: AbortSignal): Promise<ResultOf<'dom.submit'>> {
  const { target } = params;
  const timeoutMs = Math.round(params.timeout * 1000);
  const { result, triggered } = await runAction(ctx, signal, { dialog: params.dialog, settleQuietMs: 500, settleMaxMs: timeoutMs }, async () => {
    const el = await resolveTarget(ctx.session, target, { waitMs: 5_000, signal });
    const r = await callOn<{ ok: boolean; action?: string; method?: string }>(ctx.session, el.objectId, SUBMIT_FN);
    if (!r.ok)
      throw new BdgError(
        'NOT_FOUND',
        `${el.info.ref ?? ''} <${el.info.tag}> is not a form and not inside one`,
        'Pass the form (e.g. "form#login") or a field inside it.',
      );
    return { element: el.info, form: { action: r.action, method: r.method } };
  });
  if (!triggered.settled) {
    throw new BdgError(
      'TIMEOUT',
      `The form was submitted but the page did not finish loading or go quiet within ${params.timeout} s`,
      'Raise --timeout, or check `bdg peek` for the request it is waiting on.',
      { triggered },
    );
  }
  return { action: 'submit', ...result, triggered };
}

export async function scroll(ctx: HandlerContext, params: ParamsOf<'dom.scroll'>, signal: AbortSignal): Promise<ResultOf<'dom.scroll'>> {
  const { target } = params;
  const hasXY = params.x !== undefined || params.y !== undefined;
  const count = (target !== undefined ? 1 : 0) + (hasXY ? 1 : 0) + (params.bottom ? 1 : 0);
  if (count !== 1)
    throw new BdgError(
      'INVALID_ARGUMENTS',
      'dom scroll needs exactly one of: a target, --x/--y, or --bottom',
      'Examples: bdg dom scroll "#footer" | bdg dom scroll --y 800 | bdg dom scroll --bottom',
    );
  const { result, triggered } = await runAction(
    ctx,
    signal,
    { dialog: params.dialog, settleQuietMs: 200 },
    async (): Promise<Omit<ResultOf<'dom.scroll'>, 'action' | 'triggered'>> => {
      if (target !== undefined) {
        const el = await resolveTarget(ctx.session, target, { waitMs: 5_000, signal });
        const pos = await callOn<{ x: number; y: number }>(ctx.session, el.objectId, SCROLL_TO_FN);
        return { element: el.info, scroll: pos };
      }
      const doc = await ctx.session.pageSend('Runtime.evaluate', { expression: 'document', objectGroup: GROUP });
      const pos = await callOn<Record<string, number>>(ctx.session, doc.result.objectId as string, SCROLL_WINDOW_FN, [
        params.x ?? null,
        params.y ?? null,
        params.bottom,
      ]);
      return { scroll: pos };
    },
  );
  return { action: 'scroll', ...result, triggered };
}
