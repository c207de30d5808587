// The bench tools' shared run (bench/tools/*.mjs): their command line (--dist and named options) and one session on
// the volume page (bench/groups/volume.mjs) taken through its burst, with a hook at 10 and one once the totals
// settled. Needs `npm run build`.
import { join, resolve } from 'node:path';
import { sleep } from '../../build/test/helpers/bdg.js';
import { statusJson, useCli } from './cli.mjs';
import { startFixture } from './fixture.mjs';
import { cleanupAll, newSessionDir, startSession, stopSession } from './sessions.mjs';
import * as volume from '../groups/volume.mjs';

/** The tool's options: `opt(name, default)`, `flag(name)`; `--dist DIR` chooses the build measured. */
export function toolOptions() {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  useCli(join(resolve(opt('--dist', new URL('../../dist', import.meta.url).pathname)), 'bdg.js'));
  return { opt, flag: (name) => argv.includes(name) };
}

/** Totals seen by `status` (kept + dropped), polled until two reads agree: the burst has been taken in. */
async function settle(dir) {
  let last = '';
  for (let i = 0; i < 240; i++) {
    const s = await statusJson(dir);
    const key = `${(s?.network?.count ?? 0) + (s?.network?.dropped ?? 0)}/${(s?.console?.count ?? 0) + (s?.console?.dropped ?? 0)}`;
    if (key === last) break;
    last = key;
    await sleep(500);
  }
  return last;
}

/**
 * Starts a session on the volume page (`env` for its daemon), calls `atTen({ dir, start })` before the burst when
 * given, releases it, waits for the totals to settle and `waitMs` more, calls `afterBurst({ dir, start, settled })`,
 * and stops everything, also on failure.
 */
export async function runVolumeBurst({ name, env = {}, waitMs = 0, atTen, afterBurst }) {
  const fixture = await startFixture(volume.pages());
  try {
    const dir = newSessionDir(name);
    const start = await startSession(dir, fixture.url('/vol'), { env });
    if (!(await fixture.waitFor('/go', 30_000))) throw new Error('the volume page never reached /go');
    if (atTen !== undefined) {
      await sleep(500);
      await atTen({ dir, start });
    }
    fixture.releaseGo();
    if (!(await fixture.waitFor('/done', 300_000))) throw new Error('no /done');
    const settled = await settle(dir);
    await sleep(waitMs);
    await afterBurst({ dir, start, settled });
    await stopSession(dir);
  } finally {
    await cleanupAll();
    await fixture.close();
  }
}
