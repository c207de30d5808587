import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { platform } from '../platform/index.js';
import { BdgError } from '../util/errors.js';
import { displayUrl, httpJson, type HeaderMap } from '../util/http.js';
import { PipeTransport } from './transport.js';

export const INSTALL_HINT =
  'Install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`; macOS: install Google Chrome) or set CHROME_PATH to the browser executable.';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A shell-script launcher (Debian's /usr/bin/chromium) would put a shell between us and Chrome; prefer the binary. */
function isScript(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    return head.toString('latin1') === '#!';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Finds Chrome: CHROME_PATH first, then the usual install locations, then PATH. Throws exit-100 with a hint. */
export function findChrome(env: NodeJS.ProcessEnv = process.env): string {
  const found = platform.chromeCandidates(env).filter(isExecutableFile);
  const explicit = env['CHROME_PATH'];
  // A set CHROME_PATH is the only candidate: when it is not executable, say so rather than "none found".
  if (explicit !== undefined && explicit !== '' && found.length === 0) {
    throw new BdgError('CHROME_LAUNCH_FAILED', `CHROME_PATH=${explicit} is not an executable file`, INSTALL_HINT);
  }
  const binary = found.find((p) => !isScript(p)) ?? found[0];
  if (binary === undefined) throw new BdgError('CHROME_LAUNCH_FAILED', 'No Chrome or Chromium found on this machine', INSTALL_HINT);
  return binary;
}

export interface LaunchOptions {
  executable: string;
  headless: boolean;
  /** 0 lets Chrome choose a free port. */
  port: number;
  userDataDir: string;
  extraFlags: string[];
  isRoot: boolean;
  /** The window's size, unless the extra flags give one (`--window-size`). */
  windowSize?: { width: number; height: number };
  /** Chrome's environment (default: ours). */
  env?: NodeJS.ProcessEnv;
}

export function chromeArgs(opts: LaunchOptions): string[] {
  const args = [
    '--remote-debugging-pipe',
    `--remote-debugging-port=${opts.port}`,
    '--remote-debugging-address=127.0.0.1',
    `--user-data-dir=${opts.userDataDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    // Without these Chromium phones home at start-up; on a closed network its connections fail in bursts.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--disable-default-apps',
    '--disable-breakpad',
    '--metrics-recording-only',
    '--password-store=basic',
    '--use-mock-keychain',
    // A debugging session must not be throttled when its tab is not in front.
    '--disable-background-timer-throttling',
    '--disable-backgrounding-occluded-windows',
    '--disable-renderer-backgrounding',
    '--disable-hang-monitor',
    '--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider',
  ];
  if (opts.headless) args.push('--headless', '--disable-gpu', '--hide-scrollbars', '--mute-audio');
  if (opts.isRoot) args.push('--no-sandbox');
  // Headless Chrome's own window is 800x600; a page is laid out at the size bdg documents instead.
  if (opts.windowSize !== undefined && !opts.extraFlags.some((f) => f.startsWith('--window-size'))) {
    args.push(`--window-size=${opts.windowSize.width},${opts.windowSize.height}`);
  }
  args.push(...opts.extraFlags, 'about:blank');
  return args;
}

/** Keeps the last bytes of Chrome's stderr for error messages, bounded. */
export class StderrTail {
  #text = '';
  readonly #max: number;
  constructor(max = 8192) {
    this.#max = max;
  }
  push(chunk: string): void {
    this.#text += chunk;
    if (this.#text.length > this.#max) this.#text = this.#text.slice(-this.#max);
  }
  /** The tail without Chromium's routine dbus noise. */
  toString(): string {
    return this.#text
      .split('\n')
      .filter((l) => l.trim() !== '' && !/dbus|Fontconfig|DevTools listening/.test(l))
      .slice(-15)
      .join('\n');
  }
}

export interface LaunchedChrome {
  process: ChildProcess;
  /** What was launched (CHROME_PATH may name a wrapper script). */
  executable: string;
  pid: number;
  /** The process group Chrome leads (its pid), which holds whatever a launcher script started; undefined on Windows. */
  pgid: number | undefined;
  transport: PipeTransport;
  stderr: StderrTail;
  /** Resolves with the browser WebSocket URL once Chrome prints it (the debugging port's endpoint). */
  wsEndpoint: Promise<string | undefined>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', () =>
      reject(
        new BdgError(
          'CHROME_LAUNCH_FAILED',
          `Port ${port} on 127.0.0.1 is already in use`,
          'Omit --port to let Chrome pick a free port, or choose another one.',
        ),
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

/**
 * Launches Chrome with the DevTools pipe (our connection) and a loopback debugging port (for other tools).
 * No shell is involved: the executable is spawned directly with an argument vector. On POSIX Chrome leads a new
 * process group (detached means setsid): a CHROME_PATH wrapper script that does not `exec` leaves Chrome, or
 * anything else it started, as its children, and ending the group ends them all.
 */
export function launchChrome(opts: LaunchOptions): LaunchedChrome {
  const ownGroup = process.platform !== 'win32';
  let child: ChildProcess;
  try {
    child = spawn(opts.executable, chromeArgs(opts), {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      shell: false,
      detached: ownGroup,
      ...(opts.env !== undefined ? { env: opts.env } : {}),
    });
  } catch (err) {
    throw new BdgError('CHROME_LAUNCH_FAILED', `Could not start ${opts.executable}: ${(err as Error).message}`, INSTALL_HINT);
  }
  const stderr = new StderrTail();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const wsEndpoint = new Promise<string | undefined>((resolve) => {
    let seen = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr.push(chunk);
      if (seen !== 'done') {
        seen += chunk;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
        if (m !== null) {
          seen = 'done';
          resolve(m[1]);
        } else if (seen.length > 65536) seen = seen.slice(-4096);
      }
    });
    void exited.then(() => resolve(undefined));
  });
  const toChrome = child.stdio[3] as Writable | null;
  const fromChrome = child.stdio[4] as Readable | null;
  if (child.pid === undefined || toChrome === null || fromChrome === null) {
    throw new BdgError('CHROME_LAUNCH_FAILED', `Could not start ${opts.executable}`, INSTALL_HINT);
  }
  return {
    process: child,
    executable: opts.executable,
    pid: child.pid,
    pgid: ownGroup ? child.pid : undefined,
    transport: new PipeTransport(toChrome, fromChrome),
    stderr,
    wsEndpoint,
    exited,
  };
}

/** Where a `--chrome-ws-url` value's browser says its WebSocket URL: `http(s)://host:port/json/version`. */
export function jsonVersionUrl(input: string): URL {
  const raw = input.trim();
  const base = /^wss?:\/\//i.test(raw) ? raw.replace(/^ws/i, 'http') : /^https?:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new BdgError(
      'INVALID_URL',
      `Invalid --chrome-ws-url "${displayUrl(input)}"`,
      'Use host:port (e.g. 127.0.0.1:9222), http(s)://host:port or a ws(s):// browser URL.',
    );
  }
  // A path before /json/version is kept for services that mount DevTools under one (https://host/chrome/json/version).
  const prefix = /^https?:\/\//i.test(raw) ? url.pathname.replace(/\/(json(\/version)?)?\/?$/, '') : '';
  const out = new URL(`${prefix}/json/version`, url);
  out.search = url.search;
  return out;
}

export interface ResolveOptions {
  timeoutMs: number;
  headers?: HeaderMap;
}

/**
 * Resolves `--chrome-ws-url` (host:port, http(s) URL or ws(s) URL) to a browser WebSocket URL via /json/version;
 * a ws(s) URL is taken as it is. The headers (`--cdp-header`) go with the request; errors never show their values.
 */
export async function resolveBrowserWsUrl(input: string, opts: ResolveOptions): Promise<string> {
  const raw = input.trim();
  if (/^wss?:\/\//i.test(raw)) return raw;
  return fetchBrowserWsUrl(jsonVersionUrl(raw), opts);
}

/** GET /json/version and its webSocketDebuggerUrl. */
export async function fetchBrowserWsUrl(url: URL, opts: ResolveOptions): Promise<string> {
  const res = await httpJson(url, { headers: opts.headers ?? {}, timeoutMs: opts.timeoutMs }).catch((err: unknown) => {
    // Not a certificate problem: the usual cause is a Chrome without a debugging port there.
    if (err instanceof BdgError && err.code === 'CDP_CONNECTION_FAILED' && err.hint?.includes('NODE_EXTRA_CA_CERTS') !== true) {
      throw new BdgError(err.code, err.message.replace(/^Cannot reach /, 'Cannot reach Chrome at '), REMOTE_HINT, err.data);
    }
    throw err;
  });
  if (res.status === 401 || res.status === 403) throw refusedError(displayUrl(url.href), res.status);
  const body = res.json as { webSocketDebuggerUrl?: unknown } | undefined;
  if (res.status !== 200 || typeof body?.webSocketDebuggerUrl !== 'string') {
    throw new BdgError(
      'CDP_CONNECTION_FAILED',
      `${displayUrl(url.href)} did not return a webSocketDebuggerUrl (HTTP ${res.status})`,
      'Is this a Chrome DevTools endpoint? Chrome serves it with --remote-debugging-port.',
    );
  }
  // Chrome names itself by the Host header it was sent: behind a proxy, or with a Host override (--cdp-header),
  // that is an address only the far side can reach. The browser is where /json/version was reached.
  let ws: URL;
  try {
    ws = new URL(body.webSocketDebuggerUrl);
  } catch {
    throw new BdgError('CDP_CONNECTION_FAILED', `${displayUrl(url.href)} returned an invalid webSocketDebuggerUrl`, 'Is this a Chrome DevTools endpoint?');
  }
  ws.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  ws.host = url.host;
  if (ws.search === '') ws.search = url.search;
  return ws.href;
}

const REMOTE_HINT = 'Start Chrome with --remote-debugging-port=PORT and pass that host:port.';

/** A 401/403 from a DevTools endpoint or a proxy in front of it: the credentials are missing or wrong. */
export function refusedError(what: string, status: number): BdgError {
  return new BdgError(
    'CDP_CONNECTION_FAILED',
    `${what} refused the connection (HTTP ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'})`,
    'Pass the header it expects with --cdp-header, e.g. --cdp-header "Authorization: Bearer $TOKEN" (repeatable).',
    { status },
  );
}
