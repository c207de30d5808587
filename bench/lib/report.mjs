// The printed report: a header, each group's section, the figures the issue sets targets for, errors.
import * as batch from '../groups/batch.mjs';
import * as cold from '../groups/cold.mjs';
import * as commands from '../groups/commands.mjs';
import * as concurrency from '../groups/concurrency.mjs';
import * as memory from '../groups/memory.mjs';
import * as instructions from '../groups/instructions.mjs';
import * as sessions from '../groups/sessions.mjs';
import * as shared from '../groups/shared.mjs';
import * as volume from '../groups/volume.mjs';
import * as wsflood from '../groups/wsflood.mjs';
import { table } from './table.mjs';

const verdict = (ok) => (ok === null ? '?' : ok ? 'met' : 'MISSED');

/** The figures the issue sets targets for, each with its verdict. */
export function targets(res) {
  return [commands, instructions, batch, cold, memory, volume, wsflood, concurrency, sessions, shared].flatMap((g) => g.targets(res, verdict));
}

export function render(res, outFile) {
  const out = [];
  const m = res.meta;
  out.push(`bdg bench  ${m.date}  bdg ${m.bdgVersion}  node ${m.node}  ${m.browser ?? ''}`);
  out.push(
    `${m.cpus} CPUs (${m.cpuModel}), load average ${m.loadBefore.join(' ')} before / ${m.loadAfter?.join(' ') ?? '?'} after${m.quick ? '  [--quick]' : ''}`,
  );
  out.push(`dist: ${m.dist}`);
  out.push('');
  for (const g of [commands, instructions, concurrency, cold, memory, volume, batch, sessions, shared, wsflood]) out.push(...g.render(res));
  const summary = targets(res);
  if (summary.length > 0) {
    out.push('Against the targets (issue #2; original tool / Rust peer for reference)');
    out.push(
      table(
        summary.map((r) => [r.what, r.ours, r.target, r.verdict, r.original, r.rust]),
        ['figure', 'ours', 'target', '', 'original', 'Rust peer'],
      ),
    );
    out.push('');
  }
  if (res.errors.length > 0) {
    out.push('Errors:');
    for (const e of res.errors) out.push(`  ${e}`);
  }
  out.push(`Results: ${outFile}`);
  return out.join('\n');
}
