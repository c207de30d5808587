import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, type Failure } from '../helpers/bdg.js';

interface Captured {
  method: string;
  params: Record<string, unknown>;
  ts: number;
  truncatedFrom?: number;
}

interface Envelope<T> {
  version: string;
  success: boolean;
  data: T;
}

interface CollectData {
  method: string;
  result: unknown;
  complete: boolean;
  events?: Captured[];
  count: number;
  omitted?: number;
  file?: string;
  bytes?: number;
  warning?: string;
}

interface ReadData {
  listening: string[];
  buffered: number;
  dropped: number;
  events?: Captured[];
  count?: number;
  remaining?: number;
  cleared?: number;
  waitedOut?: boolean;
  file?: string;
  bytes?: number;
}

describe('bdg cdp event capture (--collect, --listen, --events, --unlisten)', () => {
  const dir = tempSessionDir('cdp-capture');
  const files = mkdtempSync(join(tmpdir(), 'bdg-cdp-capture-out-'));
  let server: FixtureServer;
  const run = (args: string[], timeoutMs = 60_000): ReturnType<typeof bdg> => bdg(args, { sessionDir: dir, timeoutMs });

  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<!doctype html><title>capture</title><img src="/a.png"><script src="/app.js"></script>');
    server.static('/a.png', 'image/png', Buffer.from('89504e470d0a1a0a', 'hex'));
    server.static('/app.js', 'text/javascript', 'fetch("/api/data")');
    server.static('/api/data', 'application/json', '{"ok":true}');
    const start = await run([server.url('/'), '--json']);
    assert.equal(start.code, 0, start.stdout + start.stderr);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(files, { recursive: true, force: true });
  });

  test('--collect Network.requestWillBeSent --until Page.loadEventFired around Page.reload: the requests, then the load event, complete', async () => {
    const r = await run(['cdp', 'Page.reload', '--collect', 'network.requestwillbesent', '--until', 'Page.loadEventFired', '--timeout', '20', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const env = r.json as Envelope<CollectData>;
    assert.equal(env.success, true);
    const d = env.data;
    assert.equal(d.method, 'Page.reload');
    assert.deepEqual(d.result, {});
    assert.equal(d.complete, true);
    const events = d.events ?? [];
    assert.equal(d.count, events.length);
    const urls = events.filter((e) => e.method === 'Network.requestWillBeSent').map((e) => (e.params['request'] as { url: string }).url);
    for (const path of ['/', '/a.png', '/app.js']) assert.ok(urls.includes(server.url(path)), urls.join(' '));
    // The --until event is collected too, last, and nothing after it.
    assert.equal(events.at(-1)?.method, 'Page.loadEventFired');
    assert.equal(events.filter((e) => e.method === 'Page.loadEventFired').length, 1);
    assert.ok(events.every((e, i) => typeof e.ts === 'number' && (i === 0 || e.ts >= (events[i - 1] as Captured).ts)));

    const human = await run(['cdp', 'Page.reload', '--collect', 'Network.requestWillBeSent', '--until', 'Page.loadEventFired', '--timeout', '20']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Page\.reload: done \(no result data\)\nCollected \d+ events\n/);
    assert.match(human.stdout, /Network\.requestWillBeSent\s+\{"requestId"/);
  });

  test('--until that never fires: exit 0, complete: false, the events collected so far kept', async () => {
    const t0 = Date.now();
    const r = await run([
      'cdp',
      'Runtime.evaluate',
      '--params',
      '{"expression":"console.log(\'before-timeout\')"}',
      '--collect',
      'Runtime.consoleAPICalled',
      '--until',
      'Page.loadEventFired',
      '--timeout',
      '1.5',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(Date.now() - t0 >= 1_400, 'waited for the timeout');
    const d = (r.json as Envelope<CollectData>).data;
    assert.equal(d.complete, false);
    assert.equal(d.count, 1);
    assert.equal(d.events?.[0]?.method, 'Runtime.consoleAPICalled');
    assert.equal(((d.events?.[0]?.params['args'] as { value: string }[])[0] as { value: string }).value, 'before-timeout');

    const human = await run(['cdp', 'Runtime.evaluate', '--params', '{"expression":"1"}', '--until', 'Page.loadEventFired', '--timeout', '0.5']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Collected 0 events \(incomplete: timed out\)/);
    assert.match(human.stderr, /Page\.loadEventFired did not arrive within 0\.5s: the events are partial \(complete: false\)/);
  });

  test('--out writes NDJSON (one {method, params, ts} per line, mode 0600) and replaces the file only once complete', async () => {
    const out = join(files, 'reload.ndjson');
    writeFileSync(out, 'old contents\n');
    const r = await run([
      'cdp',
      'Page.reload',
      '--collect',
      'Network.requestWillBeSent',
      '--until',
      'Page.loadEventFired',
      '--timeout',
      '20',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const d = (r.json as Envelope<CollectData>).data;
    assert.equal(d.complete, true);
    assert.equal(d.file, out);
    assert.equal(d.events, undefined, 'events go to the file, not the answer');
    const text = readFileSync(out, 'utf8');
    assert.equal(d.bytes, Buffer.byteLength(text));
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, d.count);
    const parsed = lines.map((l) => JSON.parse(l) as Captured);
    assert.deepEqual(Object.keys(parsed[0] as Captured), ['method', 'params', 'ts']);
    assert.ok(parsed.some((e) => e.method === 'Network.requestWillBeSent' && (e.params['request'] as { url: string }).url === server.url('/app.js')));
    assert.equal(parsed.at(-1)?.method, 'Page.loadEventFired');
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.deepEqual(
      readdirSync(files).filter((f) => f.endsWith('.tmp')),
      [],
      'no temp file left',
    );

    // A relative path is the caller's working directory; a path in a missing directory fails before the method runs.
    const missing = join(files, 'no-such-dir', 'x.ndjson');
    const bad = await run(['cdp', 'Page.reload', '--until', 'Page.loadEventFired', '--out', missing, '--json']);
    assert.equal(bad.code, 82, bad.stdout);
    assert.match((bad.json as Failure).error, /Cannot write .*x\.ndjson: its directory does not exist/);
  });

  test('listen → action → events → clear → unlisten; the buffer persists across commands', async () => {
    const listen = await run(['cdp', '--listen', 'Runtime.consoleAPICalled,Network.responseReceived', '--json']);
    assert.equal(listen.code, 0, listen.stdout + listen.stderr);
    assert.deepEqual((listen.json as Envelope<ReadData>).data, {
      listening: ['Runtime.consoleAPICalled', 'Network.responseReceived'],
      buffered: 0,
      dropped: 0,
    });

    // The action is another command: the listener lives in the daemon between commands.
    const act = await run(['dom', 'eval', 'console.log("listened-1"); console.log("listened-2"); fetch("/api/data").then(r => r.text())']);
    assert.equal(act.code, 0, act.stdout + act.stderr);
    const read = await run(['cdp', '--events', 'Runtime.consoleAPICalled', '--json']);
    assert.equal(read.code, 0, read.stdout + read.stderr);
    const d = (read.json as Envelope<ReadData>).data;
    const values = (d.events ?? []).map((e) => ((e.params['args'] as { value: string }[])[0] as { value: string }).value);
    assert.deepEqual(values, ['listened-1', 'listened-2']);
    assert.equal(d.count, 2);
    assert.deepEqual(d.listening, ['Runtime.consoleAPICalled', 'Network.responseReceived']);

    // Read and removed: a second read has none of them; the response event is still buffered.
    const again = await run(['cdp', '--events', 'Runtime.consoleAPICalled', '--json']);
    assert.equal((again.json as Envelope<ReadData>).data.count, 0);
    const cleared = ((await run(['cdp', '--events', 'Network.responseReceived', '--wait', '5', '--clear', '--json'])).json as Envelope<ReadData>).data;
    assert.ok((cleared.cleared ?? 0) >= 1, 'Network.responseReceived of /api/data cleared');
    const empty = await run(['cdp', '--events', '--json']);
    assert.equal((empty.json as Envelope<ReadData>).data.buffered, 0);

    await run(['dom', 'eval', 'console.log("to-clear")']);
    const clear = await run(['cdp', '--events', '--wait', '5', '--clear', '--json']);
    assert.equal(clear.code, 0, clear.stderr);
    assert.ok(((clear.json as Envelope<ReadData>).data.cleared ?? 0) >= 1);

    const unlisten = await run(['cdp', '--unlisten', '--json']);
    assert.equal(unlisten.code, 0, unlisten.stderr);
    const u = (unlisten.json as Envelope<{ stopped: string[]; discarded: number; listening: string[] }>).data;
    assert.deepEqual(u.stopped, ['Runtime.consoleAPICalled', 'Network.responseReceived']);
    assert.deepEqual(u.listening, []);

    // Nothing listened to: --unlisten and a buffer read are 83, as in the original bdg.
    const none = await run(['cdp', '--unlisten', '--json']);
    assert.equal(none.code, 83);
    assert.match((none.json as Failure).error, /No CDP events are being listened to/);
    assert.equal((await run(['cdp', '--events', '--wait', '1'])).code, 83);
  });

  test('--listen with a method listens before sending it; --events --out writes and removes; --wait waits for the next one', async () => {
    const r = await run([
      'cdp',
      'Runtime.evaluate',
      '--params',
      '{"expression":"console.log(\'sent-with-listen\')"}',
      '--listen',
      'Runtime.consoleAPICalled',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const d = (r.json as Envelope<ReadData & { method: string }>).data;
    assert.equal(d.method, 'Runtime.evaluate');
    assert.deepEqual(d.listening, ['Runtime.consoleAPICalled']);

    const out = join(files, 'listened.ndjson');
    const written = await run(['cdp', '--events', 'Runtime.consoleAPICalled', '--wait', '5', '--out', out, '--json']);
    assert.equal(written.code, 0, written.stderr);
    const w = (written.json as Envelope<ReadData>).data;
    assert.equal(w.file, out);
    assert.equal(w.count, 1);
    assert.equal(w.buffered, 0, 'taken out of the buffer once written');
    const line = JSON.parse(readFileSync(out, 'utf8').trim()) as Captured;
    assert.equal(((line.params['args'] as { value: string }[])[0] as { value: string }).value, 'sent-with-listen');
    assert.equal(statSync(out).mode & 0o777, 0o600);

    // --wait returns as soon as the next event arrives (the page logs it 300 ms later).
    await run(['dom', 'eval', 'setTimeout(() => console.log("late"), 300); 1']);
    const waited = await run(['cdp', '--events', 'Runtime.consoleAPICalled', '--wait', '10', '--json']);
    const wd = (waited.json as Envelope<ReadData>).data;
    assert.equal(wd.count, 1);
    assert.equal(wd.waitedOut, undefined);

    // --wait that runs out: exit 0, no events, waitedOut, as the original bdg.
    const t0 = Date.now();
    const timedOut = await run(['cdp', '--events', 'Runtime.consoleAPICalled', '--wait', '1']);
    assert.equal(timedOut.code, 0, timedOut.stderr);
    assert.ok(Date.now() - t0 >= 900);
    assert.match(timedOut.stdout, /^0 events\n/);
    assert.match(timedOut.stderr, /No Runtime\.consoleAPICalled event within 1s/);
    const timedOutJson = await run(['cdp', '--events', '--wait', '0.5', '--json']);
    assert.deepEqual((timedOutJson.json as Envelope<ReadData>).data, {
      listening: ['Runtime.consoleAPICalled'],
      buffered: 0,
      dropped: 0,
      events: [],
      count: 0,
      waitedOut: true,
    });
    assert.equal((await run(['cdp', '--unlisten'])).code, 0);
  });

  test('bounds: the buffer keeps the newest 1000 events and counts the dropped; an answer keeps about 20000 characters, the rest stay buffered', async () => {
    assert.equal((await run(['cdp', '--listen', 'Runtime.consoleAPICalled'])).code, 0);
    const logged = await run(['dom', 'eval', 'for (let i = 0; i < 1100; i++) console.log("n" + i); 1']);
    assert.equal(logged.code, 0, logged.stderr);
    // Runtime.consoleAPICalled arrives before the answer of the evaluation that logs it.
    const state = ((await run(['cdp', '--events', 'Runtime.consoleAPICalled', '--clear', '--json'])).json as Envelope<ReadData>).data;
    // --clear first tells how many were there: the newest 1000, 100 dropped.
    assert.equal(state.cleared, 1000);
    assert.equal(state.dropped, 100);

    const again = await run(['dom', 'eval', 'for (let i = 0; i < 1100; i++) console.log("m" + i); 1']);
    assert.equal(again.code, 0, again.stderr);
    const page = await run(['cdp', '--events', '--json']);
    const p = (page.json as Envelope<ReadData>).data;
    assert.ok((p.count ?? 0) > 0 && (p.remaining ?? 0) > 0, JSON.stringify({ count: p.count, remaining: p.remaining }));
    assert.equal((p.count ?? 0) + (p.remaining ?? 0), 1000);
    assert.ok(JSON.stringify(p.events).length <= 21_000, 'an answer stays near 20000 characters');
    // Newest kept: the first one left is m100 (m0..m99 were dropped).
    assert.equal(((p.events?.[0]?.params['args'] as { value: string }[])[0] as { value: string }).value, 'm100');
    assert.equal(p.dropped, 200);
    const human = await run(['cdp', '--events', 'Runtime.consoleAPICalled']);
    assert.match(human.stderr, /more events still buffered/);
    assert.match(human.stdout, /dropped at the cap; listening to Runtime\.consoleAPICalled\)/);
    assert.equal((await run(['cdp', '--unlisten'])).code, 0);
  });

  test('event names are checked against the bundled schema: a typo is 81 with "did you mean", a method is refused, an unknown name is used with a warning', async () => {
    const typo = await run(['cdp', '--listen', 'Network.requestWilBeSent', '--json']);
    assert.equal(typo.code, 81);
    assert.match((typo.json as Failure).hint ?? '', /Did you mean: Network\.requestWillBeSent/);
    const until = await run(['cdp', 'Page.reload', '--until', 'Page.loadEventFird']);
    assert.equal(until.code, 81);
    assert.match(until.stderr, /Unknown CDP event "Page\.loadEventFird"[\s\S]*Did you mean: Page\.loadEventFired/);
    const method = await run(['cdp', '--listen', 'Page.reload']);
    assert.equal(method.code, 81);
    assert.match(method.stderr, /Page\.reload is a method, not an event/);
    // Flags without their mode, before anything is sent.
    assert.equal((await run(['cdp', '--collect', 'Page.loadEventFired'])).code, 81);
    assert.equal((await run(['cdp', '--wait', '3'])).code, 81);
    assert.equal((await run(['cdp', 'Page.reload', '--out', join(files, 'x.ndjson')])).code, 81);
    assert.equal((await run(['cdp', '--events', '--clear', '--out', join(files, 'x.ndjson')])).code, 81);
    assert.equal((await run(['cdp', 'Page.reload', '--until', 'Page.loadEventFired', '--timeout', '121'])).code, 81);

    // A well-formed name the schema lacks (newer Chrome) is listened to as typed, with a warning.
    const unlisted = await run(['cdp', '--listen', 'BdgMadeUp.somethingHappened']);
    assert.equal(unlisted.code, 0, unlisted.stderr);
    assert.match(unlisted.stderr, /Warning: BdgMadeUp\.somethingHappened is not an event in the bundled protocol/);
    assert.equal((await run(['cdp', '--unlisten'])).code, 0);
  });

  test("--send-anyway sends a typo-like method the schema lacks; Chrome's error comes back with its code", async () => {
    const refused = await run(['cdp', 'Page.reloadd', '--json']);
    assert.equal(refused.code, 81);
    assert.match((refused.json as Failure).hint ?? '', /Did you mean: Page\.reload[\s\S]*--send-anyway/);

    const sent = await run(['cdp', 'Page.reloadd', '--send-anyway', '--json']);
    assert.equal(sent.code, 104, sent.stdout);
    const f = sent.json as Failure;
    assert.equal(f.code, 'UNEXPECTED_ERROR');
    assert.equal(f.data?.['method'], 'Page.reloadd');
    const cdpError = f.data?.['cdpError'] as { code: number; message: string };
    assert.equal(cdpError.code, -32601, 'method not found, from Chrome');
    assert.match(cdpError.message, /Page\.reloadd.*wasn't found/);
    assert.match(f.data?.['warning'] as string, /not in the bundled protocol/);

    // A name far from any known one needs no flag: sent as typed with a warning, as the original bdg does.
    const made = await run(['cdp', 'BdgMadeUp.doThing']);
    assert.equal(made.code, 104);
    assert.match(made.stderr, /Warning: BdgMadeUp\.doThing is not in the bundled protocol[\s\S]*wasn't found \[CDP error -32601\]/);
  });
});
