import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, chromesOf, daemonsOf, teardown, tempSessionDir, waitFor } from '../helpers/bdg.js';

/** Opens a raw connection to the daemon socket, sends `payload`, and resolves with what came back (or '' on timeout). */
function rawClient(socketPath: string, payload: Buffer | string | null, waitMs: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect({ path: socketPath });
    let got = '';
    const done = (): void => {
      sock.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, waitMs);
    sock.on('data', (d: Buffer) => (got += d.toString()));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    sock.on('error', () => undefined);
    sock.on('connect', () => {
      if (payload !== null) sock.write(payload);
    });
  });
}

describe('concurrency', () => {
  let server: FixtureServer;
  const dirs: string[] = [];
  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<title>C</title><script>for (let i = 0; i < 30; i++) console.log("line", i)</script>');
  });
  after(async () => {
    for (const d of dirs) await teardown(d);
    await server.close();
  });

  it('twenty simultaneous starts end with exactly one daemon and one Chrome', async () => {
    const sessionDir = tempSessionDir('race');
    dirs.push(sessionDir);
    const results = await Promise.all(Array.from({ length: 20 }, () => bdg([server.url('/'), '--json'], { sessionDir, timeoutMs: 90_000 })));
    const codes = results.map((r) => r.code);
    assert.equal(codes.filter((c) => c === 0).length, 1, `exit codes: ${codes.join(',')}`);
    for (const r of results) {
      if (r.code === 0) continue;
      assert.ok(r.code === 84 || r.code === 86, `unexpected exit ${String(r.code)}: ${r.stdout}${r.stderr}`);
      const err = r.json as { error: string; hint: string };
      assert.match(err.error, r.code === 84 ? /already running/ : /starting/);
    }
    assert.equal(daemonsOf(sessionDir).length, 1, 'daemons');
    assert.equal(chromesOf(sessionDir).length, 1, 'chromes');
    // the losers left nothing behind: no temp or stale lock files
    const leftovers = readdirSync(sessionDir).filter((f) => f.includes('.tmp') || f.includes('stale'));
    assert.deepEqual(leftovers, []);
    const status = await bdg(['status', '--json'], { sessionDir });
    assert.equal((status.json as { data: { running: boolean } }).data.running, true);
    await bdg(['stop'], { sessionDir });
    assert.ok(await waitFor(() => daemonsOf(sessionDir).length === 0 && chromesOf(sessionDir).length === 0));
  });

  it('serves rounds of 20 and then 200 simultaneous peeks, and survives bad clients', async () => {
    const sessionDir = tempSessionDir('peek');
    dirs.push(sessionDir);
    assert.equal((await bdg([server.url('/')], { sessionDir })).code, 0);
    for (let round = 0; round < 3; round++) {
      const rs = await Promise.all(Array.from({ length: 20 }, () => bdg(['peek', '--json', '--last', '5'], { sessionDir })));
      assert.deepEqual(
        rs.map((r) => r.code),
        Array(20).fill(0),
        rs.find((r) => r.code !== 0)?.stderr,
      );
    }
    const many = await Promise.all(Array.from({ length: 200 }, () => bdg(['peek', '--json', '--last', '3'], { sessionDir, timeoutMs: 120_000 })));
    const failed = many.filter((r) => r.code !== 0);
    assert.equal(
      failed.length,
      0,
      failed
        .map((r) => r.stdout + r.stderr)
        .slice(0, 3)
        .join('\n'),
    );
    for (const r of many) assert.equal((r.json as { data: { console: unknown[] } }).data.console.length, 3);

    const sock = join(sessionDir, 'daemon.sock');
    // garbage, a huge frame without a newline, and a client that never speaks
    const garbage = await rawClient(sock, 'this is not json\n', 3_000);
    assert.match(garbage, /Malformed request/);
    const huge = await rawClient(sock, Buffer.alloc(3 * 1024 * 1024, 0x61), 5_000);
    assert.match(huge, /larger than/);
    const silent = rawClient(sock, null, 8_000);
    const wrongShape = await rawClient(sock, `{"id":1,"v":${PROTOCOL_VERSION},"cmd":"peek","params":{"bogus":1}}\n`, 3_000);
    assert.match(wrongShape, /unknown parameter bogus/);
    assert.match(wrongShape, /Expected: full, last, network, console, follow, verbose/);
    const unknownCmd = await rawClient(sock, `{"id":1,"v":${PROTOCOL_VERSION},"cmd":"rm -rf"}\n`, 3_000);
    assert.match(unknownCmd, /Unknown request/);
    const peek = await bdg(['peek', '--json'], { sessionDir });
    assert.equal(peek.code, 0, 'daemon did not answer while a silent client was connected');
    assert.match(await silent, /No complete request/);
    const after = await bdg(['status', '--json'], { sessionDir });
    assert.equal((after.json as { data: { running: boolean } }).data.running, true);
    assert.ok(existsSync(sock));
  });
});
