/**
 * The one table that maps error codes to process exit codes. Only the CLI turns a code into an exit status;
 * everything else passes {@link ErrorCode} values around. Published by `bdg --help --json`.
 */
export const EXIT_CODES = {
  OK: 0,
  INVALID_URL: 80,
  INVALID_ARGUMENTS: 81,
  PERMISSION_DENIED: 82,
  NOT_FOUND: 83,
  ALREADY_EXISTS: 84,
  BUSY: 85,
  DAEMON_ALREADY_STARTING: 86,
  STALE_REFERENCE: 87,
  RESOURCE_CONFLICT: 90,
  PAGE_EXCEPTION: 91,
  CHROME_LAUNCH_FAILED: 100,
  CDP_CONNECTION_FAILED: 101,
  TIMEOUT: 102,
  SESSION_FILE_ERROR: 103,
  UNEXPECTED_ERROR: 104,
  PAGE_CRASHED: 107,
  SOFTWARE_ERROR: 110,
  // 128 + SIGINT, the shell's number for a command ended by Ctrl-C; a SIGTERM'd start exits with it too.
  INTERRUPTED: 130,
} as const;

export type ErrorCode = Exclude<keyof typeof EXIT_CODES, 'OK'>;

export const EXIT_CODE_DESCRIPTIONS: Record<keyof typeof EXIT_CODES, string> = {
  OK: 'success',
  INVALID_URL: 'the URL could not be understood',
  INVALID_ARGUMENTS: 'invalid arguments or options',
  PERMISSION_DENIED: 'permission denied (file or directory not writable or readable)',
  NOT_FOUND: 'not found: no session, no element, unknown id',
  ALREADY_EXISTS: 'already exists: a session is already running, or a bundle directory is not empty',
  BUSY: 'the daemon is busy; retry',
  DAEMON_ALREADY_STARTING: 'another bdg is starting the daemon right now',
  STALE_REFERENCE: 'an element reference (or a `dom query` index) no longer points at a live element: the page navigated or the element went',
  RESOURCE_CONFLICT: 'the page replaced built-ins an action relies on, or a resource bdg needs is held elsewhere',
  PAGE_EXCEPTION: 'the page code `dom eval` ran threw an exception (or its promise rejected)',
  CHROME_LAUNCH_FAILED: 'Chrome could not be found or launched',
  CDP_CONNECTION_FAILED: 'the DevTools protocol connection failed or was lost',
  TIMEOUT: 'an operation timed out',
  SESSION_FILE_ERROR: 'a session file could not be read or written',
  UNEXPECTED_ERROR: 'unexpected error (for example an exception thrown by the page)',
  PAGE_CRASHED: 'the page crashed (its renderer is gone); `bdg page reload` or `bdg page navigate <url>` brings it back',
  SOFTWARE_ERROR: 'internal software error in bdg',
  INTERRUPTED: 'interrupted by SIGINT (Ctrl-C) or SIGTERM; a start in progress was cancelled',
};

export function exitCodeFor(code: ErrorCode): number {
  return EXIT_CODES[code];
}
