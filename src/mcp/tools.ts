/**
 * MCP tools derived from the command contract, with no list of its own: a command added to the contract is a tool
 * (or an action of one) the next time the server starts. Pure: no SDK here, so tests and `bdg --help` never load it.
 *
 * - Left out: front doors (batch, mcp), following commands (tail), machine set-up (install-skill), and commands reached through another (`via`:
 *   pressKey is press, cdp.send and cdp.events are what `cdp` sends). The `follow` option is not offered: a tool
 *   call answers once.
 * - Grouped: the commands of one family (the name before the first dot) that agree on read-only become one tool
 *   with an `action` enum, when there are two or more of them: `dom` (query, get, ...) and `dom_action` (click,
 *   fill, ...). Others keep their own tool, named after the command (`status`, `page_dialogs`).
 * - Each parameter carries the contract's type, bounds, integer, choices and default; a parameter that means
 *   different things to different actions says so per action, with the widest bounds (the contract still checks
 *   each action's own when the call runs).
 * - Annotations: readOnlyHint from the contract's readOnly; destructiveHint when not read-only (an action on a page
 *   can do whatever the page does: submit, delete, pay); idempotentHint from `isIdempotent` (read-only, or the
 *   contract's `idempotent`). A group has a hint only when all of its commands do.
 */
import { ALL_COMMANDS, camelCase, isIdempotent, type CommandSpec, type OptionSpec } from '../protocol/commands.js';

/** A JSON Schema for one parameter, as much of it as the contract says. */
export interface ParamSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean';
  description: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  default?: string | number | boolean;
}

/** What tools/list shows for one tool. */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: { type: 'object'; properties: Record<string, ParamSchema>; required?: string[]; additionalProperties: false };
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean };
}

/** A tool and the commands behind it: one (no `action`), or one per `action` value. */
export interface Tool {
  definition: ToolDefinition;
  /** Keyed by action; a tool of one command has the single key ''. */
  commands: ReadonlyMap<string, CommandSpec>;
}

/**
 * Where a tool call differs from the command line, by command. A screenshot's file may be left out (it is saved in
 * the session directory) and is scaled to 1024 px wide unless the caller says otherwise, a size vision models take.
 */
export const MCP_DEFAULTS: Readonly<
  Record<
    string,
    { optional?: readonly string[]; defaults?: Readonly<Record<string, number | string | boolean>>; descriptions?: Readonly<Record<string, string>> }
  >
> = {
  'dom.screenshot': {
    optional: ['file'],
    defaults: { maxWidth: 1024 },
    descriptions: { file: 'Output file, .png/.jpg/.jpeg (default: a new file in the session directory)' },
  },
};

/** The parameter every tool takes besides its own. */
/**
 * Longest text a tool's description or a parameter's carries. The tool list is read by the model on every turn, so
 * it stays near 6,000 tokens however many commands the contract grows; the full text is in `bdg <command> --help`.
 * A cut ends at a word boundary with an ellipsis.
 */
const MAX_PARAM_TEXT = 100;
const MAX_SUMMARY_TEXT = 80;

export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:(]+$/, '')}…`;
}

export const SESSION_PARAM: ParamSchema = { type: 'string', description: 'Named session; omit for the default' };

/** Parameters a tool call never takes: following is for a terminal, not for one answer. */
const NOT_OFFERED = new Set(['follow']);

/** Commands that are tools, or actions of one. */
export function toolCommands(commands: readonly CommandSpec[] = ALL_COMMANDS): CommandSpec[] {
  return commands.filter((c) => c.frontDoor !== true && c.follows !== true && c.machine !== true && c.via === undefined);
}

function familyOf(c: CommandSpec): string {
  return c.name.split('.')[0] ?? c.name;
}

/** One parameter of one command: its MCP name, schema, and whether the call needs it. */
function paramsOf(c: CommandSpec): { key: string; schema: ParamSchema; required: boolean }[] {
  const mcp = MCP_DEFAULTS[c.name];
  const out: { key: string; schema: ParamSchema; required: boolean }[] = [];
  for (const a of c.args) {
    const schema: ParamSchema = { type: 'string', description: clip(mcp?.descriptions?.[a.name] ?? a.description, MAX_PARAM_TEXT) };
    if (a.choices !== undefined) schema.enum = a.choices;
    out.push({ key: a.name, schema, required: a.required && mcp?.optional?.includes(a.name) !== true });
  }
  for (const [flag, o] of Object.entries(c.options)) {
    const key = camelCase(flag);
    if (NOT_OFFERED.has(key)) continue;
    out.push({ key, schema: optionSchema(o, mcp?.defaults?.[key]), required: false });
  }
  return out;
}

function optionSchema(o: OptionSpec, mcpDefault: string | number | boolean | undefined): ParamSchema {
  const schema: ParamSchema = { type: o.type === 'number' && o.integer === true ? 'integer' : o.type, description: clip(o.description, MAX_PARAM_TEXT) };
  if (o.choices !== undefined) schema.enum = o.choices;
  if (o.min !== undefined) schema.minimum = o.min;
  if (o.max !== undefined) schema.maximum = o.max;
  const def = mcpDefault ?? o.default;
  if (def !== undefined) schema.default = def;
  return schema;
}

/** One property for a parameter several actions take: shared when they agree, per action where they do not. */
function mergeParam(uses: { action: string; schema: ParamSchema }[]): ParamSchema {
  const first = (uses[0] as { schema: ParamSchema }).schema;
  if (uses.every((u) => JSON.stringify(u.schema) === JSON.stringify(first))) return first;
  const all = <K extends keyof ParamSchema>(k: K): (ParamSchema[K] | undefined)[] => uses.map((u) => u.schema[k]);
  const merged: ParamSchema = { description: '' };
  const types = new Set(all('type'));
  if (types.size === 1 && first.type !== undefined) merged.type = first.type;
  else if ([...types].every((t) => t === 'number' || t === 'integer')) merged.type = 'number';
  const byText = new Map<string, string[]>();
  for (const u of uses) byText.set(u.schema.description, [...(byText.get(u.schema.description) ?? []), u.action]);
  merged.description =
    byText.size === 1 ? first.description : clip([...byText].map(([text, actions]) => `${actions.join(', ')}: ${text}`).join('; '), MAX_PARAM_TEXT * 2);
  const mins = all('minimum');
  if (mins.every((m): m is number => m !== undefined)) merged.minimum = Math.min(...mins);
  const maxes = all('maximum');
  if (maxes.every((m): m is number => m !== undefined)) merged.maximum = Math.max(...maxes);
  const enums = all('enum');
  if (enums.every((e): e is readonly string[] => e !== undefined)) merged.enum = [...new Set(enums.flat())];
  const defaults = all('default');
  if (defaults.every((d) => d === defaults[0])) {
    if (defaults[0] !== undefined) merged.default = defaults[0];
  } else {
    const per = uses.filter((u) => u.schema.default !== undefined).map((u) => `${u.action} ${String(u.schema.default)}`);
    if (per.length > 0) merged.description += ` (default: ${per.join(', ')})`;
  }
  return merged;
}

function annotations(commands: readonly CommandSpec[]): ToolDefinition['annotations'] {
  const readOnly = commands.every((c) => c.readOnly);
  return { readOnlyHint: readOnly, destructiveHint: !readOnly, idempotentHint: commands.every((c) => isIdempotent(c)) };
}

function singleTool(c: CommandSpec): Tool {
  const properties: Record<string, ParamSchema> = {};
  const required: string[] = [];
  for (const p of paramsOf(c)) {
    properties[p.key] = p.schema;
    if (p.required) required.push(p.key);
  }
  properties['session'] = SESSION_PARAM;
  return {
    definition: {
      name: c.name.replace(/\./g, '_'),
      description: clip(c.summary, MAX_SUMMARY_TEXT * 2),
      inputSchema: { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false },
      annotations: annotations([c]),
    },
    commands: new Map([['', c]]),
  };
}

function groupTool(family: string, members: readonly CommandSpec[]): Tool {
  const actionOf = (c: CommandSpec): string => c.name.slice(family.length + 1).replace(/\./g, '_');
  const uses = new Map<string, { action: string; schema: ParamSchema }[]>();
  const lines: string[] = [];
  for (const c of members) {
    const ps = paramsOf(c);
    for (const p of ps) uses.set(p.key, [...(uses.get(p.key) ?? []), { action: actionOf(c), schema: p.schema }]);
    // Only the required params: the schema lists every one (and says which actions use it), so the line need not.
    lines.push(
      `- ${actionOf(c)}(${ps
        .filter((p) => p.required)
        .map((p) => p.key)
        .join(', ')}): ${clip(c.summary, MAX_SUMMARY_TEXT)}`,
    );
  }
  const readOnly = members.every((c) => c.readOnly);
  const properties: Record<string, ParamSchema> = {
    action: { type: 'string', enum: members.map(actionOf), description: 'Which command' },
  };
  for (const [key, list] of uses) properties[key] = mergeParam(list);
  properties['session'] = SESSION_PARAM;
  return {
    definition: {
      name: readOnly ? family : `${family}_action`,
      description: [`bdg ${family} commands${readOnly ? ' (read-only)' : ''}; action picks one (its required params in brackets):`, ...lines].join('\n'),
      inputSchema: { type: 'object', properties, required: ['action'], additionalProperties: false },
      annotations: annotations(members),
    },
    commands: new Map(members.map((c) => [actionOf(c), c])),
  };
}

/** Every tool, in contract order. */
export function buildTools(commands: readonly CommandSpec[] = ALL_COMMANDS): Tool[] {
  const groups = new Map<string, CommandSpec[]>();
  for (const c of toolCommands(commands)) {
    const key = `${familyOf(c)}\0${String(c.readOnly)}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((members) =>
    members.length === 1 ? singleTool(members[0] as CommandSpec) : groupTool(familyOf(members[0] as CommandSpec), members),
  );
}
