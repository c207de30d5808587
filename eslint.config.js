// Lint: typescript-eslint's recommended rules (type-checked for src/ and test/, whose types tsconfig.json knows;
// the plain .mjs/.js files are linted without types), plus the layering rule from STYLE.md — modules import
// downward only (platform <- util <- protocol <- {ipc, cdp} <- telemetry <- daemon; ipc <- client <- cli); nothing
// imports cli or daemon, and the CLI never imports the CDP/telemetry layers (they pull `ws` and more into its
// start-up path). Only src/mcp imports the MCP SDK, so only `bdg mcp` pays for loading it; the CLI reaches src/mcp
// through the lazy import() of its `mcp` runner alone (the rule sees static imports only). platform is the OS seam
// (process identity, Chrome locations) under util, whose locks need it: it imports Node built-ins only. client is
// what every front-end (CLI, MCP, batch) shares.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const TYPED = ['src/**/*.ts', 'test/**/*.ts'];

const typeChecked = {
  files: TYPED,
  extends: [tseslint.configs.recommendedTypeChecked],
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: dirname(fileURLToPath(import.meta.url)) } },
  rules: {
    // A promise nobody awaits loses its rejection (and, in the daemon, the error reply). node:test's test(),
    // describe() and it() return promises the runner itself tracks; awaiting them would serialise nothing.
    '@typescript-eslint/no-floating-promises': [
      'error',
      { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
    ],
    '@typescript-eslint/no-misused-promises': 'error',
  },
};

const zone = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message: why })) }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  typeChecked,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  zone(
    ['src/platform/**'],
    ['**/client/**', '**/util/**', '**/protocol/**', '**/ipc/**', '**/cdp/**', '**/telemetry/**', '**/cli/**', '**/daemon/**', '@modelcontextprotocol/*'],
    'platform is the bottom layer: Node built-ins only',
  ),
  zone(
    ['src/util/**'],
    ['**/client/**', '**/protocol/**', '**/ipc/**', '**/cdp/**', '**/telemetry/**', '**/cli/**', '**/daemon/**', '@modelcontextprotocol/*'],
    'util depends on platform only',
  ),
  zone(
    ['src/protocol/**'],
    ['**/client/**', '**/ipc/**', '**/cdp/**', '**/telemetry/**', '**/cli/**', '**/daemon/**', '@modelcontextprotocol/*'],
    'protocol depends on util only',
  ),
  zone(
    ['src/ipc/**', 'src/cdp/**'],
    ['**/client/**', '**/telemetry/**', '**/cli/**', '**/daemon/**', '@modelcontextprotocol/*'],
    'ipc/cdp sit below telemetry, cli and daemon',
  ),
  zone(
    ['src/telemetry/**'],
    ['**/client/**', '**/ipc/**', '**/cli/**', '**/daemon/**', '@modelcontextprotocol/*'],
    'telemetry depends on util, protocol and cdp only',
  ),
  zone(
    ['src/client/**'],
    ['**/cdp/**', '**/telemetry/**', '**/cli/**', '**/daemon/**', 'ws', '@modelcontextprotocol/*'],
    'the client layer talks to the daemon over the socket; front-ends (CLI, MCP, batch) sit on top of it',
  ),
  zone(
    ['src/cli/**'],
    ['**/cdp/**', '**/telemetry/**', '**/daemon/**', 'ws', '**/mcp/**', '**/offline/**', '@modelcontextprotocol/*'],
    'the CLI talks to the daemon over the socket, through src/client; CDP and telemetry live in the daemon',
  ),
  // offline reads a session's files without a daemon (`--from JOURNAL`) with the telemetry layer's pure code; the
  // CLI reaches it only through the lazy import() of a runner given --from, as it reaches src/mcp.
  zone(
    ['src/offline/**'],
    ['**/client/**', '**/ipc/**', '**/cdp/**', '**/cli/**', '**/daemon/**', '**/mcp/**', 'ws', '@modelcontextprotocol/*'],
    'offline depends on util, protocol and telemetry only',
  ),
  zone(['src/daemon/**'], ['**/client/**', '**/cli/**', '@modelcontextprotocol/*'], 'nothing imports the CLI'),
  zone(
    ['src/mcp/**'],
    ['**/cdp/**', '**/telemetry/**', '**/daemon/**', 'ws'],
    "the MCP server is a front door beside the CLI: it runs the CLI's runners, which talk to the daemon through src/client",
  ),
  {
    // The daemon serves requests on one event loop: after start-up it does no synchronous file I/O. Only its
    // entry point (start-up) may import node:fs; request paths use node:fs/promises.
    files: ['src/daemon/**', 'src/telemetry/**', 'src/ipc/**'],
    ignores: ['src/daemon/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:fs', message: 'No sync I/O on the daemon request path: use node:fs/promises.' },
            { name: 'fs', message: 'Use node:fs/promises.' },
          ],
          patterns: [
            { group: ['**/cli/**'], message: 'nothing imports the CLI' },
            { group: ['@modelcontextprotocol/*'], message: 'only src/mcp loads the MCP SDK' },
          ],
        },
      ],
    },
  },
  {
    // No import cycles in src/: a cycle makes module initialisation order matter (an import seen as undefined at
    // start-up) and defeats the layering above. Static and dynamic import() count; `import type` does not (it is
    // erased, and import-x has no option to count it). Sources import './x.js' (NodeNext), so the resolver maps
    // '.js' to the '.ts' beside it; the .ts extension and parser let no-cycle read the files it walks into.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        performance: 'readonly',
      },
    },
  },
);
