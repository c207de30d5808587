import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, teardown, tempSessionDir, waitFor } from '../helpers/bdg.js';

interface BundleData {
  dir: string;
  files: Array<{ part: string; name: string; bytes: number }>;
  failed: Array<{ part: string; error: string }>;
  redacted: number;
  summary: string;
}

const COOKIE = 'cookie-secret-value-7f3a9';
const TOKEN = 'auth-token-value-c41d2';

describe('bundle: one call writes what a bug report needs', () => {
  let server: FixtureServer;
  let dir: string;
  const out = mkdtempSync(join(tmpdir(), 'bdg-bundle-out-'));

  before(async () => {
    server = await FixtureServer.start();
    server.route('/', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': `sid=${COOKIE}; Path=/` });
      // The token is in the page's own source on purpose: the bundle must redact it in the DOM and the HAR too.
      res.end(`<!doctype html><title>bundle fixture</title>
        <h1>Checkout</h1><button id="pay">Pay now</button>
        <script>
          function failDeep() { throw new Error('checkout exploded'); }
          console.error('payment widget failed to load');
          fetch('/api/cart', { headers: { authorization: 'Bearer ${TOKEN}' } }).then((r) => console.log('cart', r.status));
          fetch('/api/broken').then((r) => console.error('broken answered', r.status));
          fetch('/slow').then(() => console.log('slow done'));
          setTimeout(failDeep, 10);
        </script>`);
    });
    server.static('/api/cart', 'application/json', JSON.stringify({ items: 2 }));
    server.static('/api/broken', 'application/json', JSON.stringify({ error: 'boom' }), 500);
    server.route('/slow', (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('slow');
      }, 300);
    });
    dir = tempSessionDir('bundle');
    const start = await bdg([server.url('/'), '--json'], { sessionDir: dir, timeoutMs: 60_000 });
    assert.equal(start.code, 0, start.stderr);
    await waitFor(() => server.requests.some((r) => r.path === '/slow'), 10_000);
    // The slow request and the exception settle within a second.
    await new Promise((r) => setTimeout(r, 800));
  });

  after(async () => {
    await teardown(dir);
    await server.close();
    rmSync(out, { recursive: true, force: true });
  });

  test('all files present, 0600, summary links resolve, no secret in any file', async () => {
    const target = join(out, 'bug-1');
    const r = await bdg(['bundle', target, '--slow', '200', '--json'], { sessionDir: dir, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const d = (r.json as { data: BundleData }).data;
    assert.deepEqual(d.failed, []);
    const names = d.files.map((f) => f.name).sort();
    assert.deepEqual(names, ['a11y.txt', 'console.json', 'console.txt', 'dom.html', 'network.har', 'requests.md', 'screenshot.png', 'summary.md']);
    assert.deepEqual(readdirSync(target).sort(), names, 'nothing else (no temp files) in the directory');
    for (const f of d.files) {
      const st = statSync(join(target, f.name));
      assert.equal(st.mode & 0o777, 0o600, `${f.name} is private`);
      assert.equal(st.size, f.bytes, `${f.name}'s size is reported`);
    }
    assert.equal(statSync(target).mode & 0o777, 0o700);

    // summary.md links every other file, and each link resolves.
    const summary = readFileSync(join(target, 'summary.md'), 'utf8');
    const links = [...summary.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1] as string);
    assert.deepEqual(
      [...links].sort(),
      names.filter((n) => n !== 'summary.md'),
    );
    for (const l of links) assert.ok(existsSync(join(target, l)), l);
    assert.match(summary, /payment widget failed to load/);

    // The console, folded, with the exception's stack; the failed and slow requests.
    const consoleText = readFileSync(join(target, 'console.txt'), 'utf8');
    assert.match(consoleText, /\[error\] .*payment widget failed to load/);
    assert.match(consoleText, /checkout exploded/);
    assert.match(consoleText, /failDeep/, 'the exception keeps its stack');
    const requests = readFileSync(join(target, 'requests.md'), 'utf8');
    assert.match(requests, /## Failed \(\d+\)[\s\S]*\| 500 \| fetch \|[^\n]*\/api\/broken/);
    assert.match(requests, /## Slow[\s\S]*\/slow/);
    const har = JSON.parse(readFileSync(join(target, 'network.har'), 'utf8')) as { log: { entries: Array<{ request: { url: string } }> } };
    assert.ok(har.log.entries.some((e) => e.request.url.endsWith('/api/cart')));
    assert.match(readFileSync(join(target, 'a11y.txt'), 'utf8'), /button "Pay now"/);
    assert.match(readFileSync(join(target, 'dom.html'), 'utf8'), /<h1>Checkout<\/h1>/);
    assert.deepEqual([...readFileSync(join(target, 'screenshot.png')).subarray(1, 4)], [...Buffer.from('PNG')]);

    // Neither the cookie nor the Authorization value is in any file, whatever part carried it.
    for (const name of names) {
      const text = readFileSync(join(target, name), 'latin1');
      assert.ok(!text.includes(COOKIE), `${name} holds the cookie value`);
      assert.ok(!text.includes(TOKEN), `${name} holds the Authorization value`);
    }
    assert.ok(d.redacted > 0);

    // The text report names the files with their sizes.
    const again = join(out, 'bug-2');
    const text = await bdg(['bundle', again], { sessionDir: dir, timeoutMs: 120_000 });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /network\.har\s+[\d.]+ (B|KB|MB)/);
  });

  test('a non-empty directory is refused and left as it was', async () => {
    const target = join(out, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'mine');
    const r = await bdg(['bundle', target, '--json'], { sessionDir: dir });
    assert.equal(r.code, 84, r.stdout);
    assert.deepEqual(readdirSync(target), ['notes.txt']);
    assert.equal(readFileSync(join(target, 'notes.txt'), 'utf8'), 'mine');
  });
});
