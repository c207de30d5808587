import { basename, resolve } from 'node:path';
import { boundListing, omittedLine, plural } from '../../util/bounded.js';
import { specOf, type InFamily, type InputOf, type ParamsOf } from '../../protocol/commands.js';
import {
  MAX_MOCK_BODY_BYTES,
  type HeadersResult,
  type InterceptRuleView,
  type NetworkListResult,
  type WebSocketFrameView,
  type WebSocketFramesResult,
} from '../../protocol/commands/network.js';
import type { NetworkCookie, NetworkListItem } from '../../protocol/records.js';
import type { SessionPaths } from '../../util/paths.js';
import { call } from '../../client/call.js';
import { BdgError } from '../../util/errors.js';
import { fsp } from '../../util/fsAsync.js';
import { followLoop } from '../follow.js';
import { jsonLine, type Output } from '../output.js';
import { cookieNote, formatBytes, interceptNote, renderNetworkDetails, shownUrl, throttleLine, webSocketNote } from '../render.js';
import type { RunnerTable } from '../runner.js';

/** One request per line: id, method, status, type, transferred size, time, URL (and the error, if it failed). */
export function requestLine(r: NetworkListItem): string {
  if (r.webSocket !== undefined) {
    // A socket's row: its handshake status, the bytes its frames carried, how long it was open, and its frame counts.
    const wsStatus = r.state === 'failed' ? 'ERR' : String(r.status ?? '...');
    const wsTime = r.durationMs !== undefined ? `${Math.round(r.durationMs)} ms` : 'open';
    return `  ${r.id.padEnd(6)} ${r.method.padEnd(7)} ${wsStatus.padEnd(4)} ${'websocket'.padEnd(10)} ${formatBytes(r.webSocket.bytesSent + r.webSocket.bytesReceived).padStart(9)} ${wsTime.padStart(8)}  ${shownUrl(r.url)}  ${webSocketNote(r.webSocket)}`;
  }
  const status = r.state === 'failed' ? 'ERR' : r.state === 'pending' ? '...' : String(r.status ?? '-');
  const type = (r.resourceType ?? '-').toLowerCase();
  const size = r.state === 'finished' ? (r.fromCache === true ? '(cache)' : formatBytes(r.encodedDataLength)) : '';
  const time = r.durationMs !== undefined ? `${Math.round(r.durationMs)} ms` : '';
  let tail = '';
  if (r.state === 'failed')
    tail = `  ${r.canceled === true ? 'canceled' : (r.errorText ?? 'failed')}${r.blockedReason !== undefined ? ` (blocked: ${r.blockedReason})` : ''}`;
  else if (r.state === 'pending') tail = '  pending';
  tail += interceptNote(r) + cookieNote(r);
  return `  ${r.id.padEnd(6)} ${r.method.padEnd(7)} ${status.padEnd(4)} ${type.padEnd(10)} ${size.padStart(9)} ${time.padStart(8)}  ${shownUrl(r.url)}${tail}`;
}

function statsNote(s: NetworkListResult['stats']): string {
  const parts: string[] = [];
  if (s.pending > 0) parts.push(`${s.pending} pending`);
  if (s.dropped > 0) parts.push(`${s.dropped} older dropped from the buffer`);
  if (s.filtered > 0) parts.push(`${s.filtered} tracking requests not recorded (--all records them)`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

const WINDOW_WORDS: Record<string, string> = { start: 'newest', duration: 'slowest', size: 'largest' };

export function renderNetworkList(d: NetworkListResult, params: Pick<ParamsOf<'network.list'>, 'filter'>): string {
  const scope = d.page === 'current' && d.navigation !== null ? ` of the current page (${d.navigation.url})` : '';
  const filter = params.filter !== undefined && params.filter.trim() !== '' ? ` matching "${params.filter}"` : '';
  const key = d.sort.replace(/^-/, '');
  const order = d.sort !== 'start' ? `, by ${key}${d.sort.startsWith('-') ? ' (descending)' : ''}` : '';
  const shown = d.requests.length < d.matched ? `${d.requests.length} ${WINDOW_WORDS[key] ?? 'newest'} of ${d.matched}` : `${d.matched}`;
  const lines = [`Requests${scope}${filter}: ${shown} of ${d.stats.count} recorded${statsNote(d.stats)}${order}`];
  if (d.requests.length === 0) lines.push('  (none)');
  else lines.push(...d.requests.map(requestLine));
  const more = omittedLine(d.omitted, 'request');
  if (more !== '') lines.push(more);
  lines.push('', 'More: bdg details network <id> | bdg network headers <id> | bdg network har');
  return lines.join('\n');
}

/**
 * `network list --follow`: polls with `--since` and prints each matching request once it has finished or failed.
 * Requests still in flight pin the cursor so they are printed when they complete.
 */
function followNetwork(paths: SessionPaths, params: ParamsOf<'network.list'>, out: Output): Promise<number> {
  const printed = new Set<string>();
  let since: string | undefined;
  return followLoop(out, 500, async (first) => {
    const req: InputOf<'network.list'> = {
      current: params.current,
      ...(params.page !== undefined ? { page: params.page } : {}),
      ...(params.filter !== undefined ? { filter: params.filter } : {}),
      ...(since !== undefined ? { since, full: true } : { last: params.last }),
    };
    const data = await call(paths, 'network.list', req);
    if (first && !out.json) out.note(`Following requests${params.filter !== undefined ? ` matching "${params.filter}"` : ''}; Ctrl-C to stop.`);
    let text = '';
    let oldestPending: number | undefined;
    for (const r of data.requests) {
      // A socket is printed once it is open (or failed), and never holds the cursor back while it stays open.
      if (r.webSocket !== undefined && r.webSocket.state === 'connecting') {
        oldestPending ??= Number(r.id.slice(1));
        continue;
      }
      if (r.state === 'pending' && r.webSocket === undefined) {
        oldestPending ??= Number(r.id.slice(1));
        continue;
      }
      if (printed.has(r.id)) continue;
      printed.add(r.id);
      text += out.json ? jsonLine({ type: 'network', item: r }) : `${requestLine(r)}\n`;
    }
    // Keep the set small: ids below the cursor are never returned again.
    const cursor = oldestPending !== undefined ? oldestPending - 1 : data.latestId !== null ? Number(data.latestId.slice(1)) : 0;
    for (const id of printed) if (Number(id.slice(1)) <= cursor) printed.delete(id);
    since = `n${cursor}`;
    return text;
  });
}

/** `#12  12:00:01.234  send     text    5 B  hello` */
export function frameLine(f: WebSocketFrameView): string {
  const time = new Date(f.time).toISOString().slice(11, 23);
  const kind = f.type === 'error' ? 'error' : f.opcode === 1 ? 'text' : f.opcode === 2 ? 'binary' : `op ${f.opcode}`;
  const payload =
    f.type === 'error'
      ? (f.data ?? '')
      : f.data === undefined
        ? `[binary, ${formatBytes(f.size)}]`
        : `${f.data}${f.truncated === true ? ` … [cut, ${formatBytes(f.size)} in all]` : ''}`;
  return `  #${String(f.seq).padEnd(5)} ${time}  ${f.type.padEnd(7)} ${kind.padEnd(6)} ${(f.type === 'error' ? '' : formatBytes(f.size)).padStart(8)}  ${payload.replace(/\r?\n/g, '\\n')}`;
}

export function renderWebSocketFrames(d: WebSocketFramesResult): string {
  const w = d.summary;
  const shown = d.frames.length < d.matched ? `${d.frames.length} newest of ${d.matched} kept` : `${d.matched} kept`;
  const lines = [`${d.id}  WebSocket ${d.url}`, `  ${webSocketNote(w)}${d.status !== null ? `; handshake ${d.status}` : ''}`, '', `Frames (${shown}):`];
  lines.push(...(d.frames.length > 0 ? d.frames.map(frameLine) : ['  (none)']));
  const more = omittedLine(d.omitted, 'frame');
  if (more !== '') lines.push(more);
  lines.push('', `More: bdg network ws ${d.id} --follow | bdg details network ${d.id} (handshake headers) | bdg network har`);
  return lines.join('\n');
}

/** `network ws --follow`: the newest frames, then every new one, until the socket closes or the session ends. */
function followFrames(paths: SessionPaths, params: ParamsOf<'network.ws'>, out: Output): Promise<number> {
  let since = params.since;
  return followLoop(out, 300, async (first) => {
    const data = await call(paths, 'network.ws', { id: params.id, last: params.last, ...(since !== undefined ? { since } : {}) });
    let text = '';
    if (first && !out.json) out.note(`Following frames of ${data.id} (${data.url}); Ctrl-C to stop.`);
    for (const f of data.frames) text += out.json ? jsonLine({ type: 'frame', item: f }) : `${frameLine(f)}\n`;
    since = data.lastSeq;
    if (data.state !== 'closed') return text;
    text += out.json ? jsonLine({ type: 'closed', item: data.summary }) : `  -- closed: ${webSocketNote(data.summary)}\n`;
    return { text, done: true };
  });
}

function harFileName(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `bdg-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}.har`;
}

function cookieLine(c: NetworkCookie): string {
  const value = c.value.length > 60 ? `${c.value.slice(0, 57)}...` : c.value;
  const attrs: string[] = [];
  if (c.domain !== undefined) attrs.push(`Domain=${c.domain}`);
  if (c.path !== undefined) attrs.push(`Path=${c.path}`);
  if (c.expires !== undefined) attrs.push(`Expires=${c.expires}`);
  if (c.httpOnly === true) attrs.push('HttpOnly');
  if (c.secure === true) attrs.push('Secure');
  if (c.sameSite !== undefined) attrs.push(`SameSite=${c.sameSite}`);
  const blocked = c.blockedReasons !== undefined ? `  [BLOCKED: ${c.blockedReasons.join(', ')}]` : '';
  return `  ${c.name}=${value}${attrs.length > 0 ? `; ${attrs.join('; ')}` : ''}${blocked}`;
}

export function renderHeaders(d: HeadersResult): string {
  const block = (title: string, h: Record<string, string>): string[] => {
    const entries = Object.entries(h).flatMap(([k, v]) => v.split('\n').map((line) => `  ${k}: ${line}`));
    return [`${title}:`, ...(entries.length > 0 ? entries : ['  (none)'])];
  };
  const lines = [
    `${d.id}  ${d.method} ${shownUrl(d.url)}`,
    `Status: ${d.status !== null ? `${d.status} ${d.statusText ?? ''}`.trimEnd() : d.state}`,
    '',
    ...block('Request headers', d.requestHeaders),
  ];
  if (d.requestCookies.length > 0) lines.push('', 'Request cookies:', ...d.requestCookies.map(cookieLine));
  lines.push('', ...(d.responseHeaders !== null ? block('Response headers', d.responseHeaders) : ['Response headers: (no response yet)']));
  if (d.responseCookies.length > 0) lines.push('', 'Set-Cookie:', ...d.responseCookies.map(cookieLine));
  return lines.join('\n');
}

/** One rule per line: id, action, method, pattern, what it answers, hits (and the --times limit). */
export function ruleLine(r: InterceptRuleView): string {
  const what =
    r.action === 'mock'
      ? `-> ${String(r.status ?? 200)}${r.bodyBytes !== undefined && r.bodyBytes > 0 ? `, ${formatBytes(r.bodyBytes)}` : ', empty body'}`
      : '-> blocked';
  const times = r.times !== null ? ` of ${r.times}${r.active ? '' : ', used up'}` : '';
  return `  ${r.id.padEnd(5)} ${r.action.padEnd(6)} ${(r.method ?? 'any').padEnd(6)} ${r.pattern}  ${what}  ${r.hits} hit${r.hits === 1 ? '' : 's'}${times}`;
}

export function renderRules(rules: readonly InterceptRuleView[], intercepting: boolean): string {
  if (rules.length === 0) return 'No mock or block rules (requests go to the network).';
  const active = rules.filter((r) => r.active).length;
  return [
    `${rules.length} rule${rules.length === 1 ? '' : 's'}, ${active} active${intercepting ? '' : ' (nothing is intercepted)'}; the newest matching rule answers:`,
    ...rules.map(ruleLine),
    '',
    'More: bdg network unmock <id> | bdg network list --filter is:mocked',
  ].join('\n');
}

/** `--file`: read here, where the user typed the path (the daemon reads no files), within the mock body cap. */
async function readMockFile(file: string): Promise<Buffer> {
  const path = resolve(process.cwd(), file);
  const fs = await fsp();
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) throw new BdgError('INVALID_ARGUMENTS', `--file ${file} is not a file`);
    if (st.size > MAX_MOCK_BODY_BYTES)
      throw new BdgError('INVALID_ARGUMENTS', `--file ${file} is ${formatBytes(st.size)}; a mock body is at most ${formatBytes(MAX_MOCK_BODY_BYTES)}`);
    return await fs.readFile(path);
  } catch (err) {
    if (err instanceof BdgError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new BdgError(code === 'EACCES' ? 'PERMISSION_DENIED' : 'NOT_FOUND', `Cannot read --file ${file}: ${(err as Error).message}`);
  }
}

export const NETWORK_RUNNERS: RunnerTable<InFamily<'network'>> = {
  'network.list': async (paths, params, out) => {
    if (params.follow && params.sort !== 'start')
      throw new BdgError('INVALID_ARGUMENTS', '--sort does not apply to --follow', 'Follow prints requests as they finish; sort a listing without --follow.');
    if (params.from !== undefined) {
      if (params.follow)
        throw new BdgError('INVALID_ARGUMENTS', '--follow does not apply to --from', 'A journal is a finished record: list it without --follow.');
      const { readJournal, listFrom } = await import('../../offline/journal.js');
      // Read here, not by a daemon: the listing's bound is applied as the dispatcher applies it to a live one.
      const data = boundListing(specOf('network.list').listing, listFrom(await readJournal(resolve(process.cwd(), params.from)), params), params.full);
      return out.success(data, () => renderNetworkList(data, params));
    }
    if (params.follow) return followNetwork(paths, params, out);
    const { follow: _f, ...req } = params;
    const data = await call(paths, 'network.list', req);
    return out.success(data, () => renderNetworkList(data, params));
  },
  'network.har': async (paths, params, out) => {
    // The daemon has its own working directory: resolve the path here, where the user typed it.
    const file = resolve(process.cwd(), params.file !== undefined && params.file !== '' ? params.file : harFileName());
    let data;
    if (params.from !== undefined) {
      // A journal is read here, without a daemon (the one that wrote it may have been killed).
      const { readJournal, writeHarFrom } = await import('../../offline/journal.js');
      data = await writeHarFrom(await readJournal(resolve(process.cwd(), params.from)), file, params);
    } else data = await call(paths, 'network.har', { ...params, file }, 75_000);
    return out.success(data, () => {
      const notes: string[] = [];
      if (data.pending > 0) notes.push(`${data.pending} still pending`);
      if (data.dropped > 0) notes.push(`${data.dropped} older requests had been dropped from the buffer`);
      const secrets = data.sanitized
        ? `\nSanitized: ${data.redacted} cookie, credential and token values replaced by [REDACTED] (--include-sensitive keeps them)`
        : '\nNot sanitized (--include-sensitive): it holds cookies and credentials, keep it private';
      return `Wrote ${data.file}: ${data.entries} entries, ${data.pages} pages, ${data.withBodies} with bodies (${formatBytes(data.bytes)})${secrets}${notes.length > 0 ? `\nNote: ${notes.join('; ')}` : ''}`;
    });
  },
  'network.headers': async (paths, params, out) => {
    const data = await call(paths, 'network.headers', params);
    return out.success(data, () => renderHeaders(data));
  },
  'network.ws': async (paths, params, out) => {
    if (params.from !== undefined) {
      if (params.follow)
        throw new BdgError('INVALID_ARGUMENTS', '--follow does not apply to --from', 'A journal is a finished record: list its frames without --follow.');
      const { readJournal, framesFrom } = await import('../../offline/journal.js');
      const file = resolve(process.cwd(), params.from);
      const data = boundListing(specOf('network.ws').listing, framesFrom(await readJournal(file), params, file), params.full);
      return out.success(data, () => renderWebSocketFrames(data));
    }
    if (params.follow) return followFrames(paths, params, out);
    const { follow: _f, ...req } = params;
    const data = await call(paths, 'network.ws', req);
    return out.success(data, () => renderWebSocketFrames(data));
  },
  'network.mock': async (paths, params, out) => {
    if (params.file !== undefined && params.body !== undefined)
      throw new BdgError('INVALID_ARGUMENTS', '--body and --file cannot be combined', 'Give one of them.');
    const req: InputOf<'network.mock'> =
      params.file !== undefined ? { ...params, file: basename(params.file), body: (await readMockFile(params.file)).toString('base64'), base64: true } : params;
    const data = await call(paths, 'network.mock', req);
    return out.success(data, () => `Rule ${data.id} added:\n${ruleLine(data)}\nRemove it with: bdg network unmock ${data.id}`);
  },
  'network.block': async (paths, params, out) => {
    const data = await call(paths, 'network.block', params);
    return out.success(data, () => `Rule ${data.id} added:\n${ruleLine(data)}\nRemove it with: bdg network unmock ${data.id}`);
  },
  'network.mocks': async (paths, params, out) => {
    const data = await call(paths, 'network.mocks', params);
    return out.success(data, () => [renderRules(data.rules, data.intercepting), omittedLine(data.omitted, 'rule')].filter((l) => l !== '').join('\n'));
  },
  'network.unmock': async (paths, params, out) => {
    const data = await call(paths, 'network.unmock', params);
    return out.success(data, () => {
      const left = data.rules.filter((r) => r.active).length;
      const removed = data.removed.length > 0 ? `Removed ${data.removed.join(', ')}.` : 'There were no rules.';
      return `${removed} ${left > 0 ? `${left} active rule${left === 1 ? '' : 's'} left.` : 'No rule is left: requests go to the network.'}`;
    });
  },
  'network.throttle': async (paths, params, out) => {
    const data = await call(paths, 'network.throttle', params);
    // Without arguments the command only shows the setting: "unchanged" would say nothing.
    const asked = params.preset !== undefined || params.download !== undefined || params.upload !== undefined || params.latency !== undefined;
    return out.success(
      data,
      () => `Network ${data.throttle === null ? 'not throttled' : `throttled: ${throttleLine(data.throttle)}`}${asked && !data.changed ? ' (unchanged)' : ''}`,
    );
  },
  'network.wait': async (paths, params, out) => {
    const data = await call(paths, 'network.wait', params);
    return out.success(data, () => `Matched after ${data.waitedMs} ms:\n${renderNetworkDetails(data.item)}`);
  },
  'network.cookies': async (paths, params, out) => {
    const data = await call(paths, 'network.cookies', params);
    return out.success(data, () => {
      const where = data.scope === 'all' ? 'in the browser' : `for ${data.url ?? '-'}`;
      return [
        `${plural(data.count ?? data.cookies.length, 'cookie')} ${where}:`,
        ...(data.cookies.length > 0 ? data.cookies.map(cookieLine) : ['  (none)']),
        omittedLine(data.omitted, 'cookie'),
      ]
        .filter((l) => l !== '')
        .join('\n');
    });
  },
  'network.cookies.set': async (paths, params, out) => {
    const d = await call(paths, 'network.cookies.set', params);
    return out.success(d, () => `Set cookie ${d.name} for ${d.url ?? d.domain ?? '?'}`);
  },
  'network.cookies.delete': async (paths, params, out) => {
    const d = await call(paths, 'network.cookies.delete', params);
    return out.success(d, () => `Deleted ${d.deleted} cookie${d.deleted === 1 ? '' : 's'} named ${d.name} for ${d.url ?? d.domain ?? '?'}`);
  },
};
