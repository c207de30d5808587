/**
 * The page's iframes: in-process ones from the page session's frame tree, out-of-process ones (site isolation: a
 * cross-site iframe runs in its own renderer) from the browser's iframe targets. `--frame` picks one and gives back
 * where to run script in it: the page session with the frame's main-world context, or a session attached to the
 * iframe's own target.
 */
import type { Protocol } from 'devtools-protocol';
import type { CdpMethod, CdpParams, CdpResult, SessionCallOptions } from '../../cdp/connection.js';
import type { FrameRecord } from '../../protocol/commands/domInspect.js';
import { BdgError } from '../../util/errors.js';
import type { BrowserSession } from '../session.js';

const CALL = { timeoutMs: 10_000 };

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'null';
  }
}

/** Every frame under the main frame, depth-first, out-of-process ones where their parent is. */
export async function listFrames(session: BrowserSession, signal?: AbortSignal): Promise<FrameRecord[]> {
  const opts = { ...CALL, ...(signal !== undefined ? { signal } : {}) };
  const { frameTree } = await session.pageSend('Page.getFrameTree', {}, opts);
  const { targetInfos } = await session.conn.send('Target.getTargets', {}, opts);
  const oopifs = targetInfos.filter((t) => t.type === 'iframe');
  const oopifIds = new Set(oopifs.map((t) => t.targetId));
  const mainOrigin = frameTree.frame.securityOrigin;
  const out: FrameRecord[] = [];
  const seen = new Set<string>([frameTree.frame.id]);
  const add = (rec: Omit<FrameRecord, 'index'>): number => {
    const index = out.length;
    out.push({ index, ...rec });
    seen.add(rec.frameId);
    return index;
  };
  const children = (parentId: string, parentIndex: number | undefined, nodes: readonly Protocol.Page.FrameTree[] | undefined): void => {
    for (const node of nodes ?? []) {
      const f = node.frame;
      const oop = oopifIds.has(f.id);
      const target = oop ? oopifs.find((t) => t.targetId === f.id) : undefined;
      const url = (target?.url !== undefined && target.url !== '' ? target.url : f.url + (f.urlFragment ?? '')) || 'about:blank';
      const origin = oop ? originOf(url) : f.securityOrigin;
      const rec: Omit<FrameRecord, 'index'> = { frameId: f.id, url, origin, crossOrigin: origin !== mainOrigin, outOfProcess: oop };
      if (f.name !== undefined && f.name !== '') rec.name = f.name;
      if (parentIndex !== undefined) rec.parentIndex = parentIndex;
      const index = add(rec);
      children(f.id, index, node.childFrames);
      oopChildren(f.id, index);
    }
    oopChildren(parentId, parentIndex);
  };
  // Out-of-process frames the page's own frame tree does not show, under the frame that holds them.
  const oopChildren = (parentId: string, parentIndex: number | undefined): void => {
    for (const t of oopifs) {
      if (seen.has(t.targetId) || t.parentFrameId !== parentId) continue;
      const origin = originOf(t.url);
      const rec: Omit<FrameRecord, 'index'> = {
        frameId: t.targetId,
        url: t.url || 'about:blank',
        origin,
        crossOrigin: origin !== mainOrigin,
        outOfProcess: true,
      };
      if (parentIndex !== undefined) rec.parentIndex = parentIndex;
      const index = add(rec);
      oopChildren(t.targetId, index);
    }
  };
  children(frameTree.frame.id, undefined, frameTree.childFrames);
  // The id attribute of each <iframe> (its owner element lives in the main page's renderer for top-level frames).
  await Promise.all(
    out.map(async (f) => {
      try {
        const { backendNodeId } = await session.pageSend('DOM.getFrameOwner', { frameId: f.frameId }, opts);
        const { node } = await session.pageSend('DOM.describeNode', { backendNodeId }, opts);
        const attrs = node.attributes ?? [];
        for (let i = 0; i + 1 < attrs.length; i += 2) {
          if (attrs[i] === 'id' && attrs[i + 1] !== '') f.id = attrs[i + 1] as string;
          if (attrs[i] === 'name' && attrs[i + 1] !== '' && f.name === undefined) f.name = attrs[i + 1] as string;
        }
      } catch {
        /* a frame nested in an out-of-process frame: its owner is in another renderer */
      }
    }),
  );
  return out;
}

function listing(frames: readonly FrameRecord[]): string {
  return frames
    .slice(0, 10)
    .map((f) => `[${f.index}] ${f.url}${f.name !== undefined ? ` name=${f.name}` : ''}${f.id !== undefined ? ` #${f.id}` : ''}`)
    .join('; ');
}

/** `--frame`: an index from `dom frames`, the iframe's name or id (exact), or part of its URL (case-insensitive). */
export function pickFrame(frames: readonly FrameRecord[], wanted: string): FrameRecord {
  const w = wanted.trim();
  if (frames.length === 0) throw new BdgError('NOT_FOUND', `No frame matches "${w}": the page has no iframes`, 'List them with `bdg dom frames`.');
  if (/^\d+$/.test(w)) {
    const f = frames[Number(w)];
    if (f === undefined) throw new BdgError('NOT_FOUND', `No frame with index ${w}; frames: ${listing(frames)}`, 'List them with `bdg dom frames`.');
    return f;
  }
  const exact = frames.filter((f) => f.name === w || f.id === w || f.frameId === w);
  const found = exact.length > 0 ? exact : frames.filter((f) => f.url.toLowerCase().includes(w.toLowerCase()));
  if (found.length === 1) return found[0] as FrameRecord;
  if (found.length === 0)
    throw new BdgError(
      'NOT_FOUND',
      `No frame matches "${w}"; frames: ${listing(frames)}`,
      'Pick one by index, name, id or part of its URL (`bdg dom frames`).',
    );
  throw new BdgError('INVALID_ARGUMENTS', `${found.length} frames match "${w}": ${listing(found)}`, 'Pick one by its index from `bdg dom frames`.');
}

/** Where script for one frame runs. */
export interface FrameScope {
  frame: FrameRecord;
  send: <M extends CdpMethod>(method: M, params?: CdpParams<M>, opts?: SessionCallOptions) => Promise<CdpResult<M>>;
  /** Runtime.evaluate's contextId for an in-process frame; absent in an iframe target's own session. */
  contextId?: number;
  /** An in-process frame: its nodes belong to the page session (refs work). */
  inProcess: boolean;
  release: () => Promise<void>;
}

/** Resolves `--frame` and opens a scope in it (attaching to an out-of-process frame's target). */
export async function openFrame(session: BrowserSession, wanted: string, signal?: AbortSignal): Promise<FrameScope> {
  const frame = pickFrame(await listFrames(session, signal), wanted);
  const conn = session.conn;
  if (frame.outOfProcess) {
    let sessionId: string;
    try {
      ({ sessionId } = await conn.send('Target.attachToTarget', { targetId: frame.frameId, flatten: true }, CALL));
    } catch (err) {
      throw new BdgError(
        'NOT_FOUND',
        `The frame ${frame.url} is gone: ${err instanceof Error ? err.message : String(err)}`,
        'List the frames again with `bdg dom frames`.',
      );
    }
    return {
      frame,
      inProcess: false,
      send: (method, params, opts = {}) => conn.send(method, params, { ...opts, sessionId }),
      release: async () => {
        await conn.send('Target.detachFromTarget', { sessionId }, { timeoutMs: 5_000 }).catch(() => undefined);
      },
    };
  }
  const ctx = session.frameContexts.get(session.pageSessionId, frame.frameId);
  if (ctx === undefined)
    throw new BdgError('NOT_FOUND', `The frame ${frame.url} has no script context yet`, 'Wait for it to load (`bdg dom wait`), then try again.');
  const contextId = ctx.id;
  return {
    frame,
    inProcess: true,
    contextId,
    send: (method, params, opts = {}) => session.pageSend(method, params, opts),
    release: () => Promise.resolve(),
  };
}
