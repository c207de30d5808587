/**
 * Checks `bdg cdp --params` against the protocol schema before anything is sent: missing required params, unknown
 * names (with suggestions), wrong JSON types, values outside an enum, into nested objects and arrays. Bounded:
 * at most ten problems, at most 32 levels deep.
 */
import type { MemberEntry, PropertyJson, TypeEntry, ValueSpec } from './cdpSchemaTypes.js';
import { editDistance } from './validate.js';

const MAX_PROBLEMS = 10;
const MAX_DEPTH = 32;

/** How the checker reaches the schema: `$ref` lookup and the type name used in messages. */
export interface SchemaLookups {
  type(ref: string, domain: string): TypeEntry | undefined;
  typeName(spec: ValueSpec, domain: string): string;
}

/** Problems with `params` for a method: missing required ones, unknown names, wrong JSON types, values outside an enum. */
export function checkCdpParams(member: MemberEntry, params: Record<string, unknown>, lookups: SchemaLookups): string[] {
  const problems: string[] = [];
  new ParamsChecker(lookups, problems).checkObject(member.def.parameters ?? [], params, '', member.domain, 0);
  return problems;
}

class ParamsChecker {
  readonly #lookups: SchemaLookups;
  readonly #problems: string[];

  constructor(lookups: SchemaLookups, problems: string[]) {
    this.#lookups = lookups;
    this.#problems = problems;
  }

  checkObject(props: readonly PropertyJson[], value: Record<string, unknown>, path: string, domain: string, depth: number): void {
    const known = new Map(props.map((p) => [p.name, p]));
    for (const p of props) {
      if (p.optional !== true && value[p.name] === undefined) this.problem(`missing required ${path}${p.name} (${this.#lookups.typeName(p, domain)})`);
    }
    for (const [key, v] of Object.entries(value)) {
      const p = known.get(key);
      if (p === undefined) {
        const close = props.map((q) => q.name).filter((n) => editDistance(n.toLowerCase(), key.toLowerCase()) <= Math.max(2, Math.floor(n.length / 4)));
        const expected =
          close.length > 0
            ? `did you mean ${close.slice(0, 3).join(', ')}?`
            : props.length > 0
              ? `expected: ${props.map((q) => q.name).join(', ')}`
              : 'it takes none';
        this.problem(`unknown ${path === '' ? 'parameter' : 'property'} ${path}${key} (${expected})`);
        continue;
      }
      if (v === undefined) continue;
      this.checkValue(p, v, `${path}${key}`, domain, depth + 1);
    }
  }

  checkValue(spec: ValueSpec, value: unknown, path: string, domain: string, depth: number): void {
    if (depth > MAX_DEPTH || this.#problems.length >= MAX_PROBLEMS) return;
    if (spec.$ref !== undefined) {
      const t = this.#lookups.type(spec.$ref, domain);
      if (t !== undefined) this.checkValue(t.def, value, path, t.domain, depth + 1);
      return;
    }
    const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    const wrong = (): void =>
      this.problem(
        `${path} must be ${spec.type === 'integer' ? 'an integer' : `${/^[aeiou]/.test(spec.type ?? '') ? 'an' : 'a'} ${spec.type ?? 'value'}`} (got ${got === 'number' && spec.type === 'integer' ? String(value) : got})`,
      );
    switch (spec.type) {
      case 'string':
        if (typeof value !== 'string') return wrong();
        if (spec.enum !== undefined && !spec.enum.includes(value))
          this.problem(`${path} must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')} (got ${JSON.stringify(value)})`);
        return;
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value)) wrong();
        return;
      case 'number':
        if (typeof value !== 'number') wrong();
        return;
      case 'boolean':
        if (typeof value !== 'boolean') wrong();
        return;
      case 'array':
        if (!Array.isArray(value)) return wrong();
        if (spec.items !== undefined) value.forEach((item, i) => this.checkValue(spec.items as ValueSpec, item, `${path}[${i}]`, domain, depth + 1));
        return;
      case 'object':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong();
        if (spec.properties !== undefined) this.checkObject(spec.properties, value as Record<string, unknown>, `${path}.`, domain, depth + 1);
        return;
      default:
        return; // `any`
    }
  }

  problem(text: string): void {
    if (this.#problems.length < MAX_PROBLEMS) this.#problems.push(text);
  }
}
