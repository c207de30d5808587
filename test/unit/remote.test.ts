/**
 * Remote browsers without a browser: --cdp-header parsing (errors never show values), URLs as they may be shown,
 * the /json/version URL of a --chrome-ws-url value, repeatable options on the command line, the capabilities sent
 * to a Grid, and a Grid session's keep-alive and deletion against a fake WebDriver endpoint.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonVersionUrl } from '../../src/cdp/chrome.js';
import { parseArgv } from '../../src/cli/argv.js';
import { remoteStart } from '../../src/client/remote.js';
import { GridSession, gridCapabilities } from '../../src/daemon/grid.js';
import { takeRemoteSecrets } from '../../src/daemon/remote.js';
import { REMOTE_SECRETS_ENV } from '../../src/protocol/messages.js';
import { BdgError } from '../../src/util/errors.js';
import { displayUrl, parseHeaders } from '../../src/util/http.js';
import { Logger } from '../../src/util/logger.js';

function error(fn: () => unknown): BdgError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BdgError) return err;
    throw err;
  }
  assert.fail('no error');
}

describe('--cdp-header', () => {
  it('parses Name: value lines and refuses malformed, reserved and repeated ones without echoing values', () => {
    assert.deepEqual(parseHeaders(['Authorization: Bearer abc:def', 'Host:  chrome.internal ']), { Authorization: 'Bearer abc:def', Host: 'chrome.internal' });
    for (const bad of [['no colon secret1'], ['Bad Name: secret1'], ['Upgrade: secret1'], ['X-A: 1', 'x-a: secret1'], ['X-A: secret1\r\nX-B: 2']]) {
      const e = error(() => parseHeaders(bad));
      assert.equal(e.code, 'INVALID_ARGUMENTS');
      assert.ok(!`${e.message} ${e.hint ?? ''}`.includes('secret1'), e.message);
    }
  });

  it('is repeatable on the command line, in order', () => {
    const p = parseArgv(['localhost:3000', '--chrome-ws-url', '127.0.0.1:9222', '--cdp-header', 'A: 1', '--cdp-header=B: 2']);
    assert.equal(p.kind, 'run');
    assert.deepEqual(p.kind === 'run' ? p.params['cdpHeader'] : undefined, ['A: 1', 'B: 2']);
  });

  it('travels to the daemon in its environment only, which the daemon clears', () => {
    const r = remoteStart({ chromeWsUrl: 'wss://u:pw@b.example/x?token=s3cr3t', cdpHeader: ['X-Key: s3cr3t'], port: 0 });
    assert.ok(!JSON.stringify(r.config).includes('s3cr3t'));
    assert.equal(r.config.chromeWsUrl, 'wss://u:***@b.example/x?token=***');
    assert.deepEqual(r.config.cdpHeaderNames, ['X-Key']);
    const env: NodeJS.ProcessEnv = { ...r.env };
    assert.deepEqual(takeRemoteSecrets(env), { headers: { 'X-Key': 's3cr3t' }, chromeWsUrl: 'wss://u:pw@b.example/x?token=s3cr3t' });
    assert.equal(env[REMOTE_SECRETS_ENV], undefined);
  });
});

describe('endpoints', () => {
  it('shows URLs without passwords or query values', () => {
    assert.equal(displayUrl('http://user:pw@grid:4444/wd/hub'), 'http://user:***@grid:4444/wd/hub');
    assert.equal(displayUrl('wss://h/devtools/browser/1?token=abc&x=1'), 'wss://h/devtools/browser/1?token=***&x=***');
  });

  it('finds /json/version for every --chrome-ws-url form', () => {
    assert.equal(jsonVersionUrl('127.0.0.1:9222').href, 'http://127.0.0.1:9222/json/version');
    assert.equal(jsonVersionUrl('https://b.example/chrome').href, 'https://b.example/chrome/json/version');
    assert.equal(jsonVersionUrl('http://h:1/json/version').href, 'http://h:1/json/version');
    assert.equal(jsonVersionUrl('ws://h:9222/devtools/browser/abc').href, 'http://h:9222/json/version');
    assert.equal(jsonVersionUrl('wss://h/devtools/browser/abc?token=t').href, 'https://h/json/version?token=t');
  });
});

describe('Selenium Grid', () => {
  it("merges bdg's headless switch and flags into the user's capabilities", () => {
    assert.deepEqual(gridCapabilities(undefined, { headless: true, chromeFlags: ['--no-sandbox'] }), {
      browserName: 'chrome',
      'goog:chromeOptions': { args: ['--headless', '--no-sandbox'] },
    });
    const user = { browserName: 'chrome', 'se:name': 'x', 'goog:chromeOptions': { args: ['--headless=new', '--lang=de'], binary: '/b' } };
    assert.deepEqual(gridCapabilities(user, { headless: true, chromeFlags: ['--lang=de', '--mute-audio'] }), {
      browserName: 'chrome',
      'se:name': 'x',
      'goog:chromeOptions': { args: ['--headless=new', '--lang=de', '--mute-audio'], binary: '/b' },
    });
    assert.deepEqual(gridCapabilities({ browserName: 'MicrosoftEdge' }, { headless: false, chromeFlags: [] }), { browserName: 'MicrosoftEdge' });
  });

  it('records the session (0600), keeps it alive off the request path and deletes it once', async () => {
    const seen: string[] = [];
    const headers: Array<string | undefined> = [];
    const srv = createServer((req: IncomingMessage, res) => {
      seen.push(`${req.method} ${req.url}`);
      headers.push(req.headers['x-grid-key'] as string | undefined);
      req.resume();
      res.setHeader('content-type', 'application/json; charset=utf-8');
      if (req.method === 'POST')
        res.end(JSON.stringify({ value: { sessionId: 's1', capabilities: { 'se:cdp': 'ws://127.0.0.1:1/session/s1/se/cdp', browserVersion: '1' } } }));
      else res.end(JSON.stringify({ value: null }));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'bdg-unit-grid-'));
    const log = new Logger(join(dir, 'daemon.log'));
    try {
      const grid = await GridSession.create({
        url: `http://127.0.0.1:${port}/wd/hub`,
        headers: { 'X-Grid-Key': 'k' },
        capabilities: { browserName: 'chrome' },
        sessionDir: dir,
        log,
        createTimeoutMs: 5_000,
        keepAliveMs: 50,
      });
      assert.equal(grid.sessionId, 's1');
      const record = join(dir, 'grid.json');
      assert.equal(statSync(record).mode & 0o777, 0o600);
      assert.equal((JSON.parse(readFileSync(record, 'utf8')) as { sessionId: string }).sessionId, 's1');
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(seen.filter((s) => s === 'GET /wd/hub/session/s1/url').length >= 2, seen.join(', '));
      await Promise.all([grid.delete(), grid.delete()]);
      assert.equal(seen.filter((s) => s === 'DELETE /wd/hub/session/s1').length, 1);
      assert.ok(!existsSync(record));
      const after = seen.length;
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(seen.length, after, 'the keep-alive went on after the delete');
      assert.ok(headers.every((h) => h === 'k'));
    } finally {
      await log.close();
      await new Promise((r) => srv.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
