/**
 * Request interception for `network mock` / `network block`, on the Fetch domain of the page's session.
 *
 * - Fetch is enabled only while a rule is active, with the patterns those rules need (telemetry/interception.ts):
 *   with no rule, Chrome pauses nothing. A paused request that no rule answers (another method, a rule whose
 *   --times were just used up, a rule removed in between) is continued at once, so nothing stalls.
 * - Each answer is one Fetch call with its own timeout; nothing is queued, and a failed call (the request was
 *   cancelled meanwhile) is logged, never retried.
 * - While a rule is active the browser cache is bypassed (Network.setCacheDisabled): a response from Blink's memory
 *   cache never reaches the network stack, so a cached copy would skip the rule (Puppeteer does the same).
 * - Answered requests are marked on their network record (`intercepted`), by the Network requestId Chrome gives
 *   (`networkId`); a mark that arrives before its record waits for it in a bounded map.
 * - Rules live in the daemon, per session: Fetch state stays on the page's session across navigations, and
 *   {@link Interceptor.reapply} sets it on a newly selected tab.
 */
import { Buffer } from 'node:buffer';
import type { Protocol } from 'devtools-protocol';
import type { SessionSend } from '../cdp/connection.js';
import { MAX_MOCK_BODY_BYTES, type InterceptRuleView } from '../protocol/commands/network.js';
import type { InterceptMark } from '../protocol/records.js';
import { fetchPatterns, matchRule, parseTarget, type InterceptTarget } from '../telemetry/interception.js';
import type { NetworkCollector } from '../telemetry/network.js';
import { BdgError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** Most active rules per session. */
export const MAX_RULES = 100;
/** Spent rules (their --times used up) kept in the list for their hit counts, oldest forgotten first. */
const MAX_SPENT = 50;
/** All mock bodies together (one is at most MAX_MOCK_BODY_BYTES). */
const MAX_MOCK_BODIES_TOTAL = 16 * 1024 * 1024;
/** Marks waiting for their network record (Fetch.requestPaused came first). */
const MAX_PENDING_MARKS = 500;
/** Each Fetch answer gets this long; Chrome answers them at once unless it is gone. */
const FETCH_CALL_MS = 10_000;

export interface MockResponse {
  status: number;
  headers: Protocol.Fetch.HeaderEntry[];
  body: Buffer;
}

export interface RuleInput {
  action: 'mock' | 'block';
  pattern: string;
  method?: string | undefined;
  times?: number | undefined;
  response?: MockResponse;
}

interface Rule {
  id: string;
  action: 'mock' | 'block';
  target: InterceptTarget;
  method?: string;
  times?: number;
  hits: number;
  active: boolean;
  createdAt: number;
  lastHitAt?: number;
  response?: MockResponse;
  /** The body as Fetch.fulfillRequest takes it, encoded once (released once the rule is spent). */
  bodyBase64?: string;
  bodySize: number;
}

export interface InterceptorDeps {
  /** Sends to the page's current session. */
  send: SessionSend;
  network: NetworkCollector;
  log: Logger;
}

export class Interceptor {
  readonly #deps: InterceptorDeps;
  #rules: Rule[] = [];
  #seq = 0;
  #bodyBytes = 0;
  /** What Chrome was last told: the Fetch patterns (empty: Fetch off). */
  #applied: Protocol.Fetch.RequestPattern[] = [];
  /**
   * From the moment Fetch.enable is sent until Fetch.disable has been answered: a pause may arrive before the
   * enable's answer does, and must be answered too.
   */
  #enabled = false;
  /** Fetch.enable/disable calls one after another, each sending the rules as they are then. */
  #applying: Promise<void> = Promise.resolve();
  readonly #pendingMarks = new Map<string, InterceptMark>();

  constructor(deps: InterceptorDeps) {
    this.#deps = deps;
  }

  /** Whether Chrome pauses any request now. */
  get intercepting(): boolean {
    return this.#applied.length > 0;
  }
  get patternCount(): number {
    return this.#applied.length;
  }
  /** Active rules and the requests all rules answered, for `status`. */
  summary(): { rules: number; hits: number } {
    return { rules: this.#rules.filter((r) => r.active).length, hits: this.#rules.reduce((n, r) => n + r.hits, 0) };
  }

  list(): InterceptRuleView[] {
    return this.#rules.map(view);
  }

  /** Adds a rule and has Chrome intercept what it needs before answering. */
  async add(input: RuleInput): Promise<InterceptRuleView> {
    const target = parseTarget(input.pattern);
    if (input.action === 'mock' && target.resourceTypes !== undefined)
      throw new BdgError(
        'INVALID_ARGUMENTS',
        'network mock takes a URL pattern, not resource-type:',
        'Mock URLs (e.g. "*/api/*"); resource types can be blocked with network block.',
      );
    if (this.#rules.filter((r) => r.active).length >= MAX_RULES)
      throw new BdgError('INVALID_ARGUMENTS', `There are already ${MAX_RULES} active rules`, 'Remove some with `bdg network unmock <id>` or `--all`.');
    const size = input.response?.body.length ?? 0;
    if (size > MAX_MOCK_BODY_BYTES) throw new BdgError('INVALID_ARGUMENTS', `The mock body is larger than ${MAX_MOCK_BODY_BYTES / 1024} KB (${size} bytes)`);
    if (this.#bodyBytes + size > MAX_MOCK_BODIES_TOTAL)
      throw new BdgError(
        'INVALID_ARGUMENTS',
        `The mock bodies would pass ${MAX_MOCK_BODIES_TOTAL / 1024 / 1024} MB in all`,
        'Remove rules you no longer need with `bdg network unmock`.',
      );
    const rule: Rule = { id: `r${++this.#seq}`, action: input.action, target, hits: 0, active: true, createdAt: Date.now(), bodySize: size };
    if (input.method !== undefined && input.method.trim() !== '') rule.method = input.method.trim().toUpperCase();
    if (input.times !== undefined) rule.times = input.times;
    if (input.response !== undefined) {
      rule.response = input.response;
      rule.bodyBase64 = input.response.body.toString('base64');
      this.#bodyBytes += size;
    }
    this.#rules.push(rule);
    try {
      await this.#apply();
    } catch (err) {
      this.#drop([rule]);
      throw err;
    }
    return view(rule);
  }

  /** Removes rules by id (or all); an unknown id is NOT_FOUND. */
  async remove(id: string | undefined, all: boolean): Promise<string[]> {
    if (!all && id === undefined)
      throw new BdgError('INVALID_ARGUMENTS', 'network unmock needs a rule id or --all', 'The ids are in `bdg network mocks` (r1, r2, ...).');
    const gone = all ? [...this.#rules] : this.#rules.filter((r) => r.id === id);
    if (!all && gone.length === 0)
      throw new BdgError(
        'NOT_FOUND',
        `No rule with id "${String(id)}"`,
        this.#rules.length > 0 ? `Rules: ${this.#rules.map((r) => r.id).join(', ')}` : 'There are no rules.',
      );
    this.#drop(gone);
    await this.#apply();
    return gone.map((r) => r.id);
  }

  /** Sets the rules' patterns on the page's (new) session: after another tab was selected. */
  reapply(): Promise<void> {
    this.#applied = [];
    this.#enabled = false;
    return this.#apply();
  }

  /** CDP events of the page's session: paused requests, and records that marks are waiting for. */
  handleEvent(method: string, params: unknown): void {
    if (method === 'Fetch.requestPaused') {
      this.#onPaused(params as Protocol.Fetch.RequestPausedEvent);
      return;
    }
    if (this.#pendingMarks.size > 0 && method.startsWith('Network.')) {
      const requestId = (params as { requestId?: unknown }).requestId;
      if (typeof requestId === 'string') {
        const mark = this.#pendingMarks.get(requestId);
        const record = mark !== undefined ? this.#deps.network.get(requestId) : undefined;
        if (mark !== undefined && record !== undefined) {
          record.intercepted = mark;
          this.#pendingMarks.delete(requestId);
        }
      }
    }
  }

  #onPaused(e: Protocol.Fetch.RequestPausedEvent): void {
    // Only the request stage is asked for; a response-stage pause is someone else's (`bdg cdp Fetch.enable`).
    if (e.responseStatusCode !== undefined || e.responseErrorReason !== undefined) return;
    // Fetch is also what `bdg cdp` users enable for their own recipes: with no rule of ours, leave pauses to them.
    if (!this.#enabled) return;
    const url = e.request.url + (e.request.urlFragment ?? '');
    const rule = matchRule(this.#rules, { url, method: e.request.method, resourceType: e.resourceType });
    if (rule === undefined) {
      this.#answer('Fetch.continueRequest', { requestId: e.requestId });
      return;
    }
    rule.hits++;
    rule.lastHitAt = Date.now();
    // Taken before a last use releases them.
    const response = rule.response;
    const body = rule.bodyBase64;
    if (rule.times !== undefined && rule.hits >= rule.times) this.#spend(rule);
    if (e.networkId !== undefined) this.#mark(e.networkId, { action: rule.action === 'mock' ? 'mocked' : 'blocked', rule: rule.id });
    if (rule.action === 'block' || response === undefined) {
      this.#answer('Fetch.failRequest', { requestId: e.requestId, errorReason: 'BlockedByClient' });
      return;
    }
    this.#answer('Fetch.fulfillRequest', {
      requestId: e.requestId,
      responseCode: response.status,
      responseHeaders: response.headers,
      ...(body !== undefined && body !== '' ? { body } : {}),
    });
  }

  #answer<M extends 'Fetch.continueRequest' | 'Fetch.failRequest' | 'Fetch.fulfillRequest'>(
    method: M,
    params: M extends 'Fetch.continueRequest'
      ? Protocol.Fetch.ContinueRequestRequest
      : M extends 'Fetch.failRequest'
        ? Protocol.Fetch.FailRequestRequest
        : Protocol.Fetch.FulfillRequestRequest,
  ): void {
    this.#deps
      .send(method, params as never, { timeoutMs: FETCH_CALL_MS })
      .catch((err: unknown) => this.#deps.log.debug(`${method} for a paused request failed (it may have been cancelled)`, err));
  }

  #mark(networkId: string, mark: InterceptMark): void {
    const record = this.#deps.network.get(networkId);
    if (record !== undefined) {
      record.intercepted = mark;
      return;
    }
    this.#pendingMarks.delete(networkId);
    this.#pendingMarks.set(networkId, mark);
    for (const oldest of this.#pendingMarks.keys()) {
      if (this.#pendingMarks.size <= MAX_PENDING_MARKS) break;
      this.#pendingMarks.delete(oldest);
    }
  }

  /** --times used up: the rule stays listed with its hits but intercepts nothing; Chrome is told in the background. */
  #spend(rule: Rule): void {
    rule.active = false;
    this.#releaseBody(rule);
    const spent = this.#rules.filter((r) => !r.active);
    if (spent.length > MAX_SPENT) this.#drop(spent.slice(0, spent.length - MAX_SPENT));
    void this.#apply().catch((err: unknown) => this.#deps.log.warn('updating the Fetch patterns failed', err));
  }

  #drop(rules: readonly Rule[]): void {
    const ids = new Set(rules.map((r) => r.id));
    for (const r of rules) this.#releaseBody(r);
    this.#rules = this.#rules.filter((r) => !ids.has(r.id));
  }

  #releaseBody(rule: Rule): void {
    if (rule.response === undefined) return;
    this.#bodyBytes -= rule.response.body.length;
    rule.response = { ...rule.response, body: Buffer.alloc(0) };
    delete rule.bodyBase64;
  }

  /** Tells Chrome the patterns of the rules as they are when this call's turn comes. */
  #apply(): Promise<void> {
    const next = this.#applying.then(async () => {
      const patterns = fetchPatterns(this.#rules);
      if (JSON.stringify(patterns) === JSON.stringify(this.#applied)) return;
      const { send } = this.#deps;
      try {
        if (patterns.length === 0) {
          await send('Fetch.disable', {}, { timeoutMs: FETCH_CALL_MS });
          this.#enabled = false;
          await send('Network.setCacheDisabled', { cacheDisabled: false }, { timeoutMs: FETCH_CALL_MS });
        } else {
          if (this.#applied.length === 0) await send('Network.setCacheDisabled', { cacheDisabled: true }, { timeoutMs: FETCH_CALL_MS });
          this.#enabled = true;
          await send('Fetch.enable', { patterns, handleAuthRequests: false }, { timeoutMs: FETCH_CALL_MS });
        }
        this.#applied = patterns;
      } catch (err) {
        throw err instanceof BdgError ? err : new BdgError('CDP_CONNECTION_FAILED', `Setting up request interception failed: ${String(err)}`);
      }
    });
    // One failed call must not block the ones after it.
    this.#applying = next.catch(() => undefined);
    return next;
  }
}

function view(r: Rule): InterceptRuleView {
  const v: InterceptRuleView = {
    id: r.id,
    action: r.action,
    pattern: r.target.text,
    method: r.method ?? null,
    times: r.times ?? null,
    hits: r.hits,
    active: r.active,
    createdAt: new Date(r.createdAt).toISOString(),
    lastHitAt: r.lastHitAt !== undefined ? new Date(r.lastHitAt).toISOString() : null,
  };
  if (r.response !== undefined) {
    v.status = r.response.status;
    v.headers = r.response.headers.map((h) => ({ ...h }));
    v.bodyBytes = r.bodySize;
  }
  return v;
}
