import type { InFamily } from '../../protocol/commands.js';
import { call } from '../../client/call.js';
import type { RunnerTable } from '../runner.js';

export const CSS_RUNNERS: RunnerTable<InFamily<'css'>> = {
  'css.search': async (paths, params, out) => {
    const d = await call(paths, 'css.search', params);
    return out.success(d, () => {
      if (d.count === 0)
        return `No stylesheet of the page (${d.stylesheets}) contains "${d.text}"${d.unreadable > 0 ? ` (${d.unreadable} could not be read)` : ''}`;
      const lines = [`${d.count === 1 ? '1 match' : `${d.count} matches`} for "${d.text}" in ${d.stylesheets} stylesheet${d.stylesheets === 1 ? '' : 's'}:`];
      for (const m of d.matches) lines.push(`  ${m.source}  ${m.rule !== '' ? `${m.rule}  ` : ''}${m.text}`);
      if (d.omitted > 0) lines.push(`  … ${d.omitted} more (--limit N, or --full for all)`);
      return lines.join('\n');
    });
  },
};
