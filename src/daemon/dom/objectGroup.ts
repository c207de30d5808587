import { AsyncLocalStorage } from 'node:async_hooks';
import type { BrowserSession } from '../session.js';

/**
 * The CDP object group a command's remote handles go into: one group per command, so that a command releasing its
 * handles (a read-only `dom query`, each poll of `dom wait`) never releases those of another command running at the
 * same time on the same page. One shared group did exactly that: a `dom wait` poll freed the promise a concurrent
 * `dom eval` was awaiting ("Runtime.awaitPromise: Could not find object with given id").
 */
const scope = new AsyncLocalStorage<{ name: string; used: boolean }>();
let seq = 0;

/** Work done outside any command (start-up, background probes) shares this one. */
const BACKGROUND_GROUP = 'bdg-dom';

/** The current command's object group, for every `objectGroup` bdg passes to CDP. */
export function objectGroup(): string {
  const s = scope.getStore();
  if (s === undefined) return BACKGROUND_GROUP;
  s.used = true;
  return s.name;
}

/** Releases the current command's handles (the page keeps them until its document goes otherwise). */
export async function releaseObjectGroup(session: BrowserSession, group: string = objectGroup()): Promise<void> {
  // A page that is down or hung would only let the call time out (and keep the tab's lock that long); its handles
  // go with its document, which is what a recovery replaces.
  if (session.health.down !== undefined || session.health.hungSince !== undefined) return;
  await session.pageSend('Runtime.releaseObjectGroup', { objectGroup: group }, { timeoutMs: 2_000 }).catch(() => undefined);
}

/**
 * Runs one command in a group of its own; when it ends, whatever it left in the page is released (without delaying
 * its answer: the release is sent after it and needs no reply).
 */
export function inOwnObjectGroup<T>(session: BrowserSession, fn: () => Promise<T>): Promise<T> {
  const s = { name: `bdg-${(++seq).toString(36)}`, used: false };
  return scope.run(s, () =>
    fn().finally(() => {
      if (s.used) void releaseObjectGroup(session, s.name);
    }),
  );
}
