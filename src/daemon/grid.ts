/**
 * A browser on a Selenium Grid 4 (`--grid`): the WebDriver session the daemon creates, records in `grid.json`
 * (so that a clean-up after `kill -9` can delete it, src/client/grid.ts), keeps alive and deletes when the
 * session ends, whichever way it ends.
 */
import { unlink } from 'node:fs/promises';
import { BdgError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import { displayUrl, type HeaderMap } from '../util/http.js';
import type { Logger } from '../util/logger.js';
import { SessionPaths } from '../util/paths.js';
import { createGridSession, deleteGridSession, touchGridSession, type GridEndpoint, type GridRecord } from '../util/webdriver.js';

/** Chrome's headless switch in any of its spellings. */
const HEADLESS = /^--headless(=|$)/;

/**
 * The capabilities bdg asks the Grid for: the user's (`--capabilities`), browserName chrome unless they name
 * one, and bdg's headless switch and `--chrome-flags` appended to `goog:chromeOptions.args` (without repeating
 * one the user already gave). Pure.
 */
export function gridCapabilities(
  user: Record<string, unknown> | undefined,
  opts: { headless: boolean; chromeFlags: readonly string[] },
): Record<string, unknown> {
  const caps: Record<string, unknown> = { ...user };
  if (caps['browserName'] === undefined) caps['browserName'] = 'chrome';
  const given = caps['goog:chromeOptions'];
  const chromeOptions: Record<string, unknown> =
    typeof given === 'object' && given !== null && !Array.isArray(given) ? { ...(given as Record<string, unknown>) } : {};
  const args = Array.isArray(chromeOptions['args']) ? chromeOptions['args'].filter((a): a is string => typeof a === 'string') : [];
  const wanted = [...(opts.headless && !args.some((a) => HEADLESS.test(a)) ? ['--headless'] : []), ...opts.chromeFlags];
  for (const flag of wanted) if (!args.includes(flag)) args.push(flag);
  if (args.length > 0) chromeOptions['args'] = args;
  if (Object.keys(chromeOptions).length > 0) caps['goog:chromeOptions'] = chromeOptions;
  return caps;
}

/** BDG_GRID_KEEPALIVE_SEC (1 to 3600), else 60 s: well inside the Grid's default idle limit of 300 s. */
export function gridKeepAliveMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env['BDG_GRID_KEEPALIVE_SEC']);
  return Number.isFinite(n) && n >= 1 && n <= 3600 ? Math.round(n * 1000) : 60_000;
}

export interface GridOptions {
  /** The Grid's real URL (it may carry user:password). */
  url: string;
  headers: HeaderMap;
  capabilities: Record<string, unknown>;
  sessionDir: string;
  log: Logger;
  /** How long POST /session may wait for a free slot. */
  createTimeoutMs: number;
  /** Between keep-alive calls (BDG_GRID_KEEPALIVE_SEC, default 60 s; the Grid's default idle limit is 300 s). */
  keepAliveMs: number;
}

/** One WebDriver session on a Grid, from creation to deletion. */
export class GridSession {
  readonly sessionId: string;
  readonly cdpUrl: string;
  readonly browserVersion: string | null;
  readonly #endpoint: GridEndpoint;
  readonly #recordPath: string;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #touching = false;
  #deleted: Promise<void> | undefined;

  private constructor(opts: GridOptions, info: { sessionId: string; cdpUrl: string; browserVersion: string | null }) {
    this.#endpoint = { url: opts.url, headers: opts.headers };
    this.#recordPath = new SessionPaths(opts.sessionDir).file('grid');
    this.#log = opts.log;
    this.sessionId = info.sessionId;
    this.cdpUrl = info.cdpUrl;
    this.browserVersion = info.browserVersion;
  }

  /** The Grid's URL as it may be shown (no password, no query values). */
  get url(): string {
    return displayUrl(this.#endpoint.url);
  }

  /**
   * Creates the session and records it in grid.json before anything else can fail, so that no way out of the
   * daemon (kill -9 included) leaves it running unknown. A record that cannot be written deletes the session.
   */
  static async create(opts: GridOptions): Promise<GridSession> {
    const endpoint: GridEndpoint = { url: opts.url, headers: opts.headers };
    const info = await createGridSession(endpoint, opts.capabilities, opts.createTimeoutMs);
    const grid = new GridSession(opts, info);
    opts.log.info(`Grid ${grid.url}: WebDriver session ${info.sessionId} created (se:cdp ${displayUrl(info.cdpUrl)})`);
    const record: GridRecord & { headers: HeaderMap } = {
      url: opts.url,
      sessionId: info.sessionId,
      daemonPid: process.pid,
      createdAt: new Date().toISOString(),
      headerNames: Object.keys(opts.headers),
      // The clean-up after a kill -9 needs them to reach an authenticated Grid; the file is 0600 and deleted with
      // the session.
      headers: opts.headers,
    };
    try {
      await writeFileAtomic(grid.#recordPath, JSON.stringify(record, null, 2));
    } catch (err) {
      await grid.delete();
      throw err;
    }
    grid.#timer = setInterval(() => void grid.#touch(), opts.keepAliveMs);
    grid.#timer.unref();
    return grid;
  }

  /** One keep-alive call, never two at once; its own timeout, off every request's path. */
  async #touch(): Promise<void> {
    if (this.#touching || this.#deleted !== undefined) return;
    this.#touching = true;
    try {
      if (!(await touchGridSession(this.#endpoint, this.sessionId, 10_000))) this.#log.warn(`Grid ${this.url}: session ${this.sessionId} is gone`);
    } catch (err) {
      this.#log.warn(`Grid ${this.url}: keep-alive for session ${this.sessionId} failed: ${(err as Error).message}`);
    } finally {
      this.#touching = false;
    }
  }

  /** Deletes the WebDriver session (which ends its Chrome) and the record; once, whoever asks. Never rejects. */
  delete(): Promise<void> {
    this.#deleted ??= (async () => {
      clearInterval(this.#timer);
      try {
        const existed = await deleteGridSession(this.#endpoint, this.sessionId, 10_000);
        this.#log.info(`Grid ${this.url}: session ${this.sessionId} ${existed ? 'deleted' : 'was already gone'}`);
      } catch (err) {
        this.#log.error(
          `Grid ${this.url}: deleting session ${this.sessionId} failed (${err instanceof BdgError ? err.message : String(err)}); the Grid ends it after its session timeout`,
        );
      }
      await unlink(this.#recordPath).catch(() => undefined);
    })();
    return this.#deleted;
  }
}
