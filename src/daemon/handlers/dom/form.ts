import { objectGroup } from '../../dom/objectGroup.js';
import type { ParamsOf, ResultOf } from '../../../protocol/commands.js';
import type { FormField, FormRecord } from '../../../protocol/commands/domInspect.js';
import type { HandlerContext } from '../../context.js';
import { documentObject, label, mainLoaderId, pageException, readOnly, refFor, resolveTarget } from '../../dom/driver.js';
import { FORM_COLLECT_FN, FORM_DESCRIBE_FN, FORM_FLAT_FN } from '../../dom/inspectScripts.js';

type Described = Omit<FormRecord, 'summary' | 'commands'> & { buttonCount: number; controlCount: number };

/** A value a `dom fill` line can run with as printed: a sample of the field's type, or the label as a placeholder. */
function sampleValue(f: FormField): string {
  switch (f.type) {
    case 'checkbox':
    case 'radio':
      return 'true';
    case 'email':
      return 'user@example.com';
    case 'tel':
      return '+15550100';
    case 'number':
    case 'range':
      return '1';
    case 'url':
      return 'https://example.com';
    case 'date':
      return '2026-01-31';
    default:
      return `<${(f.label !== '' ? f.label : f.type).replace(/[^\w @.-]/g, '').slice(0, 30)}>`;
  }
}

function shellQuote(s: string): string {
  return /^[\w@.+:/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `dom form`: the forms on the page (shadow roots too), their fields and buttons, and the commands that fill them. */
export async function form(ctx: HandlerContext, params: ParamsOf<'dom.form'>, signal: AbortSignal): Promise<ResultOf<'dom.form'>> {
  const session = ctx.session;
  return readOnly(session, async () => {
    const opts = { signal, timeoutMs: 15_000 };
    const target = params.target !== undefined ? await resolveTarget(session, params.target, { signal }) : undefined;
    // bdg's isolated world, where the target was resolved too (one world for both, and the page's built-ins unused).
    const docId = await documentObject(session, signal);
    const call = async (
      objectId: string,
      fn: string,
      args: Array<{ value?: unknown; objectId?: string }>,
      byValue: boolean,
    ): Promise<{ value: unknown; objectId?: string }> => {
      const r = await session.pageSend(
        'Runtime.callFunctionOn',
        { objectId, functionDeclaration: fn, arguments: args, returnByValue: byValue, objectGroup: objectGroup() },
        opts,
      );
      if (r.exceptionDetails !== undefined) throw pageException(r.exceptionDetails, 'Reading the forms failed');
      return r.result.objectId !== undefined ? { value: r.result.value, objectId: r.result.objectId } : { value: r.result.value };
    };
    const groups = await call(docId, FORM_COLLECT_FN, [target !== undefined ? { objectId: target.objectId } : { value: null }, { value: params.all }], false);
    const groupsId = groups.objectId as string;
    const described = (await call(groupsId, FORM_DESCRIBE_FN, [{ value: params.limit }], true)).value as Described[];
    const allForms = (
      await call(
        docId,
        `function () { let n = 0; const walk = (r) => { n += r.querySelectorAll('form').length; for (const el of r.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot); }; walk(this); return n; }`,
        [],
        true,
      )
    ).value as number;
    // Refs for every listed control and button, in the order the page side listed them.
    const flat = await call(groupsId, FORM_FLAT_FN, [], false);
    const props = await session.pageSend('Runtime.getProperties', { objectId: flat.objectId as string, ownProperties: true }, opts);
    const loaderId = await mainLoaderId(session, signal);
    const refAt = async (i: number, what: string): Promise<string | undefined> => {
      const objectId = props.result.find((p) => p.name === String(i))?.value?.objectId;
      if (objectId === undefined) return undefined;
      const { node } = await session.pageSend('DOM.describeNode', { objectId }, opts);
      return refFor(session, loaderId, node.backendNodeId, what);
    };
    let flatIndex = 0;
    const forms: FormRecord[] = [];
    for (const g of described) {
      const { buttonCount, controlCount, ...rest } = g;
      // The flat list has every control (not only the listed ones) before the buttons.
      for (const f of rest.fields) {
        const r = await refAt(flatIndex + f.index, label({ tag: f.tag, classes: [] }));
        if (r !== undefined) f.ref = r;
      }
      for (const [i, b] of rest.buttons.entries()) {
        const r = await refAt(flatIndex + controlCount + i, `button "${b.label}"`);
        if (r !== undefined) b.ref = r;
      }
      flatIndex += controlCount + buttonCount;
      const fields = rest.fields;
      const filled = fields.filter((f) => (f.checked !== undefined ? f.checked : f.value !== '')).length;
      const requiredRemaining = fields.filter((f) => f.required && (f.checked !== undefined ? !f.checked : f.value === '')).length;
      const invalid = fields.filter((f) => !f.valid).length;
      const commands: string[] = [];
      for (const f of fields) {
        if (f.ref === undefined || f.disabled === true) continue;
        const note = `${f.label !== '' ? f.label : f.type}${f.required ? ' (required)' : ''}`;
        commands.push(`bdg dom fill ${f.ref} ${shellQuote(sampleValue(f))}  # ${note.replace(/\n/g, ' ')}`);
      }
      const submit = rest.buttons.find((b) => b.type === 'submit' && b.disabled !== true) ?? rest.buttons.find((b) => b.disabled !== true);
      if (submit?.ref !== undefined) commands.push(`bdg dom click ${submit.ref}  # ${submit.label !== '' ? submit.label : 'submit'}`);
      forms.push({
        ...rest,
        summary: { totalFields: controlCount, filledFields: filled, requiredRemaining, invalid, readyToSubmit: requiredRemaining === 0 && invalid === 0 },
        commands,
      });
    }
    return { formCount: allForms, forms, otherForms: Math.max(0, allForms - forms.filter((f) => f.method !== undefined).length) };
  });
}
