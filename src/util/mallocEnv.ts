/**
 * glibc malloc settings for the daemon. glibc slides its mmap threshold up to the largest block freed so far, and
 * its trim threshold to twice that: once the daemon had read and dropped a bundle-sized buffer, blocks up to that
 * size stayed in the main heap and freed memory at its top was kept, not given back. Fixed thresholds turn the
 * sliding off (mallopt(3)): the main arena of a daemon at rest 5.3 -> 3.5 MB (bench/README.md, "Daemon memory").
 * Set for the daemon only when the user has not set them, and taken out again for the processes the daemon starts
 * (Chrome): the names set are listed in {@link MALLOC_ENV_SET}.
 */
const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' };

/** Which of the variables the CLI set for the daemon (comma-separated). */
export const MALLOC_ENV_SET = 'BDG_MALLOC_ENV_SET';

/** `env` with the malloc settings the user has not set themselves added, and their names noted. */
export function withDaemonMalloc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const set = Object.keys(MALLOC_ENV).filter((name) => env[name] === undefined);
  if (set.length === 0) return env;
  const out: NodeJS.ProcessEnv = { ...env, [MALLOC_ENV_SET]: set.join(',') };
  for (const name of set) out[name] = MALLOC_ENV[name];
  return out;
}

/** `env` without what {@link withDaemonMalloc} added: the environment of the processes the daemon starts. */
export function withoutDaemonMalloc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const set = env[MALLOC_ENV_SET];
  if (set === undefined) return env;
  const out: NodeJS.ProcessEnv = { ...env };
  delete out[MALLOC_ENV_SET];
  for (const name of set.split(',')) if (name in MALLOC_ENV) delete out[name];
  return out;
}
