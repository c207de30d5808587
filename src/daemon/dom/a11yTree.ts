/**
 * The accessibility tree as `dom a11y` prints it: Chrome's full AX tree (Accessibility.getFullAXTree) compacted
 * so an agent reads the page's structure, not its wrappers. Pure functions of the CDP nodes; refs are added by the
 * caller's `describe`.
 */
import type { A11yNode } from '../../protocol/results.js';

interface AxValue {
  value?: unknown;
}

/** The part of a CDP AXNode this module reads. */
export interface AxNode {
  nodeId: string;
  ignored: boolean;
  role?: AxValue;
  name?: AxValue;
  value?: AxValue;
  properties?: Array<{ name: string; value: AxValue }>;
  childIds?: string[];
  parentId?: string;
  backendDOMNodeId?: number;
}

const BORING = new Set(['generic', 'none', 'presentation', 'LineBreak', 'InlineTextBox', 'RootWebArea', 'WebArea']);
const STATE_PROPS = [
  'focused',
  'disabled',
  'checked',
  'pressed',
  'expanded',
  'selected',
  'required',
  'invalid',
  'readonly',
  'multiselectable',
  'modal',
  'busy',
];

/** An AX value as text: Chrome sends strings, numbers and booleans here. */
function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

export function roleOf(n: AxNode): string {
  return text(n.role?.value);
}

export function nameOf(n: AxNode): string {
  return text(n.name?.value);
}

/** The states worth printing: `focused`, `level=2`, `not checked`, `checked=mixed`. */
export function states(n: AxNode): string[] {
  const out: string[] = [];
  for (const p of n.properties ?? []) {
    const v = p.value.value;
    if (p.name === 'level') out.push(`level=${text(v)}`);
    else if (STATE_PROPS.includes(p.name)) {
      if (v === true || v === 'true') out.push(p.name);
      else if (v === 'mixed') out.push(`${p.name}=mixed`);
      else if ((p.name === 'checked' || p.name === 'expanded' || p.name === 'pressed') && (v === false || v === 'false')) out.push(`not ${p.name}`);
    }
  }
  return out;
}

/** One node without its children: role, name, value and states. */
export function describeAxNode(n: AxNode): A11yNode {
  const out: A11yNode = { role: roleOf(n), name: nameOf(n) };
  const v = n.value?.value;
  if (v !== undefined && v !== '') out.value = text(v);
  const st = states(n);
  if (st.length > 0) out.states = st;
  return out;
}

/** Whether a node can carry a ref (an element behind it that actions can target). */
export function refable(n: AxNode): boolean {
  const role = roleOf(n);
  return n.backendDOMNodeId !== undefined && role !== 'StaticText' && role !== 'RootWebArea';
}

/**
 * Builds the printed tree. Compact (unless `full`): ignored nodes and nameless generic containers give their
 * children to their parent; inline text boxes go; static text that only repeats its parent's name or value is
 * dropped. At most `limit` nodes are kept (`truncated` says some were not, `omitted` how many).
 */
export function compactA11yTree(
  nodes: readonly AxNode[],
  opts: { full: boolean; limit: number },
  describe: (n: AxNode) => A11yNode = describeAxNode,
): { tree: A11yNode[]; count: number; omitted: number; truncated: boolean } {
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const root = nodes.find((n) => n.parentId === undefined) ?? nodes[0];
  let count = 0;
  let omitted = 0;
  let truncated = false;
  const build = (n: AxNode, parentText: string): A11yNode[] => {
    const kids = (n.childIds ?? []).map((id) => byId.get(id)).filter((c): c is AxNode => c !== undefined);
    const role = roleOf(n);
    const name = nameOf(n);
    const skip =
      !opts.full &&
      (n.ignored ||
        (BORING.has(role) && name === '') ||
        role === 'InlineTextBox' ||
        (role === 'StaticText' && (name.trim() === '' || parentText.includes(`\u0000${name}\u0000`))));
    if (skip) return kids.flatMap((c) => build(c, parentText));
    const ownText = `\u0000${name}\u0000${text(n.value?.value)}\u0000`;
    if (count >= opts.limit) {
      // Past the limit the rest is only counted, so `omitted` says how many nodes a higher limit would add.
      truncated = true;
      omitted++;
      for (const c of kids) build(c, ownText);
      return [];
    }
    count++;
    const node = describe(n);
    const children = kids.flatMap((c) => build(c, ownText));
    if (children.length > 0) node.children = children;
    return [node];
  };
  const tree = root !== undefined ? build(root, '') : [];
  return { tree, count, omitted, truncated };
}

/** `dom a11y query`: nodes whose role is `role` and whose name contains `name` (both case-insensitive). */
/**
 * The original bdg's query pattern: `role=button name=Pay`, `role:link`, `role=button,name=Submit`. A role ends at
 * the next space or comma; a name runs to the next ` role=`/` name=` field or the end, so it may hold spaces.
 */
export function parseA11yPattern(pattern: string): { role?: string; name?: string } {
  const out: { role?: string; name?: string } = {};
  const re = /(?:^|[\s,]+)(role|name)\s*[=:]/gi;
  const marks = [...pattern.matchAll(re)];
  if (marks.length === 0 || pattern.slice(0, marks[0]?.index ?? 0).trim() !== '') {
    throw new Error(`"${pattern}" is not a query pattern: use role=ROLE and/or name=TEXT`);
  }
  marks.forEach((m, i) => {
    const key = (m[1] as string).toLowerCase() as 'role' | 'name';
    const start = (m.index ?? 0) + m[0].length;
    const end = marks[i + 1]?.index ?? pattern.length;
    let value = pattern.slice(start, end).trim();
    if (key === 'role') value = value.split(/[\s,]+/)[0] ?? '';
    const q = /^(["'])([\s\S]*)\1$/.exec(value);
    if (q !== null) value = q[2] as string;
    if (value !== '') out[key] = value;
  });
  return out;
}

export function matchA11y(nodes: readonly AxNode[], role: string | undefined, name: string | undefined): AxNode[] {
  const r = role?.toLowerCase();
  const q = name?.toLowerCase();
  return nodes.filter(
    (n) =>
      !n.ignored &&
      (r === undefined || roleOf(n).toLowerCase() === r) &&
      (q === undefined || nameOf(n).toLowerCase().includes(q)) &&
      roleOf(n) !== 'InlineTextBox',
  );
}
