import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, sessionDirs } from '../helpers/bdg.js';

describe('BDG_TRACE_CDP', () => {
  let server: FixtureServer;
  const { make: dir, teardownAll } = sessionDirs();

  before(async () => {
    delete process.env['BDG_TRACE_CDP']; // "without it" means absent, whatever the runner's environment says
    server = await FixtureServer.start();
    server.html('/', '<title>Traced</title><script>fetch("/data.json")</script>');
    server.static('/data.json', 'application/json', JSON.stringify({ big: 'x'.repeat(10_000) }));
  });
  after(async () => {
    await teardownAll();
    await server.close();
  });

  /** Starts a session, fetches the JSON body (a large result), stops, and returns daemon.log. */
  async function sessionLog(label: string, env: Record<string, string>): Promise<string> {
    const sessionDir = dir(label);
    const start = await bdg([server.url('/'), '--json'], { sessionDir, env });
    assert.equal(start.code, 0, start.stderr);
    const stop = await bdg(['stop', '--json'], { sessionDir });
    assert.equal(stop.code, 0, stop.stderr);
    return readFileSync(join(sessionDir, 'daemon.log'), 'utf8');
  }

  it('logs every CDP message in and out, bounded, when set', async () => {
    const log = await sessionLog('trace-on', { BDG_TRACE_CDP: '1' });
    const lines = log.split('\n').filter((l) => / cdp [<>] /.test(l));
    const sent = lines.find((l) => / cdp > Page\.navigate id=\d+ session=\S+ params=\{"url":"http:\/\/127\.0\.0\.1:\d+\/"\}/.test(l));
    assert.ok(sent !== undefined, `no traced Page.navigate call in:\n${lines.slice(0, 40).join('\n')}`);
    const id = / id=(\d+) /.exec(sent)?.[1];
    assert.ok(
      lines.some((l) => new RegExp(` cdp < Page\\.navigate id=${id} session=\\S+ result=\\{"frameId"`).test(l)),
      'the answer to Page.navigate, matched by id',
    );
    assert.ok(
      lines.some((l) => / cdp < Network\.requestWillBeSent session=\S+ params=\{"requestId"/.test(l)),
      'a traced Network.requestWillBeSent event',
    );
    assert.ok(
      lines.some((l) => / cdp > Browser\.getVersion id=\d+ params=\{\}/.test(l)),
      'a browser-level call carries no session',
    );
    // The 10 KB response body (fetched at stop for session.json) is cut at 2 KB in its trace line.
    const body = lines.find((l) => / cdp < Network\.getResponseBody id=\d+ session=\S+ result=\{"body":"\{\\"big\\"/.test(l));
    assert.ok(body !== undefined, 'the response body fetch is traced');
    assert.match(body, /… \(\d+ more chars\)$/);
    assert.ok(body.length < 2_048 + 300, String(body.length));
  });

  it('logs no CDP traffic without it', async () => {
    const log = await sessionLog('trace-off', {});
    assert.ok(log.includes('ready: '), log);
    assert.equal(log.split('\n').filter((l) => / cdp [<>] /.test(l)).length, 0);
  });
});
