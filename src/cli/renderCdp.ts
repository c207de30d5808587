import type { CdpEventRecord } from '../protocol/results.js';
import type { Description, DomainSummary, MemberSummary, ParamDoc, SearchHit } from '../protocol/cdpSchema.js';
import type { CdpCapturedEvent, CdpListenState, CdpReadResult, CdpSendResult, CdpUnlistenResult } from '../protocol/commands/cdp.js';

/** One raw event as the daemon returns it. */
export type CdpEventView = CdpEventRecord;

export interface CdpEventsView {
  filter: string;
  events: CdpEventView[];
  lastSeq: number;
  matched: number;
  buffer: { count: number; dropped: number; total: number };
}

function marks(m: { experimental: boolean; deprecated: boolean }): string {
  return `${m.experimental ? ' [experimental]' : ''}${m.deprecated ? ' [deprecated]' : ''}`;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function renderDomains(data: { version: string; methods: number; events: number; domains: DomainSummary[] }): string {
  const width = Math.max(...data.domains.map((d) => d.name.length)) + 2;
  const lines = [`CDP ${data.version}: ${data.domains.length} domains, ${data.methods} methods, ${data.events} events`, ''];
  for (const d of data.domains) {
    lines.push(`  ${d.name.padEnd(width)} ${String(d.commands).padStart(3)} methods ${String(d.events).padStart(3)} events${marks(d)}`);
  }
  lines.push('', 'Methods of a domain: bdg cdp <Domain> --list   Search: bdg cdp --search <words>');
  return lines.join('\n');
}

function memberLines(members: MemberSummary[]): string[] {
  const width = Math.min(48, Math.max(0, ...members.map((m) => m.name.length)) + 2);
  return members.map((m) => `  ${m.name.padEnd(width)} ${m.description}${marks(m)}`);
}

export function renderDomain(data: {
  domain: string;
  description: string;
  experimental: boolean;
  deprecated: boolean;
  commands: MemberSummary[];
  events: MemberSummary[];
}): string {
  const lines = [`${data.domain}${marks(data)}${data.description !== '' ? ` — ${data.description}` : ''}`, ''];
  lines.push(`Methods (${data.commands.length}):`, ...memberLines(data.commands), '');
  if (data.events.length > 0) lines.push(`Events (${data.events.length}):`, ...memberLines(data.events), '');
  const first = data.commands[0]?.name;
  if (first !== undefined) lines.push(`Details: bdg cdp ${first} --describe`);
  return lines.join('\n');
}

function paramLines(params: ParamDoc[]): string[] {
  const nameWidth = Math.min(32, Math.max(0, ...params.map((p) => p.name.length + (p.optional ? 1 : 0))) + 2);
  const typeWidth = Math.min(40, Math.max(0, ...params.map((p) => p.type.length)) + 2);
  const lines: string[] = [];
  for (const p of params) {
    const name = `${p.name}${p.optional ? '?' : ''}`;
    const extra = `${p.enum !== undefined ? ` One of: ${p.enum.join(', ')}.` : ''}${p.experimental === true ? ' [experimental]' : ''}${p.deprecated === true ? ' [deprecated]' : ''}`;
    lines.push(`  ${name.padEnd(nameWidth)} ${p.type.padEnd(typeWidth)} ${cut(p.description, 300)}${extra}`);
  }
  return lines;
}

export function renderDescription(d: Description): string {
  const where = d.kind === 'command' ? `method, sent to the ${d.target ?? 'page'}` : d.kind;
  const lines = [`${d.name}  (${where})${marks(d)}`];
  if (d.description !== '') lines.push(d.description);
  if (d.redirect !== undefined) lines.push(`Redirects to the ${d.redirect} domain.`);
  lines.push('');
  if (d.kind === 'type') {
    lines.push(`Type: ${d.type ?? 'any'}`);
    if (d.enum !== undefined) lines.push(`Values: ${d.enum.join(', ')}`);
    if (d.properties !== undefined && d.properties.length > 0) lines.push('', 'Properties (? = optional):', ...paramLines(d.properties));
    return lines.join('\n');
  }
  const label = d.kind === 'event' ? 'Event parameters' : 'Parameters';
  if (d.parameters !== undefined && d.parameters.length > 0) lines.push(`${label} (? = optional):`, ...paramLines(d.parameters), '');
  else lines.push(`${label}: none`, '');
  if (d.returns !== undefined) {
    if (d.returns.length > 0) lines.push('Returns:', ...paramLines(d.returns), '');
    else lines.push('Returns: nothing ({})', '');
  }
  if (d.example !== undefined) lines.push('Example:', `  ${d.example}`);
  return lines.join('\n');
}

export function renderSearch(data: { query: string; total: number; results: SearchHit[] }): string {
  if (data.results.length === 0) return `Nothing matches "${data.query}". Browse the domains: bdg cdp --list`;
  const width = Math.min(52, Math.max(...data.results.map((r) => r.name.length)) + 2);
  const lines = [
    `${data.total} match${data.total === 1 ? '' : 'es'} for "${data.query}"${data.total > data.results.length ? ` (best ${data.results.length} shown; --limit N for more)` : ''}:`,
  ];
  for (const r of data.results) lines.push(`  ${r.kind === 'event' ? 'event ' : 'method'} ${r.name.padEnd(width)} ${r.description}${marks(r)}`);
  lines.push('', `Details: bdg cdp ${(data.results[0] as SearchHit).name} --describe`);
  return lines.join('\n');
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** One event on one line: sequence number, time, name and its params as compact JSON (cut for humans). */
export function eventLine(e: CdpEventView, max = 240): string {
  const params = e.truncated !== undefined ? `(params not kept: ${e.truncated.bytes} bytes)` : cut(JSON.stringify(e.params), max);
  return `  #${String(e.seq).padEnd(6)} ${clock(e.timestamp)}  ${e.method}  ${params}`;
}

export function renderEvents(data: CdpEventsView): string {
  const lines: string[] = [];
  if (data.events.length === 0 && data.matched > 0) return `${data.filter}: ${data.matched} seen, none shown (--last 0).`;
  if (data.events.length === 0) {
    lines.push(
      `No ${data.filter.includes('.') ? data.filter : `${data.filter}.*`} events seen yet (${data.buffer.count} events in the buffer, ${data.buffer.dropped} dropped).`,
    );
    lines.push(
      `Some domains only send events after their enable method, e.g. bdg cdp ${data.filter.split('.')[0] ?? 'DOM'}.enable; bdg enables Page, Network, Runtime, Log and Inspector.`,
    );
    return lines.join('\n');
  }
  lines.push(`${data.filter}: ${data.events.length} of ${data.matched} shown (buffer: ${data.buffer.count} events, ${data.buffer.dropped} dropped)`);
  for (const e of data.events) lines.push(eventLine(e));
  lines.push('', 'Full params: --json. New ones as they come: --follow.');
  return lines.join('\n');
}

const PARAMS_PREVIEW = 300;

function preview(json: string): string {
  return json.length > PARAMS_PREVIEW ? `${json.slice(0, PARAMS_PREVIEW)}… (${json.length} chars, use --json or --out)` : json;
}

function capturedLines(events: readonly CdpCapturedEvent[] | undefined): string[] {
  return (events ?? []).map((e) => {
    const params = typeof e.params === 'string' ? e.params : (JSON.stringify(e.params) ?? 'null');
    return `  ${clock(e.ts)}  ${e.method}  ${e.truncatedFrom !== undefined ? `(${e.truncatedFrom} chars, cut) ` : ''}${preview(params)}`;
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function fileLine(d: { file?: string; bytes?: number; count?: number }): string | undefined {
  return d.file === undefined ? undefined : `Wrote ${plural(d.count ?? 0, 'event')} to ${d.file} (${d.bytes ?? 0} bytes, NDJSON)`;
}

function resultLine(method: string | undefined, result: unknown): string | undefined {
  if (method === undefined) return undefined;
  const json = JSON.stringify(result) ?? 'null';
  return json === '{}' ? `${method}: done (no result data)` : `${method}: ${preview(json)}`;
}

/** `bdg cdp <Method> --collect/--until`. */
export function renderCollect(d: CdpSendResult): string {
  const status =
    d.dropped !== undefined
      ? ` (incomplete: ${d.dropped} dropped, the file fell behind or reached its cap)`
      : d.complete === false
        ? ' (incomplete: timed out)'
        : '';
  return [resultLine(d.method, d.result), `${fileLine(d) ?? `Collected ${plural(d.count ?? 0, 'event')}`}${status}`, ...capturedLines(d.events)]
    .filter((l) => l !== undefined)
    .join('\n');
}

function stateText(d: CdpListenState): string {
  return `${plural(d.buffered, 'event')} buffered${d.dropped > 0 ? `, ${d.dropped} dropped at the cap` : ''}`;
}

/** `bdg cdp [<Method>] --listen`. */
export function renderListen(d: CdpListenState & { method?: string; result?: unknown }): string {
  return [resultLine(d.method, d.result), `Listening to ${d.listening.join(', ')} (${stateText(d)})`].filter((l) => l !== undefined).join('\n');
}

/** `bdg cdp --events` (the --listen buffer). */
export function renderRead(d: CdpReadResult): string {
  if (d.cleared !== undefined) return `Cleared ${plural(d.cleared, 'event')} (${stateText(d)})`;
  return [fileLine(d) ?? plural(d.count ?? 0, 'event'), ...capturedLines(d.events), `(${stateText(d)}; listening to ${d.listening.join(', ')})`].join('\n');
}

/** `bdg cdp --unlisten`. */
export function renderUnlisten(d: CdpUnlistenResult): string {
  return `Stopped listening to ${d.stopped.join(', ')} (${plural(d.discarded, 'buffered event')} discarded)`;
}
