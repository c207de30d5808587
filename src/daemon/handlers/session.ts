import type { Protocol } from 'devtools-protocol';
import type { ConsoleRecord } from '../../protocol/records.js';
import type { ParamsOf, ResultOf } from '../../protocol/commands.js';
import { PROTOCOL_VERSION, VERSION } from '../../protocol/version.js';
import { BdgError } from '../../util/errors.js';
import { downloadsOf } from '../downloads.js';
import type { BrowserSession } from '../session.js';
import type { FamilyCommands, HandlerContext, HandlerTable } from '../context.js';
import { withSourceMaps } from '../sourceMaps.js';
import { expandObject } from '../expand.js';
import { fromIsForTheCli, listItem } from './network.js';
import { traceStatus } from './perf.js';
import { consoleArgs, withConsoleArgs } from '../../telemetry/consoleArgs.js';

function status(ctx: HandlerContext, params: ParamsOf<'status'>): ResultOf<'status'> {
  const s = ctx.session;
  const net = s.network.stats();
  const con = s.console.stats();
  const ws = s.network.webSocketStats();
  const base = {
    running: true as const,
    active: true as const,
    pageState: s.page,
    chromePid: s.chromePid ?? null,
    port: s.port ?? null,
    starting: ctx.starting(),
    pid: process.pid,
    version: VERSION,
    protocol: PROTOCOL_VERSION,
    sessionDir: ctx.sessionDir,
    startedAt: new Date(ctx.startedAt).toISOString(),
    uptimeMs: Date.now() - ctx.startedAt,
    page: s.page,
    pageCrashed: s.pageCrashed,
    ...downloadCount(s),
    chrome: { pid: s.chromePid ?? null, port: s.port ?? null, attached: s.attached, headless: s.headless, connected: s.connected },
    autoStopInSec: ctx.timeoutSec !== undefined ? Math.max(0, Math.round(ctx.timeoutSec - (Date.now() - ctx.startedAt) / 1000)) : null,
    session: ctx.sessionName ?? null,
    ...(s.grid !== undefined ? { grid: s.grid } : {}),
    ...(s.remote !== undefined ? { remote: s.remote } : {}),
    sharedBrowser: s.shared ?? null,
    idle: ctx.lifetime?.idle() ?? { timeoutSec: null, off: 'disabled' as const, idleSec: 0, stopsInSec: null },
    owner: ctx.lifetime?.owner() ?? null,
    network: {
      count: net.count,
      pending: s.network.pending(),
      dropped: net.dropped,
      webSockets: { count: ws.count, open: ws.open, frames: ws.frames.count, framesDropped: ws.frames.dropped },
    },
    console: { count: con.count, dropped: con.dropped, errors: s.console.all().filter((c) => c.level === 'error').length },
    issues: { count: s.issues.of(s.console.navigation).length, dropped: s.issues.droppedOf() },
    navigations: s.navigations.length + s.navigationsDropped,
    throttle: s.throttle.state,
    interception: s.interception.summary(),
    journal: (({ file, records, bytes, dropped, writeErrors, frames, framesDropped }) => ({
      file,
      records,
      bytes,
      dropped,
      writeErrors,
      frames,
      framesDropped,
    }))(s.journal.stats()),
    trace: traceStatus(s),
    emulation: s.emulation.state,
  };
  if (!params.verbose) return base;
  return {
    ...base,
    chrome: {
      ...base.chrome,
      wsEndpoint: s.wsEndpoint ?? null,
      version: s.browserVersion ?? null,
      userDataDir: s.shared !== undefined ? `${s.shared.dir}/chrome-profile` : (s.config.userDataDir ?? `${ctx.sessionDir}/chrome-profile`),
    },
    buffers: { network: net, console: con, cdpEvents: s.cdpEvents.stats(), webSocketFrames: ws.frames, bodies: s.network.bodies.stats() },
    memory: process.memoryUsage(),
    ipc: ctx.ipcStats(),
    socket: ctx.socketPath,
    navigationHistory: s.navigations,
  };
}

async function peek(
  ctx: HandlerContext,
  params: Pick<ParamsOf<'peek'>, 'last' | 'network' | 'console'> & { verbose?: boolean },
  signal?: AbortSignal,
): Promise<ResultOf<'peek'>> {
  const { network: onlyNetwork, console: onlyConsole } = params;
  // --last 0 is "all" (what the buffers hold), as in the original bdg.
  const last = params.last === 0 ? Number.MAX_SAFE_INTEGER : params.last;
  const wantNetwork = onlyNetwork || !onlyConsole;
  const wantConsole = onlyConsole || !onlyNetwork;
  const s = ctx.session;
  const pageIssues = s.issues.of(s.console.navigation);
  return {
    page: s.page,
    network: wantNetwork ? s.network.last(last).map(listItem) : undefined,
    console: wantConsole ? await withSourceMaps(s, s.console.last(last), signal) : undefined,
    issues: wantConsole ? pageIssues.slice(-last) : undefined,
    totals: { issues: pageIssues.length },
    stats: { network: { ...s.network.stats(), pending: s.network.pending() }, console: s.console.stats() },
  };
}

async function details(ctx: HandlerContext, params: ParamsOf<'details'>, signal: AbortSignal): Promise<ResultOf<'details'>> {
  const { id } = params;
  if (params.from !== undefined) throw fromIsForTheCli();
  if (params.type === 'network') {
    const record = ctx.session.network.find(id);
    if (record === undefined)
      throw new BdgError(
        'NOT_FOUND',
        `No network request with id "${id}"`,
        'Use an id that `bdg peek --network` prints (e.g. n3); old items may have been dropped from the buffer.',
      );
    const body = await ctx.session.fetchBody(record, signal);
    await ctx.session.fetchPostData(record, signal);
    if (body === undefined || record.body !== undefined) return { type: 'network', item: record };
    // Fetched, but the body budget keeps newer requests' bodies only: shown this once, not kept.
    const { bodyUnavailable: _dropped, ...rest } = record;
    return { type: 'network', item: { ...rest, body } };
  }
  const record: ConsoleRecord | undefined = ctx.session.console.get(id);
  if (record === undefined)
    throw new BdgError(
      'NOT_FOUND',
      `No console message with id "${id}"`,
      'Use an id that `bdg peek --console` prints (e.g. c3); old items may have been dropped from the buffer.',
    );
  const [expanded, [mapped = record]] = await Promise.all([expandArguments(ctx, record, signal), withSourceMaps(ctx.session, [record], signal)]);
  const item = withConsoleArgs(mapped);
  return expanded !== undefined ? { type: 'console', item, expanded } : { type: 'console', item };
}

/**
 * Object arguments expanded several levels deep, while the page still holds them (until it navigates away); the
 * listings keep Chrome's one-level preview, which costs no round trip.
 */
async function expandArguments(ctx: HandlerContext, record: ConsoleRecord, signal: AbortSignal): Promise<string[] | undefined> {
  const handles = ctx.session.console.handlesOf(record);
  // A crashed renderer answers nothing (the calls would only time out); the preview is what we have.
  if (handles === undefined || !ctx.session.connected || ctx.session.health.down !== undefined) return undefined;
  const send = (method: 'Runtime.getProperties', params: Protocol.Runtime.GetPropertiesRequest): Promise<Protocol.Runtime.GetPropertiesResponse> =>
    ctx.session.pageSend(method, params, { timeoutMs: 2_000, signal });
  try {
    return await Promise.all(handles.map((handle, i) => (handle === undefined ? Promise.resolve(consoleArgs(record)?.[i] ?? '') : expandObject(send, handle))));
  } catch {
    return undefined; // the page navigated or the objects were released: the preview is what we have
  }
}

export const SESSION_HANDLERS: HandlerTable<FamilyCommands<'status' | 'peek' | 'tail' | 'details' | 'stop'>> = {
  status,
  peek,
  // tail is peek on a timer in the CLI; the daemon answers it as a peek.
  tail: peek,
  details,
  stop: (ctx, params) => ctx.stop(params.killChrome),
};

/** `status`: downloads saved in this session (under downloads/), when the tracker runs. */
function downloadCount(s: BrowserSession): { downloads?: { total: number; completed: number; dir: string } } {
  const d = downloadsOf(s);
  return d !== undefined ? { downloads: { total: d.total, completed: d.completed, dir: d.dir } } : {};
}
