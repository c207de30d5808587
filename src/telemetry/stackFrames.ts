/**
 * V8 stack lines (`    at fn (url:line:col)`) as console records keep them: the pieces source mapping rewrites.
 * Pure, no maps here (sourceMaps.ts resolves the positions).
 */
import type { ConsoleRecord, OriginalLocation } from '../protocol/records.js';

/** A V8 stack line `    at fn (url:line:col)` or `    at url:line:col`: the head (`    at fn (`), url, line, column, `)`. */
export const STACK_LINE = /^(\s*at (?:.*? \()?)(.+?):(\d+):(\d+)(\)?)$/;

/** A frame's `    at NAME (` with the function's own name (its last segment, after any `Type.`) replaced by `name`. */
export function renamedFrame(head: string, name: string | undefined): string {
  if (name === undefined) return head;
  const m = /^(\s*at (?:new |async )?)(.+?)( \[as [^\]]*\])? \($/.exec(head);
  if (m === null) return head;
  const fn = /^(.*\.)?([\p{L}_$][\p{L}\p{N}_$]*)$/u.exec(m[2] as string);
  if (fn === null || fn[2] === name) return head;
  return `${m[1] as string}${fn[1] ?? ''}${name}${m[3] ?? ''} (`;
}

/**
 * Where a mapped message is in the original source: its own location, else the first stack frame a map covered;
 * undefined when neither was mapped. For one-line reports (an action's console errors).
 */
export function firstOriginalLocation(record: ConsoleRecord): OriginalLocation | undefined {
  if (record.original !== undefined) return record.original;
  if (record.originalStack === undefined || record.stack === undefined) return undefined;
  const generated = record.stack.split('\n');
  const mapped = record.originalStack.split('\n');
  for (let i = 0; i < mapped.length; i++) {
    const o = STACK_LINE.exec(mapped[i] as string);
    const g = STACK_LINE.exec(generated[i] ?? '');
    if (o === null || g === null) continue;
    if (o[2] !== g[2] || o[3] !== g[3] || o[4] !== g[4]) return { url: o[2] as string, line: Number(o[3]), column: Number(o[4]) };
  }
  return undefined;
}

/**
 * The original name of the function a frame ran, from the frame below it (its caller): a map names identifiers where
 * the code mentions them, and a call's position is its callee's name (`o(r)` at `o`, `a.o(r)` at `o`), so the
 * caller's position maps to the name the original code called it by (as source-map-support names frames). The
 * outermost frame (called by the browser) and one whose caller is in another async segment keep their own name; a
 * function called through a parameter gets the parameter's name, which is what its caller's code says.
 */
export function calledAs(caller: { m: RegExpExecArray; at: OriginalLocation | undefined } | undefined): string | undefined {
  if (caller === undefined || /^\s*at async /.test(caller.m[1] as string)) return undefined;
  return caller.at?.name;
}
