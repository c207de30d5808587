import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, sessionDirs } from '../helpers/bdg.js';

interface PeekData {
  network: Array<{ url: string }>;
  stats: { network: { filtered?: number } };
}

/**
 * The tracking filter against real Chromium. Chrome resolves every host to 127.0.0.1 (--host-resolver-rules), so
 * requests "to" analytics hosts reach the fixture server and no traffic leaves the machine.
 */
describe('tracking filter', () => {
  let server: FixtureServer;
  const { make, teardownAll } = sessionDirs();
  const hosts = ['www.google-analytics.com', 'connect.facebook.net', 'facebook.com', 'notdoubleclick.net', 'ads.doubleclick.net'];

  before(async () => {
    server = await FixtureServer.start();
    server.static('/pixel', 'text/plain', 'ok', 200, { 'access-control-allow-origin': '*' });
    const fetches = hosts.map((h) => `fetch('http://${h}:${server.port}/pixel').catch(() => {})`).join(', ');
    server.html('/', `<title>T</title><script>Promise.all([${fetches}]).then(() => console.log('sent'))</script>`);
  });
  after(async () => {
    await teardownAll();
    await server.close();
  });

  const run = async (extra: string[]): Promise<PeekData> => {
    const sessionDir = make('track');
    const flags = ['--chrome-flags', '--host-resolver-rules="MAP * 127.0.0.1"'];
    const start = await bdg([server.url('/'), ...flags, ...extra], { sessionDir });
    assert.equal(start.code, 0, start.stderr);
    const wait = await bdg(['dom', 'wait', '--network-idle', '--timeout', '10'], { sessionDir });
    assert.equal(wait.code, 0, wait.stderr);
    const peek = await bdg(['peek', '--network', '--last', '50', '--json'], { sessionDir });
    await bdg(['stop'], { sessionDir });
    return (peek.json as { data: PeekData }).data;
  };

  it('drops analytics and ad hosts by exact or dot-suffix match, never by substring; --all keeps them', async () => {
    const filtered = await run([]);
    // hosts on Chrome's HSTS preload list show up twice (the internal 307 to https, then the https hop)
    const seen = (d: PeekData): string[] => [...new Set(d.network.map((r) => new URL(r.url).hostname).filter((h) => hosts.includes(h)))].sort();
    assert.deepEqual(seen(filtered), ['facebook.com', 'notdoubleclick.net']);
    assert.equal(filtered.stats.network.filtered, 3);
    const all = await run(['--all']);
    assert.deepEqual(seen(all), [...hosts].sort());
  });
});
