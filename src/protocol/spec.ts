/**
 * The shape of the command contract, declared once. The CLI derives its argument parsing, `--help` and `--help --json` from
 * these entries; the daemon validates every request against the same entries and rejects unknown keys. The entries are
 * declared `as const`, so the types below can read each command's params straight off its entry: a handler's params and
 * a runner's params are the same type, and neither is written by hand.
 */
import { FULL_DESCRIPTION, type ListingShape } from '../util/bounded.js';

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
  /** Choices: also accept them in any case (the original bdg's `--format JPEG`); the value is the declared spelling. */
  anyCase?: boolean;
  /** Placeholder shown in help, e.g. `N`, `DIR`. */
  placeholder?: string;
  /** Strings: may be given more than once; the value is then the list, in order (`--cdp-header`). */
  repeatable?: boolean;
  /**
   * String options: the value the flag stands for when given without one (`--shared-browser` alone). The next word
   * is then its value when it is not a flag and, on `bdg <url>` (whose argument is a URL), cannot be a URL;
   * `--NAME=VALUE` always works.
   */
  valueOptional?: string;
  /** Another spelling of what the command already offers (the original bdg's form): the CLI takes it, MCP leaves it out. */
  alias?: boolean;
}

export interface ArgSpec {
  name: string;
  description: string;
  required: boolean;
  choices?: readonly string[];
  /** As OptionSpec.alias: an optional argument that only spells another option positionally. */
  alias?: boolean;
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
  /**
   * Whether the dispatcher runs the command under the selected tab's mutex. Defaults to `tab` for daemon commands
   * that are not read-only, `none` otherwise; `none` on a page-changing command (stop) means it must never queue
   * behind a page that hangs.
   */
  lock?: 'tab' | 'none';
  /**
   * What the command needs of the selected page's renderer; the dispatcher acts on it so that no handler has to.
   * - `live`: it runs script in the page or reads its document. Refused at once while the page is crashed
   *   (PAGE_CRASHED) or its tab is gone, ended at once when the renderer crashes while it runs, and when it runs out
   *   of time (or would queue behind a command on a page that does not answer) the page is probed, so the error
   *   can say that the page's main thread is hung.
   * - `recovers`: it replaces the document (navigate, reload, history). Runs on a crashed page, since that is how
   *   the page comes back, and is not refused for a hung one; otherwise like `live`.
   * - `by-target`: `live` when the request goes to the page, nothing when it goes to the browser (`bdg cdp`).
   * Absent: the command answers from the daemon's own records or from the browser (status, listings, tabs).
   */
  page?: 'live' | 'recovers' | 'by-target';
  /** `cli` commands run in the CLI process; `daemon` commands are requests over the socket. */
  runs: 'cli' | 'daemon';
  /** Longest the daemon may spend on it before answering TIMEOUT. */
  timeoutMs?: number;
  /**
   * Running it twice with the same params has no further effect (MCP's `idempotentHint`). Read-only commands are;
   * for the others it is a judgement recorded here: stopping, selecting, filling the same value, scrolling to the
   * same place are; clicking, pressing, submitting, navigating back are not.
   */
  idempotent?: boolean;
  /** Keeps printing until interrupted (`tail`); a `follow` option does the same per call. Batch and MCP refuse both. */
  follows?: boolean;
  /** Runs other commands (`batch`, `mcp`): a front door, not something batch or MCP runs. */
  frontDoor?: boolean;
  /** Sets up this machine rather than asking a session (`install-skill`): a command line thing MCP does not offer. */
  machine?: boolean;
  /**
   * Reached through another command, which front doors that list commands compactly (MCP) show instead:
   * `dom.pressKey` is `dom.press`; `cdp.send` and `cdp.events` are what `bdg cdp` sends.
   */
  via?: string;
  /**
   * A listing (util/bounded.ts): the dispatcher shows at most 100 rows of each array named in `rows` (the newest
   * with `keep: 'newest'`) with `count`/`omitted`, cuts long string values with a marker, and lets `--full` (an
   * option the entry declares) show everything, lifting a `--limit` to its maximum.
   */
  listing?: ListingShape;
  examples: readonly string[];
  /** More help shown by `<command> --help` after the examples (how to register the MCP server). */
  more?: readonly string[];
}

/** `--full` on a listing (see `CommandSpec.listing`). */
export const fullOption = { type: 'boolean', default: false, description: FULL_DESCRIPTION } as const satisfies OptionSpec;

/** True when this call would keep printing until interrupted: a following command, or `follow: true`. */
export function isFollowing(spec: Pick<CommandSpec, 'follows'>, params: Readonly<Record<string, unknown>>): boolean {
  return spec.follows === true || params['follow'] === true;
}

/** Whether running it twice has no further effect: read-only commands, and those the contract says are. */
export function isIdempotent(spec: Pick<CommandSpec, 'readOnly' | 'idempotent'>): boolean {
  return spec.idempotent ?? spec.readOnly;
}

/** True when the dispatcher takes the selected tab's mutex for this command. */
export function locksTab(spec: Pick<CommandSpec, 'readOnly' | 'lock' | 'runs'>): boolean {
  if (spec.runs !== 'daemon') return false;
  return (spec.lock ?? (spec.readOnly ? 'none' : 'tab')) === 'tab';
}

// ---- Types read off an entry -------------------------------------------------------------------------------------

/** `max-body-size` -> `maxBodySize`, as `camelCase()` does at run time. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

type ValueOf<O> = O extends { repeatable: true }
  ? string[]
  : O extends { type: 'boolean' }
    ? boolean
    : O extends { type: 'number' }
      ? number
      : O extends { choices: readonly (infer C)[] }
        ? C
        : string;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** Options with a default are always present once validated; the others may be absent. */
type OptionParams<Opts> = {
  [K in keyof Opts as Opts[K] extends { default: unknown } ? CamelCase<K & string> : never]: ValueOf<Opts[K]>;
} & {
  [K in keyof Opts as Opts[K] extends { default: unknown } ? never : CamelCase<K & string>]?: ValueOf<Opts[K]>;
};

type ArgParams<Args extends readonly ArgSpec[]> = {
  [A in Args[number] as A extends { required: true } ? A['name'] : never]: ValueOf<A>;
} & {
  [A in Args[number] as A extends { required: true } ? never : A['name']]?: ValueOf<A>;
};

/** The params a command's handler and runner receive: validated, defaults applied. */
export type ParamsOfSpec<S extends CommandSpec> = Flatten<ArgParams<S['args']> & OptionParams<S['options']>>;

/** The params a client may send: required args, and any options (the dispatcher fills in the defaults). */
export type InputOfSpec<S extends CommandSpec> = Flatten<ArgParams<S['args']> & Partial<OptionParams<S['options']>>>;
