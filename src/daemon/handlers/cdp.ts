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

function cdpErrorHint(method: string, code: number): string {
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

/**
 * Sends one method: resolved to its canonical name and validated against the schema (unless validate is off),
 * to the page's session or the browser connection. A CDP error answer becomes UNEXPECTED_ERROR keeping Chrome's
 * code, message and data.
 */
async function send(ctx: HandlerContext, params: ParamsOf<'cdp.send'>, signal: AbortSignal): Promise<ResultOf<'cdp.send'>> {
  const { validate, method: asked } = params;
  const cdp = await schema();
  const { method, params: body } = resolveCdpCall(cdp, asked, params.params, validate);
  const target = params.target === 'auto' ? cdpTargetFor(method) : params.target;
  const opts = { timeoutMs: Math.round(params.timeout * 1000), signal };
  try {
    const result =
      target === 'browser'
        ? await ctx.session.conn.sendRaw(method, body, { ...opts, timeoutHint: 'Raise --timeout (seconds) on bdg cdp.' })
        : await ctx.session.pageSendRaw(method, body, opts);
    const hint = betterCommand(method, body);
    return { method, result, ...(hint !== undefined ? { hint } : {}) };
  } catch (err) {
    if (!(err instanceof CdpError)) throw err;
    const data: Record<string, unknown> = {
      method,
      cdpError: { code: err.cdpCode, message: err.cdpMessage, ...(err.cdpData !== undefined ? { data: err.cdpData } : {}) },
    };
    throw new BdgError(
      'UNEXPECTED_ERROR',
      `${method} failed: ${err.cdpMessage}${err.cdpData !== undefined ? ` (${err.cdpData})` : ''} [CDP error ${err.cdpCode}]`,
      cdpErrorHint(method, err.cdpCode),
      data,
    );
  }
}

function events(ctx: HandlerContext, params: ParamsOf<'cdp.events'>): ResultOf<'cdp.events'> {
  const log = ctx.session.cdpEvents;
  const result = log.query({ filter: params.event, after: params.after, last: params.last });
  return { filter: params.event, ...result, buffer: log.stats() };
}

export const CDP_HANDLERS: HandlerTable<FamilyCommands<'cdp'>> = {
  'cdp.send': send,
  'cdp.events': events,
};
