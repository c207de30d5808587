import { CdpError } from '../../cdp/connection.js';
import { cdpTargetFor, loadCdpSchema, resolveCdpCall, resolveCdpSchemaFiles, type CdpSchema } from '../../protocol/cdpSchema.js';
import type { ParamsOf, ResultOf } from '../../protocol/commands.js';
import { BdgError, toBdgError } from '../../util/errors.js';
import type { FamilyCommands, HandlerContext, HandlerTable } from '../context.js';

// Found while the daemon starts (module resolution stats files synchronously); read on the first cdp.send.
let schemaFiles: readonly string[] | BdgError;
try {
  schemaFiles = resolveCdpSchemaFiles();
} catch (err) {
  schemaFiles = toBdgError(err);
}

function schema(): Promise<CdpSchema> {
  return schemaFiles instanceof BdgError ? Promise.reject(schemaFiles) : loadCdpSchema(schemaFiles);
}

function cdpErrorHint(method: string, code: number, unlisted = false): string {
  if (code === -32601 && unlisted)
    return `Neither the bundled schema nor this Chrome knows ${method}; check the name with \`bdg cdp --search\`, or try --target ${cdpTargetFor(method) === 'page' ? 'browser' : 'page'}.`;
  if (code === -32601)
    return `Chrome does not know ${method} on this ${cdpTargetFor(method)} target; try --target ${cdpTargetFor(method) === 'page' ? 'browser' : 'page'}, or check \`bdg cdp --search\`.`;
  if (code === -32602) return `Chrome rejected the parameters; see them with \`bdg cdp ${method} --describe\`.`;
  return `Chrome answered with an error; its code, message and data are in the error's data (--json). The parameters: \`bdg cdp ${method} --describe\`.`;
}

/**
 * A plain Runtime.evaluate (an expression, nothing that only the raw method offers) is what `bdg dom eval` does
 * with top-level await, values by value and exit 91 for a page exception.
 */
function betterCommand(method: string, body: unknown): string | undefined {
  if (method !== 'Runtime.evaluate' || typeof body !== 'object' || body === null) return undefined;
  const p = body as Record<string, unknown>;
  const plain = ['expression', 'returnByValue', 'awaitPromise', 'userGesture', 'replMode', 'silent', 'objectGroup', 'generatePreview'];
  if (typeof p['expression'] !== 'string' || Object.keys(p).some((k) => !plain.includes(k))) return undefined;
  return `bdg dom eval ${JSON.stringify(p['expression'])} does the same: awaits promises, returns the value and exits 91 when the page throws`;
}

/** Collection limits the CLI checks too: --timeout of a collection (seconds) and its default. */
const COLLECT_MAX_S = 120;
const COLLECT_DEFAULT_S = 10;
const ANSWER_DEFAULT_S = 30;

/**
 * Sends one method: resolved to its canonical name and validated against the schema (unless validate is off),
 * to the page's session or the browser connection; with `collect`/`until`, the events it causes are gathered
 * (subscribed before it is sent). A CDP error answer becomes UNEXPECTED_ERROR keeping Chrome's code, message and data.
 */
async function send(ctx: HandlerContext, params: ParamsOf<'cdp.send'>, signal: AbortSignal): Promise<ResultOf<'cdp.send'>> {
  const { validate, method: asked } = params;
  const cdp = await schema();
  const { method, params: body, warning } = resolveCdpCall(cdp, asked, params.params, validate, params.sendAnyway);
  const collecting = params.collect !== undefined || params.until !== undefined;
  if (!collecting && params.out !== undefined)
    throw new BdgError(
      'INVALID_ARGUMENTS',
      '--out needs --collect or --until',
      'For example: bdg cdp Page.reload --until Page.loadEventFired --out events.ndjson',
    );
  const collectS = params.timeout ?? COLLECT_DEFAULT_S;
  if (collecting && collectS > COLLECT_MAX_S)
    throw new BdgError('INVALID_ARGUMENTS', `--timeout of a collection is at most ${COLLECT_MAX_S} seconds (got ${collectS})`, 'For example: --timeout 30');
  const events = params.collect !== undefined ? cdp.resolveEventNames(params.collect).events : [];
  const until = params.until !== undefined ? cdp.resolveEventNames(params.until, { domains: false }).events : [];
  if (until.length > 1) throw new BdgError('INVALID_ARGUMENTS', '--until takes one event', `For example: --until ${until[0] ?? 'Page.loadEventFired'}`);
  const target = params.target === 'auto' ? cdpTargetFor(method) : params.target;
  const answerS = collecting ? Math.max(ANSWER_DEFAULT_S, collectS) : (params.timeout ?? ANSWER_DEFAULT_S);
  const opts = { timeoutMs: Math.round(answerS * 1000), signal };
  const call = (): Promise<unknown> =>
    target === 'browser'
      ? ctx.session.conn.sendRaw(method, body, { ...opts, timeoutHint: 'Raise --timeout (seconds) on bdg cdp.' })
      : ctx.session.pageSendRaw(method, body, opts);
  try {
    const hint = betterCommand(method, body);
    const extra = { ...(hint !== undefined ? { hint } : {}), ...(warning !== undefined ? { warning } : {}) };
    if (!collecting) return { method, result: await call(), ...extra };
    const { result, collected } = await ctx.session.cdpCapture.collect(call, {
      events,
      until: until[0],
      timeoutMs: Math.round(collectS * 1000),
      out: params.out,
      signal,
    });
    return { method, result, ...collected, ...extra };
  } catch (err) {
    if (!(err instanceof CdpError)) throw err;
    const data: Record<string, unknown> = {
      method,
      cdpError: { code: err.cdpCode, message: err.cdpMessage, ...(err.cdpData !== undefined ? { data: err.cdpData } : {}) },
      ...(warning !== undefined ? { warning } : {}),
    };
    throw new BdgError(
      'UNEXPECTED_ERROR',
      `${method} failed: ${err.cdpMessage}${err.cdpData !== undefined ? ` (${err.cdpData})` : ''} [CDP error ${err.cdpCode}]`,
      cdpErrorHint(method, err.cdpCode, warning !== undefined),
      data,
    );
  }
}

function events(ctx: HandlerContext, params: ParamsOf<'cdp.events'>): ResultOf<'cdp.events'> {
  const log = ctx.session.cdpEvents;
  const result = log.query({ filter: params.event, after: params.after, last: params.last });
  return { filter: params.event, ...result, buffer: log.stats() };
}

async function listen(ctx: HandlerContext, params: ParamsOf<'cdp.listen'>): Promise<ResultOf<'cdp.listen'>> {
  const { events: names } = (await schema()).resolveEventNames(params.events);
  return ctx.session.cdpCapture.listen(names);
}

async function read(ctx: HandlerContext, params: ParamsOf<'cdp.read'>, signal: AbortSignal): Promise<ResultOf<'cdp.read'>> {
  if (params.clear && params.out !== undefined)
    throw new BdgError('INVALID_ARGUMENTS', '--clear and --out cannot be combined', '--clear discards the events, --out writes them.');
  const names = params.events !== undefined && params.events !== '' ? (await schema()).resolveEventNames(params.events).events : undefined;
  return ctx.session.cdpCapture.read(
    {
      ...(names !== undefined ? { events: names } : {}),
      ...(params.wait !== undefined ? { waitMs: Math.round(params.wait * 1000) } : {}),
      clear: params.clear,
      ...(params.out !== undefined ? { out: params.out } : {}),
    },
    signal,
  );
}

export const CDP_HANDLERS: HandlerTable<FamilyCommands<'cdp'>> = {
  'cdp.send': send,
  'cdp.events': events,
  'cdp.listen': listen,
  'cdp.read': read,
  'cdp.unlisten': (ctx) => ctx.session.cdpCapture.unlisten(),
};
