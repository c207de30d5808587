/**
 * The docs may only name commands that exist: every `bdg …` command line quoted in docs/agent-skill.md,
 * docs/cdp.md and README.md is parsed with the CLI's own parser against the contract as it is at run time (other
 * families add commands in parallel), and its params are validated like the daemon would. CDP method and event
 * names in `bdg cdp` lines must exist in the protocol schema, and their --params must pass its checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgv } from '../../src/cli/argv.js';
import { repoRoot } from '../helpers/repoRoot.js';
import { loadCdpSchema, parseParamsJson } from '../../src/protocol/cdpSchema.js';
import { ALL_COMMANDS as COMMANDS, type OptionSpec } from '../../src/protocol/commands.js';
import { validateParams } from '../../src/protocol/validate.js';
import { EXIT_CODES } from '../../src/util/exitCodes.js';

const ROOT = repoRoot();
const DOCS = ['docs/agent-skill.md', 'docs/cdp.md', 'README.md'];

/** `bdg …` lines in fenced code blocks, and `bdg …` inline code spans elsewhere. */
export function commandLines(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) {
      const m = /^\s*(?:\$\s+)?(bdg\s.*)$/.exec(line);
      if (m !== null) out.push(m[1] as string);
      continue;
    }
    for (const span of line.matchAll(/`(bdg\s[^`]*)`/g)) out.push(span[1] as string);
  }
  return out;
}

/** Shell words of one command line, up to a comment, pipe, `&&`, `;` or redirection (quotes honoured, no expansion). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i] as string;
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
      continue;
    }
    if (ch === '\\' && i + 1 < line.length) {
      word = (word ?? '') + (line[++i] as string);
      continue;
    }
    if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    if (word === undefined && (ch === '#' || ch === '|' || ch === ';' || ch === '>' || ch === '&')) break;
    word = (word ?? '') + ch;
  }
  assert.equal(quote, undefined, `unbalanced quote in: ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** Any command's option spec by flag name (value flags have one type across commands). */
const OPTION = new Map<string, OptionSpec>();
for (const c of COMMANDS) for (const [flag, spec] of Object.entries(c.options)) if (!OPTION.has(flag)) OPTION.set(flag, spec);

function sample(spec: OptionSpec | undefined): string {
  if (spec?.type === 'number') return String(spec.min !== undefined && spec.min > 0 ? spec.min : 1);
  return spec?.choices?.[0] ?? 'x';
}

/**
 * Usage-style notation made concrete: `<url>` -> a URL, other `<placeholders>` -> x, `[optional]` brackets
 * dropped (`[options]` entirely), `a|b` alternatives -> the first, an upper-case value placeholder (N, S, DIR)
 * -> a value of the option's type.
 */
export function concrete(words: readonly string[]): { argv: string[]; placeholders: number } {
  const argv: string[] = [];
  let placeholders = 0;
  for (const raw of words) {
    if (raw === '[options]' || raw === '...' || raw === '…') continue;
    let w = raw.startsWith('[') || raw.endsWith(']') ? raw.replace(/^\[|\]$/g, '') : raw;
    if (/^<[^>]+>$/.test(w)) {
      placeholders++;
      argv.push(w === '<url>' ? 'localhost:3000' : 'x');
      continue;
    }
    if (!w.startsWith('-') && /^[a-z]+(\|[a-z]+)+$/.test(w)) w = w.split('|')[0] as string;
    const prev = argv[argv.length - 1];
    if (/^[A-Z][A-Z0-9_]*$/.test(w) && prev?.startsWith('--') === true) {
      placeholders++;
      w = sample(OPTION.get(prev.slice(2)));
    }
    argv.push(w);
  }
  return { argv, placeholders };
}

function docs(): { file: string; text: string }[] {
  return DOCS.filter((f) => existsSync(join(ROOT, f))).map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));
}

test('the doc scanner finds fenced and inline command lines and reads shell words', () => {
  const md = [
    'Run `bdg status --json` or:',
    '```sh',
    'bdg peek --last 5   # newest',
    '$ bdg cdp --list | head',
    'npm ci',
    '```',
    '`bdg` alone is a name, not a command.',
  ].join('\n');
  assert.deepEqual(commandLines(md), ['bdg status --json', 'bdg peek --last 5   # newest', 'bdg cdp --list | head']);
  assert.deepEqual(shellWords(`bdg cdp X --params '{"a":"b c"}' # note`), ['bdg', 'cdp', 'X', '--params', '{"a":"b c"}']);
  assert.deepEqual(shellWords('bdg dom query "a \\"b\\"" && echo'), ['bdg', 'dom', 'query', 'a "b"']);
  assert.deepEqual(concrete(['details', 'network|console', '<id>']).argv, ['details', 'network', 'x']);
  assert.deepEqual(concrete(['peek', '[--last', 'N]', '[options]']).argv, ['peek', '--last', '1']);
});

test('docs/agent-skill.md exists and shows the workflows', () => {
  const skill = readFileSync(join(ROOT, 'docs/agent-skill.md'), 'utf8');
  const lines = commandLines(skill).map((l) => shellWords(l).slice(1));
  const uses = (...words: string[]): boolean => lines.some((w) => words.every((x) => w.includes(x)));
  assert.ok(uses('status') && uses('peek') && uses('details') && uses('stop'), 'start, peek, details, stop');
  assert.ok(uses('cdp', '--list') && uses('cdp', '--describe') && uses('cdp', '--search') && uses('cdp', '--events'), 'cdp discovery and events');
  assert.ok(
    lines.some((w) => w.includes('--json')),
    '--json',
  );
});

test('every bdg command line in the docs names a command and options that exist', async () => {
  const schema = await loadCdpSchema();
  let checked = 0;
  for (const { file, text } of docs()) {
    for (const line of commandLines(text)) {
      const where = `${file}: ${line}`;
      const { argv, placeholders } = concrete(shellWords(line).slice(1));
      let parsed;
      try {
        parsed = parseArgv(argv);
      } catch (err) {
        assert.fail(`${where}\n  -> ${(err as Error).message}`);
      }
      checked++;
      if (parsed.kind === 'version') continue;
      if (parsed.kind === 'help') {
        const bare = argv.filter((w) => !w.startsWith('-'));
        assert.ok(argv.includes('--help') || argv.includes('-h') || bare.length === 0, `${where}\n  -> parses as a request for help`);
        assert.ok(parsed.command !== undefined || parsed.family !== undefined || bare.length === placeholders, `${where}\n  -> names no command`);
        continue;
      }
      let params;
      try {
        params = validateParams(parsed.command, parsed.params);
      } catch (err) {
        assert.fail(`${where}\n  -> ${(err as Error).message}`);
      }
      if (parsed.command.name !== 'cdp' && parsed.command.name !== 'cdp.send' && parsed.command.name !== 'cdp.events') continue;
      // CDP names in the docs are real, and example params pass the schema.
      const name = params['method'] as string | undefined;
      for (const key of ['events', 'event', 'listen', 'collect', 'until']) {
        const names = params[key] as string | undefined;
        if (names !== undefined && names !== '' && names !== 'x') schema.resolveEventNames(names);
      }
      if (name === undefined || name === 'x') continue;
      if (params['list'] === true || params['search'] !== undefined) schema.resolveDomain(name);
      else if (params['describe'] === true) assert.ok(name.includes('.') ? schema.describe(name) : schema.resolveDomain(name), where);
      else schema.assertParams(schema.resolveCommand(name), parseParamsJson(params['params'] as string | undefined, name));
    }
  }
  assert.ok(checked >= 20, `only ${checked} command lines found in ${DOCS.join(', ')}`);
});

test('every example in the contract (what --help --json publishes) parses too', () => {
  for (const c of COMMANDS) {
    for (const example of c.examples) {
      const parsed = parseArgv(shellWords(example).slice(1));
      assert.equal(parsed.kind, 'run', example);
      if (parsed.kind === 'run') {
        assert.equal(parsed.command.name, c.name, example);
        validateParams(parsed.command, parsed.params);
      }
    }
  }
});

test('the exit-code table in docs/agent-skill.md matches the one the CLI uses', () => {
  const skill = readFileSync(join(ROOT, 'docs/agent-skill.md'), 'utf8');
  const rows = [...skill.matchAll(/^\|\s*(\d+)\s*\|\s*([A-Z_]+)\s*\|/gm)].map((m) => [m[2] as string, Number(m[1])]);
  assert.deepEqual(Object.fromEntries(rows), { ...EXIT_CODES });
});
