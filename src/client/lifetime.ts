/**
 * A session's lifetime as the starter decides it: the idle timeout (`--idle-timeout`, else BDG_IDLE_TIMEOUT, else
 * 3600 s) and the owner (`--owner-pid`, else BDG_OWNER_PID), whose identity (pid + start time) is read here, at
 * start, so that the daemon can tell the owner from a later process that is given the same pid.
 */
import { specOf, type ParamsOf } from '../protocol/commands.js';
import { DEFAULT_IDLE_TIMEOUT_SEC } from '../protocol/commands/session.js';
import type { OptionSpec } from '../protocol/spec.js';
import { parseDecimal, rangeText } from '../protocol/validate.js';
import { BdgError } from '../util/errors.js';
import { identityOf, isPidAlive, type ProcessIdentity } from '../util/proc.js';

/** An environment variable standing in for an option: the option's bounds, and exit 81 naming the variable. */
function fromEnv(env: NodeJS.ProcessEnv, name: string, spec: OptionSpec): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = parseDecimal(raw.trim());
  const ok =
    Number.isFinite(n) &&
    (spec.integer !== true || Number.isInteger(n)) &&
    (spec.min === undefined || n >= spec.min) &&
    (spec.max === undefined || n <= spec.max);
  if (!ok) throw new BdgError('INVALID_ARGUMENTS', `${name} must be ${rangeText(spec)} (got "${raw}")`, `Fix or unset ${name}.`);
  return n;
}

const startOptions = specOf('start').options;

/** Seconds without a command before the session stops itself; 0 = never. */
export function idleTimeoutSec(params: Pick<ParamsOf<'start'>, 'idleTimeout'>, env: NodeJS.ProcessEnv = process.env): number {
  return params.idleTimeout ?? fromEnv(env, 'BDG_IDLE_TIMEOUT', startOptions['idle-timeout']) ?? DEFAULT_IDLE_TIMEOUT_SEC;
}

/** The owner process, identified now; undefined without one. A pid that is not running is refused (exit 81). */
export function ownerOf(params: Pick<ParamsOf<'start'>, 'ownerPid'>, env: NodeJS.ProcessEnv = process.env): ProcessIdentity | undefined {
  const fromFlag = params.ownerPid;
  const pid = fromFlag ?? fromEnv(env, 'BDG_OWNER_PID', startOptions['owner-pid']);
  if (pid === undefined) return undefined;
  if (!isPidAlive(pid)) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `The owner process ${pid} (${fromFlag !== undefined ? '--owner-pid' : 'BDG_OWNER_PID'}) is not running`,
      'Pass the pid of a process that outlives the session, such as the agent harness itself (not a shell that exits after this command).',
      { ownerPid: pid },
    );
  }
  return identityOf(pid);
}
