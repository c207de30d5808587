/**
 * The one interface between bdg and the operating system's process table and Chrome install locations. The
 * operations are synchronous, as their callers (the CLI's state inspection, lock checks) are, except
 * `processStatus`: the daemon calls `processStartTime` once at start-up (for its own lock), `chromeCandidates`
 * (pure), and after start-up only `processStatus`, which does no synchronous I/O.
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Exited but not yet reaped by its parent: it still answers kill(pid, 0) but is not running. */
  zombie: boolean;
  /** The arguments joined by spaces (as `commandLine` returns them). */
  command: string;
  /** Process group id, where the platform tells it (Linux). */
  pgid?: number;
}

export interface Platform {
  readonly name: 'linux' | 'darwin' | 'win32';
  /**
   * An opaque value that is the same for as long as the process lives and differs for a later process given the
   * same pid. Compared only for equality, only with values from the same implementation. Undefined when the
   * process does not exist or the platform cannot tell.
   */
  processStartTime(pid: number): string | undefined;
  /**
   * `processStartTime` and `isZombie` in one asynchronous read, for the daemon's owner check: undefined when the
   * process does not exist (or cannot be read where the platform can tell); `startTime` undefined where the
   * platform cannot tell it.
   */
  processStatus(pid: number): Promise<{ startTime: string | undefined; zombie: boolean } | undefined>;
  /** True only when the process is known to be a zombie; false when it is running, gone, or unknown. */
  isZombie(pid: number): boolean;
  /** The process's arguments joined by spaces; undefined when it does not exist or cannot be read. */
  commandLine(pid: number): string | undefined;
  /**
   * The process's environment as `NAME=value` entries; undefined when it does not exist, cannot be read (another
   * user's process) or the platform cannot tell (macOS, Windows). Used to recognise a child that Chrome's launcher
   * started, which inherits the launch environment but not Chrome's command line.
   */
  environment(pid: number): string[] | undefined;
  /**
   * Processes on the machine, optionally only those whose command line `match` accepts (an implementation may use
   * it to skip reading details of the others). Empty when the process table cannot be read.
   */
  listProcesses(match?: (command: string) => boolean): ProcessInfo[];
  /**
   * Chrome executables to try, in order, for this environment: CHROME_PATH alone when it is set (an explicit
   * choice is not second-guessed), otherwise the usual install locations and then Chrome's names on PATH. Pure: it
   * does not look at the file system; the caller keeps the ones that exist.
   */
  chromeCandidates(env: NodeJS.ProcessEnv): string[];
}
