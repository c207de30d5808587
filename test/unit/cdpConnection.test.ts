import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdpConnection, CdpError } from '../../src/cdp/connection.js';
import type { Transport } from '../../src/cdp/transport.js';
import { BdgError } from '../../src/util/errors.js';

/** A fake CDP peer: records what is sent, lets the test answer, emit events, or drop the wire. */
class FakeTransport implements Transport {
  sent: Array<{ id: number; method: string; params: unknown; sessionId?: string }> = [];
  onMessage: (message: string) => void = () => undefined;
  onClose: (reason: string) => void = () => undefined;
  send(message: string): void {
    this.sent.push(JSON.parse(message) as FakeTransport['sent'][number]);
  }
  close(): void {
    this.onClose('closed by test');
  }
  reply(id: number, result: unknown): void {
    this.onMessage(JSON.stringify({ id, result }));
  }
}

test('results and errors are matched to their calls by id', async () => {
  const t = new FakeTransport();
  const c = new CdpConnection(t, { defaultTimeoutMs: 1000 });
  const a = c.send('Runtime.evaluate', { expression: '1' }, { sessionId: 'S1' });
  const b = c.send('DOM.getDocument');
  assert.equal(t.sent[0]?.sessionId, 'S1');
  t.onMessage(JSON.stringify({ id: t.sent[1]?.id, error: { code: -32000, message: 'No node', data: 'extra' } }));
  t.reply(t.sent[0]?.id, { result: { value: 1 } });
  assert.deepEqual(await a, { result: { value: 1 } });
  await assert.rejects(b, (err: unknown) => err instanceof CdpError && err.cdpCode === -32000 && err.method === 'DOM.getDocument' && err.cdpData === 'extra');
  assert.equal(c.pendingCount, 0);
});

test('each call has its own timeout naming the method and the hint', async () => {
  const t = new FakeTransport();
  const c = new CdpConnection(t, { defaultTimeoutMs: 5000 });
  const slow = c.send('Page.navigate', { url: 'x' }, { timeoutMs: 30, timeoutHint: 'raise --load-timeout' });
  await assert.rejects(
    slow,
    (err: unknown) => err instanceof BdgError && err.code === 'TIMEOUT' && /Page\.navigate/.test(err.message) && err.hint === 'raise --load-timeout',
  );
  assert.equal(c.pendingCount, 0);
});

test('closing the wire rejects every pending call at once, with Chrome stderr attached', async () => {
  const t = new FakeTransport();
  const c = new CdpConnection(t, { defaultTimeoutMs: 60_000, diagnostics: () => 'FATAL: out of memory' });
  const calls = [c.sendRaw('A.a'), c.sendRaw('B.b'), c.sendRaw('C.c')];
  let closedWith = '';
  c.onClose((r) => (closedWith = r));
  t.onClose('Chrome closed the DevTools pipe');
  const results = await Promise.allSettled(calls);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    const e = r.reason as BdgError;
    assert.equal(e.code, 'CDP_CONNECTION_FAILED');
    assert.match(e.message, /Chrome closed the DevTools pipe/);
    assert.deepEqual(e.data, { chromeStderr: 'FATAL: out of memory' });
  }
  assert.equal(closedWith, 'Chrome closed the DevTools pipe');
  await assert.rejects(c.sendRaw('D.d'), (err: unknown) => err instanceof BdgError && err.code === 'CDP_CONNECTION_FAILED');
});

test('an aborted signal cancels the call; events reach listeners; bad frames are ignored', async () => {
  const t = new FakeTransport();
  const c = new CdpConnection(t, { defaultTimeoutMs: 60_000 });
  const ac = new AbortController();
  const p = c.send('Runtime.evaluate', { expression: '1' }, { signal: ac.signal });
  ac.abort(new Error('client disconnected'));
  await assert.rejects(p, /cancelled/);
  const seen: string[] = [];
  c.on((method, _params, sessionId) => seen.push(`${method}@${sessionId ?? '-'}`));
  t.onMessage('not json at all');
  t.onMessage(JSON.stringify({ method: 'Network.requestWillBeSent', params: {}, sessionId: 'S' }));
  t.onMessage(JSON.stringify({ id: 999, result: {} })); // answer to nobody
  assert.deepEqual(seen, ['Network.requestWillBeSent@S']);
});
