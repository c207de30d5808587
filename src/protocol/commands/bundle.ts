import type { CommandSpec } from '../spec.js';

/** The one-shot debug bundle: everything a bug report needs, written in one call. */
export const BUNDLE_COMMANDS = [
  {
    name: 'bundle',
    path: ['bundle'],
    summary: 'Write a debug bundle to DIR: sanitized HAR, console, failed/slow requests, screenshot, DOM, a11y, summary.md',
    args: [{ name: 'dir', required: true, description: 'A new or empty directory (nothing is overwritten)' }],
    options: {
      slow: {
        type: 'number',
        integer: true,
        min: 0,
        max: 600_000,
        default: 1000,
        placeholder: 'MS',
        description: 'Requests taking MS ms or more are listed as slow',
      },
    },
    // It writes files of its own, and changes nothing in the page or the session.
    readOnly: true,
    runs: 'daemon',
    timeoutMs: 120_000,
    examples: ['bdg bundle ./bug-123', 'bdg bundle /tmp/checkout-bundle --slow 500 --json'],
  },
] as const satisfies readonly CommandSpec[];

/** One file of a bundle: its name inside the directory and its size. */
export interface BundleFile {
  part: string;
  name: string;
  bytes: number;
}

export interface BundleResult {
  dir: string;
  files: BundleFile[];
  /** Parts that could not be written, and why; the other files are kept. */
  failed: Array<{ part: string; error: string }>;
  /** Secret values (cookies, credentials, tokens) replaced by [REDACTED] across the files. */
  redacted: number;
  summary: string;
}

export interface BundleResults {
  bundle: BundleResult;
}
