/**
 * `bdg bundle DIR`: what a bug report needs, written in one call. Each part is written on its own (atomically, mode
 * 0600, into a directory made 0700), so a part that fails (no screenshot of a crashed page) is reported and the rest
 * is kept. Secrets are redacted as in the HAR, and every value the HAR sanitizer would hide (cookie values,
 * credentials, secret query parameters) is also replaced wherever else it appears: the console, the DOM, the
 * outline and the summaries.
 */
import { isAbsolute, join } from 'node:path';
import type { ParamsOf, ResultOf } from '../../protocol/commands.js';
import type { BundleFile } from '../../protocol/commands/bundle.js';
import type { A11yNode } from '../../protocol/results.js';
import type { FoldedConsoleRecord, NetworkRecord } from '../../protocol/records.js';
import { VERSION } from '../../protocol/version.js';
import { headerValue } from '../../telemetry/cookies.js';
import { isSecretHeader, isSecretParam, REDACTED, sanitizeHar } from '../../telemetry/harSanitize.js';
import { BdgError, errnoCode } from '../../util/errors.js';
import { fsp } from '../../util/fsAsync.js';
import { writeError, writeFileAtomic } from '../../util/fsx.js';
import type { HandlerContext, HandlerTable } from '../context.js';
import { withSourceMaps } from '../sourceMaps.js';
import { foldConsole } from './console.js';
import { a11y } from './dom/a11y.js';
import { screenshot } from './dom/screenshot.js';
import { sessionHar } from './network.js';

/** Longest the HAR part spends fetching bodies Chrome still holds. */
const BODY_DEADLINE_MS = 10_000;
/**
 * Values shorter than this are not searched for elsewhere: a cookie such as `theme=dark` or `lang=en-US` would
 * redact words of the page. Session ids and tokens are longer; the HAR itself redacts every cookie whatever its length.
 */
const MIN_SECRET_LENGTH = 8;

/** Every secret value the records carry, longest first (so a token inside a longer header value goes with it). */
export function secretValues(records: readonly NetworkRecord[]): string[] {
  const found = new Set<string>();
  const add = (v: string | undefined): void => {
    const t = v?.trim();
    if (t !== undefined && t.length >= MIN_SECRET_LENGTH && t !== REDACTED) found.add(t);
  };
  const cookiePairs = (text: string, sep: RegExp): void => {
    for (const part of text.split(sep)) {
      const eq = part.indexOf('=');
      if (eq > 0) add(part.slice(eq + 1).split(';')[0]);
    }
  };
  for (const r of records) {
    for (const headers of [r.requestHeaders, r.responseHeaders ?? {}]) {
      for (const [name, value] of Object.entries(headers)) {
        if (!isSecretHeader(name)) continue;
        const n = name.toLowerCase();
        if (n === 'cookie') cookiePairs(value, /;\s*/);
        else if (n === 'set-cookie') cookiePairs(value, /\n/);
        else {
          add(value);
          // `Bearer abc`, `Basic xyz`: the credential alone too.
          const space = value.indexOf(' ');
          if (space > 0) add(value.slice(space + 1));
        }
      }
    }
    for (const c of [...(r.requestCookies ?? []), ...(r.responseCookies ?? [])]) add(c.value);
    try {
      for (const [name, value] of new URL(r.url).searchParams) if (isSecretParam(name)) add(value);
    } catch {
      /* not a URL with a query */
    }
    const cookie = headerValue(r.requestHeaders, 'cookie');
    if (cookie !== undefined) cookiePairs(cookie, /;\s*/);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** Replaces each secret (and its URL-encoded form) in `text`; counts the replacements. */
export function redactText(text: string, secrets: readonly string[], counter: { n: number }): string {
  let out = text;
  for (const s of secrets) {
    for (const form of new Set([s, encodeURIComponent(s)])) {
      if (!out.includes(form)) continue;
      const parts = out.split(form);
      counter.n += parts.length - 1;
      out = parts.join(REDACTED);
    }
  }
  return out;
}

/** A URL for the Markdown summaries: secret query parameters replaced (as in the HAR). */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const name of [...u.searchParams.keys()]) if (isSecretParam(name)) u.searchParams.set(name, REDACTED);
    return u.toString();
  } catch {
    return url;
  }
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function consoleText(messages: readonly FoldedConsoleRecord[]): string {
  if (messages.length === 0) return '(no console messages)\n';
  const lines: string[] = [];
  for (const m of messages) {
    const where =
      m.original !== undefined
        ? `  (${m.original.url}:${m.original.line}:${m.original.column})`
        : m.url !== undefined && m.url !== ''
          ? `  (${m.url}${m.line !== undefined ? `:${m.line}${m.column !== undefined ? `:${m.column}` : ''}` : ''})`
          : '';
    const count = m.count > 1 ? `  x${m.count}` : '';
    lines.push(`${m.id} [${m.level}] ${m.kind !== 'console' ? `${m.kind}: ` : ''}${m.text}${where}${count}`);
    const stack = m.originalStack ?? m.stack;
    if (stack !== undefined && stack !== '') lines.push(...stack.split('\n').map((l) => `    ${l}`));
  }
  return `${lines.join('\n')}\n`;
}

function requestRow(r: NetworkRecord): string {
  const status = r.state === 'failed' ? `failed: ${r.canceled === true ? 'canceled' : (r.errorText ?? 'error')}` : String(r.status ?? '-');
  const time = r.durationMs !== undefined ? `${Math.round(r.durationMs)} ms` : '-';
  return `| ${r.id} | ${r.method} | ${cell(status)} | ${(r.resourceType ?? '-').toLowerCase()} | ${time} | ${cell(safeUrl(r.url))} |`;
}

const TABLE_HEAD = ['| id | method | status | type | time | URL |', '| --- | --- | --- | --- | --- | --- |'];

function requestsMarkdown(failed: readonly NetworkRecord[], slow: readonly NetworkRecord[], slowMs: number, total: number): string {
  const lines = ['# Failed and slow requests', '', `${total} requests recorded.`, ''];
  lines.push(`## Failed (${failed.length})`, '', 'Requests that failed or answered 4xx/5xx.', '');
  lines.push(...(failed.length > 0 ? [...TABLE_HEAD, ...failed.slice(0, 200).map(requestRow)] : ['None.']));
  lines.push('', `## Slow (${slow.length})`, '', `Requests that took ${slowMs} ms or more, slowest first.`, '');
  lines.push(...(slow.length > 0 ? [...TABLE_HEAD, ...slow.slice(0, 200).map(requestRow)] : ['None.']));
  return `${lines.join('\n')}\n`;
}

function outline(nodes: readonly A11yNode[], depth: number, lines: string[]): void {
  for (const n of nodes) {
    const parts = [`${'  '.repeat(depth)}- ${n.role}`];
    if (n.name !== '') parts.push(JSON.stringify(n.name.length > 80 ? `${n.name.slice(0, 79)}…` : n.name));
    if (n.value !== undefined) parts.push(`value=${JSON.stringify(n.value.slice(0, 40))}`);
    if (n.states !== undefined) parts.push(`[${n.states.join(', ')}]`);
    lines.push(parts.join(' '));
    if (n.children !== undefined) outline(n.children, depth + 1, lines);
  }
}

/** The bundle directory: made (0700) when missing; an existing one must be an empty directory. */
async function prepareDir(dir: string): Promise<void> {
  const fs = await fsp();
  try {
    await fs.mkdir(dir, { mode: 0o700 });
    return;
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw writeError(dir, err);
  }
  const st = await fs.lstat(dir);
  if (!st.isDirectory()) throw new BdgError('INVALID_ARGUMENTS', `${dir} exists and is not a directory`, 'Name a new directory for the bundle.');
  if ((await fs.readdir(dir)).length > 0) {
    throw new BdgError(
      'ALREADY_EXISTS',
      `${dir} is not empty; a bundle never overwrites anything`,
      'Name a new (or empty) directory, e.g. with the date in it.',
    );
  }
}

async function bundle(ctx: HandlerContext, params: ParamsOf<'bundle'>, signal: AbortSignal): Promise<ResultOf<'bundle'>> {
  const { dir } = params;
  if (!isAbsolute(dir)) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `bundle needs an absolute directory path (got "${dir}")`,
      'The bdg CLI resolves DIR against its current directory; other clients must send an absolute path.',
    );
  }
  await prepareDir(dir);
  const s = ctx.session;
  const files: BundleFile[] = [];
  const failed: Array<{ part: string; error: string }> = [];
  const counter = { n: 0 };
  const records = s.network.all();
  const secrets = secretValues(records);
  const write = async (part: string, name: string, text: string): Promise<void> => {
    const data = redactText(text, secrets, counter);
    await writeFileAtomic(join(dir, name), data);
    files.push({ part, name, bytes: Buffer.byteLength(data) });
  };
  const attempt = async (part: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      failed.push({ part, error: err instanceof Error ? err.message : String(err) });
    }
  };

  // What the page shows first: later parts (body fetches) do not change it, and a crash later keeps these.
  await attempt('screenshot', async () => {
    if (s.health.down !== undefined) throw new Error(`the page is ${s.health.down.reason}`);
    const file = join(dir, 'screenshot.png');
    const shot = await screenshot(ctx, { file, viewport: false, fullPage: true, quality: 80, maxWidth: 1600 }, signal);
    await (await fsp()).chmod(file, 0o600);
    files.push({ part: 'screenshot', name: 'screenshot.png', bytes: shot.bytes });
  });
  await attempt('dom', async () => {
    const dom = await s.domSnapshot();
    if (dom === null) throw new Error('no DOM snapshot: the page does not answer');
    await write('dom', 'dom.html', `<!-- ${dom.url}${dom.truncated ? ' (truncated)' : ''} -->\n${dom.html}`);
  });
  await attempt('a11y', async () => {
    if (s.health.down !== undefined) throw new Error(`the page is ${s.health.down.reason}`);
    const tree = await a11y(ctx, { full: false, limit: 5000 }, signal);
    const lines = [`Accessibility outline of ${tree.url} (${tree.nodes} nodes${tree.truncated ? ', truncated' : ''})`];
    outline(tree.tree, 0, lines);
    await write('a11y', 'a11y.txt', `${lines.join('\n')}\n`);
  });
  await attempt('har', async () => {
    await s.fetchBodiesOf(records, BODY_DEADLINE_MS);
    const doc = sessionHar(s, records, s.navigations);
    counter.n += sanitizeHar(doc);
    await write('har', 'network.har', JSON.stringify(doc, null, 2));
  });
  const messages = await withSourceMaps(s, foldConsole(s.console.all()), signal);
  await attempt('console', async () => {
    await write('console', 'console.txt', consoleText(messages));
    await write('console', 'console.json', JSON.stringify({ messages, stats: s.console.stats() }, null, 2));
  });
  const failedRequests = records.filter((r) => r.state === 'failed' || (r.status ?? 0) >= 400);
  const slowRequests = records
    .filter((r) => r.state !== 'pending' && (r.durationMs ?? 0) >= params.slow)
    .sort((a, b) => (b.durationMs ?? 0) - (a.durationMs ?? 0));
  await attempt('requests', () => write('requests', 'requests.md', requestsMarkdown(failedRequests, slowRequests, params.slow, records.length)));

  const errors = messages.filter((m) => m.level === 'error');
  const page = s.page;
  const lines = [
    '# bdg debug bundle',
    '',
    `- Page: ${safeUrl(page.url)}${page.title !== '' ? ` "${page.title}"` : ''}${s.pageCrashed ? ' (crashed)' : ''}`,
    `- Written: ${new Date().toISOString()} by bdg ${VERSION}${s.browserVersion !== undefined ? `, ${s.browserVersion}` : ''}`,
    `- Session started: ${new Date(s.startedAt).toISOString()}, ${s.navigations.length + s.navigationsDropped} page loads`,
    `- Requests: ${records.length} (${failedRequests.length} failed, ${slowRequests.length} slow)${s.network.stats().dropped > 0 ? `, ${s.network.stats().dropped} older dropped` : ''}`,
    `- Console: ${s.console.all().length} messages, ${errors.length} distinct errors`,
    '',
    '## Files',
    '',
  ];
  const describe: Record<string, string> = {
    'screenshot.png': 'the page as it looked',
    'dom.html': 'the DOM snapshot (HTML)',
    'a11y.txt': 'the accessibility outline',
    'network.har': 'every request as HAR 1.2, sanitized (Chrome DevTools > Network > Import)',
    'console.txt': 'console messages, identical ones folded, with stacks',
    'console.json': 'the same as JSON',
    'requests.md': 'failed and slow requests',
  };
  for (const f of files) lines.push(`- [${f.name}](${f.name}): ${describe[f.name] ?? f.part} (${f.bytes} bytes)`);
  if (failed.length > 0) lines.push('', '## Not written', '', ...failed.map((f) => `- ${f.part}: ${f.error}`));
  if (errors.length > 0) {
    lines.push('', '## Console errors', '');
    for (const e of errors.slice(0, 20)) lines.push(`- \`${e.id}\` ${cell(e.text.slice(0, 300))}${e.count > 1 ? ` (x${e.count})` : ''}`);
  }
  if (failedRequests.length > 0) {
    lines.push('', '## Failed requests', '', ...TABLE_HEAD, ...failedRequests.slice(0, 20).map(requestRow));
  }
  lines.push('', `Secrets (cookies, credentials, tokens) are replaced by ${REDACTED}.`);
  const summary = 'summary.md';
  await attempt('summary', () => write('summary', summary, `${lines.join('\n')}\n`));
  return { dir, files, failed, redacted: counter.n, summary: join(dir, summary) };
}

export const BUNDLE_HANDLERS: HandlerTable<'bundle'> = { bundle };
