// Lint: typescript-eslint's recommended rules, plus the layering rule from STYLE.md — modules import downward
// only (platform <- util <- protocol <- {ipc, cdp} <- {telemetry} <- {cli, daemon}); nothing imports cli or daemon,
// and the CLI never imports the CDP/telemetry layers (they pull `ws` and more into its start-up path). platform is
// the OS seam (process identity, Chrome locations) under util, whose locks need it: it imports Node built-ins only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  zone(['src/platform/**'], ['**/client/**', '**/util/**', '**/protocol/**', '**/ipc/**', '**/cdp/**', '**/telemetry/**', '**/cli/**', '**/daemon/**'], 'platform is the bottom layer: Node built-ins only'),
  zone(['src/util/**'], ['**/client/**', '**/protocol/**', '**/ipc/**', '**/cdp/**', '**/telemetry/**', '**/cli/**', '**/daemon/**'], 'util depends on platform only'),
  zone(['src/protocol/**'], ['**/client/**', '**/ipc/**', '**/cdp/**', '**/telemetry/**', '**/cli/**', '**/daemon/**'], 'protocol depends on util only'),
  zone(['src/ipc/**', 'src/cdp/**'], ['**/client/**', '**/telemetry/**', '**/cli/**', '**/daemon/**'], 'ipc/cdp sit below telemetry, cli and daemon'),
  zone(['src/telemetry/**'], ['**/client/**', '**/ipc/**', '**/cli/**', '**/daemon/**'], 'telemetry depends on util, protocol and cdp only'),
  zone(['src/client/**'], ['**/cdp/**', '**/telemetry/**', '**/cli/**', '**/daemon/**', 'ws'], 'the client layer talks to the daemon over the socket; front-ends (CLI, MCP, batch) sit on top of it'),
  zone(['src/cli/**'], ['**/cdp/**', '**/telemetry/**', '**/daemon/**', 'ws'], 'the CLI talks to the daemon over the socket, through src/client; CDP and telemetry live in the daemon'),
  zone(['src/daemon/**'], ['**/client/**', '**/cli/**'], 'nothing imports the CLI'),
  {
    // The daemon serves requests on one event loop: after start-up it does no synchronous file I/O. Only its
    // entry point (start-up) may import node:fs; request paths use node:fs/promises.
    files: ['src/daemon/**', 'src/telemetry/**', 'src/ipc/**'],
    ignores: ['src/daemon/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'node:fs', message: 'No sync I/O on the daemon request path: use node:fs/promises.' }, { name: 'fs', message: 'Use node:fs/promises.' }],
          patterns: [{ group: ['**/cli/**'], message: 'nothing imports the CLI' }],
        },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', performance: 'readonly' } },
  },
);
