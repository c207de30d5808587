import type { EmulationState } from './emulation.js';
import type { ErrorInfo } from '../util/errors.js';
import type { StartedResult } from './commands/session.js';

/** One request per line from the CLI. `v` is the socket protocol version, `build` the CLI's package version. */
export interface Request {
  id: number;
  v: number;
  build: string;
  cmd: string;
  params?: Record<string, unknown>;
  /**
   * Ask for an {@link Ack} the moment the daemon reads the request, before it runs. A stopped or wedged daemon
   * still accepts connections (the kernel queues them on the listen backlog), so only an answer proves it runs;
   * the ack lets a client tell "not running" within seconds from "a command that takes a minute".
   */
  ack?: boolean;
}

/** The daemon read a request that asked for it; the answer follows. */
export interface Ack {
  id: number;
  ack: true;
}

export interface DaemonInfo {
  pid: number;
  version: string;
  protocol: number;
}

export type Response = { id: number; ok: true; result: unknown; daemon: DaemonInfo } | { id: number; ok: false; error: ErrorInfo; daemon: DaemonInfo };

/** Sent by the daemon on its start-up pipe to the CLI that spawned it. */
export type ReadyMessage = { type: 'ready'; result: StartedResult } | { type: 'error'; error: ErrorInfo } | { type: 'progress'; message: string };

/** What the CLI hands the daemon it spawns (as one JSON argument: no shell, no quoting issues). */
/**
 * The environment variable that carries what a remote browser needs and must not be on a command line:
 * --cdp-header values, the real --chrome-ws-url and --grid URLs (tokens, passwords) and --capabilities. Only the
 * user can read a process's environment; the daemon removes it from its own at start.
 */
export const REMOTE_SECRETS_ENV = 'BDG_REMOTE_SECRETS';

export interface RemoteSecrets {
  headers?: Record<string, string>;
  chromeWsUrl?: string;
  grid?: string;
  capabilities?: Record<string, unknown>;
}

export interface DaemonConfig {
  sessionDir: string;
  url: string;
  headless: boolean;
  port: number;
  /** Auto-stop after this many seconds; absent = run until stopped. */
  timeoutSec?: number;
  userDataDir?: string;
  chromeFlags: string[];
  /**
   * Attach to this Chrome, in its display form (no password, no query values). The real value travels in
   * REMOTE_SECRETS_ENV, never on the daemon's command line, which every user of the machine can read.
   */
  chromeWsUrl?: string;
  /** Run the browser on this Selenium Grid (display form; the real URL is in REMOTE_SECRETS_ENV). */
  grid?: string;
  /** The names of the --cdp-header headers (their values are in REMOTE_SECRETS_ENV). */
  cdpHeaderNames?: string[];
  includeAll: boolean;
  maxBodyBytes: number;
  loadTimeoutMs: number;
  /** Nonce of the lock the spawning CLI holds; the daemon takes the lock over from it. */
  starterNonce: string;
  /** The session's name; absent for the default session. */
  sessionName?: string;
  /**
   * Stop after this many seconds without a command (0 = never). The daemon applies it only to a headless Chrome
   * it launched itself (daemon/lifetime.ts).
   */
  idleTimeoutSec?: number;
  /** Stop when this process is gone: its pid, and its start time as the CLI read it (so a reused pid is not it). */
  owner?: { pid: number; startTime?: string };
  /** `--shared-browser NAME`: join (or launch) the shared Chrome registered in `dir` (`<base>/browsers/NAME`). */
  sharedBrowser?: { name: string; dir: string };
  /** Emulation asked for at start (`--viewport`, `--color-scheme`, `--mobile`, `--user-agent`), kept for the session. */
  emulation?: EmulationState;
  /** `--state FILE` (absolute): cookies and storage applied before the first navigation. */
  stateFile?: string;
  /** `--dialog` / `--prompt-text`: the session's answer to JavaScript dialogs. */
  dialog?: 'accept' | 'dismiss';
  promptText?: string;
}
