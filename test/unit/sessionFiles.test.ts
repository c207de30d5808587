import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { TEMP_FILE_MAX_AGE_MS, removeStaleTemps } from '../../src/client/state.js';
import { ensurePrivateDir, parseTempName, tempPathFor } from '../../src/util/fsx.js';
import { historyName, rotateSessionFile } from '../../src/util/sessionHistory.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'bdg-files-'));

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid as number;
}

test('temp names: what tempPathFor makes parses back to its target and writer; nothing else does', () => {
  const made = basename(tempPathFor('/s/session.json'));
  assert.match(made, /^\.session\.json\.\d+\.[0-9a-f]+\.tmp$/);
  assert.deepEqual(parseTempName(made), { target: 'session.json', pid: process.pid });
  assert.deepEqual(parseTempName(basename(tempPathFor('/s/daemon.lock', 'stale'))), { target: 'daemon.lock', pid: process.pid });
  // names of earlier versions: by age only
  assert.deepEqual(parseTempName('.session.json.5a3f18c2b9e4d0a11c2f3b4a5.tmp'), { target: 'session.json', pid: undefined });
  assert.deepEqual(parseTempName('daemon.lock.5a3f18c2b9e4d0a11c2f3b4a5.tmp'), { target: 'daemon.lock', pid: undefined });
  assert.deepEqual(parseTempName('daemon.lock.stale-5a3f18c2b9e4d0a11c2f3b4a5'), { target: 'daemon.lock', pid: undefined });
  for (const name of [
    'session.json',
    '.session.json.tmp',
    'notes.tmp',
    '.x.123.tmp',
    '.x.123.NOTHEX0000000000000000.tmp',
    'daemon.log.1',
    '.bashrc',
    'history',
  ]) {
    assert.equal(parseTempName(name), undefined, name);
  }
});

test('stale temps: removed when the writer is gone or untouched for a minute; a live writer keeps a fresh one', async () => {
  const d = dir();
  const dead = await deadPid();
  const token = '5a3f18c2b9e4d0a11c2f3b4a5';
  const files = {
    deadWriter: `.session.json.${dead}.${token}.tmp`,
    liveFresh: `.session.json.${process.pid}.${token}.tmp`,
    liveOld: `.session.json.1.${token}.tmp`, // pid 1 is alive (init), but nobody writes for a minute
    oldFormatFresh: `.session.json.${token}.tmp`,
    oldFormatOld: `daemon.lock.${token}.tmp`,
    data: 'session.json',
    unrelated: 'notes.tmp',
  };
  for (const f of Object.values(files)) writeFileSync(join(d, f), 'x');
  const old = new Date(Date.now() - TEMP_FILE_MAX_AGE_MS - 5_000);
  for (const f of [files.liveOld, files.oldFormatOld, files.unrelated]) utimesSync(join(d, f), old, old);
  mkdirSync(join(d, `.dir.${dead}.${token}.tmp`)); // not a file: left alone
  const removed = removeStaleTemps(d)
    .map((p) => basename(p))
    .sort();
  assert.deepEqual(removed, [files.deadWriter, files.liveOld, files.oldFormatOld].sort());
  assert.deepEqual(readdirSync(d).sort(), [files.liveFresh, files.oldFormatFresh, files.data, files.unrelated, `.dir.${dead}.${token}.tmp`].sort());
  rmSync(d, { recursive: true });
});

test('ensurePrivateDir: missing parents made 0700 whatever the umask; a file in the way and /proc fail at once', () => {
  const d = dir();
  const previous = process.umask(0o277);
  try {
    ensurePrivateDir(join(d, 'a', 'b', 'c'));
  } finally {
    process.umask(previous);
  }
  for (const p of ['a', 'a/b', 'a/b/c']) assert.equal(statSync(join(d, p)).mode & 0o777, 0o700, p);
  writeFileSync(join(d, 'f'), '');
  assert.throws(
    () => ensurePrivateDir(join(d, 'f', 'x')),
    (err: Error & { code?: string }) => err.code === 'SESSION_FILE_ERROR' && err.message.includes(`${join(d, 'f')} is a file`),
  );
  const t = Date.now();
  assert.throws(
    () => ensurePrivateDir('/proc/self/bdg-x/y'),
    (err: Error & { code?: string }) => err.code === 'SESSION_FILE_ERROR' && err.message.includes('/proc/self/bdg-x'),
  );
  assert.ok(Date.now() - t < 1_000);
  rmSync(d, { recursive: true });
});

const sessionDoc = (startedAt: string, pad = 0): string =>
  JSON.stringify({
    schema: 1,
    session: { url: 'http://x/', page: { url: 'http://x/', title: '"startedAt":"1999-01-01T00:00:00.000Z"' }, startedAt },
    pad: 'p'.repeat(pad),
  });

test('rotation: session.json moves to history/<its start time>.json; same start time gets -2; none is a no-op', async () => {
  const d = dir();
  assert.deepEqual(await rotateSessionFile(d), { kept: undefined, pruned: [] });
  writeFileSync(join(d, 'session.json'), sessionDoc('2024-06-10T06:13:20.000Z'));
  const first = await rotateSessionFile(d);
  assert.equal(first.kept, join(d, 'history', '2024-06-10T06-13-20.000Z.json'));
  assert.equal(existsSync(join(d, 'session.json')), false);
  assert.equal(statSync(join(d, 'history')).mode & 0o777, 0o700);
  writeFileSync(join(d, 'session.json'), sessionDoc('2024-06-10T06:13:20.000Z'));
  assert.equal((await rotateSessionFile(d)).kept, join(d, 'history', '2024-06-10T06-13-20.000Z-2.json'));
  // unreadable content: the file's mtime names it
  writeFileSync(join(d, 'session.json'), 'garbage');
  const when = new Date('2023-01-02T03:04:05.678Z');
  utimesSync(join(d, 'session.json'), when, when);
  assert.equal((await rotateSessionFile(d)).kept, join(d, 'history', historyName(when.toISOString())));
  rmSync(d, { recursive: true });
});

test('rotation: at most maxFiles and maxBytes kept, oldest removed first and counted, the newest always kept', async () => {
  const d = dir();
  mkdirSync(join(d, 'history'));
  for (let i = 0; i < 12; i++) writeFileSync(join(d, 'history', historyName(`2024-01-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`)), sessionDoc('x', 100));
  writeFileSync(join(d, 'history', 'mine.txt'), 'not a session file'); // never touched
  writeFileSync(join(d, 'session.json'), sessionDoc('2024-02-01T00:00:00.000Z', 100));
  const r = await rotateSessionFile(d, { maxFiles: 10, maxBytes: 1024 * 1024 });
  assert.equal(r.pruned.length, 3);
  assert.deepEqual(
    r.pruned.map((p) => basename(p)),
    ['2024-01-01T00-00-00.000Z.json', '2024-01-02T00-00-00.000Z.json', '2024-01-03T00-00-00.000Z.json'],
  );
  assert.equal(readdirSync(join(d, 'history')).filter((f) => f.endsWith('.json')).length, 10);
  assert.ok(existsSync(join(d, 'history', 'mine.txt')));
  // bytes: the limits hold even when there is no session.json to move; the newest files are the ones left
  const before = readdirSync(join(d, 'history'))
    .filter((f) => f.endsWith('.json'))
    .sort();
  await rotateSessionFile(d, { maxFiles: 10, maxBytes: 1000 });
  const left = readdirSync(join(d, 'history'))
    .filter((f) => f.endsWith('.json'))
    .sort();
  assert.ok(left.length > 0 && left.reduce((n, f) => n + statSync(join(d, 'history', f)).size, 0) <= 1000, `${left.length} kept`);
  assert.deepEqual(left, before.slice(before.length - left.length));
  // a newest file larger than the budget on its own is still kept (alone)
  writeFileSync(join(d, 'session.json'), sessionDoc('2024-03-01T00:00:00.000Z', 5000));
  const big = await rotateSessionFile(d, { maxFiles: 10, maxBytes: 1000 });
  assert.deepEqual(
    readdirSync(join(d, 'history')).filter((f) => f.endsWith('.json')),
    [basename(big.kept as string)],
  );
  assert.equal((JSON.parse(readFileSync(big.kept as string, 'utf8')) as { session: { startedAt: string } }).session.startedAt, '2024-03-01T00:00:00.000Z');
  rmSync(d, { recursive: true });
});
