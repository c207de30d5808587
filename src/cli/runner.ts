import type { CommandName, CommandSpec, InFamily, ParamsOf } from '../protocol/commands.js';
import type { Params } from '../protocol/validate.js';
import type { SessionPaths } from '../util/paths.js';
import type { Output } from './output.js';

/** Runs one command in the CLI process (params validated, defaults applied) and returns its exit code. */
export type Runner<N extends CommandName> = (paths: SessionPaths, params: ParamsOf<N>, out: Output) => Promise<number>;

/** Runners for exactly the commands `N`: one missing, or one for a command that does not exist, does not compile. */
export type RunnerTable<N extends CommandName> = { readonly [K in N]: Runner<K> };

/**
 * Runs one command as `bdg` does: the contract applied to `params`, the command's runner, a failure handed to `out`
 * like any answer; returns the exit code. The front doors that run many commands (batch, MCP) are handed it.
 */
export type Execute = (command: CommandSpec, params: Params, out: Output, paths: SessionPaths) => Promise<number>;

/** Command families whose runners load only when one of their commands runs (each from its own file in dist/). */
export type LazyFamily =
  'cdp' | 'network' | 'console' | 'dom' | 'page' | 'tabs' | 'bundle' | 'css' | 'batch' | 'mcp' | 'eval' | 'storage' | 'state' | 'install-skill';

/** Everything else runs from the session core, loaded with the CLI. */
export type SessionCommand = Exclude<CommandName, InFamily<LazyFamily>>;
