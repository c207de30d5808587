import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import { sleep } from '../../../util/sleep.js';
import type { HandlerContext } from '../../context.js';
import { callOn, resolveTarget, runAction } from '../../dom/driver.js';
import { mouseClick } from '../../dom/input.js';
import { typeChar } from '../../dom/keyboard.js';
import { FOCUS_FN, READ_VALUE_FN } from '../../dom/pageScripts.js';
import { actionPoint } from './actions.js';

/** Longest value `dom type` reports back. */
const VALUE_CUT = 200;

/**
 * `dom type`: focuses the target (DOM focus, or a real click where the element does not take focus itself, as
 * code editors whose input is a hidden textarea), then types each character with key events.
 */
export async function type(ctx: HandlerContext, params: ParamsOf<'dom.type'>, signal: AbortSignal): Promise<ResultOf<'dom.type'>> {
  const wait = Math.round(params.timeout * 1000);
  const deadline = Date.now() + wait;
  const s = ctx.session;
  const { result, triggered, compat } = await runAction(ctx, signal, { dialog: params.dialog }, async () => {
    const el = await resolveTarget(s, params.target, { waitMs: wait, signal });
    const focused = await callOn<boolean>(s, el.objectId, FOCUS_FN, [], { signal });
    if (!focused) {
      const p = await actionPoint(ctx, params.target, el, true, false, deadline, signal);
      await mouseClick(s, p.x, p.y, { button: 'left', double: false, signal });
    }
    const chars = [...params.text];
    for (const [i, ch] of chars.entries()) {
      if (signal.aborted) break;
      await typeChar(s, ch, signal);
      if (params.delay > 0 && i < chars.length - 1) await sleep(params.delay);
    }
    const now = await callOn<{ value: string | null }>(s, el.objectId, READ_VALUE_FN, [], { signal }).catch(() => ({ value: null }));
    const value = now.value ?? undefined;
    return {
      element: el.info,
      typed: chars.length,
      ...(value !== undefined ? { value: value.length > VALUE_CUT ? `${value.slice(0, VALUE_CUT)}…` : value } : {}),
    };
  });
  return { action: 'type', ...result, ...compat, method: 'key events', elementType: result.element.tag, triggered };
}
