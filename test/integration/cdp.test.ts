import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { BDG, bdg, daemonsOf, teardown, tempSessionDir, type Failure } from '../helpers/bdg.js';

describe('bdg cdp discovery without a session', () => {
  const dir = tempSessionDir('cdp-discovery');
  after(() => teardown(dir));

  test('--list, <Domain> --list, --describe and --search answer from the schema and never start a daemon', async () => {
    const list = await bdg(['cdp', '--list', '--json'], { sessionDir: dir });
    assert.equal(list.code, 0, list.stderr);
    const domains = (list.json as { data: { domains: { name: string; commands: number; experimental: boolean }[] } }).data.domains;
    assert.ok(domains.some((d) => d.name === 'Runtime' && d.commands > 10));
    assert.ok(domains.some((d) => d.experimental));

    const human = await bdg(['cdp', 'network', '--list'], { sessionDir: dir });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Network/);
    assert.match(human.stdout, /Network\.getResponseBody\s+Returns content served for the given request\./);
    assert.match(human.stdout, /Events \(\d+\):[\s\S]*Network\.requestWillBeSent/);

    const describeIt = await bdg(['cdp', 'runtime.EVALUATE', '--describe', '--json'], { sessionDir: dir });
    assert.equal(describeIt.code, 0, describeIt.stderr);
    const d = (
      describeIt.json as {
        data: { name: string; parameters: { name: string; type: string; optional: boolean }[]; returns: { name: string }[]; example: string };
      }
    ).data;
    assert.equal(d.name, 'Runtime.evaluate');
    assert.deepEqual(
      d.parameters.find((p) => p.name === 'expression'),
      { name: 'expression', type: 'string', optional: false, description: 'Expression to evaluate.' },
    );
    assert.ok(d.returns.some((r) => r.name === 'result'));
    assert.match(d.example, /^bdg cdp Runtime\.evaluate --params '\{"expression":/);

    const search = await bdg(['cdp', '--search', 'cookies', '--json'], { sessionDir: dir });
    assert.equal(search.code, 0, search.stderr);
    const names = (search.json as { data: { results: { name: string }[] } }).data.results.map((r) => r.name);
    assert.ok(names.includes('Network.getCookies') && names.includes('Storage.getCookies'), names.join(' '));

    const unknown = await bdg(['cdp', 'Runtime.evalute', '--describe'], { sessionDir: dir });
    assert.equal(unknown.code, 81);
    assert.match(unknown.stderr, /Did you mean: Runtime\.evaluate/);

    // Sending needs a session: NOT_FOUND, but a bad method or bad params are answered first, without one.
    assert.equal((await bdg(['cdp', 'Browser.getVersion'], { sessionDir: dir })).code, 83);
    assert.equal((await bdg(['cdp', 'Runtime.evaluate', '--params', '{"expression":1}'], { sessionDir: dir })).code, 81);

    assert.deepEqual(daemonsOf(dir), []);
    assert.ok(!existsSync(join(dir, 'daemon.pid')) && !existsSync(join(dir, 'socket')), readdirSync(dir).join(' '));
  });
});

describe('bdg cdp against a live session', () => {
  const dir = tempSessionDir('cdp');
  let server: FixtureServer;

  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<!doctype html><title>cdp fixture</title><p id="p">hello</p><script>fetch("/api/data")</script>');
    server.static('/api/data', 'application/json', '{"ok":true}');
    const start = await bdg([server.url('/'), '--json'], { sessionDir: dir });
    assert.equal(start.code, 0, start.stdout + start.stderr);
  });

  after(async () => {
    await teardown(dir);
    await server.close();
  });

  test('sends Runtime.evaluate and prints the result; method names are case-insensitive', async () => {
    const r = await bdg(['cdp', 'Runtime.evaluate', '--params', '{"expression":"1+1","returnByValue":true}', '--json'], { sessionDir: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const d = (r.json as { data: { method: string; result: { result: { value: unknown } }; hint?: string } }).data;
    assert.equal(d.method, 'Runtime.evaluate');
    assert.equal(d.result.result.value, 2);
    assert.match(d.hint ?? '', /bdg dom eval "1\+1"/);

    const lower = await bdg(['cdp', 'runtime.evaluate', '--params', '{"expression":"document.title","returnByValue":true}'], { sessionDir: dir });
    assert.equal(lower.code, 0, lower.stderr);
    assert.equal((JSON.parse(lower.stdout) as { result: { value: unknown } }).result.value, 'cdp fixture');
  });

  test('Browser.getVersion goes to the browser connection', async () => {
    const r = await bdg(['cdp', 'browser.getversion', '--json'], { sessionDir: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const v = (r.json as { data: { result: { product: string; protocolVersion: string } } }).data.result;
    assert.match(v.product, /Chrom/);
    assert.equal(v.protocolVersion, '1.3');
  });

  test('an unknown method is 81 with up to three suggestions', async () => {
    const r = await bdg(['cdp', 'Runtime.evalute', '--json'], { sessionDir: dir });
    assert.equal(r.code, 81);
    const f = r.json as Failure;
    assert.equal(f.code, 'INVALID_ARGUMENTS');
    const suggestions = f.data?.['suggestions'] as string[];
    assert.ok(suggestions.length >= 1 && suggestions.length <= 3);
    assert.equal(suggestions[0], 'Runtime.evaluate');
    assert.match(f.hint ?? '', /Did you mean: Runtime\.evaluate/);
  });

  test('invalid JSON is 81 with a pointer to --describe; schema problems are named', async () => {
    const bad = await bdg(['cdp', 'Runtime.evaluate', '--params', '{expression: 1+1}', '--json'], { sessionDir: dir });
    assert.equal(bad.code, 81);
    assert.match((bad.json as Failure).hint ?? '', /bdg cdp Runtime\.evaluate --describe/);

    const wrong = await bdg(['cdp', 'Runtime.evaluate', '--params', '{"expresion":"1","returnByValue":"yes"}', '--json'], { sessionDir: dir });
    assert.equal(wrong.code, 81);
    const problems = (wrong.json as Failure).data?.['problems'] as string[];
    assert.ok(problems.includes('missing required expression (string)'), problems.join('; '));
    assert.ok(
      problems.some((p) => /unknown parameter expresion \(did you mean expression\?\)/.test(p)),
      problems.join('; '),
    );
    assert.ok(problems.includes('returnByValue must be a boolean (got string)'), problems.join('; '));
  });

  test('a CDP error keeps its code and message and exits 104', async () => {
    const r = await bdg(['cdp', 'DOM.getOuterHTML', '--params', '{"nodeId":987654321}', '--json'], { sessionDir: dir });
    assert.equal(r.code, 104, r.stdout);
    const f = r.json as Failure;
    assert.equal(f.code, 'UNEXPECTED_ERROR');
    const cdpError = f.data?.['cdpError'] as { code: number; message: string };
    assert.equal(typeof cdpError.code, 'number');
    assert.ok(cdpError.code < 0);
    assert.match(cdpError.message, /node/i);
    assert.equal(f.data?.['method'], 'DOM.getOuterHTML');
    assert.ok(f.error.includes(cdpError.message));
  });

  test('--events shows the Network.requestWillBeSent events the session saw, in any case', async () => {
    await server.waitForRequest('/api/data').catch(() => undefined);
    let events: { method: string; params: { request: { url: string } } }[] = [];
    for (let i = 0; i < 40 && !events.some((e) => e.params.request.url.endsWith('/api/data')); i++) {
      const r = await bdg(['cdp', '--events', 'network.requestwillbesent', '--json'], { sessionDir: dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      events = (r.json as { data: { events: typeof events } }).data.events;
      if (!events.some((e) => e.params.request.url.endsWith('/api/data'))) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(events.every((e) => e.method === 'Network.requestWillBeSent'));
    assert.ok(events.some((e) => e.params.request.url === server.url('/')));
    assert.ok(events.some((e) => e.params.request.url.endsWith('/api/data')));

    const human = await bdg(['cdp', '--events', 'Network.requestWillBeSent', '--last', '1'], { sessionDir: dir });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /#\d+\s+\S+\s+Network\.requestWillBeSent\s+\{"requestId"/);

    const typo = await bdg(['cdp', '--events', 'Network.requestWilBeSent'], { sessionDir: dir });
    assert.equal(typo.code, 81);
    assert.match(typo.stderr, /Did you mean: Network\.requestWillBeSent/);
  });

  test('--events --follow streams new events as JSON lines until interrupted', async () => {
    const child = spawn(process.execPath, [BDG, 'cdp', '--events', 'Runtime.consoleAPICalled', '--follow', '--last', '0', '--json'], {
      env: { ...process.env, BDG_SESSION_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      // Each evaluate logs again, so the first poll of the follower cannot miss them all.
      for (let i = 0; i < 40 && !stdout.includes('followed-'); i++) {
        const r = await bdg(['cdp', 'Runtime.evaluate', '--params', `{"expression":"console.log('followed-${i}')"}`], { sessionDir: dir });
        assert.equal(r.code, 0, r.stderr);
        await new Promise((res) => setTimeout(res, 150));
      }
      const line = stdout.split('\n').find((l) => l.includes('followed-'));
      assert.ok(line !== undefined, stdout);
      const doc = JSON.parse(line) as { success: boolean; data: { type: string; item: { method: string; params: { args: { value: string }[] } } } };
      assert.equal(doc.success, true);
      assert.equal(doc.data.type, 'event');
      const event = doc.data.item;
      assert.equal(event.method, 'Runtime.consoleAPICalled');
      assert.match(event.params.args[0]?.value ?? '', /^followed-\d+$/);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
  });
});
