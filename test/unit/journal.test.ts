import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleRecord, NetworkRecord } from '../../src/protocol/records.js';
import { cumulativeLayoutShift, interactionToNextPaint } from '../../src/daemon/handlers/perf.js';
import { redactText, secretValues } from '../../src/daemon/handlers/bundle.js';
import { parseJournal } from '../../src/offline/journal.js';
import { Journal, JOURNAL_LIMITS, previousSegment } from '../../src/telemetry/journal.js';
import { Logger } from '../../src/util/logger.js';

const tmp = mkdtempSync(join(tmpdir(), 'bdg-journal-unit-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function request(n: number, extra: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    id: `n${n}`,
    requestId: `r${n}`,
    url: `http://127.0.0.1/x${n}`,
    method: 'GET',
    state: 'finished',
    status: 200,
    mimeType: 'image/png',
    requestHeaders: {},
    startedAt: 1000 + n,
    navigation: 0,
    ...extra,
  };
}

const message = (n: number): ConsoleRecord => ({ id: `c${n}`, kind: 'console', level: 'log', type: 'log', text: `m${n}`, timestamp: 1000 + n, navigation: 0 });

function journal(name: string, limits: Partial<typeof JOURNAL_LIMITS> = {}): { j: Journal; path: string; log: Logger } {
  const path = join(tmp, name);
  const log = new Logger(join(tmp, `${name.replace(/\//g, '-')}.log`));
  const j = new Journal({
    path,
    header: () => ({ pid: 1, startedAt: '2026-12-02T00:00:00.000Z', url: 'http://127.0.0.1/', sessionDir: tmp, bdg: 'test' }),
    navigations: () => [{ index: 0, url: 'http://127.0.0.1/', timestamp: 1000 }],
    log,
    limits: { ...JOURNAL_LIMITS, ...limits },
  });
  return { j, path, log };
}

test('records are batched, written with a header, mode 0600, and read back (last line of a record wins)', async () => {
  const { j, path } = journal('a.ndjson');
  const r = request(1);
  j.network(r);
  j.console(message(1));
  assert.equal(existsSync(path), false, 'nothing is written on the request path');
  await j.flush();
  r.status = 201;
  j.network(r);
  await j.close();
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const parsed = parseJournal([readFileSync(path, 'utf8')]);
  assert.equal(parsed.header?.startedAt, '2026-12-02T00:00:00.000Z');
  assert.equal(parsed.network.length, 1);
  assert.equal(parsed.network[0]?.status, 201);
  assert.deepEqual(
    parsed.console.map((c) => c.text),
    ['m1'],
  );
  assert.equal(parsed.navigations.length, 1);
  assert.equal(parsed.ended?.reason, 'stopped');
  assert.equal(j.stats().records, 4);
});

test('a journal cut in the middle of a line (kill -9) is read up to the cut', () => {
  const lines = [JSON.stringify({ t: 'session', v: 1, startedAt: 'x' }), JSON.stringify({ t: 'network', r: request(1) }), '{"t":"network","r":{"id":"n2","ur'];
  const parsed = parseJournal([lines.join('\n')]);
  assert.equal(parsed.network.length, 1);
  assert.equal(parsed.badLines, 1);
  assert.equal(parsed.ended, null);
});

test('past maxBytes the segment becomes the previous one; both together hold every record', async () => {
  const { j, path } = journal('b.ndjson', { maxBytes: 2_000, maxBatch: 5 });
  for (let i = 1; i <= 60; i++) {
    j.network(request(i));
    if (i % 5 === 0) await j.flush();
  }
  await j.close();
  assert.ok(j.stats().rotations > 0);
  const prev = previousSegment(path);
  assert.ok(existsSync(prev));
  assert.ok(statSync(path).size <= 2_000 + 1_000);
  const both = parseJournal([readFileSync(prev, 'utf8'), readFileSync(path, 'utf8')]);
  // Only the last two segments are kept: the newest records, in order, and the header of the current one.
  const ids = both.network.map((r) => Number(r.id.slice(1)));
  assert.equal(ids[ids.length - 1], 60);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
  );
});

test('a failed write is counted, logged once, and never thrown', async () => {
  const { j, log } = journal(join('missing-dir', 'c.ndjson'));
  for (let i = 1; i <= 3; i++) {
    j.network(request(i));
    await j.flush();
  }
  await j.close();
  assert.equal(j.stats().writeErrors, 3);
  assert.ok(j.stats().dropped >= 3, 'the lines of the failed batches are counted as not journaled');
  await log.close();
  const logged = readFileSync(join(tmp, 'missing-dir-c.ndjson.log'), 'utf8');
  assert.equal(logged.split('writing the journal').length - 1, 1, logged);
});

test('a finished text response waits a few batches for its body, then is written with what is known', async () => {
  const { j, path } = journal('d.ndjson');
  const r = request(1, { mimeType: 'application/json' });
  j.network(r);
  await j.flush();
  assert.ok(!readFileSync(path, 'utf8').includes('"t":"network"'), 'held back while its body is fetched');
  r.body = { data: '{"a":1}', base64: false, truncated: false, size: 7 };
  await j.close();
  assert.equal(parseJournal([readFileSync(path, 'utf8')]).network[0]?.body?.data, '{"a":1}');
});

test('CLS: largest session window of shifts without recent input; elements credited', () => {
  const el = (selector: string): { el: { selector: string }; area: number } => ({ el: { selector }, area: 1 });
  const cls = cumulativeLayoutShift([
    { t: 100, value: 0.05, input: false, sources: [el('div#a')] },
    { t: 300, value: 0.1, input: false, sources: [el('div#b')] },
    { t: 400, value: 0.5, input: true, sources: [el('div#c')] },
    // A new window after a gap of more than a second.
    { t: 2000, value: 0.12, input: false, sources: [el('div#a')] },
  ]);
  assert.ok(cls !== null);
  assert.equal(cls.value, 0.15);
  assert.equal(cls.shifts, 3);
  assert.deepEqual(
    cls.sources.map((s) => [s.selector, s.value]),
    [
      ['div#a', 0.17],
      ['div#b', 0.1],
    ],
  );
  assert.equal(cumulativeLayoutShift([]), null);
});

test('INP: the longest interaction (grouped by interactionId), first input as a fallback, else n/a', () => {
  const inp = interactionToNextPaint(
    [
      { id: 1, name: 'pointerdown', duration: 40, target: null },
      { id: 1, name: 'click', duration: 56, target: { selector: 'button#go' } },
      { id: 2, name: 'keydown', duration: 24, target: null },
    ],
    null,
  );
  assert.deepEqual(inp, { ms: 56, event: 'click', target: { selector: 'button#go' } });
  assert.equal(interactionToNextPaint([], null), null);
  assert.equal(interactionToNextPaint([], { name: 'click', duration: 8, target: null })?.ms, 8);
});

test('bundle secrets: cookie values, credentials and secret parameters are found and replaced anywhere', () => {
  const r = request(1, {
    url: 'http://127.0.0.1/api?access_token=tok-123456&page=2',
    requestHeaders: { Authorization: 'Bearer abcdef123', Cookie: 'sid=cookie-value-1; theme=dark' },
    responseHeaders: { 'Set-Cookie': 'session=set-cookie-value; Path=/' },
  });
  const secrets = secretValues([r]);
  for (const s of ['abcdef123', 'cookie-value-1', 'set-cookie-value', 'tok-123456']) assert.ok(secrets.includes(s), s);
  const counter = { n: 0 };
  const out = redactText('token tok-123456, auth Bearer abcdef123, cookie cookie-value-1, theme dark', secrets, counter);
  assert.equal(out.includes('abcdef123') || out.includes('cookie-value-1') || out.includes('tok-123456'), false);
  assert.match(out, /theme dark/);
  assert.ok(counter.n >= 3);
});
