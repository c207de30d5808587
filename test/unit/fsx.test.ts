import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BdgError } from '../../src/util/errors.js';
import { EXIT_CODES } from '../../src/util/exitCodes.js';
import { writeError, writeFileAtomic } from '../../src/util/fsx.js';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: something, open '/x'`), { code });

test('writeError: one mapping of write failures to codes, naming the file and the cause', () => {
  const cases: Array<[string, keyof typeof EXIT_CODES, RegExp]> = [
    ['ENOSPC', 'SESSION_FILE_ERROR', /disk is full \(ENOSPC\)/],
    ['EDQUOT', 'SESSION_FILE_ERROR', /quota.*\(EDQUOT\)/],
    ['EACCES', 'PERMISSION_DENIED', /permission denied \(EACCES\)/],
    ['EPERM', 'PERMISSION_DENIED', /\(EPERM\)/],
    ['EROFS', 'PERMISSION_DENIED', /read-only \(EROFS\)/],
    ['ENOENT', 'PERMISSION_DENIED', /directory does not exist \(ENOENT\)/],
    ['ENOTDIR', 'PERMISSION_DENIED', /directory does not exist \(ENOTDIR\)/],
    ['EISDIR', 'INVALID_ARGUMENTS', /is a directory \(EISDIR\)/],
    ['EIO', 'SESSION_FILE_ERROR', /EIO/],
  ];
  for (const [code, expected, message] of cases) {
    const e = writeError('/data/out.har', errno(code));
    assert.ok(e instanceof BdgError, code);
    assert.equal(e.code, expected, code);
    assert.match(e.message, /^Cannot write \/data\/out\.har: /, code);
    assert.match(e.message, message, code);
    assert.ok((e.hint ?? '').length > 0, `${code} has a hint`);
    assert.deepEqual(e.data, { file: '/data/out.har', errno: code });
  }
  assert.match((writeError('/d/f', errno('ENOSPC')) as BdgError).hint ?? '', /Free space.*\/d/);
  // not a file-system error: left as it is (a bug is reported as one, with its stack in the log)
  const bug = new TypeError('x is not a function');
  assert.equal(writeError('/d/f', bug), bug);
  const already = new BdgError('TIMEOUT', 't');
  assert.equal(writeError('/d/f', already), already);
});

test('writeFileAtomic: a failure is mapped and leaves no temp file behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bdg-fsx-'));
  try {
    mkdirSync(join(dir, 'sub'));
    await assert.rejects(writeFileAtomic(join(dir, 'sub'), 'x'), (e: unknown) => e instanceof BdgError && e.code === 'INVALID_ARGUMENTS');
    await assert.rejects(
      writeFileAtomic(join(dir, 'none', 'f'), 'x'),
      (e: unknown) => e instanceof BdgError && e.code === 'PERMISSION_DENIED' && /does not exist/.test(e.message),
    );
    assert.deepEqual(readdirSync(dir), ['sub']);
    await writeFileAtomic(join(dir, 'f'), 'ok');
    assert.deepEqual(readdirSync(dir).sort(), ['f', 'sub']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
