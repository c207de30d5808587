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
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array';
  items?: { type: 'string' };
  description?: string;
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

/**
 * Longest text a parameter's description and an action's summary carry. The tool list is read by the model on
 * every turn, so it stays within TOOL_LIST_BUDGET bytes (about 5,000 tokens) however many commands the contract
 * grows: buildTools tries these levels in order and keeps the first that fits (the full text is in
 * `bdg <command> --help`). A cut ends at a word boundary with an ellipsis; at 0 a parameter has no description
 * (its name, type, bounds and choices remain).
 */
interface TextLimits {
  param: number;
  summary: number;
  /** Leave out what a model infers anyway: a boolean's default false, a maximum of 100,000 or more. */
  lean: boolean;
}
const TEXT_LEVELS: readonly TextLimits[] = [
  { param: 100, summary: 80, lean: false },
  { param: 100, summary: 80, lean: true },
  { param: 80, summary: 64, lean: true },
  { param: 64, summary: 56, lean: true },
  { param: 52, summary: 52, lean: true },
  { param: 44, summary: 48, lean: true },
  { param: 36, summary: 44, lean: true },
  { param: 28, summary: 40, lean: true },
  { param: 0, summary: 40, lean: true },
];

/** Bytes of the tools/list answer's JSON that buildTools aims under. */
export const TOOL_LIST_BUDGET = 20_000;

export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max === 0) return '';
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:(]+$/, '')}…`;
}

/** On every tool, so its meaning is said once, in the server's instructions (server.ts), not 22 times here. */
export const SESSION_PARAM: ParamSchema = { type: 'string' };

/**
 * Parameters a tool call never takes: following is for a terminal, not for one answer; `from` reads a dead
 * session's journal file, a job for the CLI (`bdg details network <id> --from FILE`), not for a live session's tools.
 */
const NOT_OFFERED = new Set(['follow', 'from']);

/** Commands that are tools, or actions of one. */
export function toolCommands(commands: readonly CommandSpec[] = ALL_COMMANDS): CommandSpec[] {
  return commands.filter((c) => c.frontDoor !== true && c.follows !== true && c.machine !== true && c.via === undefined);
}

function familyOf(c: CommandSpec): string {
  return c.name.split('.')[0] ?? c.name;
}

/** One parameter of one command: its MCP name, schema, and whether the call needs it. */
function paramsOf(c: CommandSpec, limits: TextLimits): { key: string; schema: ParamSchema; required: boolean }[] {
  const mcp = MCP_DEFAULTS[c.name];
  const out: { key: string; schema: ParamSchema; required: boolean }[] = [];
  for (const a of c.args) {
    if (a.alias === true && !a.required) continue;
    // An argument keeps a description at every level: it is what the call is about.
    const schema: ParamSchema = { type: 'string', description: clip(mcp?.descriptions?.[a.name] ?? a.description, Math.max(limits.param, 40)) };
    if (a.choices !== undefined) schema.enum = a.choices;
    out.push({ key: a.name, schema, required: a.required && mcp?.optional?.includes(a.name) !== true });
  }
  for (const [flag, o] of Object.entries(c.options)) {
    const key = camelCase(flag);
    if (NOT_OFFERED.has(key) || o.alias === true) continue;
    out.push({ key, schema: optionSchema(o, mcp?.defaults?.[key], limits), required: false });
  }
  return out;
}

function optionSchema(o: OptionSpec, mcpDefault: string | number | boolean | undefined, limits: TextLimits): ParamSchema {
  const schema: ParamSchema =
    o.repeatable === true ? { type: 'array', items: { type: 'string' } } : { type: o.type === 'number' && o.integer === true ? 'integer' : o.type };
  const text = clip(o.description, limits.param);
  if (text !== '') schema.description = text;
  if (o.choices !== undefined) schema.enum = o.choices;
  if (o.min !== undefined) schema.minimum = o.min;
  if (o.max !== undefined && !(limits.lean && o.max >= 100_000)) schema.maximum = o.max;
  const def = mcpDefault ?? o.default;
  if (def !== undefined && !(limits.lean && def === false)) schema.default = def;
  return schema;
}

/** One property for a parameter several actions take: shared when they agree, per action where they do not. */
function mergeParam(uses: { action: string; schema: ParamSchema }[], limits: TextLimits): ParamSchema {
  const first = (uses[0] as { schema: ParamSchema }).schema;
  if (uses.every((u) => JSON.stringify(u.schema) === JSON.stringify(first))) return first;
  const all = <K extends keyof ParamSchema>(k: K): (ParamSchema[K] | undefined)[] => uses.map((u) => u.schema[k]);
  const merged: ParamSchema = {};
  const types = new Set(all('type'));
  if (types.size === 1 && first.type !== undefined) merged.type = first.type;
  else if ([...types].every((t) => t === 'number' || t === 'integer')) merged.type = 'number';
  const byText = new Map<string, string[]>();
  for (const u of uses) if (u.schema.description !== undefined) byText.set(u.schema.description, [...(byText.get(u.schema.description) ?? []), u.action]);
  const text =
    byText.size <= 1 ? (first.description ?? '') : clip([...byText].map(([t, actions]) => `${actions.join(', ')}: ${t}`).join('; '), limits.param * 2);
  if (text !== '') merged.description = text;
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
    if (per.length > 0) merged.description = `${merged.description ?? ''} (default: ${per.join(', ')})`.trimStart();
  }
  return merged;
}

function annotations(commands: readonly CommandSpec[]): ToolDefinition['annotations'] {
  const readOnly = commands.every((c) => c.readOnly);
  return { readOnlyHint: readOnly, destructiveHint: !readOnly, idempotentHint: commands.every((c) => isIdempotent(c)) };
}

function singleTool(c: CommandSpec, limits: TextLimits): Tool {
  const properties: Record<string, ParamSchema> = {};
  const required: string[] = [];
  for (const p of paramsOf(c, limits)) {
    properties[p.key] = p.schema;
    if (p.required) required.push(p.key);
  }
  properties['session'] = SESSION_PARAM;
  return {
    definition: {
      name: c.name.replace(/\./g, '_'),
      description: clip(c.summary, limits.summary * 2),
      inputSchema: { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false },
      annotations: annotations([c]),
    },
    commands: new Map([['', c]]),
  };
}

function groupTool(family: string, members: readonly CommandSpec[], limits: TextLimits): Tool {
  // The family's own command (`console` beside `console.wait`) is the action named after the family.
  const actionOf = (c: CommandSpec): string => (c.name === family ? family : c.name.slice(family.length + 1).replace(/\./g, '_'));
  const uses = new Map<string, { action: string; schema: ParamSchema }[]>();
  const lines: string[] = [];
  for (const c of members) {
    const ps = paramsOf(c, limits);
    for (const p of ps) uses.set(p.key, [...(uses.get(p.key) ?? []), { action: actionOf(c), schema: p.schema }]);
    // Only the required params: the schema lists every one (and says which actions use it), so the line need not.
    lines.push(
      `- ${actionOf(c)}(${ps
        .filter((p) => p.required)
        .map((p) => p.key)
        .join(', ')}): ${clip(c.summary, limits.summary)}`,
    );
  }
  const readOnly = members.every((c) => c.readOnly);
  const properties: Record<string, ParamSchema> = {
    action: { type: 'string', enum: members.map(actionOf), description: 'Which command' },
  };
  for (const [key, list] of uses) properties[key] = mergeParam(list, limits);
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

/** The size of the tools/list answer for these tools, in bytes of JSON. */
export function toolListBytes(tools: readonly Tool[]): number {
  return Buffer.byteLength(JSON.stringify({ tools: tools.map((t) => t.definition) }));
}

/**
 * Every tool, in contract order, with the longest texts that keep the list within `budget` bytes: while it is over,
 * the largest tool that can still shrink goes one level down (TEXT_LEVELS), so the big grouped tools (dom, network)
 * give up text first and the small, common ones (status, peek, start) keep theirs.
 */
export function buildTools(commands: readonly CommandSpec[] = ALL_COMMANDS, budget = TOOL_LIST_BUDGET): Tool[] {
  const groups = new Map<string, CommandSpec[]>();
  for (const c of toolCommands(commands)) {
    const key = `${familyOf(c)}\0${String(c.readOnly)}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const members = [...groups.values()];
  const build = (group: CommandSpec[], level: number): Tool => {
    const limits = TEXT_LEVELS[level] as TextLimits;
    return group.length === 1 ? singleTool(group[0] as CommandSpec, limits) : groupTool(familyOf(group[0] as CommandSpec), group, limits);
  };
  const levels = members.map(() => 0);
  const tools = members.map((g) => build(g, 0));
  const sizes = tools.map((t) => toolListBytes([t]));
  let total = toolListBytes(tools);
  while (total > budget) {
    let pick = -1;
    for (let i = 0; i < tools.length; i++)
      if ((levels[i] as number) < TEXT_LEVELS.length - 1 && (pick === -1 || (sizes[i] as number) > (sizes[pick] as number))) pick = i;
    if (pick === -1) break;
    levels[pick] = (levels[pick] as number) + 1;
    tools[pick] = build(members[pick] as CommandSpec[], levels[pick] as number);
    const size = toolListBytes([tools[pick] as Tool]);
    total += size - (sizes[pick] as number);
    sizes[pick] = size;
  }
  return tools;
}
