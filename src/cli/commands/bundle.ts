import { resolve } from 'node:path';
import type { InFamily } from '../../protocol/commands.js';
import { call } from '../../client/call.js';
import { formatBytes } from '../render.js';
import type { RunnerTable } from '../runner.js';

export const BUNDLE_RUNNERS: RunnerTable<InFamily<'bundle'>> = {
  bundle: async (paths, params, out) => {
    // The daemon has its own working directory: resolve the path here, where the user typed it.
    const d = await call(paths, 'bundle', { ...params, dir: resolve(process.cwd(), params.dir) });
    for (const f of d.failed) out.note(`Not written: ${f.part}: ${f.error}`);
    return out.success(d, () =>
      [
        `Wrote a debug bundle to ${d.dir}${d.failed.length > 0 ? ` (${d.failed.length} part${d.failed.length === 1 ? '' : 's'} failed: ${d.failed.map((f) => f.part).join(', ')})` : ''}:`,
        ...d.files.map((f) => `  ${f.name.padEnd(16)} ${formatBytes(f.bytes).padStart(9)}`),
        `Secrets replaced by [REDACTED]: ${d.redacted}. Start with ${d.summary}`,
      ].join('\n'),
    );
  },
};
