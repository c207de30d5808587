import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, locksTab, type DaemonCommandName } from '../../src/protocol/commands.js';
import type { DaemonContext, HandlerContext, HandlerTable } from '../../src/daemon/context.js';
import { Dispatcher } from '../../src/daemon/dispatcher.js';
import { KeyedMutex } from '../../src/daemon/dom/mutex.js';
import type { PageDown, PageHealth, PageProbe } from '../../src/daemon/pageHealth.js';
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

/** A page whose health a test sets: down (crashed, closed), answering probes or not. */
class FakeHealth implements PageHealth {
  down: PageDown | undefined;
  hungSince: number | undefined;
  answers = true;
  probes = 0;
  readonly #listeners = new Set<(d: PageDown) => void>();
  onDown(listener: (d: PageDown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  crash(): void {
    this.down = { reason: 'crashed', since: Date.now() };
    for (const l of this.#listeners) l(this.down);
  }
  async probe(timeoutMs = 20): Promise<PageProbe> {
    this.probes++;
    if (!this.answers) {
      await new Promise((r) => setTimeout(r, timeoutMs));
      this.hungSince ??= Date.now();
    } else this.hungSince = undefined;
    return { page: this.answers, browser: true, waitedMs: timeoutMs, ...(this.hungSince !== undefined ? { hungSince: this.hungSince } : {}) };
  }
  unstick(): Promise<{ wasHung: boolean; answers: boolean }> {
    return Promise.resolve({ wasHung: !this.answers, answers: true });
  }
}

function fakeContext(stopping = false, health: PageHealth = new FakeHealth()): DaemonContext {
  return { session: { targetId: 'T1', health, chromePid: 4242 }, sessionDir: '/tmp/x', stopping: () => stopping } as unknown as DaemonContext;
}

function setup(budgetMs?: number): { d: Dispatcher; seen: Seen[]; hold: Map<string, Promise<void>>; locks: KeyedMutex } {
  const seen: Seen[] = [];
  const hold = new Map<string, Promise<void>>();
  const locks = new KeyedMutex();
  const d = new Dispatcher({
    handlers: recordingTable(seen, hold),
    locks,
    tabName: () => 't1',
    ...(budgetMs !== undefined ? { budgetMs: () => budgetMs } : {}),
  });
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
  assert.deepEqual(seen[0]?.params, { target: '#go', double: false, right: false, strict: false, wait: true, timeout: 5 });
  await d.dispatch(fakeContext(), { cmd: 'network.list', params: {} }, never);
  assert.deepEqual(seen[1]?.params, { full: false, last: 100, current: false, sort: 'start', follow: false });
});

test('unknown keys, bad values, missing args and unknown commands are refused before any handler runs', async () => {
  const { d, seen } = setup();
  const refused = async (cmd: string, params: Record<string, unknown>, pattern: RegExp): Promise<void> => {
    await assert.rejects(
      d.dispatch(fakeContext(), { cmd, params }, never),
      (err: unknown) => err instanceof BdgError && err.code === 'INVALID_ARGUMENTS' && pattern.test(`${err.message} ${err.hint ?? ''}`),
    );
  };
  await refused(
    'dom.click',
    { target: 'a', force: true },
    /unknown parameter force.*Expected: target, at, offset, double, right, index, strict, wait, dialog, timeout/,
  );
  await refused('peek', { last: -1 }, /--last must be a whole number from 0 to 1000000/);
  await refused('dom.click', { dialog: 'maybe', target: 'a' }, /--dialog must be one of: accept, dismiss/);
  await refused('details', { type: 'network' }, /missing id/);
  await refused('start', { url: 'x' }, /Unknown request "start"/);
  await refused('nope', {}, /Unknown request "nope"/);
  assert.equal(seen.length, 0);
});

test('a stopping session answers everything but stop with "stopping"', async () => {
  const { d, seen } = setup();
  await assert.rejects(
    d.dispatch(fakeContext(true), { cmd: 'peek', params: {} }, never),
    (err: unknown) => err instanceof BdgError && err.code === 'NOT_FOUND' && /stopping/.test(err.message),
  );
  await d.dispatch(fakeContext(true), { cmd: 'stop', params: {} }, never);
  assert.deepEqual(
    seen.map((s) => s.cmd),
    ['stop'],
  );
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
  assert.deepEqual(
    seen.map((s) => s.cmd),
    ['dom.click', 'peek', 'dom.query', 'stop'],
    'cdp.send waits for the click',
  );
  g.open();
  await Promise.all([click, send]);
  assert.deepEqual(
    seen.map((s) => s.cmd),
    ['dom.click', 'peek', 'dom.query', 'stop', 'cdp.send'],
  );
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
  assert.deepEqual(
    seen.map((s) => s.cmd),
    ['dom.eval'],
    'the queued click never ran',
  );
  // The first command's own budget ran out too; once it is gone the tab is free again.
  await assert.rejects(first, (err: unknown) => err instanceof BdgError && err.code === 'TIMEOUT' && /did not finish within 0\.2 s/.test(err.message));
  // Until the first command's handler returns, it still holds the tab: a new command waits, it does not run beside it.
  const third = d.dispatch(ctx, { cmd: 'dom.click', params: { target: '#go' } }, never);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    seen.map((s) => s.cmd),
    ['dom.eval'],
  );
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

const code =
  (c: string, pattern?: RegExp) =>
  (err: unknown): boolean =>
    err instanceof BdgError && err.code === c && (pattern === undefined || pattern.test(err.message));

test('a crashed page: commands that need it fail at once with PAGE_CRASHED; navigation, listings and browser-level cdp still run', async () => {
  const { d, seen } = setup();
  const health = new FakeHealth();
  health.crash();
  const ctx = fakeContext(false, health);
  for (const [cmd, params] of [
    ['dom.eval', { expression: '1' }],
    ['dom.query', { selector: 'a' }],
    ['cdp.send', { method: 'Runtime.evaluate' }],
    ['cdp.send', { method: 'browser.getVersion', target: 'page' }],
  ] as const) {
    await assert.rejects(d.dispatch(ctx, { cmd, params }, never), code('PAGE_CRASHED', /cannot run: the page crashed/), cmd);
  }
  for (const [cmd, params] of [
    ['page.reload', {}],
    ['page.navigate', { url: 'a.test' }],
    ['peek', {}],
    ['status', {}],
    ['network.list', {}],
    ['tabs.list', {}],
    ['cdp.send', { method: 'browser.getVersion' }],
  ] as const) {
    await d.dispatch(ctx, { cmd, params }, never);
  }
  assert.deepEqual(
    seen.map((s) => s.cmd),
    ['page.reload', 'page.navigate', 'peek', 'status', 'network.list', 'tabs.list', 'cdp.send'],
  );
  assert.equal(health.probes, 0, 'a crashed page is never probed (it would not answer)');
});

test('a renderer crash during a page command ends it at once with PAGE_CRASHED and aborts its signal', async () => {
  const { d, seen, hold } = setup();
  const health = new FakeHealth();
  hold.set('dom.click', gate().promise);
  const started = Date.now();
  const click = d.dispatch(fakeContext(false, health), { cmd: 'dom.click', params: { target: '#oom' } }, never);
  await new Promise((r) => setTimeout(r, 20));
  health.crash();
  await assert.rejects(click, code('PAGE_CRASHED', /dom\.click was cut short: the page crashed while it ran/));
  assert.ok(Date.now() - started < 1_000);
  assert.equal(seen[0]?.signal.aborted, true);
  assert.deepEqual(seen[0]?.signal.reason, { kind: 'page-down', down: health.down });
});

test('a page that does not answer: a command that would queue behind another fails at once, naming the page as hung and the holder', async () => {
  const { d, seen, hold } = setup();
  const health = new FakeHealth();
  const ctx = fakeContext(false, health);
  const g = gate();
  hold.set('dom.click', g.promise);
  const first = d.dispatch(ctx, { cmd: 'dom.click', params: { target: '#hang' } }, never);
  await new Promise((r) => setTimeout(r, 20));
  health.answers = false;
  await assert.rejects(d.dispatch(ctx, { cmd: 'dom.eval', params: { expression: '1' } }, never), (err: unknown) => {
    assert.ok(err instanceof BdgError);
    assert.equal(err.code, 'TIMEOUT');
    assert.match(err.message, /^dom\.eval was not started \(t1 is busy with dom\.click, running for \d+ s\): the page's main thread is busy/);
    assert.match(err.hint ?? '', /bdg page reload/);
    assert.doesNotMatch(err.hint ?? '', /cleanup --force/);
    assert.equal((err.data as { pageHung?: boolean }).pageHung, true);
    return true;
  });
  // Once it has failed a probe, a command that would not queue is probed too.
  g.open();
  await first;
  await assert.rejects(
    d.dispatch(ctx, { cmd: 'dom.query', params: { selector: 'a' } }, never),
    code('TIMEOUT', /^dom\.query was not started: the page's main thread is busy/),
  );
  assert.deepEqual(
    seen.map((s) => s.cmd),
    ['dom.click'],
  );
  // A page that answers again is used again.
  health.answers = true;
  await d.dispatch(ctx, { cmd: 'dom.query', params: { selector: 'a' } }, never);
});

test('a page command that runs out of time, or whose CDP call timed out, on a page that does not answer says the page is hung', async () => {
  const { d, seen, hold } = setup(100);
  const health = new FakeHealth();
  const ctx = fakeContext(false, health);
  hold.set('dom.eval', gate().promise);
  const evalRun = d.dispatch(ctx, { cmd: 'dom.eval', params: { expression: 'x' } }, never);
  await new Promise((r) => setTimeout(r, 20));
  health.answers = false;
  await assert.rejects(evalRun, code('TIMEOUT', /^dom\.eval did not finish within 0\.1 s: the page's main thread is busy, it did not answer a probe/));

  const table = recordingTable(seen, new Map());
  const failing = {
    ...table,
    'dom.hover': () => Promise.reject(new BdgError('TIMEOUT', 'CDP call Input.dispatchMouseEvent timed out after 10000 ms')),
  } as unknown as HandlerTable<DaemonCommandName>;
  const d2 = new Dispatcher({ handlers: failing, locks: new KeyedMutex() });
  const fresh = new FakeHealth();
  fresh.answers = false;
  await assert.rejects(d2.dispatch(fakeContext(false, fresh), { cmd: 'dom.hover', params: { target: 'a' } }, never), (err: unknown) => {
    assert.ok(err instanceof BdgError);
    assert.match(err.message, /^dom\.hover did not finish: the page's main thread is busy/);
    assert.equal((err.data as { cause?: string }).cause, 'CDP call Input.dispatchMouseEvent timed out after 10000 ms');
    return true;
  });
  // The same timeout on a page that answers is the handler's own.
  fresh.answers = true;
  await assert.rejects(
    d2.dispatch(fakeContext(false, fresh), { cmd: 'dom.hover', params: { target: 'a' } }, never),
    code('TIMEOUT', /^CDP call Input\.dispatchMouseEvent timed out/),
  );
});

test('a navigation does not wait behind a command stuck on a hung page: that command is cut short', async () => {
  const { d, seen, hold } = setup();
  const health = new FakeHealth();
  const ctx = fakeContext(false, health);
  const g = gate();
  hold.set('dom.click', g.promise);
  const click = d.dispatch(ctx, { cmd: 'dom.click', params: { target: '#hang' } }, never);
  await new Promise((r) => setTimeout(r, 20));
  health.answers = false;
  const reload = d.dispatch(ctx, { cmd: 'page.reload', params: {} }, never);
  await assert.rejects(click, code('TIMEOUT', /dom\.click was cut short: the page's main thread stopped answering and page\.reload is recovering it/));
  assert.deepEqual(seen[0]?.signal.reason, { kind: 'preempted', by: 'page.reload' });
  // The click's handler ignores its signal in this test; the reload runs once it returns, never beside it.
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    seen.map((s) => s.cmd),
    ['dom.click'],
  );
  g.open();
  await reload;
  assert.deepEqual(
    seen.map((s) => s.cmd),
    ['dom.click', 'page.reload'],
  );
});

test('handlers get their deadline: the budget, counted from when the request arrived', async () => {
  const seen: number[] = [];
  const table = {
    ...recordingTable([], new Map()),
    'dom.eval': (c: HandlerContext) => (seen.push(c.deadline - Date.now()), Promise.resolve({})),
  } as unknown as HandlerTable<DaemonCommandName>;
  const d = new Dispatcher({ handlers: table, locks: new KeyedMutex() });
  await d.dispatch(fakeContext(), { cmd: 'dom.eval', params: { expression: '1' } }, never);
  assert.ok(seen[0] !== undefined && seen[0] > 59_000 && seen[0] <= 60_000, String(seen[0]));
});
