import type { BufferStats, ConsoleRecord, NavigationRecord, NetworkRecord } from '../protocol/records.js';
import { VERSION } from '../protocol/version.js';
import type { BrowserSession, EndReason } from './session.js';

/** Version of the session.json layout (documented in docs/session-file.md). */
export const SESSION_FILE_SCHEMA = 1;

export interface SessionFile {
  schema: number;
  bdgVersion: string;
  session: {
    url: string;
    page: { url: string; title: string };
    startedAt: string;
    endedAt: string;
    durationMs: number;
    endReason: EndReason;
    endDetail?: string;
    chrome: { pid: number | null; port: number | null; attached: boolean; headless: boolean; version: string | null };
    pageCrashed: boolean;
  };
  navigations: NavigationRecord[];
  network: NetworkRecord[];
  console: ConsoleRecord[];
  dom: { url: string; title: string; html: string; truncated: boolean } | null;
  stats: { network: BufferStats & { pending: number }; console: BufferStats; navigationsDropped: number };
}

export function buildSessionFile(
  s: BrowserSession,
  endReason: EndReason,
  endDetail: string | undefined,
  dom: SessionFile['dom'],
): SessionFile {
  const endedAt = Date.now();
  const session: SessionFile['session'] = {
    url: s.config.url,
    page: s.page,
    startedAt: new Date(s.startedAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    durationMs: endedAt - s.startedAt,
    endReason,
    chrome: { pid: s.chromePid ?? null, port: s.port ?? null, attached: s.attached, headless: s.config.headless, version: s.browserVersion ?? null },
    pageCrashed: s.pageCrashed,
  };
  if (endDetail !== undefined) session.endDetail = endDetail;
  return {
    schema: SESSION_FILE_SCHEMA,
    bdgVersion: VERSION,
    session,
    navigations: s.navigations,
    network: s.network.all(),
    console: s.console.all(),
    dom,
    stats: { network: { ...s.network.stats(), pending: s.network.pending() }, console: s.console.stats(), navigationsDropped: s.navigationsDropped },
  };
}
