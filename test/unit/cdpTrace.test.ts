import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdpConnection, TRACE_MAX_CHARS, traceLine } from '../../src/cdp/connection.js';
import type { Transport } from '../../src/cdp/transport.js';

class FakeTransport implements Transport {
  sent: Array<{ id: number }> = [];
  onMessage: (message: string) => void = () => undefined;
  onClose: (reason: string) => void = () => undefined;
  send(message: string): void {
    this.sent.push(JSON.parse(message) as { id: number });
  }
  close(): void {
    this.onClose('closed by test');
  }
}

test('a traced connection reports calls, answers (by the call they answer), errors and events', async () => {
  const t = new FakeTransport();
  const lines: string[] = [];
  const c = new CdpConnection(t, { defaultTimeoutMs: 1000, trace: (l) => lines.push(l) });
  const nav = c.send('Page.navigate', { url: 'http://x/' }, { sessionId: 'S1' });
  const bad = c.send('DOM.getDocument');
  t.onMessage(JSON.stringify({ id: t.sent[0]?.id, sessionId: 'S1', result: { frameId: 'F' } }));
  t.onMessage(JSON.stringify({ id: t.sent[1]?.id, error: { code: -32000, message: 'No node' } }));
  t.onMessage(JSON.stringify({ method: 'Network.requestWillBeSent', sessionId: 'S1', params: { requestId: 'R1' } }));
  await nav;
  await bad.catch(() => undefined);
  assert.deepEqual(lines, [
    'cdp > Page.navigate id=1 session=S1 params={"url":"http://x/"}',
    'cdp > DOM.getDocument id=2 params={}',
    'cdp < Page.navigate id=1 session=S1 result={"frameId":"F"}',
    'cdp < DOM.getDocument id=2 error={"code":-32000,"message":"No node"}',
    'cdp < Network.requestWillBeSent session=S1 params={"requestId":"R1"}',
  ]);
});

test('trace lines cut params and results at TRACE_MAX_CHARS', () => {
  const line = traceLine('<', 'Network.getResponseBody', 7, 'S', 'result', { body: 'x'.repeat(10_000) });
  const json = JSON.stringify({ body: 'x'.repeat(10_000) });
  assert.ok(line.endsWith(`… (${json.length - TRACE_MAX_CHARS} more chars)`));
  assert.ok(line.length < TRACE_MAX_CHARS + 100);
  assert.equal(traceLine('>', 'Page.enable', 3, undefined, 'params', {}), 'cdp > Page.enable id=3 params={}');
});

test('without a trace sink nothing is formatted', async () => {
  const t = new FakeTransport();
  const c = new CdpConnection(t, { defaultTimeoutMs: 1000 });
  const p = c.send('Page.enable');
  t.onMessage(JSON.stringify({ id: t.sent[0]?.id, result: {} }));
  assert.deepEqual(await p, {});
});
