import { win32 as winPath } from 'node:path';
import { explicitChrome, isPid, onPath, runSync } from './common.js';
import type { Platform, ProcessInfo } from './types.js';

/**
 * Windows. Limits, honestly:
 * - No process start time: the only sources (WMI/CIM through PowerShell) take hundreds of milliseconds per call,
 *   and lock checks poll it in loops. `processStartTime` is therefore undefined and locks fall back to pid-only
 *   identity, which does not protect against pid reuse.
 * - No zombies: Node's kill(pid, 0) on Windows already fails for a process that has exited.
 * - Command lines and the process list come from `Get-CimInstance Win32_Process` in PowerShell (no cmd.exe shell;
 *   the script is a fixed string with only a validated pid in it): slow (~0.5-1 s), used only by clean-up. A
 *   process of another user may show a null command line, which counts as unreadable.
 * Not exercised on a real Windows machine; the parsers are unit-tested against recorded output.
 */
function powershell(env: NodeJS.ProcessEnv): string {
  const root = envGet(env, 'SystemRoot');
  return root !== undefined ? winPath.join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe') : 'powershell.exe';
}

function cim(filter: string | undefined): string | undefined {
  const query = `Get-CimInstance Win32_Process${filter !== undefined ? ` -Filter '${filter}'` : ''} | Select-Object ProcessId,ParentProcessId,CommandLine | ConvertTo-Json -Compress`;
  return runSync(powershell(process.env), ['-NoProfile', '-NonInteractive', '-Command', query], { timeoutMs: 15_000 });
}

/**
 * Parses `ConvertTo-Json -Compress` of Win32_Process objects (ProcessId, ParentProcessId, CommandLine): an array,
 * a single object when there was one process, or nothing when there was none.
 */
export function parseCimProcesses(text: string): ProcessInfo[] {
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const out: ProcessInfo[] = [];
  for (const p of Array.isArray(parsed) ? parsed : [parsed]) {
    const o = p as { ProcessId?: unknown; ParentProcessId?: unknown; CommandLine?: unknown } | null;
    if (o === null || typeof o.ProcessId !== 'number' || typeof o.CommandLine !== 'string') continue;
    out.push({ pid: o.ProcessId, ppid: typeof o.ParentProcessId === 'number' ? o.ParentProcessId : 0, zombie: false, command: o.CommandLine });
  }
  return out;
}

/** Environment variables are case-insensitive on Windows; a plain object (a test's fake env) is not. */
function envGet(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const exact = env[name];
  if (exact !== undefined) return exact === '' ? undefined : exact;
  const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : env[key];
  return v === '' ? undefined : v;
}

export function win32ChromeCandidates(env: NodeJS.ProcessEnv): string[] {
  const explicit = explicitChrome(env);
  if (explicit !== undefined) return [explicit];
  const out: string[] = [];
  for (const base of [envGet(env, 'PROGRAMFILES'), envGet(env, 'PROGRAMFILES(X86)'), envGet(env, 'LOCALAPPDATA')]) {
    if (base !== undefined) out.push(winPath.join(base, 'Google', 'Chrome', 'Application', 'chrome.exe'));
  }
  const local = envGet(env, 'LOCALAPPDATA');
  if (local !== undefined) {
    out.push(winPath.join(local, 'Chromium', 'Application', 'chrome.exe'));
    out.push(winPath.join(local, 'Google', 'Chrome SxS', 'Application', 'chrome.exe'));
  }
  return [...new Set([...out, ...onPath(envGet(env, 'PATH'), winPath.delimiter, (dir, name) => winPath.join(dir, name), ['chrome.exe'])])];
}

export const win32: Platform = {
  name: 'win32',
  processStartTime: () => undefined,
  // No start time (see above): whether the pid exists is all the caller learns, from kill(pid, 0).
  processStatus: (pid) => {
    if (!isPid(pid)) return Promise.resolve(undefined);
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') return Promise.resolve(undefined);
    }
    return Promise.resolve({ startTime: undefined, zombie: false });
  },
  isZombie: () => false,
  commandLine(pid) {
    if (!isPid(pid)) return undefined;
    const text = cim(`ProcessId=${pid}`);
    return text === undefined ? undefined : parseCimProcesses(text)[0]?.command;
  },
  // Another process's environment is not readable on Windows without debugging it.
  environment: () => undefined,
  listProcesses(match) {
    const text = cim(undefined);
    if (text === undefined) return [];
    const all = parseCimProcesses(text);
    return match === undefined ? all : all.filter((p) => match(p.command));
  },
  chromeCandidates: win32ChromeCandidates,
};
