import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgv } from '../../src/cli/argv.js';
import { COMMANDS } from '../../src/protocol/commands.js';
import { validateParams, suggest } from '../../src/protocol/validate.js';
import { BdgError } from '../../src/util/errors.js';
import { EXIT_CODES, exitCodeFor } from '../../src/util/exitCodes.js';
import { splitFlags } from '../../src/util/flags.js';
import { normalizeUrl } from '../../src/util/url.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof BdgError ? err.code : 'other';
  }
  return undefined;
};

test('exit-code table: the documented numbers, user errors 80-99, software errors 100-119, 130 for an interrupt', () => {
  assert.deepEqual(
    { ...EXIT_CODES },
    {
      OK: 0,
      INVALID_URL: 80,
      INVALID_ARGUMENTS: 81,
      PERMISSION_DENIED: 82,
      NOT_FOUND: 83,
      ALREADY_EXISTS: 84,
      BUSY: 85,
      DAEMON_ALREADY_STARTING: 86,
      STALE_REFERENCE: 87,
      RESOURCE_CONFLICT: 90,
      PAGE_EXCEPTION: 91,
      CHROME_LAUNCH_FAILED: 100,
      CDP_CONNECTION_FAILED: 101,
      TIMEOUT: 102,
      SESSION_FILE_ERROR: 103,
      UNEXPECTED_ERROR: 104,
      PAGE_CRASHED: 107,
      SOFTWARE_ERROR: 110,
      INTERRUPTED: 130,
    },
  );
  assert.equal(exitCodeFor('NOT_FOUND'), 83);
});

test('argv: a URL starts a session with typed options; flags may come before the URL', () => {
  const p = parseArgv(['--port', '9333', 'localhost:3000', '--timeout', '5', '--no-headless', '--json']);
  assert.equal(p.kind, 'run');
  if (p.kind !== 'run') return;
  assert.equal(p.command.name, 'start');
  assert.deepEqual(p.params, { port: 9333, url: 'localhost:3000', timeout: 5, headless: false });
  assert.equal(p.json, true);
  const eq = parseArgv(['example.com', '--chrome-flags=--lang=de --foo']);
  assert.equal(eq.kind === 'run' && eq.params['chromeFlags'], '--lang=de --foo');
});

test('argv: sub-commands, positional args, help and version', () => {
  const d = parseArgv(['details', 'network', 'n3']);
  assert.ok(d.kind === 'run' && d.command.name === 'details' && d.params['type'] === 'network' && d.params['id'] === 'n3');
  assert.equal(parseArgv([]).kind, 'help');
  assert.equal(parseArgv(['--version']).kind, 'version');
  const h = parseArgv(['peek', '--help']);
  assert.ok(h.kind === 'help' && h.command?.name === 'peek');
  assert.ok(parseArgv(['--help', '--json']).json);
  const full = parseArgv(['--help', '--json', '--full']);
  assert.ok(full.kind === 'help' && full.full && full.command === undefined);
  const family = parseArgv(['dom', '--help']);
  assert.ok(family.kind === 'help' && family.family === 'dom' && family.command === undefined);
  assert.throws(() => parseArgv(['dom', 'layuot']), /Unknown command "dom layuot"/);
  assert.throws(() => parseArgv(['network']), /"network" needs a subcommand/);
});

test("argv: the original bdg's short flags stand for their long options", () => {
  const peek = parseArgv(['peek', '-f', '-j']);
  assert.ok(peek.kind === 'run' && peek.json && peek.params['follow'] === true);
  const start = parseArgv(['localhost:3000', '-u', '/tmp/profile']);
  assert.ok(start.kind === 'run' && start.params['userDataDir'] === '/tmp/profile');
  const con = parseArgv(['console', '-H']);
  assert.ok(con.kind === 'run' && con.params['history'] === true);
  assert.throws(() => parseArgv(['status', '-f']), /Unknown option --follow/);
  assert.throws(() => parseArgv(['status', '-x']), /Unknown option -x/);
  const sel = parseArgv(['dom', 'submit', '#f']);
  assert.ok(sel.kind === 'run' && sel.params['target'] === '#f' && sel.params['follow'] === undefined, 'a two-character selector is no flag');
});

test('argv: unknown commands and options get suggestions; bad values are 81', () => {
  try {
    parseArgv(['stats']);
    assert.fail('no error');
  } catch (err) {
    assert.ok(err instanceof BdgError);
    assert.equal(err.code, 'INVALID_ARGUMENTS');
    assert.match(err.hint ?? '', /bdg status/);
  }
  try {
    parseArgv(['peek', '--lats', '3']);
    assert.fail('no error');
  } catch (err) {
    assert.match((err as BdgError).hint ?? '', /--last/);
  }
  assert.equal(
    code(() => parseArgv(['peek', '--last'])),
    'INVALID_ARGUMENTS',
  );
  assert.equal(
    code(() => parseArgv(['peek', '--last', 'x'])),
    'INVALID_ARGUMENTS',
  );
  assert.equal(
    code(() => parseArgv(['status', 'extra'])),
    'INVALID_ARGUMENTS',
  );
  assert.equal(
    code(() => parseArgv(['status', '-x'])),
    'INVALID_ARGUMENTS',
  );
  assert.equal(
    code(() => parseArgv(['peek', '--network=maybe'])),
    'INVALID_ARGUMENTS',
  );
  assert.deepEqual(suggest('stauts', ['status', 'stop', 'peek']), ['status']);
});

test('the daemon validates params against the same contract, naming the expected keys', () => {
  const peek = COMMANDS.find((c) => c.name === 'peek');
  assert.ok(peek);
  assert.deepEqual(validateParams(peek, {}), { full: false, last: 10, network: false, console: false, follow: false, verbose: false });
  try {
    validateParams(peek, { lst: 3 });
    assert.fail('no error');
  } catch (err) {
    assert.match((err as BdgError).message, /unknown parameter lst/);
    assert.match((err as BdgError).hint ?? '', /Expected: full, last, network, console, follow, verbose/);
  }
  assert.equal(
    code(() => validateParams(peek, { last: -1 })),
    'INVALID_ARGUMENTS',
  );
  assert.equal(
    code(() => validateParams(peek, { last: 1.5 })),
    'INVALID_ARGUMENTS',
  );
  assert.equal(
    code(() => validateParams(peek, [])),
    'INVALID_ARGUMENTS',
  );
  const details = COMMANDS.find((c) => c.name === 'details');
  assert.ok(details);
  assert.equal(
    code(() => validateParams(details, { type: 'network' })),
    'INVALID_ARGUMENTS',
  );
  assert.equal(
    code(() => validateParams(details, { type: 'dom', id: 'x' })),
    'INVALID_ARGUMENTS',
  );
});

test('URLs: bare hosts get a scheme; garbage is rejected with INVALID_URL', () => {
  assert.equal(normalizeUrl('localhost:3000'), 'http://localhost:3000/');
  assert.equal(normalizeUrl('127.0.0.1:8080/x?y=1'), 'http://127.0.0.1:8080/x?y=1');
  assert.equal(normalizeUrl('[::1]:9000'), 'http://[::1]:9000/');
  assert.equal(normalizeUrl('example.com'), 'https://example.com/');
  assert.equal(normalizeUrl('https://example.com/a b'.replace(' ', '%20')), 'https://example.com/a%20b');
  assert.equal(normalizeUrl('about:blank'), 'about:blank');
  assert.equal(normalizeUrl('file:///tmp/x.html'), 'file:///tmp/x.html');
  for (const bad of ['', '   ', 'http://', 'javascript:alert(1)', 'not a url', 'foo', 'ftp://x.com']) {
    assert.equal(
      code(() => normalizeUrl(bad)),
      'INVALID_URL',
      bad,
    );
  }
});

test('--chrome-flags splits like shell words without a shell', () => {
  assert.deepEqual(splitFlags(`--a=1  --b="two words" '--c=$HOME' --d=\\;`), ['--a=1', '--b=two words', '--c=$HOME', '--d=;']);
  assert.deepEqual(splitFlags(''), []);
  assert.equal(
    code(() => splitFlags('--a="open')),
    'INVALID_ARGUMENTS',
  );
});
