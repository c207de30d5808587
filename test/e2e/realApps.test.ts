import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { FixtureServer, type SeenRequest } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type RunResult } from '../helpers/bdg.js';

/**
 * Real third-party apps, built and shipped on npm (devDependencies), served from node_modules by the fixture
 * server: Swagger UI (an API explorer SPA, React) and the Monaco editor (VS Code's editor). The host pages are a
 * few lines that start them; everything bdg drives is theirs.
 */
const NODE_MODULES = fileURLToPath(new URL('../../../node_modules/', import.meta.url));

function data<T = Record<string, unknown>>(r: RunResult): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return (r.json as { data: T }).data;
}

const OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'Pet store (fixture)', version: '1.0.0' },
  components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
  security: [{ apiKey: [] }],
  paths: {
    '/api/pets': {
      get: {
        operationId: 'listPets',
        summary: 'List pets',
        parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', default: 3 } }],
        responses: { '200': { description: 'The pets', content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } } } },
      },
    },
  },
};

// persistAuthorization: Swagger UI keeps what is entered in "Authorize" in localStorage, as a user would rely on.
const SWAGGER_PAGE = `<!doctype html><html><head><title>API explorer</title><link rel="stylesheet" href="/swagger/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="/swagger/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true });</script></body></html>`;

const MONACO_PAGE = `<!doctype html><html><head><title>Editor</title></head><body>
<div id="container" style="width: 800px; height: 300px"></div>
<script src="/monaco/vs/loader.js"></script>
<script>
  require.config({ paths: { vs: '/monaco/vs' } });
  require(['vs/editor/editor.main'], () => { window.editor = monaco.editor.create(document.getElementById('container'), { value: '', language: 'javascript', minimap: { enabled: false } }); });
</script></body></html>`;

describe('real third-party apps (Swagger UI, Monaco) driven by bdg', () => {
  let server: FixtureServer;
  let dir: string;
  let dir2: string;
  let work: string;
  const pets: SeenRequest[] = [];
  const run = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir, timeoutMs: 90_000 });
  const run2 = (...args: string[]): Promise<RunResult> => bdg([...args, '--json'], { sessionDir: dir2, timeoutMs: 90_000 });

  before(async () => {
    server = await FixtureServer.start();
    server.directory('/swagger/', join(NODE_MODULES, 'swagger-ui-dist'));
    server.directory('/monaco/', join(NODE_MODULES, 'monaco-editor/min'));
    server.html('/explorer', SWAGGER_PAGE);
    server.html('/editor', MONACO_PAGE);
    server.static('/openapi.json', 'application/json', JSON.stringify(OPENAPI));
    server.route('/api/pets', (req, res) => {
      pets.push({ method: req.method ?? 'GET', path: req.url ?? '', headers: req.headers, body: Buffer.alloc(0) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify([{ id: 1, name: 'Rex' }]));
    });
    work = mkdtempSync(join(tmpdir(), 'bdg-realapps-'));
    dir = tempSessionDir('realapps');
    dir2 = tempSessionDir('realapps2');
    data(await bdg([server.url('/explorer'), '--json'], { sessionDir: dir, timeoutMs: 90_000 }));
  });

  after(async () => {
    await teardown(dir);
    await teardown(dir2);
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('Swagger UI: find the operation, Authorize, Try it out, Execute; the request is in network list; storage and state carry the key', async () => {
    data(await run('dom', 'wait', '--text', 'List pets', '--timeout', '30'));
    const a11y = await run('dom', 'a11y');
    const tree = data<{ nodes: number }>(a11y);
    assert.ok(tree.nodes > 10);
    const buttons = data<{ total: number }>(await run('dom', 'a11y', 'query', '--role', 'button', '--name', 'Authorize'));
    assert.ok(buttons.total >= 1);
    const a11yText = await bdg(['dom', 'a11y'], { sessionDir: dir, timeoutMs: 30_000 });
    assert.match(a11yText.stdout, /button "Authorize"/);
    process.stderr.write(
      `# Swagger UI: dom a11y ${Buffer.byteLength(a11yText.stdout)} bytes, --json ${Buffer.byteLength(a11y.stdout)} bytes (${tree.nodes} nodes)\n`,
    );

    // Authorize with an API key: the modal, its input, its Authorize button, Close.
    data(await run('dom', 'click', 'button.authorize'));
    data(await run('dom', 'wait', '--selector', '.modal-ux input', '--timeout', '10'));
    data(await run('dom', 'type', '.modal-ux input', 'k-123'));
    data(await run('dom', 'click', '.modal-ux button.authorize'));
    data(await run('dom', 'click', '.modal-ux button.btn-done'));
    const stored = data<{ found: boolean; items: Array<{ value: string }> }>(await run('storage', 'local', 'get', 'authorized'));
    assert.equal(stored.found, true);
    assert.match(stored.items[0]?.value ?? '', /k-123/);

    // Open the operation, Try it out, Execute.
    data(await run('dom', 'click', 'text=List pets'));
    data(await run('dom', 'click', 'button.try-out__btn'));
    const exec = data<{ triggered: { requests: Array<{ url: string; status?: number }> } }>(await run('dom', 'click', 'button.execute'));
    assert.ok(
      exec.triggered.requests.some((r) => r.url.includes('/api/pets?limit=3')),
      JSON.stringify(exec.triggered.requests),
    );
    data(await run('dom', 'wait', '--text', 'Rex', '--timeout', '10'));
    assert.equal(pets.at(-1)?.headers['x-api-key'], 'k-123');
    const list = await run('network', 'list', '--filter', '/api/pets');
    const rows = data<{ requests: Array<{ url: string; status?: number; method: string }> }>(list).requests;
    assert.ok(rows.some((r) => r.url.endsWith('/api/pets?limit=3') && r.status === 200 && r.method === 'GET'));
    const all = await run('network', 'list');
    process.stderr.write(
      `# Swagger UI: network list --json ${Buffer.byteLength(all.stdout)} bytes (${data<{ requests: unknown[] }>(all).requests.length} rows)\n`,
    );

    // Saved state: a fresh session is authorized from the first load, and its Execute sends the key.
    const file = join(work, 'swagger-state.json');
    const saved = data<{ localStorage: number }>(await run('state', 'save', file));
    assert.ok(saved.localStorage >= 1);
    data(await bdg([server.url('/explorer'), '--state', file, '--json'], { sessionDir: dir2, timeoutMs: 90_000 }));
    data(await run2('dom', 'wait', '--text', 'List pets', '--timeout', '30'));
    data(await run2('dom', 'click', 'text=List pets'));
    data(await run2('dom', 'click', 'button.try-out__btn'));
    const before = pets.length;
    data(await run2('dom', 'click', 'button.execute'));
    data(await run2('dom', 'wait', '--text', 'Rex', '--timeout', '10'));
    assert.ok(pets.length > before);
    assert.equal(pets.at(-1)?.headers['x-api-key'], 'k-123');
  });

  it('Swagger UI: inspect, layout and listeners read its own styles and React handlers', async () => {
    const insp = data<{ styles: Record<string, string>; rules?: Array<{ selector: string; url?: string; source: string; line?: number }> }>(
      await run('dom', 'inspect', 'button.authorize', '--rules'),
    );
    assert.ok(Object.keys(insp.styles).length > 0);
    const fromSheet = insp.rules?.find((r) => (r.url ?? r.source).includes('swagger-ui.css'));
    assert.ok(fromSheet !== undefined, `no rule from swagger-ui.css: ${JSON.stringify(insp.rules?.map((r) => r.source))}`);
    assert.ok(typeof fromSheet.line === 'number' && fromSheet.line > 0);
    const lay = data<{ count: number; elements: Array<{ bounds: { width: number; height: number }; inViewport: string }> }>(
      await run('dom', 'layout', 'button.authorize'),
    );
    assert.ok(lay.count >= 1);
    assert.ok((lay.elements[0]?.bounds.width ?? 0) > 0 && (lay.elements[0]?.bounds.height ?? 0) > 0);
    const ls = data<{ listeners: Array<{ type: string; framework?: string; reactProp?: string; handler: { url?: string } }> }>(
      await run('dom', 'listeners', 'button.authorize'),
    );
    const react = ls.listeners.find((l) => l.framework === 'React' && l.type === 'click');
    assert.ok(react !== undefined, `no React click handler: ${JSON.stringify(ls.listeners.map((l) => [l.type, l.framework]))}`);
    assert.equal(react.reactProp, 'onClick');
    assert.match(react.handler.url ?? '', /swagger-ui-bundle\.js/);
  });

  it('Monaco editor: dom type key by key lands in the editor model', async () => {
    data(await run('page', 'navigate', server.url('/editor')));
    data(await run('dom', 'wait', '--selector', '.monaco-editor textarea', '--timeout', '30'));
    const typed = data<{ typed: number }>(await run('dom', 'type', '.monaco-editor textarea', 'let a = 1;\nlet b = a + 2;'));
    assert.equal(typed.typed, 25);
    assert.equal(data<{ value: string }>(await run('eval', 'editor.getValue()')).value, 'let a = 1;\nlet b = a + 2;');
    assert.equal(data<{ value: number }>(await run('eval', 'editor.getModel().getLineCount()')).value, 2);

    // Select "let a" by dragging the mouse across it, as a user would: Monaco reads its own mouse events.
    const at = data<{ value: { fx: number; fy: number; tx: number; ty: number } }>(
      await run(
        'eval',
        `(() => { const r = document.querySelector('.monaco-editor .view-lines').getBoundingClientRect(), e = editor.getDomNode().getBoundingClientRect();
          const a = editor.getScrolledVisiblePosition({ lineNumber: 1, column: 1 }), b = editor.getScrolledVisiblePosition({ lineNumber: 1, column: 6 });
          return { fx: e.left + a.left - r.left + 1, fy: e.top + a.top - r.top + a.height / 2, tx: Math.round(e.left + b.left + window.scrollX), ty: Math.round(e.top + b.top + b.height / 2 + window.scrollY) }; })()`,
      ),
    ).value;
    const drag = data<{ html5: boolean }>(
      await run('dom', 'drag', '.monaco-editor .view-lines', '--from-offset', `${Math.round(at.fx)},${Math.round(at.fy)}`, '--to', `${at.tx},${at.ty}`),
    );
    assert.equal(drag.html5, false);
    assert.equal(data<{ value: string }>(await run('eval', 'editor.getModel().getValueInRange(editor.getSelection())')).value, 'let a');
  });
});
