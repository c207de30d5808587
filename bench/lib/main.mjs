// One bench run: the fixture server, the selected groups in order, cleanup, the JSON file and the report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';
import * as batch from '../groups/batch.mjs';
import * as cold from '../groups/cold.mjs';
import * as commands from '../groups/commands.mjs';
import * as concurrency from '../groups/concurrency.mjs';
import { withLiveSession } from '../groups/memory.mjs';
import * as instructions from '../groups/instructions.mjs';
import * as sessions from '../groups/sessions.mjs';
import * as shared from '../groups/shared.mjs';
import * as volume from '../groups/volume.mjs';
import * as wsflood from '../groups/wsflood.mjs';
import { cliPath, hasCommand, useCli } from './cli.mjs';
import { startFixture } from './fixture.mjs';
import { iterations } from './options.mjs';
import { run } from './proc.mjs';
import { render, targets } from './report.mjs';
import { cleanupAll, cleanupOnSignals } from './sessions.mjs';

export async function main(opts, cli) {
  useCli(cli);
  cleanupOnSignals();
  const N = iterations(opts.quick);
  const res = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(totalmem() / 1024 / 1024),
      loadBefore: loadavg().map((x) => x.toFixed(2)),
      loadAfter: undefined,
      dist: opts.dist,
      quick: opts.quick,
      iterations: N,
      bdgVersion: null,
      browser: null,
      nodeOptions: process.env.NODE_OPTIONS ?? null,
    },
    errors: [],
  };
  const fixture = await startFixture({ ...volume.pages(), ...wsflood.pages() });
  try {
    const version = await run(process.execPath, [cliPath(), '--version'], { timeoutMs: 20_000 });
    res.meta.bdgVersion = version.stdout.trim();
    const withNetworkList = await hasCommand(['network', 'list']);
    const ctx = { res, N, fixture, withNetworkList };
    const has = (g) => opts.groups.has(g);

    // 1, 2, 4, 6: one live session on a small page
    if (has('commands') || has('concurrency') || has('memory') || has('batch') || has('instructions')) {
      await withLiveSession(ctx, async (liveDir) => {
        if (has('commands')) await commands.measure(ctx, liveDir);
        if (has('concurrency')) await concurrency.measure(ctx, liveDir);
        if (has('batch')) await batch.measure(ctx, liveDir);
        if (has('instructions')) await instructions.measure(ctx, liveDir);
        return has('commands') || has('concurrency') || has('batch') || has('instructions');
      });
    }
    // 3: cold starts
    if (has('cold')) await cold.measure(ctx);
    // 5: volume
    if (has('volume')) await volume.measure(ctx);
    // 6: named sessions
    if (has('sessions')) await sessions.measure(ctx);
    // 7: one Chrome, many sessions
    if (has('shared')) await shared.measure(ctx);
    // 8: WebSocket flood
    if (has('wsflood')) await wsflood.measure(ctx);
  } catch (err) {
    res.errors.push(String(err?.stack ?? err));
  } finally {
    await cleanupAll();
    await fixture.close();
  }
  res.meta.loadAfter = loadavg().map((x) => x.toFixed(2));
  res.targets = targets(res);
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(res, null, 2)}\n`);
  process.stdout.write(`${render(res, opts.out)}\n`);
  return res.errors.length > 0 ? 1 : 0;
}
