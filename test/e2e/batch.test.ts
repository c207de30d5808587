import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, sessionDirs } from '../helpers/bdg.js';

interface Envelope {
  line: number;
  success: boolean;
  data?: unknown;
  error?: string;
  code?: string;
  exitCode?: number;
}

const jsonLines = (stdout: string): Envelope[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Envelope);

/** `bdg batch` against a real session: many commands, one process, one daemon connection. */
describe('bdg batch', () => {
  let server: FixtureServer;
  const { make, teardownAll } = sessionDirs();
  let sessionDir: string;

  before(async () => {
    server = await FixtureServer.start();
    server.static('/api/add', 'application/json', '{"ok":true}');
    server.html('/', `<title>Shop</title><button id="add" onclick="fetch('/api/add', {method: 'POST'})">Add</button><script>console.log('ready')</script>`);
    sessionDir = make('batch');
    const start = await bdg([server.url('/'), '--headless'], { sessionDir, timeoutMs: 90_000 });
    assert.equal(start.code, 0, start.stderr);
  });
  after(async () => {
    await teardownAll();
    await server.close();
  });

  it('runs text lines in order, skipping comments and blank lines, and prints what the CLI prints', async () => {
    const input = ['# a comment', '', 'status', '   ', 'dom click "#add"', 'network list --filter "method:POST"', '  # indented comment'].join('\n');
    const r = await bdg(['batch'], { sessionDir, input });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^\[3\] status\n/);
    assert.match(r.stdout, /\[5\] dom click "#add"\nClicked .*button#add/);
    assert.match(r.stdout, /-> request n\d+ POST .*\/api\/add/);
    assert.match(r.stdout, /\[6\] network list --filter "method:POST"\nRequests matching "method:POST": 1 of/);
    assert.doesNotMatch(r.stdout, /comment/);
    // The same text as the command alone.
    const alone = await bdg(['network', 'list', '--filter', 'method:POST'], { sessionDir });
    assert.ok(r.stdout.includes(alone.stdout), `batch output differs from the CLI's:\n${alone.stdout}`);
  });

  it('--json: one envelope per line, the same as the command alone, plus the line number', async () => {
    const file = join(sessionDir, 'steps.jsonl');
    writeFileSync(
      file,
      ['{"cmd": "status"}', '# JSON and text lines mix', '{"cmd": "network.list", "params": {"filter": "method:POST"}}', 'peek --last 2'].join('\n'),
    );
    const r = await bdg(['batch', file, '--json'], { sessionDir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = jsonLines(r.stdout);
    assert.deepEqual(
      out.map((e) => [e.line, e.success]),
      [
        [1, true],
        [3, true],
        [4, true],
      ],
    );
    assert.equal((out[0]?.data as { running: boolean }).running, true);
    assert.equal((out[1]?.data as { matched: number }).matched, 1);
    const alone = await bdg(['status', '--json'], { sessionDir });
    assert.deepEqual(Object.keys(out[0] ?? {}), ['line', ...Object.keys(alone.json as object)]);
  });

  it('without --bail every line runs and the exit code is the first failure; --bail stops there', async () => {
    const input = ['status', 'details network n999', 'dom query "#add"', 'dom get "#missing" --json', 'status'].join('\n');
    const all = await bdg(['batch', '--json'], { sessionDir, input });
    assert.equal(all.code, 83);
    const lines = jsonLines(all.stdout);
    assert.deepEqual(
      lines.map((e) => [e.line, e.success, e.exitCode ?? 0]),
      [
        [1, true, 0],
        [2, false, 83],
        [3, true, 0],
        [4, false, 83],
        [5, true, 0],
      ],
    );
    assert.equal(lines[1]?.code, 'NOT_FOUND');

    const bail = await bdg(['batch', '-', '--bail', '--json'], { sessionDir, input });
    assert.equal(bail.code, 83);
    assert.deepEqual(
      jsonLines(bail.stdout).map((e) => e.line),
      [1, 2],
    );

    const text = await bdg(['batch', '--bail'], { sessionDir, input });
    assert.equal(text.code, 83);
    assert.match(text.stdout, /\[2\] details network n999\nError: .*\n(Hint: .*\n)?\(exit 83\)\n$/);
  });

  it('a following command is refused (that line fails with 81), the rest still run', async () => {
    const input = ['tail', 'peek --follow', '{"cmd": "console", "params": {"follow": true}}', 'status'].join('\n');
    const r = await bdg(['batch', '--json'], { sessionDir, input, timeoutMs: 20_000 });
    assert.equal(r.code, 81);
    const lines = jsonLines(r.stdout);
    assert.deepEqual(
      lines.map((e) => [e.line, e.exitCode ?? 0]),
      [
        [1, 81],
        [2, 81],
        [3, 81],
        [4, 0],
      ],
    );
    assert.match(lines[0]?.error ?? '', /tail keeps printing until interrupted/);
    assert.match(lines[1]?.error ?? '', /peek --follow/);
  });

  it('a batch can start and stop its own session; the connection follows the daemon it talks to', async () => {
    const own = make('batch-own');
    const input = [`${server.url('/')} --headless`, 'status', 'stop', 'status', `${server.url('/')} --headless`, 'peek --last 1', 'stop'].join('\n');
    const r = await bdg(['batch', '--json'], { sessionDir: own, input, timeoutMs: 120_000 });
    // status with no session is exit 83, the batch's exit code (the other lines still ran)
    assert.equal(r.code, 83, r.stdout + r.stderr);
    const lines = jsonLines(r.stdout);
    assert.deepEqual(
      lines.map((e) => e.success),
      [true, true, true, false, true, true, true],
    );
    const running = lines.map((e) => (e.data as { running?: boolean }).running);
    assert.equal(running[1], true);
    assert.equal(running[3], false);
    assert.notEqual((lines[0]?.data as { pid: number }).pid, (lines[4]?.data as { pid: number }).pid, 'a second daemon');
  });

  it("bad lines are that line's failure: unknown commands, bad JSON, a missing file", async () => {
    const r = await bdg(['batch', '--json'], { sessionDir, input: ['stauts', '{"cmd": "peek", "params": 3}', '{not json', 'dom click "#add'].join('\n') });
    assert.equal(r.code, 81);
    const lines = jsonLines(r.stdout);
    assert.equal(lines.length, 4);
    assert.ok(lines.every((e) => e.exitCode === 81));
    const missing = await bdg(['batch', join(sessionDir, 'nope.txt')], { sessionDir });
    assert.equal(missing.code, 83);
  });
});
