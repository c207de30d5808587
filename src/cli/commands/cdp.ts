import { loadCdpSchema, resolveCdpCall, type CdpSchema } from '../../protocol/cdpSchema.js';
import { resolve } from 'node:path';
import type { InFamily, InputOf, ParamsOf, ResultOf } from '../../protocol/commands.js';
import { BdgError } from '../../util/errors.js';
import type { SessionPaths } from '../../util/paths.js';
import { call } from '../../client/call.js';
import { followLoop } from '../follow.js';
import { jsonLine, type Output } from '../output.js';
import {
  eventLine,
  renderCollect,
  renderDescription,
  renderDomain,
  renderDomains,
  renderEvents,
  renderListen,
  renderRead,
  renderSearch,
  renderUnlisten,
} from '../renderCdp.js';
import type { RunnerTable } from '../runner.js';

const FOLLOW_INTERVAL_MS = 500;
/** Longest --timeout of a collection and --wait of a read, in seconds (the original bdg's bounds). */
const EVENT_WAIT_MAX_S = 120;
const COLLECT_DEFAULT_S = 10;
const ANSWER_DEFAULT_S = 30;

function warn(out: Output, warning: string | undefined): void {
  if (warning !== undefined && !out.json) out.note(`Warning: ${warning}`);
}

/** Resolves, parses and validates here, so mistakes are answered without a session; the daemon checks again. */
async function send(paths: SessionPaths, params: ParamsOf<'cdp.send'>, out: Output): Promise<number> {
  const schema = await loadCdpSchema();
  const { validate, timeout } = params;
  const { method, params: body, warning } = resolveCdpCall(schema, params.method, params.params, validate, params.sendAnyway);
  const collecting = params.collect !== undefined || params.until !== undefined;
  if (!collecting && params.out !== undefined)
    throw flagsError('--out needs --collect or --until (or --events)', 'bdg cdp Page.reload --until Page.loadEventFired --out events.ndjson');
  if (collecting && timeout !== undefined && timeout > EVENT_WAIT_MAX_S)
    throw new BdgError('INVALID_ARGUMENTS', `--timeout of a collection is at most ${EVENT_WAIT_MAX_S} seconds (got ${timeout})`, 'Example: --timeout 10');
  const collected = params.collect !== undefined ? schema.resolveEventNames(params.collect) : undefined;
  const until = params.until !== undefined ? schema.resolveEventNames(params.until, { domains: false }) : undefined;
  if (until !== undefined && until.events.length > 1) throw flagsError('--until takes one event', 'bdg cdp Page.reload --until Page.loadEventFired');
  const request: InputOf<'cdp.send'> = {
    method,
    params: JSON.stringify(body),
    validate,
    target: params.target,
    // Sent as checked: a typo-like name passed here only with --send-anyway.
    sendAnyway: params.sendAnyway,
    ...(timeout !== undefined ? { timeout } : {}),
    ...(collected !== undefined ? { collect: collected.events.join(',') } : {}),
    ...(until !== undefined ? { until: until.events.join(',') } : {}),
    ...(params.out !== undefined ? { out: resolve(process.cwd(), params.out) } : {}),
  };
  const waitS = collecting ? Math.max(ANSWER_DEFAULT_S, timeout ?? COLLECT_DEFAULT_S) : (timeout ?? ANSWER_DEFAULT_S);
  warn(out, [warning, collected?.warning, until?.warning].filter((w) => w !== undefined).join('\n') || undefined);
  const data = await call(paths, 'cdp.send', request, (waitS + 10) * 1000);
  if (data.hint !== undefined && !out.json) out.note(`Hint: ${data.hint}`);
  if (!collecting) return out.success(data, () => JSON.stringify(data.result, null, 2));
  if (!out.json && data.complete === false && until !== undefined && data.dropped === undefined)
    out.note(
      `Hint: ${until.events[0] ?? ''} did not arrive within ${timeout ?? COLLECT_DEFAULT_S}s: the events are partial (complete: false). Raise --timeout (max ${EVENT_WAIT_MAX_S}).`,
    );
  if (!out.json && data.omitted !== undefined)
    out.note(`Hint: ${data.omitted} more events left out (answers keep about 20000 characters): write them all with --out <file>.`);
  return out.success(data, () => renderCollect(data));
}

/** The session's event log (every event seen, kept newest first, never consumed): `cdp events`, `--events --last/--follow`. */
async function eventLog(
  paths: SessionPaths,
  schema: CdpSchema,
  name: string,
  params: { last: number; follow: boolean; after?: number },
  out: Output,
): Promise<number> {
  const filters = name.split(',').map((n) => {
    const resolved = schema.resolveEventFilter(n.trim());
    return 'event' in resolved ? resolved.event : resolved.domain;
  });
  const filter = filters.join(',');
  const { last } = params;
  if (!params.follow) {
    const data = await call(paths, 'cdp.events', { event: filter, last, ...(params.after !== undefined ? { after: params.after } : {}) });
    return out.success(data, () => renderEvents(data));
  }
  // JSON lines while following: one event per line, so a reader can act on each as it arrives.
  let after = 0;
  return followLoop(out, FOLLOW_INTERVAL_MS, async (first) => {
    const data = await call(paths, 'cdp.events', first ? { event: filter, last } : { event: filter, after, last: 2_000 });
    if (first && !out.json) out.note(`Following ${filter} events (Ctrl-C to stop)…`);
    after = data.lastSeq;
    return data.events.map((e) => (out.json ? jsonLine({ type: 'event', item: e }) : `${eventLine(e)}\n`)).join('');
  });
}

/** `--events [EV]`: the --listen buffer (read and remove), or the event log when nothing is listened to. */
async function readEvents(paths: SessionPaths, schema: CdpSchema, params: ParamsOf<'cdp'>, out: Output): Promise<number> {
  const names = params.events !== undefined && params.events !== '' ? schema.resolveEventNames(params.events) : undefined;
  const bufferOnly = params.wait !== undefined || params.clear || params.out !== undefined;
  const logOnly = params.last !== undefined || params.follow;
  if (bufferOnly && logOnly)
    throw conflict(`${params.follow ? '--follow' : '--last'} reads the session's event log; --wait, --clear and --out read the --listen buffer`);
  if (params.clear && params.out !== undefined) throw conflict('--clear discards the events, --out writes them: one or the other');
  if (params.wait !== undefined && params.wait > EVENT_WAIT_MAX_S) throw new BdgError('INVALID_ARGUMENTS', `--wait is at most ${EVENT_WAIT_MAX_S} seconds`);
  const toLog = (): Promise<number> => {
    if (names === undefined)
      throw new BdgError(
        'NOT_FOUND',
        'No CDP events are being listened to',
        "Start with: bdg cdp --listen <Event>[,<Event>] (e.g. Fetch.requestPaused); the session's log of one kind: bdg cdp --events <Event> --last 20",
      );
    return eventLog(paths, schema, names.events.join(','), { last: params.last ?? 20, follow: params.follow }, out);
  };
  if (logOnly) return toLog();
  warn(out, names?.warning);
  const request: InputOf<'cdp.read'> = {
    ...(names !== undefined ? { events: names.events.join(',') } : {}),
    ...(params.wait !== undefined ? { wait: params.wait } : {}),
    clear: params.clear,
    ...(params.out !== undefined ? { out: resolve(process.cwd(), params.out) } : {}),
  };
  let data: ResultOf<'cdp.read'>;
  try {
    data = await call(paths, 'cdp.read', request, ((params.wait ?? 0) + 30) * 1000);
  } catch (err) {
    // Nothing listened to: a plain `--events <Event>` reads the session's event log, as it did before --listen existed.
    if (!bufferOnly && err instanceof BdgError && err.code === 'NOT_FOUND' && (err.data as { notListening?: boolean } | undefined)?.notListening === true)
      return toLog();
    throw err;
  }
  if (!out.json) {
    if (data.notListened !== undefined)
      out.note(
        `Hint: ${data.notListened.join(', ')} ${data.notListened.length === 1 ? 'is' : 'are'} not listened to (listening: ${data.listening.join(', ')}); the session's log: bdg cdp --events ${data.notListened.join(',')} --last 20`,
      );
    if (data.waitedOut === true) out.note(`Hint: No ${names?.events.join(', ') ?? 'listened'} event within ${params.wait ?? 0}s`);
    if (data.remaining !== undefined)
      out.note(
        `Hint: ${data.remaining} more events still buffered (answers keep about 20000 characters): run bdg cdp --events again, or write them all with --out <file>.`,
      );
  }
  return out.success(data, () => renderRead(data));
}

function conflict(message: string): BdgError {
  return new BdgError(
    'INVALID_ARGUMENTS',
    message,
    'One at a time: bdg cdp <Domain.method> [--params JSON] [--collect EV --until EV] | [<Domain.method>] --listen EV | --events [EV] | --unlisten | --list | <Domain.method> --describe | --search <words>',
  );
}

function flagsError(message: string, example: string): BdgError {
  return new BdgError('INVALID_ARGUMENTS', message, `Example: ${example}`);
}

/** Flags given that only go with another mode: 81 naming them, before anything is sent. */
function rejectFlags(params: ParamsOf<'cdp'>, flags: readonly (keyof ParamsOf<'cdp'>)[], needs: string, example: string): void {
  const given = flags.filter((f) => params[f] !== undefined && params[f] !== false).map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  if (given.length > 0) throw flagsError(`${given.join(', ')} ${given.length === 1 ? 'needs' : 'need'} ${needs}`, example);
}

/** `bdg cdp`: send a method (collecting its events), listen/read/unlisten, or answer a discovery question from the schema. */
async function runCdp(paths: SessionPaths, params: ParamsOf<'cdp'>, out: Output): Promise<number> {
  const name = params.method;
  const modes = (['list', 'describe', 'search', 'events', 'listen', 'unlisten'] as const).filter((m) => params[m] !== undefined && params[m] !== false);
  if (modes.length > 1) throw conflict(`--${modes.join(' and --')} do not go together`);
  const mode = modes[0];
  const discovery = mode === 'list' || mode === 'describe' || mode === 'search';
  if (mode !== undefined && mode !== 'listen' && params.params !== undefined) throw conflict(`--params goes with a method to send, not with --${mode}`);
  if (discovery)
    rejectFlags(
      params,
      ['collect', 'until', 'out', 'wait', 'clear', 'sendAnyway'],
      'a method to send (not --list, --describe, --search)',
      'bdg cdp Page.reload --until Page.loadEventFired',
    );
  if (mode !== 'events') {
    if (params.follow) throw conflict('--follow goes with --events');
    rejectFlags(params, ['wait', 'clear', 'last'], '--events', 'bdg cdp --events Fetch.requestPaused --wait 5');
  }
  if (mode === 'events' || mode === 'listen' || mode === 'unlisten')
    rejectFlags(
      params,
      ['collect', 'until'],
      'a method to send, without --listen, --events or --unlisten',
      'bdg cdp Page.reload --collect Network.requestWillBeSent --until Page.loadEventFired',
    );
  if (mode === 'events' && name !== undefined) throw conflict(`--events reads the buffer; to listen while sending a method: bdg cdp ${name} --listen <Event>`);
  if (mode === 'unlisten' && name !== undefined) throw conflict('Send the method first, then: bdg cdp --unlisten');
  if ((mode === 'listen' || mode === 'unlisten') && params.out !== undefined)
    throw flagsError('--out needs --collect, --until or --events', 'bdg cdp --events --out events.ndjson');
  const sendParams = (method: string): ParamsOf<'cdp.send'> => ({
    method,
    target: params.target,
    validate: params.validate,
    sendAnyway: params.sendAnyway,
    ...(params.timeout !== undefined ? { timeout: params.timeout } : {}),
    ...(params.params !== undefined ? { params: params.params } : {}),
    ...(params.collect !== undefined ? { collect: params.collect } : {}),
    ...(params.until !== undefined ? { until: params.until } : {}),
    ...(params.out !== undefined ? { out: params.out } : {}),
  });
  if (mode === undefined) {
    if (name === undefined) {
      rejectFlags(
        params,
        ['collect', 'until'],
        'a method to send',
        'bdg cdp Tracing.end --collect Tracing.dataCollected --until Tracing.tracingComplete --out trace.ndjson',
      );
      throw conflict('bdg cdp needs a method to send or one of --list, --describe, --search, --listen, --events, --unlisten');
    }
    return send(paths, sendParams(name), out);
  }
  const schema = await loadCdpSchema();
  switch (mode) {
    case 'list': {
      if (name === undefined) {
        const data = { version: schema.version, methods: schema.commandCount, events: schema.eventCount, domains: schema.domains() };
        return out.success(data, () => renderDomains(data));
      }
      if (name.includes('.'))
        throw new BdgError('INVALID_ARGUMENTS', `--list takes a domain (got "${name}")`, `Describe one method: bdg cdp ${name} --describe`);
      const data = schema.listDomain(name);
      return out.success(data, () => renderDomain(data));
    }
    case 'describe': {
      if (name === undefined)
        throw new BdgError('INVALID_ARGUMENTS', '--describe needs a method, event or type', 'For example: bdg cdp Runtime.evaluate --describe');
      if (!name.includes('.')) {
        const data = schema.listDomain(name);
        return out.success(data, () => renderDomain(data));
      }
      const data = schema.describe(name);
      return out.success(data, () => renderDescription(data));
    }
    case 'search': {
      const opts: { limit?: number; domain?: string } = { limit: params.limit };
      if (name !== undefined) opts.domain = schema.resolveDomain(name).domain;
      const data = schema.search(params.search ?? '', opts);
      return out.success(data, () => renderSearch(data));
    }
    case 'events':
      return readEvents(paths, schema, params, out);
    case 'unlisten': {
      const data = await call(paths, 'cdp.unlisten', {});
      return out.success(data, () => renderUnlisten(data));
    }
    case 'listen': {
      const listened = schema.resolveEventNames(params.listen ?? '');
      // Checked before listening, so a bad method leaves nothing listened to.
      const method = name !== undefined ? resolveCdpCall(schema, name, params.params, params.validate, params.sendAnyway) : undefined;
      warn(out, listened.warning);
      const state = await call(paths, 'cdp.listen', { events: listened.events.join(',') });
      if (!out.json) out.note('Hint: Read them with: bdg cdp --events [<Event>] [--wait <s>]; stop with: bdg cdp --unlisten');
      if (method === undefined || name === undefined) return out.success(state, () => renderListen(state));
      warn(out, method.warning);
      const timeout = params.timeout;
      const request: InputOf<'cdp.send'> = {
        method: method.method,
        params: JSON.stringify(method.params),
        validate: params.validate,
        target: params.target,
        sendAnyway: params.sendAnyway,
        ...(timeout !== undefined ? { timeout } : {}),
      };
      const sent = await call(paths, 'cdp.send', request, ((timeout ?? ANSWER_DEFAULT_S) + 10) * 1000);
      if (sent.hint !== undefined && !out.json) out.note(`Hint: ${sent.hint}`);
      const data = { ...state, ...sent };
      return out.success(data, () => renderListen(data));
    }
  }
}

export const CDP_RUNNERS: RunnerTable<InFamily<'cdp'>> = {
  cdp: runCdp,
  'cdp.send': send,
  'cdp.events': async (paths, params, out) => eventLog(paths, await loadCdpSchema(), params.event, params, out),
  'cdp.listen': async (paths, params, out) => {
    const listened = (await loadCdpSchema()).resolveEventNames(params.events);
    warn(out, listened.warning);
    const data = await call(paths, 'cdp.listen', { events: listened.events.join(',') });
    return out.success(data, () => renderListen(data));
  },
  'cdp.read': async (paths, params, out) => {
    const names = params.events !== undefined ? (await loadCdpSchema()).resolveEventNames(params.events) : undefined;
    warn(out, names?.warning);
    const request: InputOf<'cdp.read'> = {
      ...params,
      ...(names !== undefined ? { events: names.events.join(',') } : {}),
      ...(params.out !== undefined ? { out: resolve(process.cwd(), params.out) } : {}),
    };
    const data = await call(paths, 'cdp.read', request, ((params.wait ?? 0) + 30) * 1000);
    return out.success(data, () => renderRead(data));
  },
  'cdp.unlisten': async (paths, _params, out) => {
    const data = await call(paths, 'cdp.unlisten', {});
    return out.success(data, () => renderUnlisten(data));
  },
};
