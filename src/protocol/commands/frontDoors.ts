import type { CommandSpec } from '../spec.js';

/**
 * Other ways in for agents, built from this same contract: many commands in one process (`batch`), and an MCP
 * server whose tools are the commands (`mcp`). Both run the CLI's own runners; neither is something they run.
 */
export const FRONT_DOOR_COMMANDS = [
  {
    name: 'batch',
    path: ['batch'],
    summary: 'Run many commands in one process over one daemon connection: one per line, as on the command line without `bdg`, or JSON Lines {"cmd", "params"}',
    args: [{ name: 'file', required: false, description: 'File with one command per line; - or nothing reads stdin. Blank lines and # comments are skipped' }],
    options: {
      bail: {
        type: 'boolean',
        default: false,
        description: "Stop at the first failing line and exit with its code (default: run every line; the exit code is the first failure's)",
      },
    },
    readOnly: false,
    runs: 'cli',
    frontDoor: true,
    examples: ['bdg batch steps.txt', 'bdg batch - --json', 'bdg batch steps.txt --bail'],
  },
  {
    name: 'mcp',
    path: ['mcp'],
    summary: 'Serve the commands as MCP tools over stdio (Model Context Protocol), for agents that speak MCP; exits when the client goes away',
    args: [],
    options: {
      'own-sessions': {
        type: 'boolean',
        default: false,
        description: "Sessions the start tool opens stop when this server exits (their owner pid is the server's unless the call names one)",
      },
    },
    readOnly: false,
    runs: 'cli',
    frontDoor: true,
    examples: ['bdg mcp', 'bdg mcp --own-sessions'],
    more: [
      'Register it with an MCP client (Claude Desktop, Cursor, Windsurf, Cline: their mcpServers JSON):',
      '  { "mcpServers": { "bdg": { "command": "bdg", "args": ["mcp"] } } }',
      'with a session directory of its own:',
      '  { "mcpServers": { "bdg": { "command": "bdg", "args": ["mcp"], "env": { "BDG_SESSION_DIR": "/tmp/bdg-agent" } } } }',
      'Claude Code:  claude mcp add bdg -- bdg mcp',
      'VS Code (.vscode/mcp.json):  { "servers": { "bdg": { "type": "stdio", "command": "bdg", "args": ["mcp"] } } }',
      '',
      'Tools are the commands of `bdg --help`, grouped by family (dom, dom_action, network, ...); each returns the text',
      'the CLI prints plus the --json data. Start a session with the start tool. Every tool takes an optional',
      '`session`: a named session, kept in <state dir>/sessions/<name> (from the shell: bdg --session <name> ...).',
      'The CLI and MCP can work on one session at once. With --own-sessions, sessions the start tool opens end',
      'when the server does (owner pid); otherwise they follow the idle timeout like any other.',
      'Following commands (tail, --follow) are not tools. Sessions outlive the server, as with the CLI.',
    ],
  },
] as const satisfies readonly CommandSpec[];
