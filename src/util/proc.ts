import { platform } from '../platform/index.js';
import { errnoCode } from './errors.js';

/**
 * True when a process with this pid exists and is not a zombie (EPERM means it exists but belongs to someone
 * else). A daemon whose parent exited is reparented to init; where init is slow to reap, a dead daemon lingers as
 * a zombie that still answers kill(pid, 0).
 */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (errnoCode(err) !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/**
 * When a process started, as the platform tells it (on Linux the kernel's clock ticks since boot, from
 * /proc/PID/stat field 22), used to tell a live owner from an unrelated process that was given the same pid later.
 * Undefined where the platform cannot tell (see src/platform/).
 */
export function processStartTime(pid: number): string | undefined {
  return platform.processStartTime(pid);
}

/** The identity of a process that survives pid reuse: pid plus start time when the platform tells it. */
export interface ProcessIdentity {
  pid: number;
  startTime?: string;
}

export function identityOf(pid: number): ProcessIdentity {
  const startTime = processStartTime(pid);
  return startTime === undefined ? { pid } : { pid, startTime };
}

/** True only when the same process (not a reused pid) is still running. */
export function isSameProcessAlive(id: ProcessIdentity): boolean {
  if (!isPidAlive(id.pid)) return false;
  if (id.startTime === undefined) return true;
  const now = processStartTime(id.pid);
  return now === undefined || now === id.startTime;
}

/**
 * isSameProcessAlive without synchronous I/O, for the daemon's owner check: kill(pid, 0), then the platform's
 * asynchronous status read (a zombie or another start time is a different or dead process). Where the status
 * cannot be read, kill(pid, 0) alone decides, as in isSameProcessAlive.
 */
export async function isSameProcessAliveAsync(id: ProcessIdentity): Promise<boolean> {
  if (!Number.isInteger(id.pid) || id.pid <= 0) return false;
  try {
    process.kill(id.pid, 0);
  } catch (err) {
    if (errnoCode(err) !== 'EPERM') return false;
  }
  const status = await platform.processStatus(id.pid);
  if (status === undefined) return true;
  if (status.zombie) return false;
  return id.startTime === undefined || status.startTime === undefined || status.startTime === id.startTime;
}

/** Zombie check: a killed child that its parent has not reaped still answers kill(pid, 0). */
export function isZombie(pid: number): boolean {
  return platform.isZombie(pid);
}

export function killQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Signals every process in the process group `pgid` (a Chrome bdg launched leads its own group, so that a
 * launcher script's children go with it). Windows has no process groups: there it signals `pgid` alone.
 */
export function killGroupQuietly(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  return killQuietly(process.platform === 'win32' ? pgid : -pgid, signal);
}
