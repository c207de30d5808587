import type { ParamsOf, ResultOf } from '../../protocol/commands.js';
import type { ConsoleLevel, ConsoleRecord, FoldedConsoleRecord } from '../../protocol/records.js';
import type { FamilyCommands, HandlerContext, HandlerTable } from '../context.js';
import { withSourceMaps } from '../sourceMaps.js';
import { compileUserRegex, waitForConsole } from '../telemetryWait.js';
import { parseSince, seqOf } from './network.js';

/** Severity rank: `--level X` shows messages whose rank is at most X's (DevTools' level menu; log ranks as info). */
const RANK: Readonly<Record<ConsoleLevel, number>> = { error: 0, warning: 1, info: 2, log: 2, debug: 3 };

export type { FoldedConsoleRecord } from '../../protocol/records.js';

/** Folds identical messages (same level, kind, text and source location, same navigation) into their first one. */
export function foldConsole(records: readonly ConsoleRecord[]): FoldedConsoleRecord[] {
  const out: FoldedConsoleRecord[] = [];
  const byKey = new Map<string, FoldedConsoleRecord>();
  for (const r of records) {
    const key = JSON.stringify([r.navigation, r.level, r.kind, r.type, r.text, r.url ?? '', r.line ?? 0, r.column ?? 0]);
    const seen = byKey.get(key);
    if (seen !== undefined) {
      seen.count++;
      seen.lastId = r.id;
      seen.lastTimestamp = r.timestamp;
      continue;
    }
    const folded: FoldedConsoleRecord = { ...r, count: 1 };
    byKey.set(key, folded);
    out.push(folded);
  }
  return out;
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
  messages = await withSourceMaps(s, messages, signal);
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
  return { item: mapped, waitedMs };
}

export const CONSOLE_HANDLERS: HandlerTable<FamilyCommands<'console'>> = {
  console: consoleList,
  'console.wait': consoleWait,
};
