/**
 * Renders CDP runtime values (RemoteObject, ObjectPreview) as short text the way the DevTools console shows them
 * collapsed: strings raw at the top level and quoted inside objects, objects as `{a: 1, nested: {…}}`, arrays as
 * `[1, 2, 3]`, functions as `ƒ name()`. Also applies console format specifiers and formats stack traces.
 */
import type { Protocol } from 'devtools-protocol';

type RemoteObject = Protocol.Runtime.RemoteObject;
type ObjectPreview = Protocol.Runtime.ObjectPreview;
type PropertyPreview = Protocol.Runtime.PropertyPreview;
type StackTrace = Protocol.Runtime.StackTrace;

/**
 * Nesting depth up to which nested previews (present e.g. for console.table rows and Map entries) are expanded;
 * deeper values are abbreviated as `{…}` / `Array(n)`, as DevTools does for collapsed previews.
 */
const MAX_PREVIEW_DEPTH = 2;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/** Options for {@link renderRemoteObject}. */
export interface RenderOptions {
  /** Quote strings (`"x"`), as `%o` does; top-level console arguments are printed raw by default. */
  quoteStrings?: boolean;
}

/** Renders one RemoteObject (a console argument, a thrown value) as DevTools prints it in a console message. */
export function renderRemoteObject(obj: RemoteObject, opts: RenderOptions = {}): string {
  switch (obj.type) {
    case 'string': {
      const s = typeof obj.value === 'string' ? obj.value : (obj.description ?? '');
      return opts.quoteStrings === true ? JSON.stringify(s) : s;
    }
    case 'number':
    case 'bigint':
      // NaN, Infinity, -0 and bigints have no JSON value: CDP sends them as unserializableValue.
      return obj.unserializableValue ?? obj.description ?? String(obj.value);
    case 'boolean':
      return String(obj.value);
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return obj.description ?? 'Symbol()';
    case 'function':
      return renderFunction(obj.description ?? '');
    case 'object':
      break;
    default:
      return obj.description ?? String(obj.value);
  }
  if (obj.subtype === 'null') return 'null';
  // Errors print their description, which is the message followed by the stack, as in DevTools.
  if (obj.subtype === 'error') return obj.description ?? obj.className ?? 'Error';
  if (obj.preview !== undefined) return renderObjectPreview(obj.preview);
  // Values fetched with returnByValue carry the JSON value itself and no preview.
  if (obj.value !== undefined) return safeJson(obj.value);
  return obj.description ?? obj.className ?? 'Object';
}

/**
 * Renders an ObjectPreview: `{a: 1, b: "x"}`, `Foo {a: 1}`, `[1, 2, 3]`, `Map(1) {"k" => 1}`, `Set(2) {1, 2}`;
 * a trailing `…` marks properties V8 left out of the preview. `depth` is the current nesting level.
 */
export function renderObjectPreview(preview: ObjectPreview, depth = 0): string {
  if (preview.type !== 'object') return renderPreviewValue(preview, depth);
  switch (preview.subtype) {
    case 'null':
      return 'null';
    case 'array':
      return renderArrayPreview(preview, depth);
    case 'typedarray':
      return `${preview.description ?? 'TypedArray'} ${renderArrayPreview(preview, depth)}`;
    case 'error':
      return firstLine(preview.description ?? 'Error');
    case 'date':
    case 'regexp':
    case 'node':
      return preview.description ?? '';
    default:
      break;
  }
  if (preview.entries !== undefined) return renderEntriesPreview(preview, depth);
  const parts = preview.properties.map((p) => `${propertyName(p.name)}: ${renderPropertyValue(p, depth)}`);
  if (preview.overflow) parts.push('…');
  const prefix = preview.description !== undefined && preview.description !== 'Object' ? `${preview.description} ` : '';
  return `${prefix}{${parts.join(', ')}}`;
}

/** Renders a function from its source text as DevTools abbreviates it: `ƒ name(a, b)`, `async ƒ name()`, `class Foo`. */
export function renderFunction(source: string): string {
  const src = source.trim();
  const cls = /^class\b\s*([\w$]*)/.exec(src);
  if (cls !== null) return cls[1] !== undefined && cls[1] !== '' ? `class ${cls[1]}` : 'class';
  const fn = /^(async\s+)?function\b\s*(\*?)\s*([\w$]*)\s*\(([^)]*)\)/.exec(src);
  if (fn !== null) return `${fn[1] !== undefined ? 'async ' : ''}ƒ${fn[2] ?? ''} ${fn[3] ?? ''}(${squash(fn[4] ?? '')})`;
  const arrow = /^(async\s+)?(\([^)]*\)|[\w$]+)\s*=>/.exec(src);
  if (arrow !== null) {
    const params = arrow[2] ?? '';
    return `${arrow[1] !== undefined ? 'async ' : ''}${params.startsWith('(') ? `(${squash(params.slice(1, -1))})` : params} => {…}`;
  }
  // Method shorthand (`foo(a) {…}`) as printed for object methods and bound functions.
  const method = /^(async\s+)?(\*?)\s*([\w$]+)\s*\(([^)]*)\)/.exec(src);
  if (method !== null) return `${method[1] !== undefined ? 'async ' : ''}ƒ${method[2] ?? ''} ${method[3] ?? ''}(${squash(method[4] ?? '')})`;
  return 'ƒ';
}

/** Result of {@link formatConsoleArgs}. */
export interface FormattedArgs {
  /** The message as one line of text, format specifiers applied. */
  text: string;
  /** Each argument rendered on its own (strings raw). */
  args: string[];
}

/**
 * Formats console.* arguments like Chrome: when the first argument is a string, `%s %d %i %f %o %O %c` in it take
 * the following arguments (`%c` styles are dropped, `%%` is a literal percent sign); the remaining arguments are
 * appended, separated by spaces.
 */
export function formatConsoleArgs(args: readonly RemoteObject[]): FormattedArgs {
  const rendered = args.map((a) => renderRemoteObject(a));
  const first = args[0];
  if (first === undefined || first.type !== 'string') return { text: rendered.join(' '), args: rendered };
  let next = 1;
  const format = rendered[0] ?? '';
  const head = format.replace(/%(?:\.(\d+))?([sdifoOc%])/g, (match: string, precision: string | undefined, spec: string) => {
    if (spec === '%') return '%';
    const arg = args[next];
    // Chrome leaves a specifier without a matching argument as it is.
    if (arg === undefined) return match;
    next++;
    switch (spec) {
      case 's':
        return renderRemoteObject(arg);
      case 'd':
      case 'i':
        return formatInteger(arg);
      case 'f':
        return formatFloat(arg, precision);
      case 'o':
      case 'O':
        return renderRemoteObject(arg, { quoteStrings: true });
      default: // 'c': CSS for the styled console; nothing to show in text.
        return '';
    }
  });
  const text = [head, ...rendered.slice(next)].join(' ');
  return { text, args: rendered };
}

/** Formats call frames one per line as V8 prints stacks: `    at fn (url:line:col)`, 1-based. */
export function formatStackTrace(stack: StackTrace | undefined): string | undefined {
  if (stack === undefined || stack.callFrames.length === 0) return undefined;
  return stack.callFrames
    .map((f) => {
      const where = `${f.url !== '' ? f.url : '<anonymous>'}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
      return f.functionName !== '' ? `    at ${f.functionName} (${where})` : `    at ${where}`;
    })
    .join('\n');
}

/**
 * Splits an Error description (`Error: boom\n    at f (…)`) into the message (which may span lines) and the stack
 * lines; `stack` is absent when the description has no `at` lines.
 */
export function splitErrorDescription(description: string): { message: string; stack?: string } {
  const lines = description.split('\n');
  const at = lines.findIndex((l) => /^\s+at\s/.test(l));
  if (at < 0) return { message: description.trimEnd() };
  const message = lines.slice(0, at).join('\n').trimEnd();
  return { message, stack: lines.slice(at).join('\n').trimEnd() };
}

function renderArrayPreview(preview: ObjectPreview, depth: number): string {
  const length = /\((\d+)\)$/.exec(preview.description ?? '')?.[1];
  const parts: string[] = [];
  const named: string[] = [];
  let next = 0;
  for (const p of preview.properties) {
    if (!ARRAY_INDEX.test(p.name)) {
      named.push(`${propertyName(p.name)}: ${renderPropertyValue(p, depth)}`);
      continue;
    }
    const index = Number(p.name);
    if (index > next) parts.push(holes(index - next));
    parts.push(renderPropertyValue(p, depth));
    next = index + 1;
  }
  // Trailing holes are only known to be holes when the preview is complete.
  if (!preview.overflow && length !== undefined && Number(length) > next) parts.push(holes(Number(length) - next));
  parts.push(...named);
  if (preview.overflow) parts.push('…');
  return `[${parts.join(', ')}]`;
}

function renderEntriesPreview(preview: ObjectPreview, depth: number): string {
  const parts = (preview.entries ?? []).map((e) =>
    e.key !== undefined ? `${renderPreviewValue(e.key, depth)} => ${renderPreviewValue(e.value, depth)}` : renderPreviewValue(e.value, depth),
  );
  if (preview.overflow) parts.push('…');
  return `${preview.description ?? 'Object'} {${parts.join(', ')}}`;
}

/** A nested ObjectPreview (Map/Set entry), which carries primitives in `description`. */
function renderPreviewValue(p: ObjectPreview, depth: number): string {
  switch (p.type) {
    case 'string':
      return JSON.stringify(p.description ?? '');
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'ƒ';
    case 'object':
      if (p.subtype === 'null') return 'null';
      return depth < MAX_PREVIEW_DEPTH ? renderObjectPreview(p, depth + 1) : abbreviate(p.description, p.subtype);
    default:
      return p.description ?? p.type;
  }
}

function renderPropertyValue(p: PropertyPreview, depth: number): string {
  switch (p.type) {
    case 'string':
      return JSON.stringify(p.value ?? '');
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'ƒ';
    case 'accessor':
      return '(...)';
    case 'object':
      if (p.subtype === 'null') return 'null';
      if (p.valuePreview !== undefined && depth < MAX_PREVIEW_DEPTH) return renderObjectPreview(p.valuePreview, depth + 1);
      return abbreviate(p.value, p.subtype);
    default:
      return p.value ?? p.type;
  }
}

/** Collapsed nested object: `{…}` for plain objects, otherwise its description (`Array(3)`, `Foo`, `Map(2)`). */
function abbreviate(description: string | undefined, subtype: string | undefined): string {
  if (subtype === undefined && (description === undefined || description === 'Object')) return '{…}';
  if (subtype === 'error' && description !== undefined) return firstLine(description);
  return description ?? '{…}';
}

function propertyName(name: string): string {
  // Internal slots such as [[PromiseState]] print as they are.
  return IDENTIFIER.test(name) || ARRAY_INDEX.test(name) || name.startsWith('[[') ? name : JSON.stringify(name);
}

function holes(n: number): string {
  return n === 1 ? 'empty' : `empty × ${n}`;
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl < 0 ? s : s.slice(0, nl);
}

function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function formatInteger(arg: RemoteObject): string {
  if (arg.type === 'bigint') return arg.unserializableValue ?? arg.description ?? 'NaN';
  if (arg.type !== 'number') return 'NaN';
  if (typeof arg.value === 'number') return String(Math.trunc(arg.value));
  // Unserializable numbers: -0 prints as 0; NaN and ±Infinity have no integer value.
  return arg.unserializableValue === '-0' ? '0' : 'NaN';
}

function formatFloat(arg: RemoteObject, precision: string | undefined): string {
  if (arg.type !== 'number') return 'NaN';
  if (typeof arg.value !== 'number') return arg.unserializableValue ?? 'NaN';
  return precision !== undefined ? arg.value.toFixed(Math.min(Number(precision), 100)) : String(arg.value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
