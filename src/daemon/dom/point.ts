import { objectGroup } from './objectGroup.js';
import { BdgError } from '../../util/errors.js';
import type { BrowserSession } from '../session.js';
import { callOn } from './driver.js';

/** `X,Y` from --at, --to, --offset. */
export function parsePoint(value: string, flag: string): { x: number; y: number } {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,x ]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  if (m === null) throw new BdgError('INVALID_ARGUMENTS', `${flag} needs X,Y in CSS pixels (got "${value}")`, `Example: ${flag} 120,340`);
  return { x: Number(m[1]), y: Number(m[2]) };
}

/** `this` = document; scrolls so page point (x, y) is in the viewport and returns it in viewport coordinates. */
const PAGE_POINT_FN = `function (x, y) {
  const w = this.defaultView;
  const vw = w.innerWidth, vh = w.innerHeight;
  if (x < w.scrollX || x >= w.scrollX + vw || y < w.scrollY || y >= w.scrollY + vh) w.scrollTo(Math.max(0, x - vw / 2), Math.max(0, y - vh / 2));
  return { x: x - w.scrollX, y: y - w.scrollY, inside: x - w.scrollX >= 0 && x - w.scrollX < vw && y - w.scrollY >= 0 && y - w.scrollY < vh };
}`;

/** A page-coordinate point as a viewport point Input.dispatchMouseEvent takes (scrolling to it first). */
export async function viewportPoint(session: BrowserSession, page: { x: number; y: number }, signal?: AbortSignal): Promise<{ x: number; y: number }> {
  const doc = await session.pageSend(
    'Runtime.evaluate',
    { expression: 'document', objectGroup: objectGroup() },
    { timeoutMs: 10_000, ...(signal !== undefined ? { signal } : {}) },
  );
  const r = await callOn<{ x: number; y: number; inside: boolean }>(
    session,
    doc.result.objectId as string,
    PAGE_POINT_FN,
    [page.x, page.y],
    signal !== undefined ? { signal } : {},
  );
  if (!r.inside)
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `The point ${page.x},${page.y} is outside the page`,
      'Page coordinates start at the document top-left; check its size with `bdg dom eval "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"`.',
    );
  return { x: r.x, y: r.y };
}

/** `this` = element -> its border box size, to turn an action point (its centre) into its top-left. */
export const SIZE_FN = `function () { const r = this.getBoundingClientRect(); return { width: r.width, height: r.height }; }`;
