import type { SessionPaths } from '../util/paths.js';
import { closeSync, openSync, readSync } from 'node:fs';

/** What the head of a finished session's session.json says about it. */
export interface LastSession {
  sessionFile: string;
  url: string | null;
  title: string | null;
  startedAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  endDetail: string | null;
}

/**
 * The session that last ended in this directory, from the first 16 KB of its session.json (the `session` block
 * comes first; the whole file can be tens of MB); undefined when there is none.
 */
export function lastSession(paths: SessionPaths): LastSession | undefined {
  const path = paths.file('output');
  // Synchronous on purpose: the CLI asks this when no daemon answers, and 16 KB read at once costs less than
  // loading node:fs/promises into a command that otherwise never needs it.
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  let head: string;
  try {
    const buf = Buffer.alloc(16 * 1024);
    const bytesRead = readSync(fd, buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
  // JSON escapes every quote inside a string, so these match keys only, and the first of each is the session's.
  const str = (re: RegExp): string | null => {
    const m = re.exec(head);
    if (m === null) return null;
    try {
      return JSON.parse(`"${m[1] as string}"`) as string;
    } catch {
      return null;
    }
  };
  const STRING = '((?:[^"\\\\]|\\\\.)*)';
  return {
    sessionFile: path,
    url: str(new RegExp(`"page":\\{"url":"${STRING}"`)),
    title: str(new RegExp(`"page":\\{"url":"(?:[^"\\\\]|\\\\.)*","title":"${STRING}"`)),
    startedAt: str(/"startedAt":"([^"]{1,40})"/),
    endedAt: str(/"endedAt":"([^"]{1,40})"/),
    endReason: str(/"endReason":"([^"]{1,40})"/),
    endDetail: str(new RegExp(`"endDetail":"${STRING}"`)),
  };
}
