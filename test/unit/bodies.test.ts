import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionSend } from '../../src/cdp/connection.js';
import { BodyPool, type BodySink } from '../../src/daemon/bodies.js';
import type { NetworkBody, NetworkRecord } from '../../src/protocol/records.js';
import { BdgError } from '../../src/util/errors.js';

function record(n: number, over: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    id: `n${n}`,
    requestId: `R${n}`,
    url: `http://127.0.0.1/${n}`,
    method: 'GET',
    state: 'finished',
    mimeType: 'text/plain',
    requestHeaders: {},
    startedAt: 0,
    navigation: 0,
    ...over,
  };
}

/** Stores bodies on the record the way the network collector does (without the cap and budget, which are its own tests). */
function sink(): BodySink & { bodies: NetworkBody[] } {
  const bodies: NetworkBody[] = [];
  return {
    bodies,
    setBody: (r, body) => {
      r.body = body;
      bodies.push(body);
      return body;
    },
    setPostData: (r, data) => {
      r.postData = data;
      delete r.hasPostData;
    },
    noBody: (r, reason) => {
      r.bodyUnavailable = reason;
    },
    wantsBody: () => true,
  };
}

/**
 * A fake page: answers every body fetch after `delayMs` (not in time, when negative) and honours the call's abort
 * signal as the real connection does; counts calls and the most in flight at once.
 */
function fakePage(delayMs: number): { send: SessionSend; calls: string[]; maxInFlight: () => number; inFlight: () => number } {
  let inFlight = 0;
  let max = 0;
  const calls: string[] = [];
  const send = (method: string, params?: { requestId: string }, opts?: { signal?: AbortSignal }): Promise<unknown> => {
    calls.push(`${method} ${params?.requestId ?? ''}`);
    inFlight++;
    max = Math.max(max, inFlight);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        inFlight--;
      };
      // A hung call still ends at its own timeout, as on the real connection (whose timer also keeps the event
      // loop alive: AbortSignal.timeout does not).
      const timer = setTimeout(
        () => {
          done();
          opts?.signal?.removeEventListener('abort', onAbort);
          if (delayMs < 0) reject(new BdgError('TIMEOUT', `${method} timed out`));
          else
            resolve(
              method === 'Network.getResponseBody'
                ? { body: Buffer.from(`body of ${params?.requestId}`).toString('base64'), base64Encoded: true }
                : { postData: 'a=1', base64Encoded: false },
            );
        },
        delayMs < 0 ? 30_000 : delayMs,
      );
      const onAbort = (): void => {
        clearTimeout(timer);
        done();
        reject(new BdgError('TIMEOUT', `${method} was cancelled`));
      };
      opts?.signal?.addEventListener('abort', onAbort, { once: true });
    });
  };
  return { send: send as SessionSend, calls, maxInFlight: () => max, inFlight: () => inFlight };
}

const quiet = { debug: () => undefined };

test('fetchAll keeps at most `concurrency` fetches in flight and fetches each body once', async () => {
  const page = fakePage(5);
  const out = sink();
  const pool = new BodyPool({ send: page.send, sink: out, connected: () => true, log: quiet, concurrency: 3 });
  const records = Array.from({ length: 20 }, (_, i) => record(i));
  await pool.fetchAll(records, { deadlineMs: 10_000, requestBodies: false });
  assert.equal(page.maxInFlight(), 3);
  assert.equal(page.calls.length, 20);
  assert.equal(new Set(page.calls).size, 20);
  // Text-like bodies arrive as text, with the decoded size.
  assert.deepEqual(records[7]?.body, { data: 'body of R7', base64: false, truncated: false, size: 10 });
  assert.equal(pool.active, 0);
});

test('lazy fetches share the pool with a running batch', async () => {
  const page = fakePage(10);
  const pool = new BodyPool({ send: page.send, sink: sink(), connected: () => true, log: quiet, concurrency: 2 });
  const batch = pool.fetchAll(
    Array.from({ length: 6 }, (_, i) => record(i)),
    { deadlineMs: 10_000, requestBodies: false },
  );
  const lazy = [record(100), record(101), record(102)].map((r) => pool.responseBody(r));
  await Promise.all([batch, ...lazy]);
  assert.equal(page.maxInFlight(), 2);
  assert.equal(page.calls.length, 9);
});

test('the time budget is respected: nothing starts after the deadline and hung fetches are cancelled at it', async () => {
  const page = fakePage(-1); // Chrome never answers
  const pool = new BodyPool({ send: page.send, sink: sink(), connected: () => true, log: quiet, concurrency: 2 });
  const started = Date.now();
  await pool.fetchAll(
    Array.from({ length: 50 }, (_, i) => record(i)),
    { deadlineMs: 150, requestBodies: false },
  );
  const took = Date.now() - started;
  assert.ok(took >= 140 && took < 1_000, `took ${took} ms`);
  assert.equal(page.calls.length, 2, 'only the first two, which hung until the deadline');
  assert.equal(page.inFlight(), 0);
  assert.equal(pool.active, 0);
});

test('a waiter whose signal fires before it gets a slot never calls Chrome', async () => {
  const page = fakePage(-1);
  const pool = new BodyPool({ send: page.send, sink: sink(), connected: () => true, log: quiet, concurrency: 1 });
  const hog = new AbortController();
  const first = pool.responseBody(record(1), hog.signal);
  const waiter = pool.responseBody(record(2), AbortSignal.timeout(30));
  await waiter;
  assert.deepEqual(page.calls, ['Network.getResponseBody R1']);
  hog.abort();
  await first;
  assert.equal(pool.active, 0);
});

test('request bodies are fetched for a HAR export only, and nothing is asked once Chrome is gone', async () => {
  const page = fakePage(1);
  let connected = true;
  const pool = new BodyPool({ send: page.send, sink: sink(), connected: () => connected, log: quiet });
  const posted = record(1, { method: 'POST', hasPostData: true });
  await pool.fetchAll([posted], { deadlineMs: 1_000, requestBodies: false });
  assert.equal(posted.postData, undefined);
  await pool.fetchAll([posted], { deadlineMs: 1_000, requestBodies: true });
  assert.equal(posted.postData, 'a=1');
  assert.deepEqual(page.calls, ['Network.getResponseBody R1', 'Network.getRequestPostData R1']);
  connected = false;
  await pool.fetchAll([record(2), record(3)], { deadlineMs: 1_000, requestBodies: true });
  assert.equal(page.calls.length, 2);
});

test('unfinished requests and binary bodies: nothing fetched, base64 kept', async () => {
  const page = fakePage(1);
  const pool = new BodyPool({ send: page.send, sink: sink(), connected: () => true, log: quiet });
  const pending = record(1, { state: 'pending' });
  const image = record(2, { mimeType: 'image/png' });
  await pool.fetchAll([pending, image], { deadlineMs: 1_000, requestBodies: false });
  assert.equal(pending.body, undefined);
  assert.equal(image.body?.base64, true);
  assert.equal(image.body?.size, 'body of R2'.length);
});

test('background fetches use at most their share of the slots, and a command waiting for a slot goes first', async () => {
  const page = fakePage(20);
  const pool = new BodyPool({ send: page.send, sink: sink(), connected: () => true, log: quiet, concurrency: 3, backgroundConcurrency: 2 });
  const queued = Array.from({ length: 6 }, (_, i) => record(i));
  for (const r of queued) pool.prefetch(r);
  assert.equal(page.calls.length, 2, 'two background fetches start at once');
  assert.deepEqual(pool.background, { queued: 4, active: 2 });
  // A command gets the free slot at once, and the next free one before the remaining background work.
  const a = pool.responseBody(record(100));
  const b = pool.responseBody(record(101));
  assert.equal(page.calls.length, 3);
  await a;
  await b;
  for (let i = 0; i < 50 && pool.background.queued + pool.background.active > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(
    page.calls.map((c) => c.split(' ')[1]),
    ['R0', 'R1', 'R100', 'R101', 'R2', 'R3', 'R4', 'R5'],
  );
  assert.equal(page.maxInFlight(), 3);
  assert.ok(queued.every((r) => r.body !== undefined));
  assert.equal(pool.active, 0);
});

test('the background queue is bounded: past it the oldest wait is given up, newest kept', async () => {
  const page = fakePage(5);
  const pool = new BodyPool({ send: page.send, sink: sink(), connected: () => true, log: quiet, concurrency: 2, backgroundConcurrency: 1, backgroundQueue: 3 });
  const records = Array.from({ length: 10 }, (_, i) => record(i));
  for (const r of records) pool.prefetch(r);
  assert.equal(pool.background.queued, 3);
  for (let i = 0; i < 50 && pool.background.queued + pool.background.active > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(
    records.map((r) => r.body !== undefined),
    [true, false, false, false, false, false, false, true, true, true],
  );
  // Those given up are still fetched on demand.
  assert.ok((await pool.responseBody(records[3] as NetworkRecord)) !== undefined);
});

/** A page whose body fetches fail the way Chrome answers for a body it no longer holds, or time out. */
function failingPage(message: string): SessionSend {
  return async (method: string) => {
    await new Promise((r) => setTimeout(r, 1));
    throw new Error(`${method}: ${message}`);
  };
}

test('a body Chrome no longer holds says why: not kept (text) or binary; other failures are "failed"; a cancel says nothing', async () => {
  const gone = new BodyPool({ send: failingPage('No resource with given identifier found'), sink: sink(), connected: () => true, log: quiet });
  const text = record(1);
  const image = record(2, { mimeType: 'image/png' });
  await gone.fetchAll([text, image], { deadlineMs: 1_000, requestBodies: false });
  assert.equal(text.bodyUnavailable, 'not-kept');
  assert.equal(image.bodyUnavailable, 'binary');
  const noData = new BodyPool({ send: failingPage('No data found for resource with given identifier'), sink: sink(), connected: () => true, log: quiet });
  const later = record(3);
  noData.prefetch(later);
  for (let i = 0; i < 50 && later.bodyUnavailable === undefined; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(later.bodyUnavailable, 'not-kept');
  const broken = new BodyPool({ send: failingPage('Internal error'), sink: sink(), connected: () => true, log: quiet });
  const r4 = record(4);
  assert.equal(await broken.responseBody(r4), undefined);
  assert.equal(r4.bodyUnavailable, 'failed');
  const hung = new BodyPool({ send: fakePage(-1).send, sink: sink(), connected: () => true, log: quiet });
  const r5 = record(5);
  await hung.responseBody(r5, AbortSignal.timeout(20));
  assert.equal(r5.bodyUnavailable, undefined);
  // Bodies known to be empty (redirects, 204, 304, HEAD) and WebSockets are never asked for.
  const page = fakePage(1);
  const pool = new BodyPool({ send: page.send, sink: sink(), connected: () => true, log: quiet });
  await pool.fetchAll(
    [
      record(6, { bodyUnavailable: 'empty' }),
      record(7, { webSocket: { state: 'open', framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, framesDropped: 0 } }),
    ],
    { deadlineMs: 1_000, requestBodies: false },
  );
  assert.deepEqual(page.calls, []);
});

test('a batch skips the bodies the budget would drop at once, and says so', async () => {
  const page = fakePage(1);
  const out = sink();
  const pool = new BodyPool({ send: page.send, sink: { ...out, wantsBody: (r) => r.id !== 'n1' }, connected: () => true, log: quiet });
  const [old, recent] = [record(1), record(2)];
  await pool.fetchAll([old, recent], { deadlineMs: 1_000, requestBodies: false });
  assert.deepEqual(page.calls, ['Network.getResponseBody R2']);
  assert.equal(old.bodyUnavailable, 'evicted');
  assert.ok(recent.body !== undefined);
});
