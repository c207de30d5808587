/** Resolves after `ms` milliseconds (for polling with backoff; never a substitute for waiting on an event). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
