import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FixtureServer } from '../helpers/fixtureServer.js';
import { bdg, chromesOf, daemonsOf, isAlive, readPid, sessionDirs, waitFor } from '../helpers/bdg.js';

/** Ports bound in LISTEN state and their local addresses, from /proc/net/tcp{,6}. */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (local === undefined || cols[3] !== '0A') continue;
      const [addr, hexPort] = local.split(':');
      if (Number.parseInt(hexPort ?? '', 16) === port) out.push(addr ?? '');
    }
  }
  return out;
}

describe('session lifecycle', () => {
  let server: FixtureServer;
  const { make: dir, teardownAll } = sessionDirs();

  before(async () => {
    server = await FixtureServer.start();
    server.html('/', '<title>Home</title><h1>hi</h1><script>console.log("hello", {a: 1}); fetch("/data.json")</script>');
    server.static('/data.json', 'application/json', '{"ok":true}');
  });
  after(async () => {
    await teardownAll();
    await server.close();
  });

  it('starts, answers status and peek, and stops leaving session.json and no processes', async () => {
    const sessionDir = dir('life');
    const start = await bdg([server.url('/'), '--json'], { sessionDir });
    assert.equal(start.code, 0, start.stderr);
    const started = start.json as { success: boolean; data: { pid: number; chromePid: number; port: number; page: { url: string; title: string } } };
    assert.equal(started.success, true);
    assert.equal(started.data.page.title, 'Home');
    const { pid, chromePid } = started.data;
    assert.ok(isAlive(pid) && isAlive(chromePid));

    const status = await bdg(['status', '--json'], { sessionDir });
    assert.equal(status.code, 0);
    const s = status.json as { data: { running: boolean; pid: number; page: { url: string } } };
    assert.equal(s.data.running, true);
    assert.equal(s.data.pid, pid);
    assert.equal(s.data.page.url, server.url('/'));

    assert.ok(await waitFor(() => existsSync(sessionDir)));
    const peek = await bdg(['peek', '--json'], { sessionDir });
    assert.equal(peek.code, 0);
    const p = peek.json as { data: { network: Array<{ url: string }>; console: Array<{ text: string }> } };
    assert.ok(p.data.network.some((r) => r.url === server.url('/')));
    assert.ok(p.data.console.some((c) => c.text.startsWith('hello')));

    const human = await bdg(['peek'], { sessionDir });
    assert.match(human.stdout, /Network \(/);
    assert.match(human.stdout, /hello \{a: 1\}/);

    const stop = await bdg(['stop', '--json'], { sessionDir });
    assert.equal(stop.code, 0, stop.stderr);
    // stop returns only after Chrome is gone and session.json is complete on disk
    assert.equal(isAlive(chromePid), false, 'Chrome still running after stop returned');
    const doc = JSON.parse(readFileSync(join(sessionDir, 'session.json'), 'utf8')) as {
      schema: number;
      session: { endReason: string };
      network: unknown[];
      console: unknown[];
      dom: { html: string } | null;
    };
    assert.equal(doc.schema, 1);
    assert.equal(doc.session.endReason, 'stopped');
    assert.ok(doc.network.length >= 2);
    assert.ok(doc.console.length >= 1);
    assert.match(doc.dom?.html ?? '', /<h1>hi<\/h1>/);
    for (const f of ['daemon.pid', 'daemon.sock', 'daemon.lock', 'chrome.pid', 'session.meta.json']) {
      assert.equal(existsSync(join(sessionDir, f)), false, `${f} left behind`);
    }
    assert.ok(await waitFor(() => !isAlive(pid)), 'daemon still running after stop');
    assert.deepEqual(daemonsOf(sessionDir), []);
    assert.deepEqual(chromesOf(sessionDir), []);
  });

  it('keeps the state directory 0700, the socket 0600, and the debugging port on loopback; no shell in between', async () => {
    const sessionDir = dir('perm');
    const start = await bdg([server.url('/'), '--json'], { sessionDir });
    assert.equal(start.code, 0, start.stderr);
    const { pid, chromePid, port } = (start.json as { data: { pid: number; chromePid: number; port: number } }).data;
    assert.equal(statSync(sessionDir).mode & 0o777, 0o700);
    const sock = statSync(join(sessionDir, 'daemon.sock'));
    assert.ok(sock.isSocket());
    assert.equal(sock.mode & 0o777, 0o600);
    assert.ok(port > 0);
    const addrs = listeningAddresses(port);
    assert.ok(addrs.length > 0, `port ${port} not listening`);
    // 0100007F = 127.0.0.1 in /proc/net/tcp's little-endian hex
    for (const a of addrs) assert.ok(a === '0100007F' || a === '00000000000000000000000001000000', `debugging port bound to ${a}`);
    // Chrome's parent is the daemon itself (no shell), and the daemon is node.
    const stat = readFileSync(`/proc/${chromePid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    assert.equal(ppid, pid);
    const chromeExe = readFileSync(`/proc/${chromePid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    assert.doesNotMatch(chromeExe, /(^|\/)(ba|da|z)?sh$/);
    const daemonExe = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    assert.equal(daemonExe, process.execPath);
    // The daemon runs with fixed malloc thresholds (util/mallocEnv.ts); Chrome gets the environment without them.
    const environ = (p: number): string[] => readFileSync(`/proc/${p}/environ`, 'utf8').split('\0');
    if (process.env['MALLOC_TRIM_THRESHOLD_'] === undefined) assert.ok(environ(pid).includes('MALLOC_TRIM_THRESHOLD_=131072'));
    assert.deepEqual(
      environ(chromePid).filter((e) => /^(MALLOC_(MMAP|TRIM)_THRESHOLD_|BDG_MALLOC_ENV_SET)=/.test(e)),
      ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'].flatMap((k) => (process.env[k] !== undefined ? [`${k}=${process.env[k]}`] : [])),
    );
    await bdg(['stop'], { sessionDir });
  });

  it('honours --port, --user-data-dir and --chrome-flags; a busy --port is exit 100 with a hint', async () => {
    const sessionDir = dir('opts');
    const profile = join(sessionDir, 'my-profile');
    // a free port: bind, read it, release
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const start = await bdg(
      [server.url('/'), '--port', String(port), '--user-data-dir', profile, '--chrome-flags', '--window-size=640,480 --lang=de', '--json'],
      { sessionDir },
    );
    assert.equal(start.code, 0, start.stdout + start.stderr);
    const d = (start.json as { data: { port: number; chromePid: number } }).data;
    assert.equal(d.port, port);
    assert.deepEqual(listeningAddresses(port), ['0100007F']);
    const cmd = readFileSync(`/proc/${d.chromePid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmd.includes(`--user-data-dir=${profile}`) && cmd.includes('--window-size=640,480') && cmd.includes('--lang=de'), cmd.join(' '));
    assert.ok(existsSync(join(profile, 'Default')), 'profile not created where asked');
    const width = await bdg(['dom', 'eval', 'window.innerWidth', '--json'], { sessionDir });
    assert.equal((width.json as { data: { value: number } }).data.value, 640);
    // the port is now taken: a second session directory asking for it fails cleanly
    const other = dir('busyport');
    const busy = await bdg([server.url('/'), '--port', String(port), '--json'], { sessionDir: other });
    assert.equal(busy.code, 100);
    assert.match((busy.json as { error: string }).error, new RegExp(`Port ${port}`));
    assert.match((busy.json as { hint: string }).hint, /Omit --port/);
    assert.deepEqual(daemonsOf(other), []);
    await bdg(['stop'], { sessionDir });
  });

  it('refuses a second start with 84, naming the running session', async () => {
    const sessionDir = dir('dup');
    assert.equal((await bdg([server.url('/')], { sessionDir })).code, 0);
    const again = await bdg([server.url('/'), '--json'], { sessionDir });
    assert.equal(again.code, 84);
    const err = again.json as { success: boolean; error: string; exitCode: number; hint: string };
    assert.equal(err.success, false);
    assert.equal(err.exitCode, 84);
    assert.match(err.error, /already running/);
    assert.match(err.error, new RegExp(`pid ${readPid(join(sessionDir, 'daemon.pid')) ?? 'x'}`));
    assert.match(err.error, /127\.0\.0\.1/);
    assert.ok(err.hint.length > 0);
    await bdg(['stop'], { sessionDir });
  });

  it('auto-stops after --timeout and writes session.json', async () => {
    const sessionDir = dir('timeout');
    const start = await bdg([server.url('/'), '--timeout', '1', '--json'], { sessionDir });
    assert.equal(start.code, 0, start.stderr);
    const { pid, chromePid } = (start.json as { data: { pid: number; chromePid: number } }).data;
    assert.ok(await waitFor(() => !isAlive(pid) && !isAlive(chromePid), 10_000), 'session did not stop by itself');
    const doc = JSON.parse(readFileSync(join(sessionDir, 'session.json'), 'utf8')) as { session: { endReason: string } };
    assert.equal(doc.session.endReason, 'timeout');
    const status = await bdg(['status'], { sessionDir });
    assert.equal(status.code, 83);
    assert.match(status.stderr, /not running/);
  });

  it('following commands stream new items as JSON Lines and end cleanly when the session stops', async () => {
    const sessionDir = dir('follow');
    server.html('/ticker', '<title>T</title><script>let i = 0; setInterval(() => { console.log("tick", i++); fetch("/data.json?" + i); }, 100)</script>');
    assert.equal((await bdg([server.url('/ticker')], { sessionDir })).code, 0);
    const followers = [
      ['console', '--follow', '--json'],
      ['network', 'list', '--follow', '--json'],
      ['tail', '--json', '--interval', '200'],
      ['cdp', '--events', 'Runtime.consoleAPICalled', '--follow', '--json'],
    ].map((args) => bdg(args, { sessionDir, timeoutMs: 30_000 }));
    // let them see a few rounds of new items, then end the session under them
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal((await bdg(['stop'], { sessionDir })).code, 0);
    for (const r of await Promise.all(followers)) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Session ended/);
      const lines = r.stdout.trim().split('\n');
      assert.ok(lines.length >= 3, `only ${lines.length} lines: ${r.stdout}`);
      for (const line of lines) JSON.parse(line);
    }
  });

  it('never starts a daemon for read-only commands', async () => {
    const sessionDir = dir('ro');
    for (const args of [
      ['--version'],
      ['--help'],
      ['--help', '--json'],
      ['status'],
      ['status', '--json'],
      ['peek'],
      ['peek', '--json'],
      ['details', 'network', 'n1'],
      ['stop'],
    ]) {
      const r = await bdg(args, { sessionDir });
      assert.ok(r.code === 0 || r.code === 83, `${args.join(' ')} exited ${String(r.code)}: ${r.stderr}`);
    }
    assert.equal(existsSync(join(sessionDir, 'daemon.pid')), false);
    assert.equal(existsSync(join(sessionDir, 'daemon.sock')), false);
    assert.deepEqual(daemonsOf(sessionDir), []);
    const peek = await bdg(['peek', '--json'], { sessionDir });
    assert.equal(peek.code, 83);
    assert.match((peek.json as { error: string }).error, /No session/);
  });

  it('reports bad input with the documented exit codes', async () => {
    const sessionDir = dir('bad');
    const badUrl = await bdg(['http://', '--json'], { sessionDir });
    assert.equal(badUrl.code, 80);
    const unknown = await bdg(['stauts'], { sessionDir });
    assert.equal(unknown.code, 81);
    assert.match(unknown.stderr, /Did you mean: bdg status/);
    const badOpt = await bdg(['peek', '--lst', '3'], { sessionDir });
    assert.equal(badOpt.code, 81);
    assert.match(badOpt.stderr, /--last/);
    const badNum = await bdg(['peek', '--last', 'many'], { sessionDir });
    assert.equal(badNum.code, 81);
    const noChrome = await bdg([server.url('/'), '--json'], { sessionDir, env: { CHROME_PATH: '/nonexistent/chrome' } });
    assert.equal(noChrome.code, 100);
    assert.match((noChrome.json as { hint: string }).hint, /apt-get install chromium/);
    assert.deepEqual(daemonsOf(sessionDir), []);
    assert.equal(existsSync(join(sessionDir, 'daemon.lock')), false, 'failed start left its lock');
    const tooLong = await bdg([server.url('/'), '--json'], { sessionDir: join(sessionDir, 'x'.repeat(120)) });
    assert.equal(tooLong.code, 103);
    assert.match((tooLong.json as { error: string }).error, /too long for a Unix socket/);
    const help = await bdg(['--help', '--json'], { sessionDir });
    const doc = help.json as { version: string; commands: Array<{ command: string; options?: string[] }>; exitCodes: Array<{ code: number; name: string }> };
    assert.ok(doc.commands.some((c) => c.command === 'peek' && c.options?.includes('--last N')));
    assert.ok(doc.exitCodes.some((e) => e.code === 86 && e.name === 'DAEMON_ALREADY_STARTING'));
    assert.equal(help.stdout.trim().split('\n').length, 1, 'one line when stdout is not a terminal');
    assert.ok(help.stdout.length < 20_000, `compact help is ${help.stdout.length} bytes`);
    const fullHelp = await bdg(['--help', '--json', '--full'], { sessionDir });
    const full = fullHelp.json as { commands: Array<{ name: string; options: Array<{ flag: string; type: string }> }> };
    assert.ok(full.commands.find((c) => c.name === 'peek')?.options.some((o) => o.flag === '--last' && o.type === 'number'));
    assert.ok(fullHelp.stdout.length > help.stdout.length);
    const one = await bdg(['dom', 'query', '--help', '--json'], { sessionDir });
    const oneDoc = one.json as { command: { name: string; arguments: Array<{ name: string }> }; exitCodes: unknown[] };
    assert.equal(oneDoc.command.name, 'dom.query');
    assert.ok(oneDoc.exitCodes.length > 5);
    const family = await bdg(['dom', '--help'], { sessionDir });
    assert.equal(family.code, 0);
    assert.match(family.stdout, /^bdg dom/);
    assert.match(family.stdout, /dom query/);
    assert.doesNotMatch(family.stdout, /network list/);
    const unknownSub = await bdg(['dom', 'layuot', '--json'], { sessionDir });
    assert.equal(unknownSub.code, 81);
    assert.match((unknownSub.json as { error: string }).error, /Unknown command "dom layuot"/);
  });
});
