import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Protocol } from 'devtools-protocol';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { ElementInfo } from '../../../protocol/results.js';
import { BdgError } from '../../../util/errors.js';
import { writeError, writeFileAtomic } from '../../../util/fsx.js';
import type { HandlerContext } from '../../context.js';
import { callOn, readOnly, resolveTarget } from '../../dom/driver.js';
import { imageSize } from '../../dom/image.js';
import { PAGE_RECT_FN } from '../../dom/pageScripts.js';

/** `dom screenshot`: full page, viewport or one element, written atomically. */
export async function screenshot(ctx: HandlerContext, params: ParamsOf<'dom.screenshot'>, signal: AbortSignal): Promise<ResultOf<'dom.screenshot'>> {
  const { file, maxWidth } = params;
  // The original bdg's forms: `dom screenshot <file> [target]` and `--no-full-page` for the viewport.
  if (params.target !== undefined && params.selector !== undefined && params.target !== params.selector)
    throw new BdgError('INVALID_ARGUMENTS', 'Give the element once: as the second argument or as --selector');
  const selector = params.target ?? params.selector;
  // An element capture has its own size: --no-full-page (the original's viewport switch) does not apply to it.
  const viewport = params.viewport || (!params.fullPage && selector === undefined);
  const ext = file.toLowerCase().split('.').pop() ?? '';
  const fromExt = ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : ext === 'png' ? 'png' : undefined;
  const asked = params.format === 'jpg' ? 'jpeg' : params.format;
  // As in the original bdg, a .png/.jpg/.jpeg file and --format must agree (other extensions take --format).
  if (asked !== undefined && fromExt !== undefined && asked !== fromExt)
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `--format ${params.format ?? ''} does not match the file's extension .${ext}`,
      `Name the file .${asked === 'jpeg' ? 'jpg' : 'png'}, or drop --format.`,
    );
  const format = asked ?? fromExt ?? 'png';
  if (viewport && selector !== undefined) throw new BdgError('INVALID_ARGUMENTS', '--viewport and --selector cannot be combined');
  // Fail before capturing when the directory cannot take the file (root passes access() checks; writeFileAtomic reports those).
  try {
    await access(dirname(file), constants.W_OK);
  } catch (err) {
    throw writeError(file, err);
  }
  const s = ctx.session;
  return readOnly(s, async () => {
    let clip: { x: number; y: number; width: number; height: number };
    let beyond = false;
    const metrics = await s.pageSend('Page.getLayoutMetrics', {}, { signal });
    const vv = metrics.cssVisualViewport;
    let element: ElementInfo | undefined;
    if (selector !== undefined) {
      const el = await resolveTarget(s, selector, { waitMs: 5_000, signal });
      clip = await callOn<typeof clip>(s, el.objectId, PAGE_RECT_FN);
      if (clip.width < 1 || clip.height < 1) throw new BdgError('UNEXPECTED_ERROR', `${el.info.ref ?? ''} <${el.info.tag}> has no size to capture (hidden?)`);
      beyond = true;
      element = el.info;
    } else if (viewport) {
      clip = { x: vv.pageX, y: vv.pageY, width: vv.clientWidth, height: vv.clientHeight };
    } else {
      const cs = metrics.cssContentSize;
      // Chrome cannot capture arbitrarily large surfaces (a JPEG over 65,535 px wide comes back empty); very long or
      // wide pages are cut (reported as truncated).
      clip = { x: 0, y: 0, width: Math.max(1, Math.min(Math.ceil(cs.width), 16_384)), height: Math.max(1, Math.min(Math.ceil(cs.height), 16_384)) };
      beyond = true;
    }
    const cs = metrics.cssContentSize;
    const truncated = !viewport && selector === undefined && (Math.ceil(cs.height) > clip.height || Math.ceil(cs.width) > clip.width);
    const scale = maxWidth !== undefined && clip.width > maxWidth ? maxWidth / clip.width : 1;
    const req: Protocol.Page.CaptureScreenshotRequest = { format, clip: { ...clip, scale }, captureBeyondViewport: beyond, fromSurface: true };
    if (format === 'jpeg') req.quality = params.quality;
    const shot = await s.pageSend('Page.captureScreenshot', req, { signal, timeoutMs: 50_000 });
    const bytes = Buffer.from(shot.data, 'base64');
    // Chrome answers an image it could not encode with no data; an empty file would pass for a screenshot.
    if (bytes.length === 0)
      throw new BdgError(
        'UNEXPECTED_ERROR',
        `Chrome returned an empty ${format.toUpperCase()} for a ${Math.round(clip.width)}x${Math.round(clip.height)} capture`,
        'Capture less: --no-full-page, an element, or --max-width.',
      );
    const size = imageSize(bytes);
    await writeFileAtomic(file, bytes, 0o644);
    return {
      path: file,
      format,
      bytes: bytes.length,
      width: size?.width ?? null,
      height: size?.height ?? null,
      mode: selector !== undefined ? 'element' : viewport ? 'viewport' : 'full-page',
      scaled: scale < 1,
      ...(truncated ? { truncated: true } : {}),
      ...(element !== undefined ? { element } : {}),
    };
  });
}
