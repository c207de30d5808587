import type { CommandSpec } from '../spec.js';
import type { CssSearchResult } from './domInspect.js';

/** The page's stylesheets. */
export const CSS_COMMANDS = [
  {
    name: 'css.search',
    path: ['css', 'search'],
    summary: 'Find a text (case-insensitive) in every stylesheet of the page, cross-origin ones too, with file:line and the rule around it',
    args: [{ name: 'text', required: true, description: 'Text to find: a property, a value, a custom property (put -- before one that starts with -)' }],
    options: { limit: { type: 'number', integer: true, min: 1, max: 10_000, default: 50, placeholder: 'N', description: 'Show at most N matches' } },
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
