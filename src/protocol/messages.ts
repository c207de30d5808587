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
export interface DaemonConfig {
  sessionDir: string;
  url: string;
  headless: boolean;
  port: number;
  /** Auto-stop after this many seconds; absent = run until stopped. */
  timeoutSec?: number;
  userDataDir?: string;
  chromeFlags: string[];
  chromeWsUrl?: string;
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
  /** `--state FILE` (absolute): cookies and storage applied before the first navigation. */
  stateFile?: string;
  /** `--dialog` / `--prompt-text`: the session's answer to JavaScript dialogs. */
  dialog?: 'accept' | 'dismiss';
  promptText?: string;
}
