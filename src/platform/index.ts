import { darwin } from './darwin.js';
import { linux } from './linux.js';
import type { Platform } from './types.js';
import { win32 } from './win32.js';

export type { Platform, ProcessInfo } from './types.js';

/** The implementation for an OS. Anything that is neither macOS nor Windows gets the /proc one (as before). */
export function platformFor(os: NodeJS.Platform): Platform {
  return os === 'darwin' ? darwin : os === 'win32' ? win32 : linux;
}

/** The one place that looks at process.platform for process identity and Chrome discovery. */
export const platform: Platform = platformFor(process.platform);
