import { BdgError } from '../../util/errors.js';

/** Who holds a key's lock, for "busy with ..." messages, and how to make it let go. */
export interface LockHolder {
  label: string;
  since: number;
  /** Ends the holder's work early (its request is answered with why); absent when it cannot be cut short. */
  cancel?: (by: string) => void;
  /** The holder replaces the page's document (navigate, reload): the page being busy meanwhile is expected. */
  replacesDocument?: boolean;
}

/** What a caller of {@link KeyedMutex.run} says about itself, for whoever queues behind it. */
export type HolderInfo = Omit<LockHolder, 'label' | 'since'>;

/**
 * Per-key FIFO locks: page-changing commands on one tab run one at a time; read-only ones do not take it.
 * A waiter whose request is aborted (timeout, client gone) leaves the queue without running.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #holders = new Map<string, LockHolder>();

  /** The command running under `key`'s lock now, if any. */
  holder(key: string): LockHolder | undefined {
    return this.#holders.get(key);
  }

  async run<T>(key: string, signal: AbortSignal, fn: () => Promise<T>, label = 'another command', info: HolderInfo = {}): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    let held = false;
    try {
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) {
          reject(new BdgError('TIMEOUT', 'Cancelled while waiting for another command on this tab'));
          return;
        }
        const onAbort = (): void => {
          const h = this.#holders.get(key);
          reject(
            new BdgError(
              'TIMEOUT',
              `Timed out waiting for ${h !== undefined ? `${h.label} (running for ${Math.round((Date.now() - h.since) / 1000)} s)` : 'another command'} on this tab to finish`,
              'A long action (dom wait, dom submit) may be running; retry when it is done.',
            ),
          );
        };
        signal.addEventListener('abort', onAbort, { once: true });
        void previous.then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
      held = true;
      this.#holders.set(key, { ...info, label, since: Date.now() });
      return await fn();
    } finally {
      if (held) this.#holders.delete(key);
      release();
      // Forget the chain only once everything queued before us is done too: a waiter that gave up while an
      // earlier command still runs must not let the next one in beside it.
      void tail.then(() => {
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
      });
    }
  }
}
