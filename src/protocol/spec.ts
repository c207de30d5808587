/**
 * The shape of the command contract, declared once. The CLI derives its argument parsing, `--help` and `--help --json` from
 * these entries; the daemon validates every request against the same entries and rejects unknown keys.
 */

export type OptionType = 'boolean' | 'number' | 'string';

export interface OptionSpec {
  type: OptionType;
  description: string;
  /** Value used when the option is absent. */
  default?: boolean | number | string;
  /** Booleans: also accept `--no-NAME`. */
  negatable?: boolean;
  integer?: boolean;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Placeholder shown in help, e.g. `N`, `DIR`. */
  placeholder?: string;
}

export interface ArgSpec {
  name: string;
  description: string;
  required: boolean;
  choices?: readonly string[];
}

export interface CommandSpec {
  /** Request name on the socket (dot-separated for sub-commands). */
  name: string;
  /** Words on the command line (`[]` for `bdg <url>`). */
  path: readonly string[];
  summary: string;
  args: readonly ArgSpec[];
  /** Keyed by the long flag name (kebab-case); request params use the camelCase form. */
  options: Readonly<Record<string, OptionSpec>>;
  /** True when the command changes nothing in the page or the session. */
  readOnly: boolean;
  /** `cli` commands run in the CLI process; `daemon` commands are requests over the socket. */
  runs: 'cli' | 'daemon';
  /** Longest the daemon may spend on it before answering TIMEOUT. */
  timeoutMs?: number;
  examples: readonly string[];
}

