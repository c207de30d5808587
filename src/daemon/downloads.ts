import { mkdir, rename, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Protocol } from 'devtools-protocol';
import type { DownloadRecord } from '../protocol/results.js';
import { sleep } from '../util/sleep.js';
import type { Logger } from '../util/logger.js';
import type { BrowserSession } from './session.js';

const MAX_KEPT = 200;

/** A file name Chrome suggested, made safe to put in downloads/ (no directories, no dot files). */
export function safeName(suggested: string): string {
  const b = [...basename(suggested.replace(/\\/g, '/'))]
    .map((c) => (c.charCodeAt(0) < 0x20 ? '_' : c))
    .join('')
    .trim();
  return b === '' || b === '.' || b === '..' ? 'download' : b.replace(/^\.+/, '_');
}

/**
 * Downloads of the session, saved under `<session dir>/downloads/`: Chrome writes each under its guid
 * (Browser.setDownloadBehavior allowAndName), and once complete bdg renames it to the name the site suggested
 * (a counter added when taken). Actions report the downloads they started.
 */
export class DownloadTracker {
  readonly dir: string;
  readonly #records: DownloadRecord[] = [];
  readonly #byGuid = new Map<string, DownloadRecord>();
  readonly #log: Logger;
  #seq = 0;
  #total = 0;

  constructor(sessionDir: string, log: Logger) {
    this.dir = join(sessionDir, 'downloads');
    this.#log = log;
  }

  get seq(): number {
    return this.#seq;
  }
  /** Downloads started in this session (also those no longer kept). */
  get total(): number {
    return this.#total;
  }
  get completed(): number {
    return this.#records.filter((r) => r.state === 'completed').length;
  }

  async enable(session: BrowserSession): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    session.conn.on((method, params) => {
      if (method === 'Browser.downloadWillBegin') this.#begin(params as Protocol.Browser.DownloadWillBeginEvent);
      else if (method === 'Browser.downloadProgress') this.#progress(params as Protocol.Browser.DownloadProgressEvent);
    });
    await session.conn.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', downloadPath: this.dir, eventsEnabled: true }, { timeoutMs: 10_000 });
  }

  #begin(e: Protocol.Browser.DownloadWillBeginEvent): void {
    const r: DownloadRecord = { seq: ++this.#seq, name: safeName(e.suggestedFilename), url: e.url, state: 'inProgress', size: 0, path: null };
    this.#total++;
    this.#records.push(r);
    this.#byGuid.set(e.guid, r);
    if (this.#records.length > MAX_KEPT) this.#records.shift();
  }

  #progress(e: Protocol.Browser.DownloadProgressEvent): void {
    const r = this.#byGuid.get(e.guid);
    if (r === undefined) return;
    r.size = e.receivedBytes;
    if (e.state === 'inProgress') return;
    this.#byGuid.delete(e.guid);
    if (e.state === 'canceled') {
      r.state = 'canceled';
      return;
    }
    void this.#finish(e.guid, r);
  }

  async #finish(guid: string, r: DownloadRecord): Promise<void> {
    const from = join(this.dir, guid);
    const dot = r.name.lastIndexOf('.');
    const stem = dot > 0 ? r.name.slice(0, dot) : r.name;
    const ext = dot > 0 ? r.name.slice(dot) : '';
    for (let n = 0; n < 1000; n++) {
      const to = join(this.dir, n === 0 ? r.name : `${stem} (${n})${ext}`);
      if (
        await stat(to).then(
          () => true,
          () => false,
        )
      )
        continue;
      try {
        await rename(from, to);
        r.path = to;
        r.name = basename(to);
        r.size = (await stat(to)).size;
      } catch (err) {
        this.#log.warn(`download ${r.name}: ${err instanceof Error ? err.message : String(err)}`);
        r.path = from;
      }
      break;
    }
    r.state = 'completed';
  }

  /** Downloads begun after `seq`, waiting up to `maxMs` for those still running to finish. */
  async since(seq: number, maxMs: number, signal?: AbortSignal): Promise<DownloadRecord[]> {
    const deadline = Date.now() + maxMs;
    const mine = (): DownloadRecord[] => this.#records.filter((r) => r.seq > seq);
    while (mine().some((r) => r.state === 'inProgress') && Date.now() < deadline && signal?.aborted !== true) await sleep(50);
    return mine().map((r) => ({ ...r }));
  }
}

const trackers = new WeakMap<BrowserSession, DownloadTracker>();

export function attachDownloads(session: BrowserSession, tracker: DownloadTracker): void {
  trackers.set(session, tracker);
}

/** The session's download tracker, when downloads are enabled (a daemon session; not in unit tests). */
export function downloadsOf(session: BrowserSession): DownloadTracker | undefined {
  return trackers.get(session);
}
