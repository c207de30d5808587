import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toolCommands } from '../../src/mcp/tools.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { BDG, bdg, chromesOf, daemonsOf, isAlive, sessionDirs, waitFor } from '../helpers/bdg.js';

type Content = CallToolResult['content'][number];
const textOf = (r: CallToolResult): string =>
  r.content
    .filter((c): c is Extract<Content, { type: 'text' }> => c.type === 'text')
    .map((c) => c.text)
    .join('\n');

/** `bdg mcp` driven by the SDK's own client over stdio, against a real session on a fixture page. */
describe('bdg mcp', () => {
  let server: FixtureServer;
  const { make, teardownAll } = sessionDirs();
  let sessionDir: string;
  let client: Client;
  let transport: StdioClientTransport;
  let serverPid: number;
  let stderr = '';

  const call = async (name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;

  before(async () => {
    server = await FixtureServer.start();
    server.static('/api/add', 'application/json', '{"ok":true}');
    server.html('/', `<title>Shop</title><button id="add" onclick="fetch('/api/add', {method: 'POST'})">Add</button><script>console.log('ready')</script>`);
    sessionDir = make('mcp');
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [BDG, 'mcp'],
      env: { ...(process.env as Record<string, string>), BDG_SESSION_DIR: sessionDir },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => (stderr += String(d)));
    client = new Client({ name: 'bdg-test', version: '1.0.0' });
    await client.connect(transport);
    serverPid = transport.pid ?? -1;
    assert.ok(serverPid > 0);
  });
  after(async () => {
    await client.close().catch(() => undefined);
    if (isAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
    await teardownAll();
    await server.close();
  });

  it('lists one tool per family and kind, reaching every command of the contract', async (t) => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const expected of ['start', 'status', 'peek', 'details', 'stop', 'cdp', 'network', 'console', 'dom', 'dom_action', 'page_action'])
      assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
    const reachable = new Set(
      tools.flatMap((t) => {
        const actions = (t.inputSchema.properties?.['action'] as { enum?: string[] } | undefined)?.enum;
        const family = t.name.replace(/_action$/, '');
        return actions === undefined ? [t.name.replace(/_/g, '.')] : actions.map((a) => (a === family ? family : `${family}.${a.replace(/_/g, '.')}`));
      }),
    );
    for (const c of toolCommands()) assert.ok(reachable.has(c.name), `${c.name} is not reachable`);
    const bytes = Buffer.byteLength(JSON.stringify({ tools }));
    // As test/unit/mcpTools.test.ts: 28 KB since storage, state, cookies set/delete and dom type/drag joined.
    assert.ok(bytes <= 28_000, `tools/list is ${bytes} bytes`);
    t.diagnostic(`tools/list: ${tools.length} tools, ${bytes} bytes, ~${Math.round(bytes / 4)} tokens`);
    const status = tools.find((t) => t.name === 'status');
    assert.equal(status?.annotations?.readOnlyHint, true);
    assert.equal(tools.find((t) => t.name === 'dom_action')?.annotations?.destructiveHint, true);
  });

  it('starts a session and answers with the text the CLI prints plus the JSON result', async () => {
    const started = await call('start', { url: server.url('/'), headless: true });
    assert.notEqual(started.isError, true, textOf(started));
    assert.match(textOf(started), /Session started: http:\/\/127\.0\.0\.1:\d+\/ {2}"Shop"/);
    assert.equal(typeof (started.structuredContent as { pid?: unknown }).pid, 'number');

    // Quiet first, so the page's last request (favicon) cannot finish between the two listings compared below.
    const quiet = await call('dom', { action: 'wait', networkIdle: true, timeout: 10 });
    assert.notEqual(quiet.isError, true, textOf(quiet));
    const peek = await call('peek', { last: 5 });
    assert.notEqual(peek.isError, true, textOf(peek));
    const cli = await bdg(['peek', '--last', '5'], { sessionDir });
    assert.equal(textOf(peek).trimEnd(), cli.stdout.trimEnd(), 'the same text as `bdg peek`');
    assert.ok((peek.structuredContent as { network?: unknown[] }).network !== undefined);
  });

  it('a click reports the request it triggered; network list filters', async () => {
    const click = await call('dom_action', { action: 'click', target: '#add' });
    assert.notEqual(click.isError, true, textOf(click));
    assert.match(textOf(click), /Clicked .*button#add/);
    assert.match(textOf(click), /-> request n\d+ POST http:\/\/127\.0\.0\.1:\d+\/api\/add/);
    const triggered = (click.structuredContent as { triggered: { requests: { url: string }[] } }).triggered;
    assert.ok(triggered.requests.some((r) => r.url.endsWith('/api/add')));

    const list = await call('network', { action: 'list', filter: 'method:POST' });
    assert.notEqual(list.isError, true, textOf(list));
    assert.match(textOf(list), /Requests matching "method:POST": 1 of \d+ recorded/);
    assert.equal((list.structuredContent as { matched: number }).matched, 1);
  });

  it('a screenshot comes back as an image, sized for vision models, and is saved to a file', async () => {
    const shot = await call('dom', { action: 'screenshot' });
    assert.notEqual(shot.isError, true, textOf(shot));
    const image = shot.content.find((c) => c.type === 'image');
    assert.ok(image !== undefined && image.type === 'image');
    assert.equal(image.mimeType, 'image/png');
    assert.equal(Buffer.from(image.data, 'base64').subarray(1, 4).toString(), 'PNG');
    const data = shot.structuredContent as { path: string; width: number };
    assert.ok(data.path.startsWith(join(sessionDir, 'screenshots')), data.path);
    assert.ok(existsSync(data.path));
    assert.ok(data.width <= 1024);
    assert.deepEqual(readFileSync(data.path), Buffer.from(image.data, 'base64'));
  });

  it('errors are tool errors with message, hint, code and exit code; follow and bad names are refused', async () => {
    const missing = await call('details', { type: 'network', id: 'n999' });
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /Error: .*n999/);
    assert.match(textOf(missing), /code NOT_FOUND, exit code 83/);
    assert.deepEqual([(missing.structuredContent as { code: string }).code, (missing.structuredContent as { exitCode: number }).exitCode], ['NOT_FOUND', 83]);

    const badParam = await call('peek', { lats: 3 });
    assert.equal(badParam.isError, true);
    assert.match(textOf(badParam), /unknown parameter lats/);
    const follow = await call('peek', { follow: true });
    assert.equal(follow.isError, true);
    assert.match(textOf(follow), /exit code 81/);
    const action = await call('dom_action', { action: 'dance' });
    assert.match(textOf(action), /"action" is one of: eval, click/);
    const name = await call('status', { session: '../x' });
    assert.match(textOf(name), /Invalid session name/);
  });

  it('the session argument names another session directory; the CLI works on the same session meanwhile', async () => {
    const other = await call('status', { session: 'other' });
    // no session there: exit 83 as with the CLI, the error's data saying what is known
    assert.equal(other.isError, true);
    assert.match(textOf(other), /exit code 83/);
    assert.deepEqual((other.structuredContent as { data: unknown }).data, {
      running: false,
      active: false,
      session: 'other',
      sessionDir: join(sessionDir, 'sessions', 'other'),
      message: 'No session is running',
      lastSession: null,
    });
    const [viaMcp, viaCli] = await Promise.all([call('status'), bdg(['status', '--json'], { sessionDir })]);
    assert.equal((viaMcp.structuredContent as { running: boolean }).running, true);
    assert.equal((viaCli.json as { data: { running: boolean } }).data.running, true);
  });

  it('stop ends the session (daemon and Chrome gone); closing stdin ends the server', async () => {
    const daemons = daemonsOf(sessionDir);
    assert.equal(daemons.length, 1);
    const stopped = await call('stop');
    assert.notEqual(stopped.isError, true, textOf(stopped));
    assert.match(textOf(stopped), /Session stopped\./);
    assert.ok(await waitFor(() => daemonsOf(sessionDir).length === 0 && chromesOf(sessionDir, true).length === 0, 10_000), 'daemon or Chrome left behind');

    // The SDK's close() ends stdin and sends SIGTERM only after 2 s without an exit.
    const t0 = Date.now();
    await client.close();
    const ms = Date.now() - t0;
    assert.ok(await waitFor(() => !isAlive(serverPid), 3_000), 'server still running');
    assert.ok(ms < 1_900, `the server took ${ms} ms to exit after stdin closed`);
    assert.doesNotMatch(stderr, /internal error/);
  });
});

describe('bdg mcp lifetime', () => {
  const { make, teardownAll } = sessionDirs();
  let fixtures: FixtureServer;
  before(async () => {
    fixtures = await FixtureServer.start();
    fixtures.html('/', '<title>Owned</title><p>owned by the server</p>');
  });
  after(async () => {
    await teardownAll();
    await fixtures.close();
  });

  it('with --own-sessions, a session the start tool opened ends with the server (owner pid), session.json written', { timeout: 60_000 }, async () => {
    const sessionDir = make('mcp-own');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BDG, 'mcp', '--own-sessions'],
      env: { ...(process.env as Record<string, string>), BDG_SESSION_DIR: sessionDir },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'bdg-test', version: '1.0.0' });
    await client.connect(transport);
    const serverPid = transport.pid ?? -1;
    try {
      const started = (await client.callTool({ name: 'start', arguments: { url: fixtures.url('/') } })) as CallToolResult;
      assert.notEqual(started.isError, true, textOf(started));
      const status = await bdg(['status', '--json'], { sessionDir });
      const owner = (status.json as { data: { owner: { pid: number } | null } }).data.owner;
      assert.equal(owner?.pid, serverPid, 'the session is owned by the server');
      await client.close();
      assert.ok(await waitFor(() => !isAlive(serverPid), 5_000), 'server still running');
      assert.ok(
        await waitFor(() => daemonsOf(sessionDir).length === 0 && chromesOf(sessionDir, true).length === 0, 15_000),
        'the owned session outlived its server',
      );
      const doc = JSON.parse(readFileSync(join(sessionDir, 'session.json'), 'utf8')) as { session: { endReason: string } };
      assert.equal(doc.session.endReason, 'owner-exited');
    } finally {
      await client.close().catch(() => undefined);
      if (isAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
    }
  });

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`exits on ${signal}`, async () => {
      const child = spawn(process.execPath, [BDG, 'mcp'], { env: { ...process.env, BDG_SESSION_DIR: make('mcp-sig') }, stdio: ['pipe', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // Wait until it answers, so the signal reaches a running server, not one still loading.
      const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdin.write(
        `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`,
      );
      await ready;
      child.kill(signal);
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5_000))]);
      if (code === 'hung') child.kill('SIGKILL');
      assert.equal(code, 0);
    });
  }
});
