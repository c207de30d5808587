import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, chromesOf, daemonsOf, isAlive, startDebuggableChrome, teardown, tempSessionDir, waitFor } from '../helpers/bdg.js';

describe('attach and version handover', () => {
  let server: FixtureServer;
  const dirs: string[] = [];
  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<title>Attached</title><script>console.warn("attached page")</script>');
  });
  after(async () => {
    for (const d of dirs) await teardown(d);
    await server.close();
  });

  it('attaches to a running Chrome with --chrome-ws-url and leaves it running on stop', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'bdg-own-chrome-'));
    const { proc, port } = await startDebuggableChrome(profile);
    const sessionDir = tempSessionDir('attach');
    dirs.push(sessionDir);
    try {
      for (const endpoint of [`127.0.0.1:${port}`, `http://127.0.0.1:${port}`]) {
        const start = await bdg([server.url('/'), '--chrome-ws-url', endpoint, '--json'], { sessionDir });
        assert.equal(start.code, 0, start.stdout + start.stderr);
        const d = (start.json as { data: { attached: boolean; chromePid: number | null; page: { title: string } } }).data;
        assert.equal(d.attached, true);
        assert.equal(d.chromePid, null);
        assert.equal(d.page.title, 'Attached');
        const peek = await bdg(['peek', '--console', '--json'], { sessionDir });
        assert.ok(
          (peek.json as { data: { console: Array<{ text: string; level: string }> } }).data.console.some(
            (c) => c.text === 'attached page' && c.level === 'warning',
          ),
        );
        const stop = await bdg(['stop', '--json'], { sessionDir });
        assert.equal(stop.code, 0, stop.stderr);
        assert.equal((stop.json as { data: { chromeClosed: boolean } }).data.chromeClosed, false);
        assert.ok(isAlive(proc.pid as number), 'attached Chrome was closed by stop');
      }
      const unreachable = await bdg([server.url('/'), '--chrome-ws-url', '127.0.0.1:1', '--json'], { sessionDir });
      assert.equal(unreachable.code, 101);
      assert.deepEqual(daemonsOf(sessionDir), []);
    } finally {
      proc.kill('SIGKILL');
      await waitFor(() => !isAlive(proc.pid as number) && chromesOf(profile, true).length === 0);
      // Chrome's helper processes (network service, …) may still be writing into the profile for a moment.
      await waitFor(
        () => {
          try {
            rmSync(profile, { recursive: true, force: true });
            return true;
          } catch {
            return false;
          }
        },
        10_000,
        100,
      );
    }
  });

  it('replaces a daemon that speaks another protocol version', async () => {
    const sessionDir = tempSessionDir('version');
    dirs.push(sessionDir);
    // A fake old daemon (fault injection: a real old bdg is not at hand): it answers every request with a
    // version mismatch and holds the lock, as a daemon of another bdg version would.
    const fake = spawn(
      process.execPath,
      [
        '-e',
        `const net = require('net');
         const srv = net.createServer((s) => s.on('data', () => s.end(JSON.stringify({ id: 1, ok: false, error: { code: 'SOFTWARE_ERROR', message: 'protocol 0', data: { versionMismatch: true } }, daemon: { pid: process.pid, version: '0.0.1', protocol: 0 } }) + '\\n')));
         srv.listen(process.argv[1], () => process.stdout.write('up\\n'));`,
        join(sessionDir, 'daemon.sock'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((r) => fake.stdout?.once('data', r));
    const stat = readFileSync(`/proc/${fake.pid as number}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(join(sessionDir, 'daemon.lock'), JSON.stringify({ pid: fake.pid, startTime, nonce: 'old', createdAt: '', role: 'daemon' }));
    writeFileSync(join(sessionDir, 'daemon.pid'), String(fake.pid));
    try {
      const status = await bdg(['status', '--json'], { sessionDir });
      assert.equal(status.code, 110);
      assert.match((status.json as { error: string }).error, /another bdg version/);
      assert.match((status.json as { hint: string }).hint, /replace it/);
      const start = await bdg([server.url('/'), '--json'], { sessionDir });
      assert.equal(start.code, 0, start.stdout + start.stderr);
      assert.match(start.stderr, /another bdg version/);
      assert.ok(await waitFor(() => fake.exitCode !== null || fake.signalCode !== null), 'old daemon still running');
      const now = await bdg(['status', '--json'], { sessionDir });
      assert.equal((now.json as { data: { running: boolean } }).data.running, true);
    } finally {
      fake.kill('SIGKILL');
    }
  });
});
