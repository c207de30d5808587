import type { Protocol } from 'devtools-protocol';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import { BdgError } from '../../../util/errors.js';
import { sleep } from '../../../util/sleep.js';
import type { HandlerContext } from '../../context.js';
import { callOn, resolveTarget, runAction } from '../../dom/driver.js';
import { SIZE_FN, parsePoint, viewportPoint } from '../../dom/point.js';
import { actionPoint } from './actions.js';

/**
 * `dom drag`: mouse pressed on the source, moved in steps, released on the target. With Input.setInterceptDrags
 * on, Chrome hands bdg an HTML5 drag the page starts (dragstart) instead of running its own drag loop, which
 * headless Chrome cannot finish from synthetic mouse events; bdg then dispatches dragenter/dragover/drop with
 * the page's drag data, so draggable lists and drop zones work as with a real mouse.
 */
export async function drag(ctx: HandlerContext, params: ParamsOf<'dom.drag'>, signal: AbortSignal): Promise<ResultOf<'dom.drag'>> {
  const s = ctx.session;
  if ((params.target === undefined) === (params.to === undefined))
    throw new BdgError(
      'INVALID_ARGUMENTS',
      'dom drag needs a drop target or --to X,Y (one of them)',
      'Examples: bdg dom drag "#a" "#b" | bdg dom drag canvas --to 200,150',
    );
  const wait = Math.round(params.timeout * 1000);
  const deadline = Date.now() + wait;
  const o = { timeoutMs: 10_000, signal };
  const { result, triggered, compat } = await runAction(ctx, signal, { dialog: params.dialog, effects: 'pointer' }, async () => {
    const src = await resolveTarget(s, params.source, { waitMs: wait, signal });
    const sp = await actionPoint(ctx, params.source, src, true, params.fromOffset === undefined, deadline, signal);
    let from = { x: sp.x, y: sp.y };
    if (params.fromOffset !== undefined) {
      const off = parsePoint(params.fromOffset, '--from-offset');
      const size = await callOn<{ width: number; height: number }>(s, sp.el.objectId, SIZE_FN, [], { signal });
      from = { x: sp.x - size.width / 2 + off.x, y: sp.y - size.height / 2 + off.y };
    }
    let to: { x: number; y: number };
    let target: ResultOf<'dom.drag'>['target'];
    if (params.target !== undefined) {
      const t = await resolveTarget(s, params.target, { waitMs: wait, signal });
      const tp = await actionPoint(ctx, params.target, t, false, false, deadline, signal);
      to = { x: tp.x, y: tp.y };
      target = tp.el.info;
    } else to = await viewportPoint(s, parsePoint(params.to as string, '--to'), signal);

    let intercepted: Protocol.Input.DragData | undefined;
    const sessionId = s.pageSessionId;
    const off = s.conn.on((method, p, sid) => {
      if (sid === sessionId && method === 'Input.dragIntercepted') intercepted = (p as Protocol.Input.DragInterceptedEvent).data;
    });
    await s.pageSend('Input.setInterceptDrags', { enabled: true }, o);
    try {
      await s.pageSend('Input.dispatchMouseEvent', { type: 'mouseMoved', x: from.x, y: from.y, button: 'none' }, o);
      await s.pageSend('Input.dispatchMouseEvent', { type: 'mousePressed', x: from.x, y: from.y, button: 'left', buttons: 1, clickCount: 1 }, o);
      for (let i = 1; i <= params.steps; i++) {
        const x = from.x + ((to.x - from.x) * i) / params.steps;
        const y = from.y + ((to.y - from.y) * i) / params.steps;
        if (intercepted !== undefined) break;
        await s.pageSend('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, button: 'left', buttons: 1 }, o);
      }
      // Input.dragIntercepted arrives as an event just after the move that started the drag.
      if (intercepted === undefined) await sleep(30);
      if (intercepted !== undefined) {
        const data = intercepted;
        await s.pageSend('Input.dispatchDragEvent', { type: 'dragEnter', x: to.x, y: to.y, data }, o);
        await s.pageSend('Input.dispatchDragEvent', { type: 'dragOver', x: to.x, y: to.y, data }, o);
        await s.pageSend('Input.dispatchDragEvent', { type: 'drop', x: to.x, y: to.y, data }, o);
      }
      await s.pageSend('Input.dispatchMouseEvent', { type: 'mouseReleased', x: to.x, y: to.y, button: 'left', buttons: 0, clickCount: 1 }, o);
    } finally {
      off();
      await s.pageSend('Input.setInterceptDrags', { enabled: false }, { timeoutMs: 10_000 }).catch(() => undefined);
    }
    return {
      element: sp.el.info,
      from: { x: Math.round(from.x), y: Math.round(from.y) },
      to: { x: Math.round(to.x), y: Math.round(to.y) },
      ...(target !== undefined ? { target } : {}),
      html5: intercepted !== undefined,
    };
  });
  return { action: 'drag', ...result, ...compat, method: 'mouse events', elementType: result.element.tag, triggered };
}
