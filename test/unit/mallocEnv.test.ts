import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MALLOC_ENV_SET, withDaemonMalloc, withoutDaemonMalloc } from '../../src/util/mallocEnv.js';

test('the daemon gets fixed malloc thresholds the user did not set, and Chrome gets the environment back as it was', () => {
  const user = { PATH: '/bin', HOME: '/root' };
  const daemon = withDaemonMalloc(user);
  assert.equal(daemon['MALLOC_MMAP_THRESHOLD_'], '131072');
  assert.equal(daemon['MALLOC_TRIM_THRESHOLD_'], '131072');
  assert.equal(daemon[MALLOC_ENV_SET], 'MALLOC_MMAP_THRESHOLD_,MALLOC_TRIM_THRESHOLD_');
  assert.deepEqual(withoutDaemonMalloc(daemon), user);
  // A value the user chose is theirs, for the daemon and for Chrome.
  const tuned = { PATH: '/bin', MALLOC_TRIM_THRESHOLD_: '0' };
  const daemon2 = withDaemonMalloc(tuned);
  assert.equal(daemon2['MALLOC_TRIM_THRESHOLD_'], '0');
  assert.equal(daemon2[MALLOC_ENV_SET], 'MALLOC_MMAP_THRESHOLD_');
  assert.deepEqual(withoutDaemonMalloc(daemon2), tuned);
  // Both set: nothing added, nothing to take out.
  const both = { MALLOC_TRIM_THRESHOLD_: '1', MALLOC_MMAP_THRESHOLD_: '2' };
  assert.equal(withDaemonMalloc(both), both);
  assert.equal(withoutDaemonMalloc(both), both);
  // The list names only variables of ours: a forged entry cannot remove anything else.
  assert.deepEqual(withoutDaemonMalloc({ PATH: '/bin', [MALLOC_ENV_SET]: 'PATH' }), { PATH: '/bin' });
});
