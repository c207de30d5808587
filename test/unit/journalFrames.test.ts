import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { NetworkRecord, WebSocketFrame } from '../../src/protocol/records.js';
import { framesFrom, olderSocket, parseJournal, readJournal } from '../../src/offline/journal.js';
import { Journal, JOURNAL_LIMITS, framesSegment, journalFiles, previousSegment } from '../../src/telemetry/journal.js';
import { intern, resetInternTables } from '../../src/telemetry/intern.js';
import { HeapTrimmer } from '../../src/daemon/heapTrim.js';
import { Logger } from '../../src/util/logger.js';
import { keepJournal } from '../../src/client/state.js';
import { removeHistory } from '../../src/util/sessionHistory.js';

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

/** A finished request (an image: no body to wait for). */
function request(n: number): NetworkRecord {
  const { webSocket: _w, ...rest } = socket();
  return {
    ...rest,
    id: `n${n}`,
    requestId: `r${n}`,
    url: `http://127.0.0.1/r${n}`,
    resourceType: 'Image',
    state: 'finished',
    status: 200,
    mimeType: 'image/png',
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

test('a socket is journaled at open in the journal; its frames go to the frames file, one line per batch, then the socket as it is now', async () => {
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
  const kinds = (file: string): string[] =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { t: string }).t);
  assert.deepEqual(kinds(path), ['session', 'network', 'end']);
  assert.equal(framesSegment(path), join(tmp, 'ws-frames.ndjson'));
  assert.deepEqual(kinds(framesSegment(path)), ['session', 'frames', 'network', 'frames', 'network']);
  const read = await readJournal(path);
  assert.deepEqual(read.files, [path, framesSegment(path)]);
  assert.equal(read.network.length, 1);
  assert.equal(read.network[0]?.webSocket?.framesReceived, 3, "the socket's latest state wins, whichever file it is in");
  assert.deepEqual(
    read.frames.get('n2')?.map((f) => f.seq),
    [1, 2, 3, 4, 5],
  );
  assert.equal(j.stats().frames, 5);
  const view = framesFrom(read, { id: 'n2', last: 2, since: 1 }, path);
  assert.deepEqual(
    view.frames.map((f) => f.seq),
    [4, 5],
  );
  assert.equal(view.matched, 4);
  assert.equal(view.lastSeq, 5);
});

test('past the frame bound the newest frames stay, the dropped ones are counted, and every request is still there', async () => {
  const { j, path } = journal('cap.ndjson', { maxFrameBytes: 2_000 });
  const ws = socket();
  j.webSocket(ws);
  let seq = 0;
  for (let round = 1; round <= 20; round++) {
    for (let k = 0; k < 5; k++) {
      j.frame(ws, frame(++seq, 'x'.repeat(100)));
      if (ws.webSocket !== undefined) ws.webSocket.framesReceived++;
    }
    j.network(request(100 + round));
    await j.flush();
  }
  // Killed here (no end line): the frames file's header says how many frames were gone when it began.
  const killed = await readJournal(path);
  const keptKilled = killed.frames.get('n2') ?? [];
  assert.equal(keptKilled[keptKilled.length - 1]?.seq, 100, 'the newest frame is journaled');
  assert.ok(killed.framesDropped > 0 && killed.framesDropped <= j.stats().framesDropped, `${killed.framesDropped} counted so far`);
  await j.close();

  const read = await readJournal(path);
  assert.deepEqual(read.files, journalFiles(path).slice(1), 'the journal never rotated; the frames did');
  const kept = read.frames.get('n2') ?? [];
  assert.ok(kept.length >= 10 && kept.length < 100, `${kept.length} frames kept`);
  assert.deepEqual(
    kept.map((f) => f.seq),
    kept.map((_f, i) => 100 - kept.length + 1 + i),
    'the newest frames, in order, none missing between them',
  );
  // Every frame is either in the journal or counted: by the writer and by what the reader says.
  assert.equal(read.framesDropped, 100 - kept.length);
  assert.equal(j.stats().framesDropped, 100 - kept.length);
  assert.equal(j.stats().frames, 100, 'all were written; the oldest rotated away');
  // The frames files stay within their bound; the journal itself has every request.
  for (const f of [framesSegment(path), previousSegment(framesSegment(path))]) assert.ok(statSync(f).size <= 2_000 + 1_000, `${f}: ${statSync(f).size}`);
  assert.deepEqual(
    read.network.filter((r) => r.webSocket === undefined).map((r) => r.id),
    Array.from({ length: 20 }, (_x, i) => `n${101 + i}`),
  );
  assert.equal(j.stats().rotations, 0, 'frames never rotated the requests away');
  // network ws --from: the socket's frames the journal no longer has are its dropped ones.
  const view = framesFrom(read, { id: 'n2', last: 0 }, path);
  assert.equal(view.summary.framesDropped, 100 - kept.length);
});

test('a batch with more frames than the bound keeps its newest', async () => {
  const { j, path } = journal('batch.ndjson', { maxFrameBytes: 2_000, maxBatch: 1_000 });
  const ws = socket();
  for (let i = 1; i <= 50; i++) j.frame(ws, frame(i, 'y'.repeat(100)));
  await j.close();
  const read = await readJournal(path);
  const kept = read.frames.get('n2') ?? [];
  assert.ok(kept.length > 0 && kept.length < 50, `${kept.length} kept`);
  assert.equal(kept[kept.length - 1]?.seq, 50);
  assert.equal(kept[0]?.seq, 50 - kept.length + 1);
  assert.equal(j.stats().frames + j.stats().framesDropped, 50);
  assert.equal(read.framesDropped, 50 - kept.length);
});

test("frames files an earlier session left beside a journal that is gone are not mixed into this one's", async () => {
  const path = join(tmp, 'stale.ndjson');
  const oldFrames = JSON.stringify({ t: 'frames', s: 'n2', f: [frame(999, 'old')] });
  writeFileSync(framesSegment(path), `${oldFrames}\n`);
  writeFileSync(previousSegment(framesSegment(path)), `${oldFrames}\n`);
  const { j } = journal('stale.ndjson');
  const ws = socket();
  j.webSocket(ws);
  j.frame(ws, frame(1));
  await j.close();
  const read = await readJournal(path);
  assert.deepEqual(
    read.frames.get('n2')?.map((f) => f.seq),
    [1],
  );
  assert.equal(existsSync(previousSegment(framesSegment(path))), false);
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

test('after a crash the frames files go to history/ with their journal, are read from there, and cleanup removes them', async () => {
  const d = mkdtempSync(join(tmp, 'crash-'));
  const { j } = journal(join(basename(d), 'journal.ndjson'), { maxFrameBytes: 500 });
  const ws = socket();
  j.webSocket(ws);
  for (let i = 1; i <= 20; i++) {
    j.frame(ws, frame(i, 'z'.repeat(50)));
    if (i % 4 === 0) await j.flush();
  }
  // No close: as a SIGKILL leaves it.
  assert.ok(existsSync(join(d, 'journal-frames.1.ndjson')));
  const kept = keepJournal(d);
  assert.equal(kept, join(d, 'history', 'journal-2026-12-02T00-00-00.000Z.ndjson'));
  assert.deepEqual(readdirSync(join(d, 'history')).sort(), [
    'journal-2026-12-02T00-00-00.000Z-frames.1.ndjson',
    'journal-2026-12-02T00-00-00.000Z-frames.ndjson',
    'journal-2026-12-02T00-00-00.000Z.ndjson',
  ]);
  const read = await readJournal(kept);
  assert.equal(read.frames.get('n2')?.at(-1)?.seq, 20);
  assert.equal((await removeHistory(d)).length, 3);
  assert.equal(existsSync(join(d, 'history')), false);
});

test('olderSocket: a closed socket is later than an open one, more frames later than fewer', () => {
  const at = (state: 'open' | 'closed', n: number): NetworkRecord => ({
    ...socket(),
    webSocket: { state, framesSent: n, framesReceived: n, bytesSent: 0, bytesReceived: 0, framesDropped: 0 },
  });
  assert.equal(olderSocket(at('open', 5), at('closed', 1)), true);
  assert.equal(olderSocket(at('closed', 1), at('open', 5)), false);
  assert.equal(olderSocket(at('open', 1), at('open', 5)), true);
  assert.equal(olderSocket(at('open', 5), at('open', 5)), false, 'the same state: the later line wins');
  assert.equal(olderSocket(request(3), at('open', 1)), false);
});

test('intern returns one shared copy of equal strings', () => {
  const a = ['text/', 'plain'].join('');
  const b = `text/${'plain'}`;
  assert.equal(intern(a), intern(b));
  const long = 'y'.repeat(5_000);
  assert.equal(intern(long), long);
  // After a reset equal strings are shared again, from the first one seen after it; what was shared stays as it was.
  const kept = intern(a);
  resetInternTables();
  const c = ['text/', 'plain'].join('');
  assert.equal(intern(c), c);
  assert.equal(intern(b), c);
  assert.equal(kept, a);
});

test('the heap trimmer collects (twice in a row) once after a busy spell, when a tick is quiet, and again when the heap regrew', async () => {
  let calls = 0;
  let compacts = 0;
  let heap = 10;
  const trim = new HeapTrimmer({
    gc: () => calls++,
    compact: () => compacts++,
    intervalMs: 20,
    burstEvents: 100,
    quietEvents: 5,
    regrowBytes: 4,
    heapTotal: () => heap,
    log: { debug: () => undefined },
  });
  trim.start();
  trim.note(50);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls, 0, 'not busy enough yet');
  trim.note(200);
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual([compacts, calls, trim.trims], [1, 2, 1]);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual([compacts, calls, trim.trims], [1, 2, 1], 'once per spell');
  // A few events later the heap has grown past the bound over what the trim left: one more trim, then none.
  trim.note(3);
  heap = 15;
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual([compacts, calls, trim.trims], [2, 4, 2], 'the heap regrew after the trim');
  trim.note(3);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual([compacts, calls, trim.trims], [2, 4, 2], 'not regrown over what the second trim left');
  trim.stop();
});
