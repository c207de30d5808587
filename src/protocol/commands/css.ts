import { fullOption } from '../spec.js';
import type { CommandSpec } from '../spec.js';
import type { CssSearchResult } from './domInspect.js';

/** The page's stylesheets. */
export const CSS_COMMANDS = [
  {
    name: 'css.search',
    path: ['css', 'search'],
    summary: 'Find text in every stylesheet (cross-origin too), with file:line and its rule',
    args: [{ name: 'text', required: true, description: 'Text to find (-- before one starting with -)' }],
    options: {
      full: fullOption,
      limit: { type: 'number', integer: true, min: 1, max: 10_000, default: 50, placeholder: 'N', description: 'Show at most N matches' },
    },
    listing: {},
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 30_000,
    examples: ['bdg css search "oklch("', 'bdg css search -- --brand', 'bdg css search ".btn-primary" --json'],
  },
] as const satisfies readonly CommandSpec[];

export interface CssResults {
  'css.search': CssSearchResult;
}
