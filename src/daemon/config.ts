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
}
