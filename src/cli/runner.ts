import type { Params } from '../protocol/validate.js';
import type { SessionPaths } from '../util/paths.js';
import type { Output } from './output.js';

/** Runs one command in the CLI process and returns its exit code. */
export type Runner = (paths: SessionPaths, params: Params, out: Output) => Promise<number>;
