import type { Protocol } from 'devtools-protocol';
import { renderRemoteObject } from '../telemetry/preview.js';

/** The one call expansion makes, to the page holding the object. */
type Send = (method: 'Runtime.getProperties', params: Protocol.Runtime.GetPropertiesRequest) => Promise<Protocol.Runtime.GetPropertiesResponse>;

export interface ExpandLimits {
  /** Object levels expanded below the argument itself. */
  depth: number;
  /** Own properties shown per object; the rest is marked `…`. */
  propsPerObject: number;
  /** Runtime.getProperties calls for one argument, whatever the shape. */
  maxCalls: number;
}

export const EXPAND_LIMITS: ExpandLimits = { depth: 4, propsPerObject: 30, maxCalls: 60 };

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const INDEX = /^(?:0|[1-9]\d*)$/;
/** Subtypes whose description says it all (and whose own properties would mislead). */
const OPAQUE = new Set([
  'null',
  'error',
  'regexp',
  'date',
  'node',
  'promise',
  'map',
  'set',
  'weakmap',
  'weakset',
  'proxy',
  'typedarray',
  'arraybuffer',
  'dataview',
  'iterator',
  'generator',
]);

/**
 * Expands a page object several levels deep with Runtime.getProperties, where Chrome's console preview stops at
 * one (`{a: 1, b: {…}}`): `{a: 1, b: {c: {d: 5}}}`. Bounded by depth, properties per object and calls, so a huge
 * or cyclic object costs at most `maxCalls` round trips.
 */
export async function expandObject(send: Send, obj: Protocol.Runtime.RemoteObject, limits: ExpandLimits = EXPAND_LIMITS): Promise<string> {
  let calls = 0;
  const seen = new Set<string>();
  const render = async (o: Protocol.Runtime.RemoteObject, depth: number): Promise<string> => {
    if (o.type !== 'object' || o.objectId === undefined || (o.subtype !== undefined && OPAQUE.has(o.subtype))) {
      return renderRemoteObject(o, { quoteStrings: true });
    }
    const isArray = o.subtype === 'array';
    if (depth > limits.depth || calls >= limits.maxCalls || seen.has(o.objectId)) {
      return isArray ? (o.description ?? 'Array') : o.className !== undefined && o.className !== 'Object' ? `${o.className} {…}` : '{…}';
    }
    calls++;
    const { result } = await send('Runtime.getProperties', { objectId: o.objectId, ownProperties: true, generatePreview: false });
    seen.add(o.objectId);
    const props = result.filter((p) => p.enumerable && p.isOwn !== false && (!isArray || INDEX.test(p.name)));
    const shown = props.slice(0, limits.propsPerObject);
    const parts: string[] = [];
    for (const p of shown) {
      const value = p.value !== undefined ? await render(p.value, depth + 1) : p.get !== undefined ? '(...)' : 'undefined';
      parts.push(isArray ? value : `${IDENTIFIER.test(p.name) ? p.name : JSON.stringify(p.name)}: ${value}`);
    }
    if (props.length > shown.length) parts.push('…');
    if (isArray) return `[${parts.join(', ')}]`;
    const prefix = o.className !== undefined && o.className !== 'Object' ? `${o.className} ` : '';
    return `${prefix}{${parts.join(', ')}}`;
  };
  return render(obj, 1);
}
