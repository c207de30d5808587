import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPTURE_LIMITS, CdpCapture } from '../../src/daemon/cdpCapture.js';
import { BdgError } from '../../src/util/errors.js';

const PAGE = 'page-session';
const limits = { ...CAPTURE_LIMITS, bufferEvents: 5, bufferBytes: 1_000, eventBytes: 200, listeners: 3, answerChars: 400 };
const never = new AbortController().signal;

test('the --listen buffer keeps the newest events by count and bytes and counts the dropped; other sessions are left out', async () => {
  const c = new CdpCapture(() => PAGE, limits);
  assert.deepEqual(c.listen(['Runtime.consoleAPICalled', 'Network']), { listening: ['Runtime.consoleAPICalled', 'Network'], buffered: 0, dropped: 0 });
  for (let i = 0; i < 8; i++) c.handleEvent('Runtime.consoleAPICalled', { i }, PAGE);
  c.handleEvent('Runtime.consoleAPICalled', { i: 'iframe' }, 'child-session');
  c.handleEvent('Page.loadEventFired', {}, PAGE);
  assert.deepEqual(c.state(), { listening: ['Runtime.consoleAPICalled', 'Network'], buffered: 5, dropped: 3 });
  const read = await c.read({ events: ['Runtime.consoleAPICalled'] }, never);
  assert.deepEqual(
    read.events?.map((e) => e.params),
    [3, 4, 5, 6, 7].map((i) => ({ i })),
  );
  // Bytes: five events of ~150 characters exceed 1000 together... each kept, the oldest dropped.
  for (let i = 0; i < 8; i++) c.handleEvent('Network.dataReceived', { pad: 'x'.repeat(150), i }, PAGE);
  assert.ok(c.state().buffered < 8 && c.state().dropped > 3);
  // One event over eventBytes is kept without its params.
  c.handleEvent('Network.responseReceived', { big: 'y'.repeat(500) }, undefined);
  const big = await c.read({ events: ['Network.responseReceived'] }, never);
  assert.equal(big.events?.[0]?.params, null);
  assert.ok((big.events?.[0]?.truncatedFrom ?? 0) > 500);
});

test('an answer keeps its budget: later events stay buffered as remaining; at most `listeners` names', async () => {
  const c = new CdpCapture(() => PAGE, { ...limits, bufferEvents: 100, bufferBytes: 100_000 });
  c.listen(['Log.entryAdded']);
  for (let i = 0; i < 20; i++) c.handleEvent('Log.entryAdded', { text: `entry ${i}` }, PAGE);
  const first = await c.read({}, never);
  assert.ok((first.count ?? 0) > 0 && (first.remaining ?? 0) > 0);
  assert.equal((first.count ?? 0) + (first.remaining ?? 0), 20);
  const second = await c.read({}, never);
  assert.equal(second.events?.[0]?.params && (second.events[0].params as { text: string }).text, `entry ${first.count ?? 0}`);
  assert.throws(
    () => c.listen(['A.b', 'C.d', 'E.f']),
    (e: unknown) => e instanceof BdgError && e.code === 'INVALID_ARGUMENTS',
  );
  const u = c.unlisten();
  assert.deepEqual(u.stopped, ['Log.entryAdded']);
  assert.throws(
    () => c.unlisten(),
    (e: unknown) => e instanceof BdgError && e.code === 'NOT_FOUND',
  );
});

test('collect: until ends it (collected, nothing after); a timeout is complete: false; a file drops past its cap, counted', async () => {
  const c = new CdpCapture(() => PAGE, limits);
  const done = c.collect(
    () => {
      c.handleEvent('Network.requestWillBeSent', { n: 1 }, PAGE);
      c.handleEvent('Page.loadEventFired', {}, PAGE);
      c.handleEvent('Network.requestWillBeSent', { n: 2 }, PAGE);
      return Promise.resolve({ ok: true });
    },
    { events: ['Network.requestWillBeSent'], until: 'Page.loadEventFired', timeoutMs: 5_000 },
  );
  const { result, collected } = await done;
  assert.deepEqual(result, { ok: true });
  assert.equal(collected.complete, true);
  assert.deepEqual(
    collected.events?.map((e) => e.method),
    ['Network.requestWillBeSent', 'Page.loadEventFired'],
  );

  const timedOut = await c.collect(() => Promise.resolve(undefined), { events: [], until: 'Page.loadEventFired', timeoutMs: 50 });
  assert.equal(timedOut.collected.complete, false);
  assert.equal(timedOut.collected.count, 0);

  const dir = mkdtempSync(join(tmpdir(), 'bdg-capture-unit-'));
  try {
    const file = join(dir, 'out.ndjson');
    const small = new CdpCapture(() => PAGE, { ...limits, fileBytes: 120 });
    const r = await small.collect(
      () => {
        for (let i = 0; i < 5; i++) small.handleEvent('Log.entryAdded', { i }, PAGE);
        return Promise.resolve();
      },
      { events: ['Log.entryAdded'], timeoutMs: 0, out: file },
    );
    assert.equal(r.collected.complete, false);
    assert.ok((r.collected.dropped ?? 0) > 0);
    assert.equal((r.collected.dropped ?? 0) + r.collected.count, 5);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, r.collected.count);
    assert.deepEqual(JSON.parse(lines[0] as string), { method: 'Log.entryAdded', params: { i: 0 }, ts: (JSON.parse(lines[0] as string) as { ts: number }).ts });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await assert.rejects(
      c.collect(() => Promise.resolve(undefined), { events: [], timeoutMs: 0, out: 'relative.ndjson' }),
      (e: unknown) => e instanceof BdgError && e.code === 'INVALID_ARGUMENTS',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
