import { objectGroup } from '../../dom/objectGroup.js';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import { BdgError } from '../../../util/errors.js';
import type { HandlerContext } from '../../context.js';
import { callOn, readOnly } from '../../dom/driver.js';
import { AUDIT_FN } from '../../dom/inspectScripts.js';

/** `dom audit [contrast|overflow]`: one page-side walk of the rendered elements (bounded), findings per check. */
export async function audit(ctx: HandlerContext, params: ParamsOf<'dom.audit'>, signal: AbortSignal): Promise<ResultOf<'dom.audit'>> {
  const session = ctx.session;
  const checks = params.check !== undefined ? [params.check] : ['contrast', 'overflow'];
  return readOnly(session, async () => {
    const doc = await session.pageSend('Runtime.evaluate', { expression: 'document', objectGroup: objectGroup() }, { signal, timeoutMs: 10_000 });
    if (doc.result.objectId === undefined) throw new BdgError('UNEXPECTED_ERROR', 'The page has no document');
    const r = await callOn<Omit<ResultOf<'dom.audit'>, 'checks'>>(session, doc.result.objectId, AUDIT_FN, [checks, params.level, params.limit], {
      signal,
      timeoutMs: 50_000,
    });
    return { checks, ...r };
  });
}
