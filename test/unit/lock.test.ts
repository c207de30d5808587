import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, breakStaleLock, newOwner, readLock, releaseLock, transferLock } from '../../src/util/lock.js';
import { identityOf, isPidAlive, isSameProcessAlive } from '../../src/util/proc.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'bdg-lock-'));

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid as number;
}

test('exclusive: the second acquirer sees the live holder', () => {
  const path = join(dir(), 'daemon.lock');
  const a = acquireLock(path, newOwner(process.pid, 'starter'));
  assert.equal(a.ok, true);
  const b = acquireLock(path, newOwner(process.pid, 'starter'));
  assert.equal(b.ok, false);
  if (!b.ok && a.ok) assert.equal(b.holder.nonce, a.owner.nonce);
});

test('a lock whose owner died is broken and taken, and reported', async () => {
  const path = join(dir(), 'daemon.lock');
  const ghost = newOwner(await deadPid(), 'daemon');
  writeFileSync(path, JSON.stringify(ghost));
  const r = acquireLock(path, newOwner(process.pid, 'starter'));
  assert.equal(r.ok, true);
  if (r.ok) assert.equal((r.brokeStale[0] as { nonce: string }).nonce, ghost.nonce);
});

test('a live pid with another start time is a reused pid: stale', () => {
  const path = join(dir(), 'daemon.lock');
  writeFileSync(path, JSON.stringify({ ...newOwner(process.pid, 'daemon'), startTime: '1' }));
  assert.equal(isSameProcessAlive({ pid: process.pid, startTime: '1' }), false);
  assert.equal(isSameProcessAlive(identityOf(process.pid)), true);
  assert.equal(acquireLock(path, newOwner(process.pid, 'starter')).ok, true);
});

test('corrupt and empty lock files are stale', () => {
  for (const content of ['', '{not json', '{"pid":"x"}']) {
    const path = join(dir(), 'daemon.lock');
    writeFileSync(path, content);
    assert.equal(readLock(path), 'corrupt');
    assert.equal(acquireLock(path, newOwner(process.pid, 'starter')).ok, true);
  }
});

test('rename-then-verify: a lock replaced after it was judged stale is put back, not deleted', () => {
  const d = dir();
  const path = join(d, 'daemon.lock');
  const judged = newOwner(999_999, 'daemon');
  const fresh = newOwner(process.pid, 'starter');
  writeFileSync(path, JSON.stringify(fresh)); // someone re-acquired between our read and our break
  assert.equal(breakStaleLock(path, judged), false);
  assert.equal((readLock(path) as { nonce: string }).nonce, fresh.nonce);
  assert.deepEqual(readdirSync(d), ['daemon.lock']);
});

test('transfer hands the lock to the daemon only from the right owner; release only removes our own', () => {
  const path = join(dir(), 'daemon.lock');
  const starter = newOwner(process.pid, 'starter');
  assert.equal(acquireLock(path, starter).ok, true);
  const daemon = newOwner(process.pid, 'daemon');
  assert.equal(transferLock(path, { nonce: 'wrong' }, daemon), false);
  assert.equal(transferLock(path, starter, daemon), true);
  assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { role: string }).role, 'daemon');
  releaseLock(path, starter);
  assert.equal(existsSync(path), true);
  releaseLock(path, daemon);
  assert.equal(existsSync(path), false);
});

test('pid liveness: negative, zero and dead pids are not alive', async () => {
  assert.equal(isPidAlive(0), false);
  assert.equal(isPidAlive(-1), false);
  assert.equal(isPidAlive(await deadPid()), false);
  assert.equal(isPidAlive(process.pid), true);
});
