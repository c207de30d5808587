/**
 * `bdg mcp`: an MCP server on stdio whose tools are the command contract (tools.ts). A tool call runs the very
 * runner `bdg` runs, through the same execute(), with a CapturedOutput: the tool answers with the text the CLI
 * prints and the `--json` data as structuredContent; a failure is a tool error with the message, hint, code and
 * exit code. The server is only a client of the daemons, so the CLI can work on the same session meanwhile.
 *
 * The SDK (its CommonJS build) is required here and only here, when `bdg mcp` runs: scripts/build.mjs keeps it out of the bundle (and
 * so out of every other command's start-up), and eslint keeps every other module from importing it.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isFollowing, type CommandSpec } from '../protocol/commands.js';
import type { Params } from '../protocol/validate.js';
import { VERSION } from '../protocol/version.js';
import { BdgError, toBdgError } from '../util/errors.js';
import { ensurePrivateDir } from '../util/fsx.js';
import type { SessionPaths } from '../util/paths.js';
import { resolveSession } from '../client/session.js';
import { CapturedOutput, type Captured } from '../cli/output.js';
import type { Execute, RunnerTable } from '../cli/runner.js';
import { MCP_DEFAULTS, buildTools, type Tool } from './tools.js';

const INSTRUCTIONS = [
  'bdg drives one Chrome per session and records its network requests, console messages and navigations.',
  'Start with the start tool (a URL; bare hosts work), then ask: peek (newest requests and messages), network,',
  'console, details (one request with its body, one message with its stack), dom (query elements -> refs e1, e2;',
  'a11y tree; screenshot), dom_action (click, fill, press, ... each reports the requests, console errors, dialogs',
  'and navigation it caused), page_action, cdp (any DevTools method). stop ends the session. Errors carry a hint',
  'and the exit code of the same command on the command line. Every tool takes `session`: the name of a named session',
  '(`start` with session: "x"); leave it out for the default one. Listings give at most 100 rows with `count` and',
  '`omitted`; `full: true` returns all.',
].join(' ');

/** Screenshots larger than this are saved and described, not inlined. */
const MAX_INLINE_IMAGE = 5 * 1024 * 1024;

/** A failure as a CapturedOutput records it (failure() records at once; the promise only carries the exit code). */
function failed(err: BdgError): Captured {
  const c = new CapturedOutput();
  void c.failure(err);
  return c.result as Captured;
}

function toolError(err: BdgError): CallToolResult {
  return fromCaptured(failed(err), []);
}

function fromCaptured(result: Captured, notes: readonly string[]): CallToolResult {
  const text = [...notes.map((n) => `Note: ${n}`), result.text.trimEnd()].join('\n');
  if (!result.ok) {
    const code = result.envelope['code'] as string;
    return { isError: true, content: [{ type: 'text', text: `${text}\n(code ${code}, exit code ${result.exitCode})` }], structuredContent: result.envelope };
  }
  const data = result.data;
  // structuredContent is a JSON object; the few answers that are not (cdp's raw result can be anything) are wrapped.
  const structured = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : { result: data };
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** A screenshot goes back as an image too, from the file the daemon wrote. */
async function withImage(res: CallToolResult, data: unknown): Promise<CallToolResult> {
  const shot = data as { path?: unknown; format?: unknown; bytes?: unknown };
  if (typeof shot.path !== 'string') return res;
  if (typeof shot.bytes === 'number' && shot.bytes > MAX_INLINE_IMAGE) {
    res.content.push({ type: 'text', text: `(Not inlined: larger than ${MAX_INLINE_IMAGE / 1024 / 1024} MB; pass maxWidth or viewport for a smaller one.)` });
    return res;
  }
  const image = await readFile(shot.path);
  res.content.push({ type: 'image', data: image.toString('base64'), mimeType: shot.format === 'jpeg' ? 'image/jpeg' : 'image/png' });
  return res;
}

/**
 * MCP's own defaults (tools.ts MCP_DEFAULTS) that need the session or the server: where a screenshot goes when no
 * file is given, and with --own-sessions the owner of a session the start tool opens (this server's pid).
 */
function adapt(command: CommandSpec, given: Params, paths: SessionPaths, ownSessions: boolean): Params {
  // The defaults tools/list advertises where they differ from the command line's (a screenshot 1024 px wide).
  const params: Params = { ...given };
  for (const [k, v] of Object.entries(MCP_DEFAULTS[command.name]?.defaults ?? {})) if (params[k] === undefined) params[k] = v;
  if (command.name === 'start') return ownSessions && params['ownerPid'] === undefined ? { ...params, ownerPid: process.pid } : params;
  if (command.name !== 'dom.screenshot' || params['file'] !== undefined) return params;
  const dir = join(paths.dir, 'screenshots');
  ensurePrivateDir(dir);
  const ext = params['format'] === 'jpeg' ? 'jpg' : 'png';
  return { ...params, file: join(dir, `screenshot-${new Date().toISOString().replace(/[:.]/g, '-')}.${ext}`) };
}

/** The command a call names: the tool's own, or the one its `action` picks. */
function commandOf(tool: Tool, action: unknown): CommandSpec {
  const single = tool.commands.get('');
  if (single !== undefined) {
    if (action !== undefined) throw new BdgError('INVALID_ARGUMENTS', `${tool.definition.name} takes no action`, 'Leave "action" out.');
    return single;
  }
  const actions = [...tool.commands.keys()];
  const command = typeof action === 'string' ? tool.commands.get(action) : undefined;
  if (command === undefined) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      action === undefined ? `${tool.definition.name} needs an action` : `Unknown action ${JSON.stringify(action)} for ${tool.definition.name}`,
      `"action" is one of: ${actions.join(', ')}.`,
    );
  }
  return command;
}

async function callTool(
  tools: ReadonlyMap<string, Tool>,
  name: string,
  args: Record<string, unknown>,
  defaultPaths: SessionPaths,
  execute: Execute,
  ownSessions: boolean,
): Promise<CallToolResult> {
  const tool = tools.get(name);
  if (tool === undefined) return toolError(new BdgError('INVALID_ARGUMENTS', `Unknown tool ${name}`, `Tools: ${[...tools.keys()].join(', ')}.`));
  try {
    const { session, action, ...rest } = args;
    if (session !== undefined && typeof session !== 'string') throw new BdgError('INVALID_ARGUMENTS', '"session" is a name (a string)');
    const command = commandOf(tool, action);
    const paths = session !== undefined ? resolveSession(process.env, session) : defaultPaths;
    if (isFollowing(command, rest))
      throw new BdgError(
        'INVALID_ARGUMENTS',
        'A tool call answers once; follow is not available here',
        'Call the tool again for what is new (peek, or network/console with "since").',
      );
    const params = adapt(command, rest, paths, ownSessions);
    // json: the runners answer as they do for --json (no progress chatter); the text is rendered all the same.
    const out = new CapturedOutput({ json: true, render: true });
    await execute(command, params, out, paths);
    const result = out.result ?? failed(new BdgError('SOFTWARE_ERROR', `${command.name} gave no answer`));
    const res = fromCaptured(result, out.notes);
    return result.ok && command.name === 'dom.screenshot' ? await withImage(res, result.data) : res;
  } catch (err) {
    return toolError(toBdgError(err));
  }
}

/** Resolves when the client is gone: stdin closed, or SIGTERM, SIGHUP, SIGINT. */
function clientGone(): Promise<string> {
  return new Promise((resolve) => {
    process.stdin.once('end', () => resolve('stdin closed'));
    process.stdin.once('close', () => resolve('stdin closed'));
    for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.once(sig, () => resolve(sig));
  });
}

/**
 * The SDK's CommonJS build, required: the CLI is a CommonJS bundle compiled through a V8 code cache, where an
 * `import()` would start Node's ESM loader (and needs a callback the cached script does not carry).
 */
function loadSdk(): typeof import('@modelcontextprotocol/sdk/server/index.js') &
  typeof import('@modelcontextprotocol/sdk/server/stdio.js') &
  typeof import('@modelcontextprotocol/sdk/types.js') {
  try {
    const load = createRequire(import.meta.url);
    return {
      ...(load('@modelcontextprotocol/sdk/server/index.js') as typeof import('@modelcontextprotocol/sdk/server/index.js')),
      ...(load('@modelcontextprotocol/sdk/server/stdio.js') as typeof import('@modelcontextprotocol/sdk/server/stdio.js')),
      ...(load('@modelcontextprotocol/sdk/types.js') as typeof import('@modelcontextprotocol/sdk/types.js')),
    };
  } catch (err) {
    throw new BdgError(
      'SOFTWARE_ERROR',
      `The MCP SDK could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
      'bdg mcp needs its dependency @modelcontextprotocol/sdk: reinstall bdg (npm ci, or npm install -g) so node_modules has it.',
    );
  }
}

async function serve(paths: SessionPaths, execute: Execute, ownSessions: boolean): Promise<number> {
  const { Server, StdioServerTransport, CallToolRequestSchema, ListToolsRequestSchema } = loadSdk();
  const tools = new Map(buildTools().map((t) => [t.definition.name, t]));
  const definitions = [...tools.values()].map((t) => t.definition);
  // The low-level Server: the tools' JSON Schemas come from the contract, not from zod schemas McpServer would want.
  const server = new Server({ name: 'bdg', version: VERSION }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: definitions }));
  server.setRequestHandler(CallToolRequestSchema, (req) => callTool(tools, req.params.name, req.params.arguments ?? {}, paths, execute, ownSessions));
  const gone = clientGone();
  await server.connect(new StdioServerTransport());
  await gone;
  await server.close().catch(() => undefined);
  // Whatever a call still waits for (a page load, a daemon) has nobody to answer to. Sessions started here are
  // detached daemons and live on as usual; exit now rather than when the last of those waits ends.
  setTimeout(() => process.exit(0), 50).unref();
  return 0;
}

export function mcpRunners(execute: Execute): RunnerTable<'mcp'> {
  return { mcp: (paths, params) => serve(paths, execute, params.ownSessions) };
}
