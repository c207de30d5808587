/**
 * The main-world execution context of each frame of the page session, from Runtime's context events, so that
 * `dom eval --frame` can run in an in-process iframe's own world (its window, document and globals).
 */
import type { Protocol } from 'devtools-protocol';

/** Contexts kept per page session; a page with more frames than this keeps the newest. */
const MAX_CONTEXTS = 2_000;

interface FrameContext {
  id: number;
  uniqueId: string;
  origin: string;
}

export class FrameContexts {
  readonly #bySession = new Map<string, Map<string, FrameContext>>();

  /** The frame's main-world context in that session, if it has one now. */
  get(sessionId: string | undefined, frameId: string): FrameContext | undefined {
    if (sessionId === undefined) return undefined;
    return this.#bySession.get(sessionId)?.get(frameId);
  }

  handleEvent(method: string, params: unknown, sessionId: string | undefined): void {
    if (sessionId === undefined) {
      if (method === 'Target.detachedFromTarget') this.#bySession.delete((params as Protocol.Target.DetachedFromTargetEvent).sessionId);
      return;
    }
    switch (method) {
      case 'Runtime.executionContextCreated': {
        const { context } = params as Protocol.Runtime.ExecutionContextCreatedEvent;
        const aux = context.auxData as { frameId?: string; isDefault?: boolean } | undefined;
        if (aux?.frameId === undefined || aux.isDefault !== true) return;
        let m = this.#bySession.get(sessionId);
        if (m === undefined) {
          m = new Map();
          this.#bySession.set(sessionId, m);
        }
        m.delete(aux.frameId);
        m.set(aux.frameId, { id: context.id, uniqueId: context.uniqueId, origin: context.origin });
        if (m.size > MAX_CONTEXTS) m.delete(m.keys().next().value as string);
        break;
      }
      case 'Runtime.executionContextDestroyed': {
        const e = params as Protocol.Runtime.ExecutionContextDestroyedEvent;
        const m = this.#bySession.get(sessionId);
        if (m === undefined) return;
        for (const [frameId, c] of m) if (c.id === e.executionContextId || c.uniqueId === e.executionContextUniqueId) m.delete(frameId);
        break;
      }
      case 'Runtime.executionContextsCleared':
        this.#bySession.get(sessionId)?.clear();
        break;
      default:
        break;
    }
  }
}
