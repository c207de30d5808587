import { BdgError } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import { write, type Output } from './output.js';

/**
 * The one polling loop behind every `--follow` (tail, peek, console, network list, cdp events): ask the daemon,
 * print what is new, wait, until Ctrl-C or the session ends. `poll` returns the text of one round (JSON Lines
 * with --json), or that text and whether the followed thing has ended. When the session goes away mid-follow, the reason the CLI found (daemon died, Chrome exited) is
 * printed instead of an error; if there is no session at the first round, that is an error as usual.
 */
export async function followLoop(
  out: Output,
  intervalMs: number,
  poll: (first: boolean) => Promise<string | { text: string; done: boolean }>,
): Promise<number> {
  let stop = false;
  const onInterrupt = (): void => {
    stop = true;
  };
  process.once('SIGINT', onInterrupt);
  let first = true;
  try {
    while (!stop) {
      let text: string;
      try {
        const round = await poll(first);
        // A round may say the followed thing is over (a WebSocket closed): print it and end as after Ctrl-C.
        if (typeof round === 'string') text = round;
        else {
          text = round.text;
          if (round.done) stop = true;
        }
      } catch (err) {
        // After the first round, "no session" and "starting" (a lock still held by the exiting daemon for a moment
        // after its socket is gone) both mean the session we were following has ended.
        if (!first && err instanceof BdgError && (err.code === 'NOT_FOUND' || err.code === 'DAEMON_ALREADY_STARTING')) {
          const cleaned = (err.data as { cleaned?: string[] } | undefined)?.cleaned ?? [];
          out.note(['Session ended.', ...cleaned].join(' '));
          return 0;
        }
        throw err;
      }
      first = false;
      await write(process.stdout, text);
      if (!stop) await sleep(intervalMs);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  return 0;
}
