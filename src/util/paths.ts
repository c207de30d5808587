import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** File names inside a session directory; kept identical to the original bdg so scripts keep working. */
export const FILES = {
  pid: 'daemon.pid',
  socket: 'daemon.sock',
  lock: 'daemon.lock',
  meta: 'session.meta.json',
  output: 'session.json',
  chromePid: 'chrome.pid',
  log: 'daemon.log',
  profile: 'chrome-profile',
  /** The Selenium Grid session a `--grid` daemon created (src/daemon/grid.ts), for the clean-up after a kill -9. */
  grid: 'grid.json',
} as const;

export type SessionFile = keyof typeof FILES;

/**
 * Set in the environment of the Chrome a session launches, to the session directory. Whatever Chrome's launcher
 * starts inherits it (a wrapper script's `sleep`, say, which has no Chrome flags on its command line), so clean-up
 * can recognise those processes as this session's, together with their process group.
 */
export const CHROME_SESSION_ENV = 'BDG_CHROME_SESSION_DIR';

/** Named sessions live in `<base>/sessions/NAME/`, as in the original bdg (earlier session files are in history/). */
export const NAMED_SESSIONS_DIR = 'sessions';

/**
 * A session name: a letter or digit, then letters, digits, `.`, `_` or `-`, at most 64 in all. It is one directory
 * level: no `/`, and neither `.`, `..` nor a hidden name can be formed; `..` inside is refused too, so that a name
 * never reads like a path.
 */
export const SESSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isValidSessionName(name: string): boolean {
  return SESSION_NAME.test(name) && !name.includes('..');
}

/**
 * The longest socket path the kernel keeps whole: sun_path holds 108 bytes on Linux (104 on macOS and the BSDs)
 * including the NUL; a longer path is silently cut.
 */
export const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/**
 * The base state directory: `BDG_SESSION_DIR` (made absolute) or `~/.bdg`. The default session lives in it
 * directly; named sessions under its `sessions/`.
 */
export function sessionBase(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['BDG_SESSION_DIR'];
  // Absolute, so the daemon, Chrome's profile flag and later commands from other directories agree on it.
  return override !== undefined && override !== '' ? resolve(override) : join(homedir(), '.bdg');
}

/** The default session's directory (the base itself). */
export function sessionDir(env: NodeJS.ProcessEnv = process.env): string {
  return sessionBase(env);
}

/** The directory of a named session under `base`. The name must have been validated. */
export function namedSessionDir(base: string, name: string): string {
  return join(base, NAMED_SESSIONS_DIR, name);
}

export class SessionPaths {
  readonly dir: string;
  /** The session's name; null for the default session (the base directory itself). */
  readonly name: string | null;
  /** The base directory the default and the named sessions share. */
  readonly base: string;
  constructor(dir: string, opts: { name?: string | null; base?: string } = {}) {
    this.dir = dir;
    this.name = opts.name ?? null;
    this.base = opts.base ?? dir;
  }
  file(name: SessionFile): string {
    return join(this.dir, FILES[name]);
  }
  /** `--session NAME` when named, for hints that show the command to run. */
  get flag(): string {
    return this.name === null ? '' : ` --session ${this.name}`;
  }
}
