import { BdgError } from '../../util/errors.js';

/**
 * Per-key FIFO locks: page-changing commands on one tab run one at a time; read-only ones do not take it.
 * A waiter whose request is aborted (timeout, client gone) leaves the queue without running.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    try {
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) {
          reject(new BdgError('TIMEOUT', 'Cancelled while waiting for another command on this tab'));
          return;
        }
        const onAbort = (): void => reject(new BdgError('TIMEOUT', 'Timed out waiting for another command on this tab to finish', 'A long action (dom wait, dom submit) may be running; retry when it is done.'));
        signal.addEventListener('abort', onAbort, { once: true });
        void previous.then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
