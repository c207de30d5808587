import { isAbsolute } from 'node:path';
import { cutText } from '../../util/bounded.js';
import type { ParamsOf, ResultOf } from '../../protocol/commands.js';
import type { StorageItem } from '../../protocol/commands/storage.js';
import { BdgError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fsx.js';
import type { FamilyCommands, HandlerContext, HandlerTable } from '../context.js';
import { applyState, collectState, countState, noFrameError, originOf, pageOrigins, readStateFile, storageId, storageItems } from '../storageState.js';

/** Longest value `storage local|session` prints without --full. */
const VALUE_CUT = 200;

function item(key: string, value: string, full: boolean): StorageItem {
  if (full || value.length <= VALUE_CUT) return { key, value, length: value.length };
  return { key, value: cutText(value, VALUE_CUT), length: value.length, truncated: true };
}

/** The origin a storage command works on: --origin (normalised to an origin), else the page's. */
function targetOrigin(ctx: HandlerContext, origin: string | undefined): string {
  const o = originOf(origin ?? ctx.session.page.url);
  if (o === undefined)
    throw new BdgError(
      'INVALID_ARGUMENTS',
      origin !== undefined ? `"${origin}" is not an origin` : `The page (${ctx.session.page.url}) has no origin with storage`,
      origin !== undefined ? 'Give scheme://host[:port], e.g. http://127.0.0.1:8080.' : 'Open an http(s) page first (bdg page navigate URL), or pass --origin.',
    );
  return o;
}

/** A storage command; an origin the page has no frame of is NOT_FOUND, saying so. */
async function storage(
  ctx: HandlerContext,
  which: 'local' | 'session',
  params: ParamsOf<'storage.local' | 'storage.session'>,
  signal: AbortSignal,
): Promise<ResultOf<'storage.local'>> {
  return storageOp(ctx, which, params, signal).catch((err: unknown) => {
    throw noFrameError(err, params.origin ?? ctx.session.page.url);
  });
}

async function storageOp(
  ctx: HandlerContext,
  which: 'local' | 'session',
  params: ParamsOf<'storage.local' | 'storage.session'>,
  signal: AbortSignal,
): Promise<ResultOf<'storage.local'>> {
  const s = ctx.session;
  const origin = targetOrigin(ctx, params.origin);
  const local = which === 'local';
  const id = storageId(origin, local);
  const opts = { timeoutMs: 10_000, signal };
  const action = params.op ?? (params.key !== undefined ? 'get' : 'list');
  const needKey = (): string => {
    if (params.key === undefined)
      throw new BdgError('INVALID_ARGUMENTS', `storage ${which} ${action} needs a KEY`, `Example: bdg storage ${which} ${action} token`);
    return params.key;
  };
  const base = { storage: which, origin } as const;
  switch (action) {
    case 'list': {
      const entries = await storageItems(s, origin, local, signal);
      const shown = entries.slice(0, params.limit).map(([k, v]) => item(k, v, params.full));
      return { ...base, action: 'list', items: shown, count: entries.length, omitted: entries.length - shown.length };
    }
    case 'get': {
      const key = needKey();
      const entries = await storageItems(s, origin, local, signal);
      const hit = entries.find(([k]) => k === key);
      return { ...base, action: 'get', key, found: hit !== undefined, items: hit !== undefined ? [item(hit[0], hit[1], params.full)] : [] };
    }
    case 'set': {
      const key = needKey();
      if (params.value === undefined)
        throw new BdgError('INVALID_ARGUMENTS', `storage ${which} set needs KEY and VALUE`, `Example: bdg storage ${which} set theme dark`);
      await s.pageSend('DOMStorage.setDOMStorageItem', { storageId: id, key, value: params.value }, opts);
      return { ...base, action: 'set', key };
    }
    case 'remove': {
      const key = needKey();
      const found = (await storageItems(s, origin, local, signal)).some(([k]) => k === key);
      await s.pageSend('DOMStorage.removeDOMStorageItem', { storageId: id, key }, opts);
      return { ...base, action: 'remove', key, found };
    }
    case 'clear': {
      const removed = (await storageItems(s, origin, local, signal)).length;
      await s.pageSend('DOMStorage.clear', { storageId: id }, opts);
      return { ...base, action: 'clear', removed };
    }
    default:
      throw new BdgError('INVALID_ARGUMENTS', `Unknown storage action "${String(action)}"`, 'Actions: get, set, remove, clear (none lists).');
  }
}

function absolute(file: string): string {
  if (!isAbsolute(file))
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `The state file must be an absolute path (got "${file}")`,
      'The bdg CLI resolves it against the current directory.',
    );
  return file;
}

async function stateSave(ctx: HandlerContext, params: ParamsOf<'state.save'>, signal: AbortSignal): Promise<ResultOf<'state.save'>> {
  const file = absolute(params.file);
  const asked = params.origin
    ?.flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter((o) => o !== '');
  const origins = asked !== undefined && asked.length > 0 ? asked.map((o) => targetOrigin(ctx, o)) : await pageOrigins(ctx.session, signal);
  const state = await collectState(ctx.session, origins, signal);
  const text = `${JSON.stringify(state, null, 2)}\n`;
  // It holds session cookies and tokens: only the user may read it (writeFileAtomic's 0600).
  await writeFileAtomic(file, text, 0o600);
  return { file, bytes: Buffer.byteLength(text), ...countState(state) };
}

async function stateLoad(ctx: HandlerContext, params: ParamsOf<'state.load'>, signal: AbortSignal): Promise<ResultOf<'state.load'>> {
  const file = absolute(params.file);
  const state = await readStateFile(file);
  return { file, ...(await applyState(ctx.session, state, signal)) };
}

export const STORAGE_HANDLERS: HandlerTable<FamilyCommands<'storage'> | FamilyCommands<'state'>> = {
  'storage.local': (ctx, params, signal) => storage(ctx, 'local', params, signal),
  'storage.session': (ctx, params, signal) => storage(ctx, 'session', params, signal),
  'state.save': stateSave,
  'state.load': stateLoad,
};
