import type { ParamsOf, ResultOf } from '../../protocol/commands.js';
import type { ConsoleLevel, ConsoleRecord, FoldedConsoleRecord } from '../../protocol/records.js';
import type { FamilyCommands, HandlerContext, HandlerTable } from '../context.js';
import { LIST_ROWS } from '../../util/bounded.js';
import { withSourceMaps } from '../sourceMaps.js';
import { compileUserRegex, waitForConsole } from '../telemetryWait.js';
import { parseSince } from './network.js';
import { seqOfId as seqOf } from '../../telemetry/recordId.js';
import { withConsoleArgs } from '../../telemetry/consoleArgs.js';

/** Severity rank: `--level X` shows messages whose rank is at most X's (DevTools' level menu; log ranks as info). */
const RANK: Readonly<Record<ConsoleLevel, number>> = { error: 0, warning: 1, info: 2, log: 2, debug: 3 };

export type { FoldedConsoleRecord } from '../../protocol/records.js';

/** Folds identical messages (same level, kind, text and source location, same navigation) into their first one. */
export function foldConsole(records: readonly ConsoleRecord[]): FoldedConsoleRecord[] {
  const out: FoldedConsoleRecord[] = [];
  // By text first, then the few other fields compared directly: a key string per record (10,000 on a busy page)
  // was most of a listing's time and garbage.
  const byText = new Map<string, FoldedConsoleRecord | FoldedConsoleRecord[]>();
  for (const r of records) {
    const bucket = byText.get(r.text);
    const seen = bucket === undefined ? undefined : Array.isArray(bucket) ? bucket.find((f) => sameSource(f, r)) : sameSource(bucket, r) ? bucket : undefined;
    if (seen !== undefined) {
      seen.count++;
      seen.lastId = r.id;
      seen.lastTimestamp = r.timestamp;
      continue;
    }
    const folded: FoldedConsoleRecord = { ...r, count: 1 };
    if (bucket === undefined) byText.set(r.text, folded);
    else if (Array.isArray(bucket)) bucket.push(folded);
    else byText.set(r.text, [bucket, folded]);
    out.push(folded);
  }
  return out;
}

/** Same page, level, kind, type and location: with the same text, one message folded. */
function sameSource(a: ConsoleRecord, b: ConsoleRecord): boolean {
  return (
    a.navigation === b.navigation &&
    a.level === b.level &&
    a.kind === b.kind &&
    a.type === b.type &&
    (a.url ?? '') === (b.url ?? '') &&
    (a.line ?? 0) === (b.line ?? 0) &&
    (a.column ?? 0) === (b.column ?? 0)
  );
}

async function consoleList(ctx: HandlerContext, params: ParamsOf<'console'>, signal: AbortSignal): Promise<ResultOf<'console'>> {
  const s = ctx.session;
  const current = s.console.navigation;
  const { history, level } = params;
  const maxRank = level !== undefined ? RANK[level] : RANK.debug;
  const since = parseSince(params.since, 'c');
  const all = s.console.all();
  const matching = params.issues
    ? []
    : all.filter((r) => (history || r.navigation === current) && RANK[r.level] <= maxRank && (since === undefined || seqOf(r.id) > since));
  // Polling (--since) and --list want every message once, in order: no folding.
  let messages: FoldedConsoleRecord[] = since === undefined && !params.list ? foldConsole(matching) : matching.map((r) => ({ ...r, count: 1 }));
  const { last } = params;
  if (last !== undefined && last > 0) messages = messages.slice(-last);
  // Without --full the listing shows the newest LIST_ROWS (the dispatcher bounds it): only those are resolved through
  // source maps. Mapping all 10,000 of a busy page took 50 ms of the daemon per listing, and its garbage as much again.
  const unshown = params.full ? 0 : Math.max(0, messages.length - LIST_ROWS);
  messages = [...messages.slice(0, unshown), ...(await withSourceMaps(s, messages.slice(unshown), signal))];
  const nav = s.navigationAt(current);
  const issues = history ? s.issues.all() : s.issues.of(current);
  const pages = [...new Set([...messages.map((m) => m.navigation), ...issues.map((i) => i.navigation)])].sort((a, b) => a - b);
  const navigations = history ? pages.map((i) => ({ index: i, url: s.navigationAt(i)?.url ?? null })) : undefined;
  return {
    navigation: nav !== undefined ? { index: nav.index, url: nav.url } : null,
    history,
    level: level ?? null,
    messages,
    matched: matching.length,
    errors: matching.filter((r) => r.level === 'error').length,
    navigations,
    latestId: all[all.length - 1]?.id ?? null,
    stats: s.console.stats(),
    list: params.list,
    issues,
    issuesDropped: s.issues.droppedOf(history ? undefined : current),
  };
}

async function consoleWait(ctx: HandlerContext, params: ParamsOf<'console.wait'>, signal: AbortSignal): Promise<ResultOf<'console.wait'>> {
  const regex = params.match !== undefined ? compileUserRegex(params.match, '--match') : undefined;
  const started = Date.now();
  const what = [
    params.level !== undefined ? `a console message at level ${params.level} or above` : 'a console message',
    regex !== undefined ? `matching ${String(regex)}` : '',
  ]
    .filter((w) => w !== '')
    .join(' ');
  const item = await waitForConsole(
    ctx.session,
    { level: params.level, regex },
    { timeoutMs: Math.round(params.timeout * 1000), signal, since: parseSince(params.since, 'c'), what },
  ).promise;
  const waitedMs = Date.now() - started;
  const [mapped = item] = await withSourceMaps(ctx.session, [item], signal);
  return { item: withConsoleArgs(mapped), waitedMs };
}

export const CONSOLE_HANDLERS: HandlerTable<FamilyCommands<'console'>> = {
  console: consoleList,
  'console.wait': consoleWait,
};
