import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { IpcServer } from '../../src/ipc/server.js';
import { NoDaemonError, request } from '../../src/ipc/client.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import { BdgError } from '../../src/util/errors.js';

const info = { pid: process.pid, version: 'test', protocol: PROTOCOL_VERSION };
const sock = (): string => join(mkdtempSync(join(tmpdir(), 'bdg-ipc-')), 'daemon.sock');

test('a saturated server answers BUSY and the client retries until it gets through', async () => {
  const path = sock();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let served = 0;
  const server = new IpcServer({
    info,
    limits: { maxConnections: 2 },
    handler: async (req) => {
      if (req.cmd === 'slow') await gate;
      served++;
      return { cmd: req.cmd };
    },
  });
  await server.listen(path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  try {
    const slow = [request(path, 'slow'), request(path, 'slow')];
    await new Promise((r) => setTimeout(r, 50));
    const fast = request(path, 'fast', {}, { retryBusyMs: 5_000 });
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(server.stats.rejectedBusy > 0, 'third connection was not turned away');
    release();
    const res = await fast;
    assert.equal(res.ok, true);
    await Promise.all(slow);
    assert.equal(served, 3);
  } finally {
    await server.close();
  }
});

test('BUSY past the retry deadline surfaces as exit-85 BUSY', async () => {
  const path = sock();
  const server = new IpcServer({ info, limits: { maxConnections: 0 }, handler: () => Promise.resolve(1) });
  await server.listen(path);
  try {
    await assert.rejects(request(path, 'x', {}, { retryBusyMs: 200 }), (err: unknown) => err instanceof BdgError && err.code === 'BUSY');
  } finally {
    await server.close();
  }
});

test('per-request timeout answers TIMEOUT and the handler sees its signal abort', async () => {
  const path = sock();
  let aborted = false;
  const server = new IpcServer({
    info,
    limits: { requestTimeoutMs: 100 },
    handler: (_req, signal) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve('late');
        });
      }),
  });
  await server.listen(path);
  try {
    const res = await request(path, 'hang');
    assert.equal(res.ok, false);
    if (!res.ok) assert.equal(res.error.code, 'TIMEOUT');
    assert.equal(aborted, true);
  } finally {
    await server.close();
  }
});

test('no socket and a dead socket are told apart from errors, at once', async () => {
  await assert.rejects(request(join(tmpdir(), 'nope', 'daemon.sock'), 'status'), (err: unknown) => err instanceof NoDaemonError && err.reason === 'missing');
  const path = sock();
  const server = new IpcServer({ info, handler: () => Promise.resolve(1) });
  await server.listen(path);
  await server.close(); // socket file removed by close? recreate a dead one
  const { createServer } = await import('node:net');
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(path, r));
  dead.close();
  await assert.rejects(request(path, 'status'), (err: unknown) => err instanceof NoDaemonError);
});

test('listen: whatever is left at the socket path is cleared (an empty directory too); a directory with files is exit 103', async () => {
  const kinds: Record<string, (p: string) => void> = {
    'empty directory': (p) => mkdirSync(p),
    'regular file': (p) => writeFileSync(p, ''),
    'dangling symlink': (p) => symlinkSync(`${p}.nowhere`, p),
    'symlink to a directory': (p) => {
      mkdirSync(`${p}.target`);
      symlinkSync(`${p}.target`, p);
    },
  };
  for (const [kind, make] of Object.entries(kinds)) {
    const path = sock();
    make(path);
    const server = new IpcServer({ info, handler: () => Promise.resolve(kind) });
    await server.listen(path);
    try {
      const res = await request(path, 'x');
      assert.equal(res.ok && res.result, kind, kind);
      assert.ok(statSync(path).isSocket(), kind);
    } finally {
      await server.close();
    }
  }
  const path = sock();
  mkdirSync(path);
  writeFileSync(join(path, 'keep'), '');
  const server = new IpcServer({ info, handler: () => Promise.resolve(0) });
  await assert.rejects(server.listen(path), (err: unknown) => err instanceof BdgError && err.code === 'SESSION_FILE_ERROR' && err.message.includes(path));
  assert.ok(statSync(join(path, 'keep')).isFile(), 'a directory with files was touched');
});

test('a daemon that accepts but never reads (stopped, wedged) is given up on at the ack deadline, not the command budget', async () => {
  const path = sock();
  // The kernel accepts connections for a stopped process too; a server that never reads behaves the same.
  const held = new Set<Socket>();
  const silent = createServer((s) => held.add(s));
  await new Promise<void>((r) => silent.listen(path, r));
  try {
    const started = Date.now();
    await assert.rejects(request(path, 'status', {}, { timeoutMs: 30_000, ackTimeoutMs: 300 }), (err: unknown) => {
      assert.ok(err instanceof BdgError);
      assert.equal(err.code, 'TIMEOUT');
      assert.match(err.message, /did not acknowledge status within 0\.3 s: it is not responding/);
      assert.match(err.hint ?? '', /bdg cleanup --force/);
      assert.deepEqual(err.data, { daemonUnresponsive: true, waitedMs: 300 });
      return true;
    });
    assert.ok(Date.now() - started < 5_000);
  } finally {
    for (const s of held) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

test('a live daemon acknowledges at once, so a command may take longer than the ack deadline', async () => {
  const path = sock();
  const server = new IpcServer({ info, handler: async () => new Promise((r) => setTimeout(() => r('done'), 600)) });
  await server.listen(path);
  try {
    const res = await request(path, 'slow', {}, { timeoutMs: 5_000, ackTimeoutMs: 200 });
    assert.equal(res.ok, true);
    assert.equal(res.ok && res.result, 'done');
  } finally {
    await server.close();
  }
});
