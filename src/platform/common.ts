type ChildProcessModule = typeof import('node:child_process');
let childProcess: ChildProcessModule | undefined;

/**
 * child_process on first use, synchronously. `process.getBuiltinModule` (Node 20.16+) needs no `node:module` import,
 * which would load Node's ESM loader into every CLI start.
 */
function loadChildProcess(): ChildProcessModule {
  childProcess ??= process.getBuiltinModule('node:child_process');
  return childProcess;
}

/**
 * Runs a program without a shell and returns its stdout, or undefined when it could not run, timed out or exited
 * non-zero. child_process is loaded on first use: on Linux nothing calls this, and the CLI's start-up path does not
 * load child_process.
 */
export function runSync(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs: number }): string | undefined {
  const r = loadChildProcess().spawnSync(file, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: opts.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    windowsHide: true,
    ...(opts.env !== undefined ? { env: opts.env } : {}),
  });
  if (r.error !== undefined || r.status !== 0) return undefined;
  return r.stdout;
}

/** runSync without blocking: for the daemon, which does no synchronous I/O after start-up. */
export function runAsync(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<string | undefined> {
  const cp = loadChildProcess();
  return new Promise((resolve) => {
    cp.execFile(
      file,
      args,
      { encoding: 'utf8', timeout: opts.timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true, ...(opts.env !== undefined ? { env: opts.env } : {}) },
      (err, stdout) => resolve(err === null ? stdout : undefined),
    );
  });
}

export const isPid = (pid: number): boolean => Number.isInteger(pid) && pid > 0;

/** An explicit CHROME_PATH, when set and not empty. */
export function explicitChrome(env: NodeJS.ProcessEnv): string | undefined {
  const p = env['CHROME_PATH'];
  return p !== undefined && p !== '' ? p : undefined;
}

/** `names` in each directory of a PATH-like variable, directory by directory. */
export function onPath(pathVar: string | undefined, delimiter: string, join: (dir: string, name: string) => string, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of names) out.push(join(dir, name));
  }
  return out;
}

/** Chrome's executable names on PATH on Linux and macOS, most specific first. */
export const UNIX_PATH_NAMES = ['google-chrome-stable', 'google-chrome', 'chromium', 'chromium-browser', 'chrome'] as const;
