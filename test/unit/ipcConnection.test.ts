/**
 * The persistent connection batch uses: many requests on one socket, in order, each with its own id and deadline;
 * reopened when the daemon closed it while idle; a request re-sent only when the daemon provably never read it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpcServer } from '../../src/ipc/server.js';
import { ConnectionLostError, DaemonConnection, NoDaemonError } from '../../src/ipc/client.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import { BdgError } from '../../src/util/errors.js';

const info = { pid: process.pid, version: 'test', protocol: PROTOCOL_VERSION };
const sock = (): string => join(mkdtempSync(join(tmpdir(), 'bdg-conn-')), 'daemon.sock');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A raw JSONL server whose behaviour per request the test scripts; it counts connections and requests read. */
async function rawServer(
  path: string,
  onRequest: (socket: Socket, req: { id: number; cmd: string }, n: number) => void,
): Promise<{ connections: number; requests: number; close: () => Promise<void> }> {
  const state = { connections: 0, requests: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    socket.on('data', (d) => {
      buf += String(d);
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const req = JSON.parse(buf.slice(0, nl)) as { id: number; cmd: string };
        buf = buf.slice(nl + 1);
        state.requests++;
        onRequest(socket, req, state.requests);
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  return Object.assign(state, {
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  });
}

const answer = (socket: Socket, id: number, result: unknown): void => {
  socket.write(`${JSON.stringify({ id, ok: true, result, daemon: info })}\n`);
};

test('many requests, one connection, answered in order with their own ids', async () => {
  const path = sock();
  const order: string[] = [];
  const server = new IpcServer({
    info,
    handler: async (req) => {
      order.push(req.cmd);
      if (req.cmd === 'c0') await sleep(30); // a slow first request must not let the next overtake it
      return { cmd: req.cmd };
    },
  });
  await server.listen(path);
  const conn = new DaemonConnection(path);
  try {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => conn.request(`c${i}`)));
    assert.deepEqual(
      answers.map((r) => (r.ok ? (r.result as { cmd: string }).cmd : r.error.code)),
      Array.from({ length: 20 }, (_, i) => `c${i}`),
    );
    assert.deepEqual(
      order,
      Array.from({ length: 20 }, (_, i) => `c${i}`),
    );
    assert.equal(new Set(answers.map((r) => r.id)).size, 20);
    assert.equal(server.stats.connections, 1);
    assert.equal(server.stats.served, 20);
  } finally {
    conn.close();
    await server.close();
  }
});

test('a connection the daemon closed while idle is reopened without the caller noticing', async () => {
  const path = sock();
  const server = new IpcServer({ info, limits: { idleTimeoutMs: 100 }, handler: (req) => Promise.resolve(req.cmd) });
  await server.listen(path);
  // reuseMs above the server's idle timeout: the daemon, not the client, closes it.
  const conn = new DaemonConnection(path, { reuseMs: 60_000 });
  try {
    assert.equal((await conn.request('one')).ok, true);
    await sleep(300);
    assert.equal(conn.connected, false, 'the idle connection was closed by the daemon');
    const again = await conn.request('two');
    assert.equal(again.ok && again.result, 'two');
  } finally {
    conn.close();
    await server.close();
  }
});

test('a connection idle past reuseMs is replaced before the next request', async () => {
  const path = sock();
  const raw = await rawServer(path, (socket, req) => answer(socket, req.id, req.cmd));
  const conn = new DaemonConnection(path, { reuseMs: 50 });
  try {
    await conn.request('a');
    await conn.request('b');
    assert.equal(raw.connections, 1);
    await sleep(100);
    await conn.request('c');
    assert.equal(raw.connections, 2);
  } finally {
    conn.close();
    await raw.close();
  }
});

test("the daemon's idle timeout racing a request: the unread request is sent again, once", async () => {
  const path = sock();
  // First connection: answer as the server's idle timeout does (id 0, TIMEOUT) and close without acting on it.
  const raw = await rawServer(path, (socket, req, n) => {
    if (n === 1) {
      socket.end(`${JSON.stringify({ id: 0, ok: false, error: { code: 'TIMEOUT', message: 'No complete request within 5000 ms' }, daemon: info })}\n`);
      return;
    }
    answer(socket, req.id, 'done');
  });
  const conn = new DaemonConnection(path);
  try {
    const res = await conn.request('dom.click');
    assert.equal(res.ok && res.result, 'done');
    assert.equal(raw.connections, 2);
  } finally {
    conn.close();
    await raw.close();
  }
});

test('closed while a request is in flight: ConnectionLostError, and the request is not sent again', async () => {
  const path = sock();
  const raw = await rawServer(path, (socket) => socket.destroy());
  const conn = new DaemonConnection(path);
  try {
    await assert.rejects(conn.request('dom.click'), (err: unknown) => err instanceof ConnectionLostError);
    assert.equal(raw.requests, 1);
  } finally {
    conn.close();
    await raw.close();
  }
});

test('each request has its own deadline; one that timed out leaves the next a fresh connection', async () => {
  const path = sock();
  let aborted = false;
  const server = new IpcServer({
    info,
    handler: (req, signal) => {
      if (req.cmd !== 'hang') return Promise.resolve('quick');
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve((aborted = true))));
    },
  });
  await server.listen(path);
  const conn = new DaemonConnection(path);
  try {
    await assert.rejects(conn.request('hang', {}, { timeoutMs: 100 }), (err: unknown) => err instanceof BdgError && err.code === 'TIMEOUT');
    const next = await conn.request('next');
    assert.equal(next.ok && next.result, 'quick');
    await sleep(50);
    assert.equal(aborted, true, 'the daemon saw the timed-out request abandoned');
  } finally {
    conn.close();
    await server.close();
  }
});

test('BUSY at connect is retried; no daemon is NoDaemonError at once', async () => {
  await assert.rejects(
    new DaemonConnection(join(tmpdir(), 'nope', 'daemon.sock')).request('status'),
    (err: unknown) => err instanceof NoDaemonError && err.reason === 'missing',
  );
  const path = sock();
  const raw = await rawServer(path, (socket, req, n) => {
    if (n === 1) socket.end(`${JSON.stringify({ id: 0, ok: false, error: { code: 'BUSY', message: 'full' }, daemon: info })}\n`);
    else answer(socket, req.id, 'in');
  });
  const conn = new DaemonConnection(path);
  try {
    const res = await conn.request('status');
    assert.equal(res.ok && res.result, 'in');
  } finally {
    conn.close();
    await raw.close();
  }
});
