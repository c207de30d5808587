#!/usr/bin/env node
// Output sizes an agent pays for, in bytes of stdout (piped, so one-line JSON): `bdg --help --json` (compact and
// --full), and `dom a11y`, `dom query` and `network list` on a real app (Swagger UI, the same build the e2e tests
// drive, served from node_modules, with a 400-operation API) and after 300 more requests with long URLs.
// Plain Node; needs `npm run build` first.
//   node bench/outputSize.mjs [--dist DIR]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const distArg = process.argv.indexOf('--dist');
const dist = distArg > 0 ? resolve(process.argv[distArg + 1] ?? '') : join(root, 'dist');
const { FixtureServer } = await import(join(root, 'build/test/helpers/fixtureServer.js'));

const sessionDir = mkdtempSync(join(tmpdir(), 'bdg-outsize-'));

function bdg(args) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(dist, 'bdg.js'), ...args], {
      env: { ...process.env, BDG_SESSION_DIR: sessionDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = Buffer.alloc(0);
    child.stdout.on('data', (c) => (out = Buffer.concat([out, c])));
    child.stderr.resume();
    child.on('close', (code) => done({ code, bytes: out.length, text: out.toString('utf8') }));
  });
}

const PAGE = `<!doctype html><html><head><title>API explorer</title><link rel="stylesheet" href="/swagger/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="/swagger/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });</script></body></html>`;
const paths = {};
for (let i = 0; i < 400; i++)
  paths[`/api/thing${i}`] = { get: { summary: `Get thing ${i} ${'with a long description '.repeat(3)}`, responses: { 200: { description: 'ok' } } } };
const OPENAPI = { openapi: '3.0.3', info: { title: 'Things', version: '1.0.0' }, paths };

const server = await FixtureServer.start();
server.directory('/swagger/', join(root, 'node_modules', 'swagger-ui-dist'));
server.html('/explorer', PAGE);
server.static('/openapi.json', 'application/json', JSON.stringify(OPENAPI));
const rows = [];
try {
  rows.push(['bdg --help --json', (await bdg(['--help', '--json'])).bytes]);
  rows.push(['bdg --help --json --full', (await bdg(['--help', '--json', '--full'])).bytes]);
  const start = await bdg([server.url('/explorer'), '--json']);
  if (start.code !== 0) throw new Error(`start failed: ${start.text}`);
  await bdg(['dom', 'wait', '.opblock', '--json']);
  rows.push(['dom a11y --json (Swagger UI)', (await bdg(['dom', 'a11y', '--json'])).bytes]);
  rows.push(['dom a11y --json --full (Swagger UI)', (await bdg(['dom', 'a11y', '--json', '--full'])).bytes]);
  rows.push(['dom a11y (text, Swagger UI)', (await bdg(['dom', 'a11y'])).bytes]);
  rows.push(['dom query button --limit 1000 --json (Swagger UI)', (await bdg(['dom', 'query', 'button', '--limit', '1000', '--json'])).bytes]);
  rows.push(['network list --json (Swagger UI)', (await bdg(['network', 'list', '--json'])).bytes]);
  rows.push(['network list --last 0 --json (Swagger UI)', (await bdg(['network', 'list', '--last', '0', '--json'])).bytes]);
  // 300 more requests from the page, with long query strings: the case the bound is for.
  await bdg([
    'dom',
    'eval',
    "Promise.all(Array.from({ length: 300 }, (_, i) => fetch('/openapi.json?n=' + i + '&q=' + 'x'.repeat(1500)))).then(() => 1)",
    '--json',
  ]);
  rows.push(['network list --last 0 --json (+300 requests, 1.5 KB URLs)', (await bdg(['network', 'list', '--last', '0', '--json'])).bytes]);
  rows.push(['network list --last 0 --full --json (the same)', (await bdg(['network', 'list', '--last', '0', '--full', '--json'])).bytes]);
} finally {
  await bdg(['stop']);
  await server.close();
  rmSync(sessionDir, { recursive: true, force: true });
}
for (const [what, bytes] of rows) console.log(`${String(bytes).padStart(9)}  ${what}`);
