import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, locksTab, type DaemonCommandName } from '../../src/protocol/commands.js';
import type { HandlerContext, HandlerTable } from '../../src/daemon/context.js';
import { Dispatcher } from '../../src/daemon/dispatcher.js';
import { KeyedMutex } from '../../src/daemon/dom/mutex.js';
import { BdgError } from '../../src/util/errors.js';

type Seen = { cmd: string; params: Record<string, unknown>; signal: AbortSignal };

/**
 * A handler table for every daemon command in the contract, each recording what it was given; `hold` makes a
 * command wait on a gate so tests can see what runs beside it.
 */
function recordingTable(seen: Seen[], hold: Map<string, Promise<void>>): HandlerTable<DaemonCommandName> {
  const table: Record<string, unknown> = {};
  for (const c of COMMANDS) {
    if (c.runs !== 'daemon') continue;
    table[c.name] = async (_ctx: HandlerContext, params: Record<string, unknown>, signal: AbortSignal) => {
      seen.push({ cmd: c.name, params, signal });
      await hold.get(c.name);
      return { ran: c.name };
    };
  }
  // Built from the same command list the type is read from; a test double, not a handler table of the daemon.
  return table as unknown as HandlerTable<DaemonCommandName>;
}

function fakeContext(stopping = false): HandlerContext {
  return { session: { targetId: 'T1' }, sessionDir: '/tmp/x', stopping: () => stopping } as unknown as HandlerContext;
}

function setup(budgetMs?: number): { d: Dispatcher; seen: Seen[]; hold: Map<string, Promise<void>>; locks: KeyedMutex } {
  const seen: Seen[] = [];
  const hold = new Map<string, Promise<void>>();
  const locks = new KeyedMutex();
  const d = new Dispatcher({ handlers: recordingTable(seen, hold), locks, tabName: () => 't1', ...(budgetMs !== undefined ? { budgetMs: () => budgetMs } : {}) });
  return { d, seen, hold, locks };
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

const never = new AbortController().signal;

// AbortSignal.timeout does not keep the process alive (the daemon's socket server does); these tests need it to.
const keepAlive = setInterval(() => undefined, 1_000);
test.after(() => clearInterval(keepAlive));

test('the contract decides which commands take the tab lock: page-changing ones (cdp.send included), not read-only ones or stop', () => {
  const byName = new Map(COMMANDS.map((c) => [c.name, c]));
  const locking = (n: string): boolean => locksTab(byName.get(n as DaemonCommandName) as (typeof COMMANDS)[number]);
  for (const n of ['dom.click', 'dom.fill', 'dom.eval', 'page.navigate', 'page.reload', 'tabs.select', 'cdp.send']) assert.equal(locking(n), true, n);
  for (const n of ['status', 'peek', 'dom.query', 'dom.wait', 'network.list', 'console', 'stop']) assert.equal(locking(n), false, n);
  // Commands that run in the CLI never reach the dispatcher.
  for (const n of ['start', 'cleanup', 'cdp']) assert.equal(locking(n), false, n);
});

test('params reach the handler validated, with the contract defaults filled in', async () => {
  const { d, seen } = setup();
  await d.dispatch(fakeContext(), { cmd: 'dom.click', params: { target: '#go' } }, never);
  assert.deepEqual(seen[0]?.params, { target: '#go', double: false, right: false, dialog: 'accept', timeout: 5 });
  await d.dispatch(fakeContext(), { cmd: 'network.list', params: {} }, never);
  assert.deepEqual(seen[1]?.params, { last: 100, current: false, sort: 'start', follow: false });
});

test('unknown keys, bad values, missing args and unknown commands are refused before any handler runs', async () => {
  const { d, seen } = setup();
  const refused = async (cmd: string, params: Record<string, unknown>, pattern: RegExp): Promise<void> => {
    await assert.rejects(d.dispatch(fakeContext(), { cmd, params }, never), (err: unknown) => err instanceof BdgError && err.code === 'INVALID_ARGUMENTS' && pattern.test(`${err.message} ${err.hint ?? ''}`));
  };
  await refused('dom.click', { target: 'a', force: true }, /unknown parameter force.*Expected: target, double, right, dialog, timeout/);
  await refused('peek', { last: 0 }, /--last must be a whole number from 1 to 1000000/);
  await refused('dom.click', { dialog: 'maybe', target: 'a' }, /--dialog must be one of: accept, dismiss/);
  await refused('details', { type: 'network' }, /missing id/);
  await refused('start', { url: 'x' }, /Unknown request "start"/);
  await refused('nope', {}, /Unknown request "nope"/);
  assert.equal(seen.length, 0);
});

test('a stopping session answers everything but stop with "stopping"', async () => {
  const { d, seen } = setup();
  await assert.rejects(d.dispatch(fakeContext(true), { cmd: 'peek', params: {} }, never), (err: unknown) => err instanceof BdgError && err.code === 'NOT_FOUND' && /stopping/.test(err.message));
  await d.dispatch(fakeContext(true), { cmd: 'stop', params: {} }, never);
  assert.deepEqual(seen.map((s) => s.cmd), ['stop']);
});

test('page-changing commands on one tab run one at a time; read-only ones and stop run beside them', async () => {
  const { d, seen, hold } = setup();
  const g = gate();
  hold.set('dom.click', g.promise);
  const ctx = fakeContext();
  const click = d.dispatch(ctx, { cmd: 'dom.click', params: { target: 'a' } }, never);
  const send = d.dispatch(ctx, { cmd: 'cdp.send', params: { method: 'Page.reload' } }, never);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await d.dispatch(ctx, { cmd: 'peek', params: {} }, never), { ran: 'peek' });
  assert.deepEqual(await d.dispatch(ctx, { cmd: 'dom.query', params: { selector: 'a' } }, never), { ran: 'dom.query' });
  assert.deepEqual(await d.dispatch(ctx, { cmd: 'stop', params: {} }, never), { ran: 'stop' });
  assert.deepEqual(seen.map((s) => s.cmd), ['dom.click', 'peek', 'dom.query', 'stop'], 'cdp.send waits for the click');
  g.open();
  await Promise.all([click, send]);
  assert.deepEqual(seen.map((s) => s.cmd), ['dom.click', 'peek', 'dom.query', 'stop', 'cdp.send']);
});

test('waiting for the tab counts against the command budget, and the timeout names what holds the tab', async () => {
  const { d, seen, hold } = setup(200);
  const g = gate();
  hold.set('dom.eval', g.promise);
  const ctx = fakeContext();
  const first = d.dispatch(ctx, { cmd: 'dom.eval', params: { expression: 'for(;;){}' } }, never);
  first.catch(() => undefined);
  const started = Date.now();
  await assert.rejects(d.dispatch(ctx, { cmd: 'dom.click', params: { target: '#go' } }, never), (err: unknown) => {
    assert.ok(err instanceof BdgError);
    assert.equal(err.code, 'TIMEOUT');
    assert.match(err.message, /dom\.click did not start within 0\.2 s: t1 is busy with dom\.eval, running for \d+ s/);
    return true;
  });
  assert.ok(Date.now() - started < 2_000, 'gave up at its own budget');
  assert.deepEqual(seen.map((s) => s.cmd), ['dom.eval'], 'the queued click never ran');
  // The first command's own budget ran out too; once it is gone the tab is free again.
  await assert.rejects(first, (err: unknown) => err instanceof BdgError && err.code === 'TIMEOUT' && /did not finish within 200 ms/.test(err.message));
  // Until the first command's handler returns, it still holds the tab: a new command waits, it does not run beside it.
  const third = d.dispatch(ctx, { cmd: 'dom.click', params: { target: '#go' } }, never);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen.map((s) => s.cmd), ['dom.eval']);
  g.open();
  assert.deepEqual(await third, { ran: 'dom.click' });
});

test('a client that goes away aborts its request and the signal handed to the handler', async () => {
  const { d, seen, hold } = setup();
  const g = gate();
  hold.set('dom.wait', g.promise);
  const gone = new AbortController();
  const p = d.dispatch(fakeContext(), { cmd: 'dom.wait', params: { selector: 'a' } }, gone.signal);
  await new Promise((r) => setTimeout(r, 10));
  gone.abort(new Error('client disconnected'));
  await assert.rejects(p, /client disconnected/);
  assert.equal(seen[0]?.signal.aborted, true);
  g.open();
});
