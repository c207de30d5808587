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
} as const;

export type SessionFile = keyof typeof FILES;

/**
 * Set in the environment of the Chrome a session launches, to the session directory. Whatever Chrome's launcher
 * starts inherits it (a wrapper script's `sleep`, say, which has no Chrome flags on its command line), so clean-up
 * can recognise those processes as this session's, together with their process group.
 */
export const CHROME_SESSION_ENV = 'BDG_CHROME_SESSION_DIR';

export function sessionDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['BDG_SESSION_DIR'];
  // Absolute, so the daemon, Chrome's profile flag and later commands from other directories agree on it.
  return override !== undefined && override !== '' ? resolve(override) : join(homedir(), '.bdg');
}

export class SessionPaths {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }
  file(name: SessionFile): string {
    return join(this.dir, FILES[name]);
  }
}
