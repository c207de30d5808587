import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { PageMetrics } from '../../../protocol/commands/page.js';
import { parseGeolocation, parseViewport } from '../../../protocol/emulation.js';
import { BdgError } from '../../../util/errors.js';
import type { HandlerContext } from '../../context.js';
import { listFrames } from '../../dom/frames.js';
import type { EmulationChange } from '../../emulation.js';
import type { BrowserSession } from '../../session.js';

/** What the page itself sees: read in the page, so an emulation shows as the page's scripts would see it. */
const METRICS_EXPR = `(() => {
  const de = document.documentElement;
  return {
    viewport: { width: (de && de.clientWidth) || innerWidth, height: (de && de.clientHeight) || innerHeight },
    devicePixelRatio: devicePixelRatio,
    userAgent: navigator.userAgent,
    colorScheme: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    locale: navigator.language,
    readyState: document.readyState,
    title: document.title,
  };
})()`;

async function metrics(session: BrowserSession, signal: AbortSignal): Promise<PageMetrics & { readyState: string; title: string }> {
  const r = await session.pageSend('Runtime.evaluate', { expression: METRICS_EXPR, returnByValue: true }, { signal, timeoutMs: 10_000 });
  if (r.exceptionDetails !== undefined) throw new BdgError('UNEXPECTED_ERROR', `Reading the page failed: ${r.exceptionDetails.text}`);
  return r.result.value as PageMetrics & { readyState: string; title: string };
}

/** `page info`: the page as it stands, with the emulation the session keeps. */
export async function info(ctx: HandlerContext, _params: ParamsOf<'page.info'>, signal: AbortSignal): Promise<ResultOf<'page.info'>> {
  const [m, frames] = await Promise.all([metrics(ctx.session, signal), listFrames(ctx.session, signal)]);
  const { readyState, title, ...page } = m;
  return {
    url: ctx.session.page.url,
    title: title !== '' ? title : ctx.session.page.title,
    ...page,
    loadState: readyState,
    frames: frames.length,
    emulation: ctx.session.emulation.state,
  };
}

/** The change the options ask for; invalid values fail before anything is sent (81). */
export function emulationChange(p: ParamsOf<'page.emulate'>): EmulationChange {
  const c: EmulationChange = {};
  if (p.reset) c.reset = true;
  if (p.viewport !== undefined) c.viewport = parseViewport(p.viewport);
  if (p.deviceScaleFactor !== undefined) c.deviceScaleFactor = p.deviceScaleFactor;
  if (p.mobile !== undefined) c.mobile = p.mobile;
  if (p.touch !== undefined) c.touch = p.touch;
  if (p.colorScheme !== undefined) c.colorScheme = p.colorScheme;
  if (p.reducedMotion !== undefined) c.reducedMotion = p.reducedMotion;
  if (p.userAgent !== undefined) {
    if (p.userAgent.trim() === '')
      throw new BdgError('INVALID_ARGUMENTS', 'An empty --user-agent', "Give a user agent string, or --reset to go back to Chrome's.");
    c.userAgent = p.userAgent;
  }
  if (p.locale !== undefined) {
    if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(p.locale))
      throw new BdgError('INVALID_ARGUMENTS', `Invalid locale "${p.locale}"`, 'A BCP 47 tag such as en-US, de-DE or ja-JP.');
    c.locale = p.locale;
  }
  if (p.timezone !== undefined) c.timezone = p.timezone;
  if (p.geolocation !== undefined) c.geolocation = parseGeolocation(p.geolocation);
  if (p.cpuThrottle !== undefined) c.cpuThrottle = p.cpuThrottle;
  if (Object.keys(c).length === 0) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      'Nothing to emulate',
      'Give at least one of --viewport, --device-scale-factor, --mobile, --touch, --color-scheme, --reduced-motion, --user-agent, --locale, --timezone, --geolocation, --cpu-throttle, or --reset.',
    );
  }
  return c;
}

/** `page emulate`: changes the session's emulation (kept for the rest of the session) and shows what the page sees now. */
export async function emulate(ctx: HandlerContext, params: ParamsOf<'page.emulate'>, signal: AbortSignal): Promise<ResultOf<'page.emulate'>> {
  const change = emulationChange(params);
  let emulated;
  try {
    emulated = await ctx.session.emulation.set(change);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/timezone/i.test(msg))
      throw new BdgError(
        'INVALID_ARGUMENTS',
        `Chrome refused the timezone "${params.timezone ?? ''}": ${msg}`,
        'An IANA name such as Europe/Berlin or Asia/Tokyo.',
      );
    if (/locale/i.test(msg))
      throw new BdgError('INVALID_ARGUMENTS', `Chrome refused the locale "${params.locale ?? ''}": ${msg}`, 'A BCP 47 tag such as en-US or ja-JP.');
    throw err;
  }
  const { readyState: _r, title: _t, ...page } = await metrics(ctx.session, signal);
  return { emulated, ...page };
}
