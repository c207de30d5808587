import { resolve } from 'node:path';
import type { InFamily } from '../../protocol/commands.js';
import type { StateResult, StorageResult } from '../../protocol/commands/storage.js';
import { call } from '../../client/call.js';
import { formatBytes } from '../render.js';
import type { RunnerTable } from '../runner.js';

function renderStorage(d: StorageResult): string {
  const where = `${d.storage}Storage of ${d.origin}`;
  switch (d.action) {
    case 'list': {
      const items = d.items ?? [];
      if (items.length === 0) return `${where}: empty`;
      const more = (d.omitted ?? 0) > 0 ? [`  ... ${d.omitted ?? 0} more (--limit N, or --full for all)`] : [];
      return [`${where}: ${d.count ?? items.length} item${d.count === 1 ? '' : 's'}`, ...items.map((i) => `  ${i.key} = ${i.value}`), ...more].join('\n');
    }
    case 'get':
      return d.found === true ? (d.items?.[0]?.value ?? '') : `No "${d.key ?? ''}" in ${where}`;
    case 'set':
      return `Set "${d.key ?? ''}" in ${where}`;
    case 'remove':
      return d.found === true ? `Removed "${d.key ?? ''}" from ${where}` : `No "${d.key ?? ''}" in ${where} (nothing removed)`;
    case 'clear':
      return `Cleared ${where} (${d.removed ?? 0} item${d.removed === 1 ? '' : 's'} removed)`;
    default:
      return '';
  }
}

function counts(d: StateResult): string {
  return `${d.cookies} cookie${d.cookies === 1 ? '' : 's'}, ${d.localStorage} localStorage and ${d.sessionStorage} sessionStorage item${d.sessionStorage === 1 ? '' : 's'} from ${d.origins} origin${d.origins === 1 ? '' : 's'}`;
}

export const STORAGE_RUNNERS: RunnerTable<InFamily<'storage'>> = {
  'storage.local': async (paths, params, out) => {
    const d = await call(paths, 'storage.local', params);
    return out.success(d, () => renderStorage(d));
  },
  'storage.session': async (paths, params, out) => {
    const d = await call(paths, 'storage.session', params);
    return out.success(d, () => renderStorage(d));
  },
};

/** The daemon reads and writes the state file: its path is made absolute against where the user ran bdg. */
export const STATE_RUNNERS: RunnerTable<InFamily<'state'>> = {
  'state.save': async (paths, params, out) => {
    const d = await call(paths, 'state.save', { ...params, file: resolve(params.file) });
    return out.success(d, () => `Saved ${counts(d)} to ${d.file} (${formatBytes(d.bytes ?? 0)}, mode 0600; it holds secrets)`);
  },
  'state.load': async (paths, params, out) => {
    const d = await call(paths, 'state.load', { ...params, file: resolve(params.file) });
    return out.success(d, () => `Loaded ${counts(d)} from ${d.file}; reload the page (bdg page reload) for it to read them`);
  },
};
