import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { ActionCompat, ElementInfo } from '../../../protocol/results.js';
import { BdgError } from '../../../util/errors.js';
import { sleep } from '../../../util/sleep.js';
import type { HandlerContext } from '../../context.js';
import { callOn, documentObject, isContextGone, resolveTarget, runAction, viaLabel, type ElementHandle } from '../../dom/driver.js';
import { mouseClick, mouseMove, parseKey, pressKey } from '../../dom/input.js';
import { SIZE_FN, parsePoint, viewportPoint } from '../../dom/point.js';
import {
  ACTIONABLE_FN,
  FILL_KIND_FN,
  FILL_STATE_FN,
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
  SUBMIT_WATCH_FN,
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
  index?: number,
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
        disabled: `it is disabled (${r.by ?? 'disabled'})`,
        'no-pointer-events': 'it does not take pointer events (pointer-events: none), so a click there reaches what is below',
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
        { reason: r.reason, ...(r.by !== undefined ? (r.reason === 'disabled' ? { disabledBy: r.by } : { coveredBy: r.by }) : {}) },
      );
    }
    await sleep(100);
    // A selector is looked up again: the page may have re-rendered the element. A ref stays the same node.
    if (!/^(?:ref=)?e\d+$/.test(target.trim())) current = await resolveTarget(ctx.session, target, { waitMs: 0, signal, index }).catch(() => current);
  }
}

/** `--no-wait` (the original bdg's): the effects are reported as far as they got, without waiting for them to settle. */
function noWait(params: { wait?: boolean }): { settleMaxMs?: number } {
  return params.wait === false ? { settleMaxMs: 0 } : {};
}

/**
 * The original bdg's `--strict`: where it would fall back to DOM events it fails with exit 90 instead. bdg never
 * falls back (it refuses an element a user could not click, exit 104), so `--strict` only gives that refusal the
 * original's code.
 */
async function strictly<T>(strict: boolean, point: Promise<T>): Promise<T> {
  try {
    return await point;
  } catch (err) {
    if (!strict || !(err instanceof BdgError) || err.code !== 'UNEXPECTED_ERROR') throw err;
    throw new BdgError('RESOURCE_CONFLICT', `${err.message} (--strict: no DOM-event fallback)`, err.hint, err.data);
  }
}

export async function click(ctx: HandlerContext, params: ParamsOf<'dom.click'>, signal: AbortSignal): Promise<ResultOf<'dom.click'>> {
  const { target } = params;
  if (params.index !== undefined && target === undefined) throw new BdgError('INVALID_ARGUMENTS', '--index needs a selector to pick from');
  if ((target === undefined) === (params.at === undefined))
    throw new BdgError('INVALID_ARGUMENTS', 'dom click needs a target or --at X,Y (one of them)', 'Examples: bdg dom click e4 | bdg dom click --at 120,340');
  const wait = waitMs(params);
  const deadline = Date.now() + wait;
  const button = params.right ? 'right' : 'left';
  const { result, triggered, compat } = await runAction(ctx, signal, { dialog: params.dialog, effects: 'pointer', ...noWait(params) }, async () => {
    if (target === undefined) {
      const v = await viewportPoint(ctx.session, parsePoint(params.at as string, '--at'), signal);
      await watchingSubmit(ctx, signal, 'The click', () => mouseClick(ctx.session, v.x, v.y, { button, double: params.double, signal }));
      return { x: Math.round(v.x), y: Math.round(v.y) };
    }
    const el = await resolveTarget(ctx.session, target, { waitMs: wait, signal, index: params.index });
    // With --offset the point is the caller's, not the centre: only visibility and enabled state are checked.
    const p = await strictly(params.strict, actionPoint(ctx, target, el, true, params.offset === undefined, deadline, signal, params.index));
    let { x, y } = p;
    if (params.offset !== undefined) {
      const off = parsePoint(params.offset, '--offset');
      const size = await callOn<{ width: number; height: number }>(ctx.session, p.el.objectId, SIZE_FN, [], { signal });
      x = p.x - size.width / 2 + off.x;
      y = p.y - size.height / 2 + off.y;
    }
    await watchingSubmit(ctx, signal, 'The click', () => mouseClick(ctx.session, x, y, { button, double: params.double, signal }));
    return { element: p.el.info, x: Math.round(x), y: Math.round(y) };
  });
  return {
    action: params.double ? 'double-click' : params.right ? 'right-click' : 'click',
    ...result,
    ...compat,
    method: 'mouse events',
    ...(result.element !== undefined ? { elementType: result.element.tag } : {}),
    triggered,
  };
}

export async function hover(ctx: HandlerContext, params: ParamsOf<'dom.hover'>, signal: AbortSignal): Promise<ResultOf<'dom.hover'>> {
  const { target } = params;
  if (params.off === (target !== undefined) || (params.off && params.index !== undefined))
    throw new BdgError(
      'INVALID_ARGUMENTS',
      params.off ? '--off moves the mouse off the page: give no target' : 'dom hover needs a target, or --off',
      'Examples: bdg dom hover "nav .menu" | bdg dom hover --off',
    );
  const wait = waitMs(params);
  const deadline = Date.now() + wait;
  if (target === undefined) {
    // Off the page: Chrome sends mouseout/mouseleave to what was under the pointer and ends :hover.
    const { triggered, compat } = await runAction(ctx, signal, { dialog: params.dialog, effects: 'pointer', ...noWait(params) }, () =>
      mouseMove(ctx.session, -1, -1, signal),
    );
    return { action: 'hover-off', ...compat, method: 'mouse events', x: -1, y: -1, triggered };
  }
  const { result, triggered, compat } = await runAction(ctx, signal, { dialog: params.dialog, effects: 'pointer', ...noWait(params) }, async () => {
    const el = await resolveTarget(ctx.session, target, { waitMs: wait, signal, index: params.index });
    const p = await strictly(params.strict, actionPoint(ctx, target, el, false, true, deadline, signal, params.index));
    await mouseMove(ctx.session, p.x, p.y, signal);
    return { element: p.el.info, x: Math.round(p.x), y: Math.round(p.y) };
  });
  return { action: 'hover', ...result, ...compat, method: 'mouse events', elementType: result.element.tag, triggered };
}

interface FillState {
  value: string;
  maxLength: number;
  badInput: boolean;
  rangeOverflow: boolean;
  rangeUnderflow: boolean;
  validationMessage: string;
}

function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function describe(info: ElementInfo, type?: string): string {
  return `${info.ref ?? ''} <${info.tag}${type !== undefined ? ` type=${type}` : ''}>`.trim();
}

/** What the browser's form validation stopped: the first invalid field and its message. */
interface Blocked {
  field: string;
  name?: string;
  validationMessage: string;
}

function blockedError(what: string, b: Blocked): BdgError {
  return new BdgError(
    'INVALID_ARGUMENTS',
    `${what} was blocked by the browser's form validation: ${b.field}${b.name !== undefined ? ` (name=${b.name})` : ''}: ${b.validationMessage}`,
    `Fill the field first (bdg dom fill "${b.name !== undefined ? `[name=${b.name}]` : b.field}" <value>), then try again.`,
    { submitBlocked: b },
  );
}

/** Runs a click or key press and fails when form validation blocked the submission it caused (no submit event). */
async function watchingSubmit<T>(ctx: HandlerContext, signal: AbortSignal, what: string, act: () => Promise<T>): Promise<T> {
  const s = ctx.session;
  const watch = async (phase: 'start' | 'stop'): Promise<Blocked | null> =>
    callOn<Blocked | null>(s, await documentObject(s, signal), SUBMIT_WATCH_FN, [phase], { signal }).catch((err: unknown) => {
      if (isContextGone(err)) return null; // a navigation: the form was submitted (or something else happened)
      throw err;
    });
  await watch('start');
  const result = await act();
  const blocked = await watch('stop');
  if (blocked !== null) throw blockedError(what, blocked);
  return result;
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
  const { result, triggered, compat } = await runAction(
    ctx,
    signal,
    { dialog: params.dialog, ...noWait(params) },
    async (): Promise<Omit<ResultOf<'dom.fill'>, 'action' | 'triggered' | keyof ActionCompat>> => {
      const el = await viaLabel(s, await resolveTarget(s, target, { waitMs: wait, signal, index: params.index }));
      const kind = await callOn<{ kind: string; type?: string; readOnly?: boolean; multiple?: boolean; checked?: boolean; tag?: string; secret?: boolean }>(
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
          const before = kind.kind === 'text' ? await callOn<FillState>(s, el.objectId, FILL_STATE_FN) : undefined;
          const echo = kind.secret === true ? 'the value' : `"${clip(value)}"`;
          if (before !== undefined && before.maxLength >= 0 && value.length > before.maxLength) {
            throw new BdgError(
              'INVALID_ARGUMENTS',
              `Cannot fill ${describe(el.info, kind.type)} with ${echo}: it is ${value.length} characters and the field takes at most ${before.maxLength} (maxlength)`,
              `Give at most ${before.maxLength} characters; the field keeps its value.`,
              { reason: 'maxlength', maxLength: before.maxLength, length: value.length },
            );
          }
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
          let warning: string | undefined;
          if (before !== undefined) {
            const after = await callOn<FillState>(s, el.objectId, FILL_STATE_FN);
            // The browser sanitised the value away ("abc" in type=number) or holds input it cannot parse: refuse,
            // as a user would see the field empty or invalid, and give the field its value back.
            if (after.badInput || (value !== '' && after.value === '')) {
              await callOn(s, el.objectId, SET_VALUE_FN, [before.value, false]).catch(() => undefined);
              throw new BdgError(
                'INVALID_ARGUMENTS',
                `${describe(el.info, kind.type)} did not accept ${echo}${kind.type === 'number' ? ': it is not a number' : ''}${after.validationMessage !== '' ? ` (${after.validationMessage})` : ''}`,
                kind.type === 'number' ? 'Give a number such as 42 or 3.5; the field keeps its value.' : 'Give a value of the form the field expects.',
                { reason: after.badInput ? 'bad-input' : 'rejected', ...(kind.secret === true ? {} : { value: after.value }) },
              );
            }
            if (after.rangeOverflow || after.rangeUnderflow) warning = `The value is out of the field's range: ${after.validationMessage}`;
            else if (after.value !== value) warning = `The page changed the value to "${clip(after.value)}"`;
          }
          now = { value: await callOn<string>(s, el.objectId, FIRE_CHANGE_FN) };
          // A secret's value is never echoed (the page has it; the terminal, logs and transcripts need not).
          const shown = kind.secret === true ? (now.value === '' ? '' : '••••••') : now.value;
          if (kind.secret === true && warning !== undefined) warning = 'The page changed the value';
          return {
            element: el.info,
            kind: kind.kind,
            value: shown,
            method,
            ...(warning !== undefined ? { warning } : {}),
            ...(kind.secret === true ? { masked: true } : {}),
          };
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
  return {
    action: 'fill',
    ...result,
    ...compat,
    elementType: `${result.element.tag}${result.element.viaLabel !== undefined ? ' (via label)' : ''}`,
    triggered,
  };
}

export async function press(
  ctx: HandlerContext,
  params: ParamsOf<'dom.press'> | ParamsOf<'dom.pressKey'>,
  signal: AbortSignal,
): Promise<ResultOf<'dom.press'>> {
  // `dom pressKey <target> <key>` (the original bdg's form) or `<key>` alone; --selector focuses too.
  const p = params as unknown as { key?: string; target?: string; selector?: string; times?: number; modifiers?: string; index?: number; wait?: boolean };
  let spec = p.key;
  let focusOn = p.selector;
  if (p.target !== undefined) {
    if (spec === undefined) spec = p.target;
    else if (focusOn === undefined) focusOn = p.target;
    else throw new BdgError('INVALID_ARGUMENTS', 'Give the element to focus once: as the first argument or as --selector');
  }
  if (spec === undefined) throw new BdgError('INVALID_ARGUMENTS', 'Which key? For example: bdg dom pressKey "#q" Enter');
  if (p.index !== undefined && focusOn === undefined)
    throw new BdgError('INVALID_ARGUMENTS', '--index needs a target selector to pick from', 'For example: bdg dom pressKey "input" Enter --index 1');
  const mods = (p.modifiers ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  const key = parseKey([...mods, spec].join('+'));
  const times = p.times ?? 1;
  const { result, triggered, compat } = await runAction(ctx, signal, { dialog: params.dialog, effects: 'keys', ...noWait(p) }, async () => {
    let element: ElementInfo | undefined;
    if (focusOn !== undefined) {
      const el = await viaLabel(ctx.session, await resolveTarget(ctx.session, focusOn, { waitMs: 5_000, signal, index: p.index }));
      await callOn(ctx.session, el.objectId, FOCUS_FN);
      element = el.info;
    }
    await watchingSubmit(ctx, signal, `Pressing ${spec}`, async () => {
      for (let i = 0; i < times; i++) await pressKey(ctx.session, key, signal);
    });
    return { key: [...key.modifiers, key.def.key === ' ' ? 'Space' : key.def.key].join('+'), ...(element !== undefined ? { element } : {}) };
  });
  return {
    action: 'press',
    ...result,
    ...compat,
    method: 'key events',
    ...(result.element !== undefined ? { elementType: result.element.tag } : {}),
    triggered,
  };
}

export async function submit(ctx: HandlerContext, params: ParamsOf<'dom.submit'>, signal: AbortSignal): Promise<ResultOf<'dom.submit'>> {
  const { target } = params;
  const timeoutMs = Math.round(params.timeout * 1000);
  const started = Date.now();
  const quietMs = params.waitNetwork ?? 500;
  const { result, triggered, compat } = await runAction(
    ctx,
    signal,
    { dialog: params.dialog, settleQuietMs: quietMs, settleMaxMs: timeoutMs },
    async (watcher) => {
      const el = await resolveTarget(ctx.session, target, { waitMs: 5_000, signal, index: params.index });
      const r = await callOn<{ ok: boolean; action?: string; method?: string; submitted?: boolean; blocked?: Blocked }>(ctx.session, el.objectId, SUBMIT_FN);
      if (!r.ok)
        throw new BdgError(
          'NOT_FOUND',
          `${el.info.ref ?? ''} <${el.info.tag}> is not a form and not inside one`,
          'Pass the form (e.g. "form#login") or a field inside it.',
        );
      if (r.blocked !== undefined) throw blockedError('The submission', r.blocked);
      // --wait-navigation (the original bdg's): network quiet alone does not end the wait; a navigation (or --timeout) does.
      if (params.waitNavigation) await watcher.waitForLoad(Math.max(0, started + timeoutMs - Date.now()), signal);
      return { element: el.info, form: { action: r.action, method: r.method } };
    },
  );
  const navigationOccurred = triggered.navigated || triggered.url !== triggered.urlBefore;
  const waitTimeMs = Date.now() - started;
  if (!triggered.settled) {
    throw new BdgError(
      'TIMEOUT',
      `The form was submitted but the page did not finish loading or go quiet within ${params.timeout} s`,
      'Raise --timeout, or check `bdg peek` for the request it is waiting on.',
      { triggered },
    );
  }
  const warning = params.waitNavigation && !navigationOccurred ? `No navigation within ${params.timeout} s (--wait-navigation)` : undefined;
  return {
    action: 'submit',
    ...result,
    ...compat,
    method: 'requestSubmit',
    elementType: result.element.tag,
    navigationOccurred,
    waitTimeMs,
    ...(warning !== undefined ? { warning } : {}),
    triggered,
  };
}

export async function scroll(ctx: HandlerContext, params: ParamsOf<'dom.scroll'>, signal: AbortSignal): Promise<ResultOf<'dom.scroll'>> {
  const { target } = params;
  const hasXY = params.x !== undefined || params.y !== undefined;
  // The original bdg's relative forms: --down/--up/--left/--right PX.
  const hasBy = [params.down, params.up, params.left, params.right].some((v) => v !== undefined);
  if (params.index !== undefined && target === undefined) throw new BdgError('INVALID_ARGUMENTS', '--index needs a selector to pick from');
  if ((params.down !== undefined && params.up !== undefined) || (params.left !== undefined && params.right !== undefined))
    throw new BdgError('INVALID_ARGUMENTS', 'Give one vertical (--down or --up) and one horizontal (--left or --right) direction at most');
  const count = (target !== undefined ? 1 : 0) + (hasXY ? 1 : 0) + (hasBy ? 1 : 0) + (params.bottom ? 1 : 0) + (params.top ? 1 : 0);
  if (count !== 1)
    throw new BdgError(
      'INVALID_ARGUMENTS',
      'dom scroll needs exactly one of: a target, --x/--y, --down/--up/--left/--right, --top or --bottom',
      'Examples: bdg dom scroll "#footer" | bdg dom scroll --y 800 | bdg dom scroll --down 500 | bdg dom scroll --bottom',
    );
  const dx = (params.right ?? 0) - (params.left ?? 0);
  const dy = (params.down ?? 0) - (params.up ?? 0);
  const { result, triggered, compat } = await runAction(
    ctx,
    signal,
    { dialog: params.dialog, settleQuietMs: 200, ...noWait(params) },
    async (): Promise<Omit<ResultOf<'dom.scroll'>, 'action' | 'triggered' | keyof ActionCompat>> => {
      if (target !== undefined) {
        const el = await resolveTarget(ctx.session, target, { waitMs: 5_000, signal, index: params.index });
        const pos = await callOn<{ x: number; y: number }>(ctx.session, el.objectId, SCROLL_TO_FN);
        return { element: el.info, scroll: pos };
      }
      const doc = await documentObject(ctx.session, signal);
      const pos = await callOn<Record<string, number>>(ctx.session, doc, SCROLL_WINDOW_FN, [
        params.x ?? null,
        params.y ?? null,
        params.bottom,
        params.top,
        dx,
        dy,
      ]);
      return { scroll: pos };
    },
  );
  return { action: 'scroll', ...result, ...compat, method: 'scroll', ...(result.element !== undefined ? { elementType: result.element.tag } : {}), triggered };
}
