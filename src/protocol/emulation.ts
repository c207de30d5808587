/**
 * Page emulation as the session keeps it: what `bdg <url> --viewport/--color-scheme/--mobile/--user-agent` and
 * `bdg page emulate` set. The CLI parses the start options with the same functions the daemon uses for
 * `page emulate`, so both refuse the same values with the same words.
 */
import { BdgError } from '../util/errors.js';

export interface Viewport {
  width: number;
  height: number;
}

/** What is emulated now; an absent field is the browser's own value. */
export interface EmulationState {
  viewport?: Viewport;
  deviceScaleFactor?: number;
  mobile?: boolean;
  touch?: boolean;
  colorScheme?: 'light' | 'dark';
  reducedMotion?: boolean;
  userAgent?: string;
  locale?: string;
  timezone?: string;
  geolocation?: { latitude: number; longitude: number };
  cpuThrottle?: number;
}

/** The window a launched Chrome opens when no `--viewport` is given (the original bdg's: 1920x1080). */
export const DEFAULT_WINDOW: Viewport = { width: 1920, height: 1080 };

/** The phone `--mobile` emulates when no `--viewport` is given (the original bdg's). */
export const MOBILE_VIEWPORT: Viewport = { width: 390, height: 844 };
export const MOBILE_SCALE = 3;
export const MOBILE_USER_AGENT = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

/** `1280x800` (also `X`, `×` and `,`), each side 1-10000. */
export function parseViewport(text: string): Viewport {
  const m = /^\s*(\d{1,5})\s*[xX×,]\s*(\d{1,5})\s*$/.exec(text);
  const width = m !== null ? Number(m[1]) : NaN;
  const height = m !== null ? Number(m[2]) : NaN;
  if (!(width >= 1 && width <= 10_000 && height >= 1 && height <= 10_000)) {
    throw new BdgError('INVALID_ARGUMENTS', `Invalid viewport "${text}": expected WIDTHxHEIGHT, each 1-10000`, 'For example --viewport 1280x720.');
  }
  return { width, height };
}

/** `52.52,13.40`: latitude -90..90, longitude -180..180. */
export function parseGeolocation(text: string): { latitude: number; longitude: number } {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  const latitude = m !== null ? Number(m[1]) : NaN;
  const longitude = m !== null ? Number(m[2]) : NaN;
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `Invalid geolocation "${text}": expected LAT,LON`,
      'For example --geolocation 52.52,13.40 (latitude -90..90, longitude -180..180).',
    );
  }
  return { latitude, longitude };
}

/** One line for people: `390x844 @3x, mobile, touch, dark, UA "…", tz Asia/Tokyo`. */
export function describeEmulation(e: EmulationState): string {
  const parts: string[] = [];
  if (e.viewport !== undefined) parts.push(`${e.viewport.width}x${e.viewport.height}`);
  if (e.deviceScaleFactor !== undefined) parts.push(`@${e.deviceScaleFactor}x`);
  if (e.mobile === true) parts.push('mobile');
  if (e.touch === true) parts.push('touch');
  if (e.colorScheme !== undefined) parts.push(e.colorScheme);
  if (e.reducedMotion === true) parts.push('reduced motion');
  if (e.userAgent !== undefined) parts.push(`UA "${e.userAgent.length > 40 ? `${e.userAgent.slice(0, 39)}…` : e.userAgent}"`);
  if (e.locale !== undefined) parts.push(`locale ${e.locale}`);
  if (e.timezone !== undefined) parts.push(`tz ${e.timezone}`);
  if (e.geolocation !== undefined) parts.push(`geo ${e.geolocation.latitude},${e.geolocation.longitude}`);
  if (e.cpuThrottle !== undefined) parts.push(`cpu ${e.cpuThrottle}x slower`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}
