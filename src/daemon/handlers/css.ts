import type { FamilyCommands, HandlerContext, HandlerTable } from '../context.js';
import type { ParamsOf, ResultOf } from '../../protocol/commands.js';
import type { CssMatch } from '../../protocol/commands/domInspect.js';
import { CSS_CALL, sheetLocation, withCss } from '../dom/css.js';

/** Text read per stylesheet and in all: a page with huge bundles is searched in its first megabytes. */
const MAX_SHEET_CHARS = 5 * 1024 * 1024;
const MAX_TOTAL_CHARS = 40 * 1024 * 1024;

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The selector (or at-rule) of the block a position is in: the text between the previous block boundary and its `{`. */
function ruleAround(text: string, pos: number): string {
  const open = text.lastIndexOf('{', pos);
  const close = text.lastIndexOf('}', pos);
  // Inside a selector (before its `{`): that selector.
  const next = text.indexOf('{', pos);
  const inSelector = close >= open && next !== -1 && (text.indexOf('}', pos) === -1 || next < text.indexOf('}', pos)) && text.lastIndexOf(';', pos) <= close;
  const end = inSelector ? next : open;
  if (end < 0) return '';
  let start = Math.max(text.lastIndexOf('}', end - 1), text.lastIndexOf('{', end - 1), text.lastIndexOf(';', end - 1)) + 1;
  if (start < 0) start = 0;
  return clip(
    text
      .slice(start, end)
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .trim(),
    120,
  );
}

/** `css search <text>`: every stylesheet's text (cross-origin ones included: Chrome reads them), case-insensitive. */
async function search(ctx: HandlerContext, params: ParamsOf<'css.search'>, signal: AbortSignal): Promise<ResultOf<'css.search'>> {
  const session = ctx.session;
  const needle = params.text.toLowerCase();
  return withCss(session, async (sheets) => {
    const matches: CssMatch[] = [];
    let count = 0;
    let unreadable = 0;
    let budget = MAX_TOTAL_CHARS;
    for (const header of sheets.values()) {
      if (signal.aborted || budget <= 0) break;
      let text: string;
      try {
        text = (await session.pageSend('CSS.getStyleSheetText', { styleSheetId: header.styleSheetId }, { ...CSS_CALL, signal })).text;
      } catch {
        unreadable++;
        continue;
      }
      if (text.length > MAX_SHEET_CHARS) text = text.slice(0, MAX_SHEET_CHARS);
      budget -= text.length;
      const lower = text.toLowerCase();
      const lineStarts = [0];
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
      for (let pos = lower.indexOf(needle); pos !== -1 && needle !== ''; pos = lower.indexOf(needle, pos + needle.length)) {
        count++;
        if (matches.length >= params.limit) continue;
        let line0 = 0;
        for (let lo = 0, hi = lineStarts.length - 1; lo <= hi;) {
          const mid = (lo + hi) >> 1;
          if ((lineStarts[mid] as number) <= pos) {
            line0 = mid;
            lo = mid + 1;
          } else hi = mid - 1;
        }
        const lineStart = lineStarts[line0] as number;
        const lineEnd = text.indexOf('\n', pos) === -1 ? text.length : text.indexOf('\n', pos);
        const col0 = pos - lineStart;
        const where = sheetLocation(header, line0);
        const column = col0 + 1 + (line0 === 0 && header.isInline ? header.startColumn : 0);
        // A long (minified) line is shown around the match only.
        const from = Math.max(lineStart, pos - 60);
        const snippet = `${from > lineStart ? '…' : ''}${text.slice(from, Math.min(lineEnd, pos + needle.length + 80)).trim()}`;
        const long = lineEnd - lineStart > 200;
        matches.push({
          source: long ? `${where.source}:${column}` : where.source,
          url: where.url ?? '',
          line: where.line,
          column,
          rule: ruleAround(text, pos),
          text: clip(snippet, 200),
        });
      }
    }
    return { text: params.text, stylesheets: sheets.size, count, omitted: Math.max(0, count - matches.length), matches, unreadable };
  });
}

export const CSS_HANDLERS: HandlerTable<FamilyCommands<'css'>> = {
  'css.search': search,
};
