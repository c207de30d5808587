import { loadCdpSchema, resolveCdpCall, type CdpSchema } from '../../protocol/cdpSchema.js';
import type { InFamily, InputOf, ParamsOf } from '../../protocol/commands.js';
import { BdgError } from '../../util/errors.js';
import type { SessionPaths } from '../../util/paths.js';
import { call } from '../../client/call.js';
import { followLoop } from '../follow.js';
import { jsonLine, type Output } from '../output.js';
import { eventLine, renderDescription, renderDomain, renderDomains, renderEvents, renderSearch } from '../renderCdp.js';
import type { RunnerTable } from '../runner.js';

const FOLLOW_INTERVAL_MS = 500;

/** Resolves, parses and validates here, so mistakes are answered without a session; the daemon checks again. */
async function send(paths: SessionPaths, params: ParamsOf<'cdp.send'>, out: Output): Promise<number> {
  const schema = await loadCdpSchema();
  const { validate, timeout } = params;
  const { method, params: body } = resolveCdpCall(schema, params.method, params.params, validate);
  const request: InputOf<'cdp.send'> = { method, params: JSON.stringify(body), timeout, validate, target: params.target };
  const data = await call(paths, 'cdp.send', request, (timeout + 10) * 1000);
  if (data.hint !== undefined && !out.json) out.note(`Hint: ${data.hint}`);
  return out.success(data, () => JSON.stringify(data.result, null, 2));
}

async function events(
  paths: SessionPaths,
  schema: CdpSchema,
  name: string,
  params: { last: number; follow: boolean; after?: number },
  out: Output,
): Promise<number> {
  const resolved = schema.resolveEventFilter(name);
  const filter = 'event' in resolved ? resolved.event : resolved.domain;
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

function conflict(message: string): BdgError {
  return new BdgError(
    'INVALID_ARGUMENTS',
    message,
    'One at a time: bdg cdp <Domain.method> [--params JSON] | --list | <Domain> --list | <Domain.method> --describe | --search <words> | --events <Domain.event>',
  );
}

/** `bdg cdp`: send a method, or answer a discovery question from the schema (no session needed), or read events. */
async function runCdp(paths: SessionPaths, params: ParamsOf<'cdp'>, out: Output): Promise<number> {
  const name = params.method;
  const modes = (['list', 'describe', 'search', 'events'] as const).filter((m) => params[m] !== undefined && params[m] !== false);
  if (modes.length > 1) throw conflict(`--${modes.join(' and --')} do not go together`);
  const mode = modes[0];
  if (mode !== undefined && params.params !== undefined) throw conflict(`--params goes with a method to send, not with --${mode}`);
  if (params.follow && mode !== 'events') throw conflict('--follow goes with --events');
  if (mode === undefined) {
    if (name === undefined) throw conflict('bdg cdp needs a method to send or one of --list, --describe, --search, --events');
    return send(
      paths,
      {
        method: name,
        target: params.target,
        timeout: params.timeout,
        validate: params.validate,
        ...(params.params !== undefined ? { params: params.params } : {}),
      },
      out,
    );
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
      if (name !== undefined) throw conflict(`--events takes the event name itself: bdg cdp --events ${name}`);
      return events(paths, schema, params.events ?? '', params, out);
  }
}

export const CDP_RUNNERS: RunnerTable<InFamily<'cdp'>> = {
  cdp: runCdp,
  'cdp.send': send,
  'cdp.events': async (paths, params, out) => events(paths, await loadCdpSchema(), params.event, params, out),
};
