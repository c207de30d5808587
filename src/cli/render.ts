import type { ThrottleState } from '../protocol/commands/network.js';
import { omittedLine, plural, uncutLength } from '../util/bounded.js';
import type { PeekResult, StatusResult } from '../protocol/commands/session.js';
import { bodyUnavailableText, type ConsoleRecord, type IssueRecord, type NetworkRecord, type WebSocketSummary } from '../protocol/records.js';
import { describeEmulation } from '../protocol/emulation.js';

/**
 * A URL as reports print it: a `data:` URL is cut after its MIME type and a few bytes of payload, with its length
 * (a 2 MB inline image is not an answer anyone wants to read); the JSON keeps the whole URL.
 */
export function shownUrl(url: string): string {
  if (!url.startsWith('data:') || url.length <= 64) return url;
  const comma = url.indexOf(',');
  const head = comma === -1 || comma > 100 ? url.slice(0, 40) : url.slice(0, comma + 1);
  const payload = comma === -1 || comma > 100 ? '' : url.slice(comma + 1, comma + 17);
  // A listing may have cut the URL already (util/bounded.ts): say how long it really is.
  return `${head}${payload}… (${uncutLength(url)} chars)`;
}

type NetworkSummary = Omit<NetworkRecord, 'requestHeaders' | 'responseHeaders' | 'body' | 'postData'> & Partial<NetworkRecord>;

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 120 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** A duration given in whole seconds (0 reads `0s`, not `0 ms`). */
export function seconds(n: number): string {
  return n <= 0 ? '0s' : duration(Math.round(n) * 1000);
}

/** `open, 3 sent / 2 received, 1.2 KB` (and the error, if one was reported) for a WebSocket row. */
export function webSocketNote(w: WebSocketSummary): string {
  const dropped = w.framesDropped > 0 ? ` (${w.framesDropped} dropped)` : '';
  const error = w.error !== undefined ? `; ${w.error}` : '';
  return `${w.state}, ${w.framesSent} sent / ${w.framesReceived} received${dropped}, ${formatBytes(w.bytesSent + w.bytesReceived)}${error}`;
}

/** `  [mocked by r1]` / `  [blocked by r2]` for a request a `network mock` / `network block` rule answered. */
export function interceptNote(r: Pick<NetworkRecord, 'intercepted'>): string {
  return r.intercepted !== undefined ? `  [${r.intercepted.action} by ${r.intercepted.rule}]` : '';
}

/** `url`: the URL as the row shows it (data: URLs cut by default). */
export function networkLine(r: NetworkSummary, url = shownUrl(r.url)): string {
  if (r.webSocket !== undefined) {
    const wsStatus = r.state === 'failed' ? 'ERR' : String(r.status ?? '...');
    return `  ${r.id.padEnd(6)} ${'WS'.padEnd(6)} ${wsStatus.padEnd(4)} ${url}  (${webSocketNote(r.webSocket)})`;
  }
  const status = r.state === 'failed' ? 'ERR' : r.state === 'pending' ? '...' : String(r.status ?? '-');
  const tail =
    r.state === 'failed'
      ? (r.errorText ?? r.blockedReason ?? 'failed')
      : r.state === 'pending'
        ? 'pending'
        : `${r.mimeType ?? '-'}  ${formatBytes(r.encodedDataLength)}  ${r.durationMs !== undefined ? `${Math.round(r.durationMs)} ms` : '-'}`;
  return `  ${r.id.padEnd(6)} ${r.method.padEnd(6)} ${status.padEnd(4)} ${url}  (${tail})${interceptNote(r)}${cookieNote(r)}`;
}

/** `  ⚠ cookie blocked` at the end of a row whose request had a cookie Chrome blocked (the original bdg's mark). */
export function cookieNote(r: Pick<NetworkRecord, 'blockedCookies' | 'blockedCookiesOmitted'>): string {
  return (r.blockedCookies?.length ?? 0) + (r.blockedCookiesOmitted ?? 0) > 0 ? '  ⚠ cookie blocked' : '';
}

/** `nosecure  set rejected: SameSiteNoneInsecure` lines for `details network`. */
export function blockedCookieLines(r: Pick<NetworkRecord, 'blockedCookies' | 'blockedCookiesOmitted' | 'exemptedCookies'>): string[] {
  const lines = (r.blockedCookies ?? []).map((c) => `  ${c.name === '' ? '(no name)' : c.name}  ${c.kind.replace('-', ' ')}: ${c.reasons.join(', ')}`);
  if ((r.blockedCookiesOmitted ?? 0) > 0) lines.push(`  +${r.blockedCookiesOmitted} more`);
  for (const c of r.exemptedCookies ?? [])
    lines.push(`  ${c.name === '' ? '(no name)' : c.name}  ${c.kind === 'set' ? 'stored' : 'sent'} by exemption: ${c.reason}`);
  return lines;
}

/** Where an issue is: its source position, else the resource it affects (the whole URL with `verbose`). */
function issueWhere(i: IssueRecord, verbose: boolean): string {
  const cut = (u: string): string => (verbose || u.length <= 80 ? u : `…${u.slice(-79)}`);
  if (i.source !== undefined)
    return `  (${cut(i.source.url)}${i.source.line !== undefined ? `:${i.source.line}${i.source.column !== undefined ? `:${i.source.column}` : ''}` : ''})`;
  if (i.url !== undefined && !i.text.includes(i.url)) return `  (${cut(shownUrl(i.url))})`;
  return '';
}

/** One Chrome Issue as a console-style row: `  i1     issue   <what>  (<where>)  (×2)`. */
export function issueLine(i: IssueRecord, verbose = false): string {
  const nodes = i.nodes !== undefined && i.nodes.length > 0 ? `  [${i.nodes.length} element${i.nodes.length === 1 ? '' : 's'}]` : '';
  const count = i.count > 1 ? `  (×${i.count})` : '';
  const code = verbose ? `  [${i.code}${i.type !== undefined ? ` ${i.type}` : ''}]` : '';
  return `  ${i.id.padEnd(6)} ${'issue'.padEnd(7)} ${i.text}${issueWhere(i, verbose)}${nodes}${count}${code}`;
}

/** url:line:column, at the original source position when a source map gave one (the generated one is in --json). */
function position(c: ConsoleRecord): string | undefined {
  if (c.original !== undefined) return `${c.original.url}:${c.original.line}:${c.original.column}`;
  if (c.url === undefined || c.url === '') return undefined;
  return `${c.url}${c.line !== undefined ? `:${c.line}${c.column !== undefined ? `:${c.column}` : ''}` : ''}`;
}

function location(c: ConsoleRecord): string {
  const where = position(c);
  if (where === undefined) return '';
  return `  (${where.length > 90 ? `…${where.slice(-89)}` : where})`;
}

/** `verbose`: the whole text (every line, indented) and the whole source URL. */
export function consoleLine(c: ConsoleRecord, verbose = false): string {
  if (verbose) {
    const where =
      c.url !== undefined && c.url !== '' ? `  (${c.url}${c.line !== undefined ? `:${c.line}${c.column !== undefined ? `:${c.column}` : ''}` : ''})` : '';
    return `  ${c.id.padEnd(6)} ${c.level.padEnd(7)} ${c.text.split('\n').join('\n                 ')}${where}  [${c.kind}${c.type !== c.level ? ` ${c.type}` : ''}]`;
  }
  const text = c.text.includes('\n') ? `${c.text.split('\n')[0] as string} …` : c.text;
  return `  ${c.id.padEnd(6)} ${c.level.padEnd(7)} ${text}${location(c)}`;
}

interface Stats {
  count: number;
  dropped: number;
  pending?: number;
  filtered?: number;
}

function droppedNote(s: Stats): string {
  const parts: string[] = [];
  if (s.pending !== undefined && s.pending > 0) parts.push(`${s.pending} pending`);
  if (s.dropped > 0) parts.push(`${s.dropped} older dropped`);
  if (s.filtered !== undefined && s.filtered > 0) parts.push(`${s.filtered} tracking requests filtered`);
  return parts.length > 0 ? `, ${parts.join(', ')}` : '';
}

/**
 * A network row of `peek --verbose`: the compact row with the whole URL (data: URLs up to 2000 characters), then
 * the resource type, protocol, remote address and initiator, and the blocked cookies by name.
 */
export function verboseNetworkLine(r: NetworkSummary): string {
  const url = r.url.startsWith('data:') && r.url.length > 2000 ? `${r.url.slice(0, 2000)}… (${r.url.length} chars)` : r.url;
  const row = networkLine(r, url);
  const facts = [
    r.resourceType !== undefined ? `type ${r.resourceType}` : undefined,
    r.protocol,
    r.remoteAddress !== undefined ? `from ${r.remoteAddress}` : undefined,
    r.fromCache === true ? 'from cache' : undefined,
    r.initiator !== undefined
      ? `initiator ${r.initiator.type}${r.initiator.url !== undefined ? ` ${r.initiator.url}${r.initiator.lineNumber !== undefined ? `:${r.initiator.lineNumber}` : ''}` : ''}`
      : undefined,
    r.redirectedFrom !== undefined ? `redirected from ${r.redirectedFrom}` : undefined,
  ].filter((f): f is string => f !== undefined);
  const lines = [row];
  if (facts.length > 0) lines.push(`         ${facts.join(', ')}`);
  for (const c of r.blockedCookies ?? []) lines.push(`         cookie ${c.name} ${c.kind.replace('-', ' ')}: ${c.reasons.join(', ')}`);
  return lines.join('\n');
}

export function renderPeek(d: PeekResult, verbose = false): string {
  const out: string[] = [`Page: ${verbose ? d.page.url : shownUrl(d.page.url)}${d.page.title !== '' ? `  "${d.page.title}"` : ''}`];
  if (d.network !== undefined) {
    out.push('', `Network (${d.network.length} newest of ${d.stats.network.count}${droppedNote(d.stats.network)}):`);
    out.push(...(d.network.length > 0 ? d.network.map((r) => (verbose ? verboseNetworkLine(r) : networkLine(r))) : ['  (none yet)']));
  }
  if (d.console !== undefined) {
    out.push('', `Console (${d.console.length} newest of ${d.stats.console.count}${droppedNote(d.stats.console)}):`);
    out.push(...(d.console.length > 0 ? d.console.map((c) => consoleLine(c, verbose)) : ['  (none yet)']));
  }
  const more = omittedLine(d.omitted, 'row');
  if (more !== '') out.push(more);
  if (d.issues !== undefined && d.totals.issues > 0) {
    const shown = d.issues.length < d.totals.issues ? `${d.issues.length} newest of ${d.totals.issues}` : String(d.totals.issues);
    out.push('', `Issues (${shown}, this page load):`, ...d.issues.map((i) => issueLine(i, verbose)));
  }
  out.push(
    '',
    `Details: bdg details network <id> | bdg details console <id>${d.totals.issues > 0 ? ' | bdg console --issues' : ''}${verbose ? '' : ' | bdg peek --verbose'}`,
  );
  return out.join('\n');
}

/** The idle clock in words: how long since the last command, and the time left before the idle stop. */
function idleLine(d: Pick<StatusResult, 'idle'>): string {
  const i = d.idle;
  const since = `${seconds(i.idleSec)} since the last command`;
  if (i.timeoutSec !== null && i.stopsInSec !== null) return `${since}; stops itself after ${seconds(i.timeoutSec)} idle (${seconds(i.stopsInSec)} left)`;
  const why = i.off === 'attached' ? 'attached Chrome' : i.off === 'headed' ? 'headed Chrome' : 'turned off';
  return `${since}; no idle timeout (${why})`;
}

/** `, 2 WebSockets (1 open, 14 frames)` for the status line; nothing when the page opened none. */
function webSocketsNote(w: StatusResult['network']['webSockets'] | undefined): string {
  if (w === undefined || w.count === 0) return '';
  const frames = `${w.frames} frame${w.frames === 1 ? '' : 's'}${w.framesDropped > 0 ? `, ${w.framesDropped} dropped` : ''}`;
  return `, ${w.count} WebSocket${w.count === 1 ? '' : 's'} (${w.open} open, ${frames})`;
}

/** `slow-3g (download 400 kbit/s, upload 400 kbit/s, latency 2000 ms)`, or `offline`. */
export function throttleLine(t: ThrottleState): string {
  if (t.offline) return 'offline';
  const speed = (kbps: number | null): string => (kbps === null ? 'unlimited' : `${kbps} kbit/s`);
  return `${t.preset ?? 'custom'} (download ${speed(t.downloadKbps)}, upload ${speed(t.uploadKbps)}, latency ${t.latencyMs} ms)`;
}

export function renderStatus(d: StatusResult): string {
  const named = d.session !== null ? ` "${d.session}"` : '';
  const lines = [
    d.starting === true
      ? `Session${named} starting (daemon pid ${d.pid}, up ${duration(d.uptimeMs)}): its first page is still loading`
      : `Session${named} running (daemon pid ${d.pid}, up ${duration(d.uptimeMs)})`,
    `  Page:      ${shownUrl(d.page.url)}${d.page.title !== '' ? `  "${d.page.title}"` : ''}${d.pageCrashed ? '  [page crashed]' : ''}`,
    `  Chrome:    ${d.grid !== undefined ? 'on the Grid' : d.chrome.attached ? 'attached' : `pid ${String(d.chrome.pid)}`}${d.chrome.port !== null ? `, port ${d.chrome.port} (127.0.0.1)` : ''}${d.chrome.headless ? ', headless' : ''}${d.chrome.connected ? '' : ', DISCONNECTED'}`,
    ...(d.sharedBrowser !== null && d.sharedBrowser !== undefined
      ? [
          `  Shared:    browser "${d.sharedBrowser.name}", in its own browser context ${d.sharedBrowser.browserContextId ?? '-'} (own cookies, storage, cache)${d.sharedBrowser.launched ? '; this session launched it' : ''}`,
        ]
      : []),
    `  Network:   ${plural(d.network.count, 'request')}${d.network.pending > 0 ? `, ${d.network.pending} pending` : ''}${d.network.dropped > 0 ? `, ${d.network.dropped} dropped` : ''}${webSocketsNote(d.network.webSockets)}`,
    `  Console:   ${plural(d.console.count, 'message')}${d.console.errors > 0 ? `, ${plural(d.console.errors, 'error')}` : ''}${d.console.dropped > 0 ? `, ${d.console.dropped} dropped` : ''}${(d.issues?.count ?? 0) > 0 ? `; ${plural(d.issues?.count ?? 0, 'Chrome Issue')} on this page (bdg console --issues)` : ''}`,
    `  Navigations: ${d.navigations}`,
  ];
  if (d.throttle !== undefined && d.throttle !== null) lines.push(`  Throttled: ${throttleLine(d.throttle)}`);
  if (d.interception !== undefined && d.interception.rules > 0)
    lines.push(
      `  Intercepting: ${d.interception.rules} mock/block rule${d.interception.rules === 1 ? '' : 's'}, ${d.interception.hits} requests answered (bdg network mocks)`,
    );
  if (d.trace !== null) lines.push(`  Trace:     recording since ${d.trace.startedAt} (bdg page trace stop FILE writes it)`);
  if (d.journal.writeErrors > 0) lines.push(`  Journal:   ${d.journal.writeErrors} writes to ${d.journal.file} failed (see daemon.log)`);
  if (Object.keys(d.emulation).length > 0) lines.push(`  Emulation: ${describeEmulation(d.emulation)}`);
  if (d.downloads !== undefined && d.downloads.total > 0)
    lines.push(`  Downloads: ${d.downloads.total} (${d.downloads.completed} complete) in ${d.downloads.dir}`);
  if (d.autoStopInSec !== null) lines.push(`  Auto-stop in ${duration(d.autoStopInSec * 1000)}`);
  lines.push(`  Idle:      ${idleLine(d)}`);
  if (d.owner !== null) lines.push(`  Owner:     pid ${d.owner.pid} (the session stops when it exits)`);
  if (d.grid !== undefined) lines.push(`  Grid:      ${d.grid.url}, WebDriver session ${d.grid.sessionId}`);
  if (d.remote !== undefined && d.remote.headerNames.length > 0) lines.push(`  Headers:   ${d.remote.headerNames.join(', ')} (values not shown)`);
  for (const note of d.remote?.notes ?? []) lines.push(`  Note:      ${note}`);
  if (d.chrome.wsEndpoint !== undefined) {
    lines.push(
      `  Chrome version: ${d.chrome.version ?? '-'}`,
      `  DevTools endpoint: ${d.chrome.wsEndpoint ?? '-'}`,
      `  Profile: ${d.chrome.userDataDir ?? '-'}`,
    );
    lines.push(`  Session dir: ${d.sessionDir}`, `  Socket: ${d.socket ?? '-'}`);
    lines.push(
      `  Journal: ${d.journal.file} (${plural(d.journal.records, 'line')}, ${formatBytes(d.journal.bytes)}${d.journal.dropped > 0 ? `, ${d.journal.dropped} not journaled` : ''}${d.journal.framesDropped > 0 ? `, ${d.journal.framesDropped} WebSocket frames no longer journaled` : ''})`,
    );
    if (d.memory !== undefined) lines.push(`  Daemon memory: rss ${formatBytes(d.memory.rss)}, heap ${formatBytes(d.memory.heapUsed)}`);
    if (d.buffers !== undefined) {
      const b = (name: string, x: { count: number; bytes: number; dropped: number; maxItems: number; maxBytes: number } | undefined): string =>
        x === undefined ? '' : `${name} ${x.count}/${x.maxItems} (${formatBytes(x.bytes)} of ${formatBytes(x.maxBytes)}, ${x.dropped} dropped)`;
      lines.push(
        `  Buffers: ${[b('network', d.buffers.network), b('console', d.buffers.console), b('CDP events', d.buffers.cdpEvents), b('WebSocket frames', d.buffers.webSocketFrames)].filter((x) => x !== '').join('; ')}`,
      );
      const bodies = d.buffers.bodies;
      if (bodies !== undefined)
        lines.push(
          `  Response bodies: ${bodies.count} (${formatBytes(bodies.bytes)} of ${formatBytes(bodies.maxBytes)}, ${bodies.evicted} dropped for newer ones)`,
        );
    }
  }
  return lines.join('\n');
}

function headerBlock(title: string, headers: Record<string, string> | undefined): string[] {
  if (headers === undefined) return [];
  const entries = Object.entries(headers);
  return [`${title}:`, ...(entries.length > 0 ? entries.map(([k, v]) => `  ${k}: ${v}`) : ['  (none)'])];
}

export function renderNetworkDetails(r: NetworkRecord): string {
  const lines = [
    `${r.id}  ${r.method} ${shownUrl(r.url)}`,
    `  State:     ${r.state}${r.errorText !== undefined ? ` (${r.errorText})` : ''}${r.blockedReason !== undefined ? ` blocked: ${r.blockedReason}` : ''}`,
  ];
  if (r.intercepted !== undefined)
    lines.push(`  Intercepted: ${r.intercepted.action} by rule ${r.intercepted.rule} (bdg network mocks), not answered by the network`);
  if (r.status !== undefined) lines.push(`  Status:    ${r.status} ${r.statusText ?? ''}`.trimEnd());
  if (r.resourceType !== undefined) lines.push(`  Type:      ${r.resourceType}${r.mimeType !== undefined ? `, ${r.mimeType}` : ''}`);
  if (r.durationMs !== undefined)
    lines.push(
      `  Time:      ${Math.round(r.durationMs)} ms, ${formatBytes(r.encodedDataLength)} transferred${r.decodedBodyLength !== undefined ? `, ${formatBytes(r.decodedBodyLength)} decoded` : ''}`,
    );
  if (r.timing !== undefined) {
    const t = r.timing;
    const phases = (['blocked', 'dns', 'connect', 'ssl', 'send', 'wait', 'receive'] as const).filter((k) => t[k] >= 0).map((k) => `${k} ${t[k].toFixed(1)}`);
    lines.push(`  Timing:    ${phases.join(', ')} (ms)`);
  }
  if (r.cacheSource !== undefined || r.fromCache === true || r.fromServiceWorker === true) {
    lines.push(
      `  Served:    ${r.fromServiceWorker === true ? `by service worker${r.serviceWorkerResponseSource !== undefined ? ` (${r.serviceWorkerResponseSource})` : ''}` : `from ${r.cacheSource ?? ''} cache`.replace('  ', ' ')}`,
    );
  }
  lines.push(`  Navigation: ${r.navigation}`);
  if (r.remoteAddress !== undefined) lines.push(`  Remote:    ${r.remoteAddress}${r.protocol !== undefined ? ` (${r.protocol})` : ''}`);
  if (r.redirectedFrom !== undefined) lines.push(`  Redirected from: ${r.redirectedFrom}`);
  if (r.initiator !== undefined)
    lines.push(
      `  Initiator: ${r.initiator.type}${r.initiator.url !== undefined ? ` ${r.initiator.url}${r.initiator.lineNumber !== undefined ? `:${r.initiator.lineNumber}` : ''}` : ''}`,
    );
  lines.push(`  CDP requestId: ${r.requestId}`, '');
  lines.push(...headerBlock('Request headers', r.requestHeaders));
  if (r.postData !== undefined) lines.push('', 'Request body:', r.postData);
  if (r.responseHeaders !== undefined) lines.push('', ...headerBlock('Response headers', r.responseHeaders));
  const cookies = blockedCookieLines(r);
  if (cookies.length > 0) lines.push('', 'Blocked cookies:', ...cookies);
  if (r.webSocket !== undefined) lines.push('', `WebSocket: ${webSocketNote(r.webSocket)}`, `Frames: bdg network ws ${r.id}`);
  else if (r.body !== undefined) {
    lines.push('', `Response body (${formatBytes(r.body.size)}${r.body.truncated ? ', truncated at --max-body-size' : ''}):`);
    lines.push(r.body.base64 ? `[binary, ${formatBytes(r.body.size)}; use --json for base64]` : r.body.data);
  } else if (r.state === 'finished')
    lines.push(
      '',
      `Response body: ${r.bodyUnavailable !== undefined ? bodyUnavailableText(r.bodyUnavailable) : 'not available (Chrome no longer holds it, or it was empty)'}`,
    );
  return lines.join('\n');
}

/** `expanded`: the arguments with objects expanded several levels deep, when the page still held them. */
export function renderConsoleDetails(c: ConsoleRecord, expanded?: string[]): string {
  const lines = [`${c.id}  ${c.level} (${c.kind}${c.type !== c.level ? `, ${c.type}` : ''})  ${new Date(c.timestamp).toISOString()}`, '', c.text];
  const where = position(c);
  if (where !== undefined)
    lines.push('', `Source: ${where}${c.original !== undefined && c.url !== undefined ? `  (generated: ${c.url}:${c.line ?? '?'}:${c.column ?? '?'})` : ''}`);
  if (c.sourceMapError !== undefined) lines.push(`Source map: ${c.sourceMapError}`);
  const args = expanded ?? c.args;
  if (args !== undefined && (args.length > 1 || expanded !== undefined))
    lines.push('', expanded !== undefined ? 'Arguments (objects expanded):' : 'Arguments:', ...args.map((a, i) => `  [${i}] ${a}`));
  const stack = c.originalStack ?? c.stack;
  if (stack !== undefined && stack !== '') lines.push('', 'Stack:', stack);
  return lines.join('\n');
}
