import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkRecord, WebSocketFrame } from '../../src/protocol/records.js';
import { framesFrom, parseJournal } from '../../src/offline/journal.js';
import { Journal, JOURNAL_LIMITS } from '../../src/telemetry/journal.js';
import { intern } from '../../src/telemetry/intern.js';
import { HeapTrimmer } from '../../src/daemon/heapTrim.js';
import { Logger } from '../../src/util/logger.js';

const tmp = mkdtempSync(join(tmpdir(), 'bdg-journal-frames-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function socket(): NetworkRecord {
  return {
    id: 'n2',
    requestId: 'ws.1',
    url: 'ws://127.0.0.1/echo',
    method: 'GET',
    resourceType: 'WebSocket',
    state: 'pending',
    status: 101,
    requestHeaders: {},
    startedAt: 1000,
    navigation: 0,
    webSocket: { state: 'open', framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, framesDropped: 0 },
  };
}

const frame = (seq: number, data = `f${seq}`): WebSocketFrame => ({
  seq,
  type: seq % 2 === 0 ? 'send' : 'receive',
  time: 1000 + seq,
  opcode: 1,
  size: data.length,
  data,
});

function journal(name: string, limits: Partial<typeof JOURNAL_LIMITS> = {}): { j: Journal; path: string } {
  const path = join(tmp, name);
  const j = new Journal({
    path,
    header: () => ({ pid: 1, startedAt: '2026-12-02T00:00:00.000Z', url: 'http://127.0.0.1/', sessionDir: tmp, bdg: 'test' }),
    navigations: () => [],
    log: new Logger(join(tmp, `${name}.log`)),
    limits: { ...JOURNAL_LIMITS, ...limits },
  });
  return { j, path };
}

test('a socket is journaled at open; its frames go in one line per batch, followed by the socket as it is now', async () => {
  const { j, path } = journal('ws.ndjson');
  const ws = socket();
  j.webSocket(ws);
  for (let i = 1; i <= 3; i++) {
    j.frame(ws, frame(i));
    if (ws.webSocket !== undefined) ws.webSocket.framesReceived++;
  }
  await j.flush();
  for (let i = 4; i <= 5; i++) j.frame(ws, frame(i));
  await j.close();
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const kinds = lines.map((l) => (JSON.parse(l) as { t: string }).t);
  assert.deepEqual(kinds, ['session', 'frames', 'network', 'frames', 'network', 'end']);
  const parsed = parseJournal([readFileSync(path, 'utf8')]);
  assert.equal(parsed.network.length, 1);
  assert.equal(parsed.network[0]?.webSocket?.framesReceived, 3, 'the last line of the socket wins');
  assert.deepEqual(
    parsed.frames.get('n2')?.map((f) => f.seq),
    [1, 2, 3, 4, 5],
  );
  assert.equal(j.stats().frames, 5);
  const view = framesFrom({ files: [path], ...parsed }, { id: 'n2', last: 2, since: 1 }, path);
  assert.deepEqual(
    view.frames.map((f) => f.seq),
    [4, 5],
  );
  assert.equal(view.matched, 4);
  assert.equal(view.lastSeq, 5);
});

test("frames past a segment's frame bytes are counted, not written; the requests keep their room", async () => {
  const { j, path } = journal('cap.ndjson', { maxFrameBytes: 1_000 });
  const ws = socket();
  for (let i = 1; i <= 20; i++) j.frame(ws, frame(i, 'x'.repeat(100)));
  await j.close();
  const parsed = parseJournal([readFileSync(path, 'utf8')]);
  const kept = parsed.frames.get('n2') ?? [];
  assert.ok(kept.length > 0 && kept.length < 20, `${kept.length} kept`);
  assert.equal(j.stats().frames + j.stats().framesDropped, 20);
  assert.deepEqual(
    kept.map((f) => f.seq),
    kept.map((_f, i) => i + 1),
    'the first frames of the segment are the ones written',
  );
});

test('the reader keeps the newest frames of each socket, as many as a session would', () => {
  const lines = [JSON.stringify({ t: 'network', r: socket() })];
  for (let b = 0; b < 30; b++) lines.push(JSON.stringify({ t: 'frames', s: 'n2', f: Array.from({ length: 100 }, (_x, i) => frame(b * 100 + i + 1)) }));
  const parsed = parseJournal([lines.join('\n')]);
  const kept = parsed.frames.get('n2') ?? [];
  assert.equal(kept.length, 2_000);
  assert.equal(kept[kept.length - 1]?.seq, 3_000);
  assert.equal(kept[0]?.seq, 1_001);
  assert.equal(parsed.framesDropped, 1_000);
});

test('intern returns one shared copy of equal strings', () => {
  const a = ['text/', 'plain'].join('');
  const b = `text/${'plain'}`;
  assert.equal(intern(a), intern(b));
  const long = 'y'.repeat(5_000);
  assert.equal(intern(long), long);
});

test('the heap trimmer collects once after a busy spell, when a tick is quiet', async () => {
  let calls = 0;
  const trim = new HeapTrimmer({ gc: () => calls++, intervalMs: 20, burstEvents: 100, quietEvents: 5, log: { debug: () => undefined } });
  trim.start();
  trim.note(50);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls, 0, 'not busy enough yet');
  trim.note(200);
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(calls, 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls, 1, 'once per spell');
  trim.stop();
});
