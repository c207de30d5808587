import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ALL_COMMANDS, findCommand, isFollowing, type CommandSpec } from '../protocol/commands.js';
import { suggest, type Params } from '../protocol/validate.js';
import { VERSION } from '../protocol/version.js';
import { BdgError, errnoCode, toBdgError } from '../util/errors.js';
import { splitFlags } from '../util/flags.js';
import type { SessionPaths } from '../util/paths.js';
import { ConnectedSession } from '../client/call.js';
import { parseArgv } from './argv.js';
import { commandHelp, generalHelp } from './help.js';
import { CapturedOutput, write, type Captured, type Output } from './output.js';
import type { Execute, RunnerTable } from './runner.js';

/** One line of a batch as a command and its raw params, or the reason it is not one. */
type Line = { kind: 'run'; command: CommandSpec; params: Params } | { kind: 'answer'; data: unknown; text: string };

function refuse(message: string, hint: string): BdgError {
  return new BdgError('INVALID_ARGUMENTS', message, hint);
}

/** A JSON line: `{"cmd": "dom.click", "params": {"target": "#add"}}`, the request as the daemon would get it. */
function jsonLine(text: string): Line {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw refuse(
      `Not a JSON object: ${err instanceof Error ? err.message : String(err)}`,
      'A JSON line is {"cmd": "dom.click", "params": {"target": "#add"}}.',
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof (doc as { cmd?: unknown }).cmd !== 'string') {
    throw refuse('A JSON line needs "cmd", the command name', 'For example {"cmd": "network.list", "params": {"filter": "is:failed"}}.');
  }
  const { cmd, params, ...rest } = doc as { cmd: string; params?: unknown };
  const extra = Object.keys(rest);
  if (extra.length > 0)
    throw refuse(
      `Unknown key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')} in a JSON line`,
      'A JSON line has "cmd" and "params" only.',
    );
  const command = findCommand(cmd);
  if (command === undefined) {
    const close = suggest(
      cmd,
      ALL_COMMANDS.map((c) => c.name),
    );
    throw refuse(
      `Unknown command "${cmd}"`,
      close.length > 0
        ? `Did you mean ${close.map((c) => `"${c}"`).join(', ')}?`
        : 'Command names are those of `bdg --help --json` (dom.click, network.list, ...).',
    );
  }
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params)))
    throw refuse(`${cmd}: "params" must be an object`, 'For example {"cmd": "peek", "params": {"last": 5}}.');
  return { kind: 'run', command, params: (params ?? {}) as Params };
}

/** A text line: the words of a command line without `bdg`, split like shell words (quotes, backslashes; no shell). */
function textLine(text: string): Line {
  const parsed = parseArgv(splitFlags(text, 'this line'));
  if (parsed.kind === 'version') return { kind: 'answer', data: { version: VERSION }, text: VERSION };
  if (parsed.kind === 'help') {
    const help = parsed.command !== undefined ? commandHelp(parsed.command) : generalHelp();
    return { kind: 'answer', data: { help }, text: help };
  }
  return { kind: 'run', command: parsed.command, params: parsed.params };
}

function where(command: CommandSpec): string {
  return command.path.length > 0 ? command.path.join(' ') : '<url>';
}

/** Runs one line with its own output record; every failure, parse errors included, is that line's answer. */
async function runLine(text: string, out: CapturedOutput, paths: SessionPaths, execute: Execute): Promise<void> {
  let line: Line;
  try {
    line = text.startsWith('{') ? jsonLine(text) : textLine(text);
    if (line.kind === 'run' && line.command.frontDoor === true)
      throw refuse(`${where(line.command)} cannot run inside a batch`, 'A batch runs commands; run `bdg batch` or `bdg mcp` on its own.');
    if (line.kind === 'run' && isFollowing(line.command, line.params)) {
      throw refuse(
        `${where(line.command)}${line.command.follows === true ? '' : ' --follow'} keeps printing until interrupted; a batch runs each command to completion`,
        'In a batch, take a snapshot instead (`peek`, `network list --since <id>`, `console --since <id>`); follow on its own with `bdg tail` or --follow.',
      );
    }
  } catch (err) {
    await out.failure(toBdgError(err));
    return;
  }
  if (line.kind === 'answer') await out.success(line.data, () => line.text);
  else await execute(line.command, line.params, out, paths);
}

function emit(out: Output, n: number, text: string, result: Captured): Promise<void> {
  if (out.json) return write(process.stdout, `${JSON.stringify({ line: n, ...result.envelope })}\n`);
  const body = result.ok ? result.text : `${result.text}(exit ${result.exitCode})\n`;
  return write(process.stdout, `[${n}] ${text}\n${body}`);
}

function open(file: string | undefined): Promise<Readable> {
  if (file === undefined || file === '-') return Promise.resolve(process.stdin);
  return new Promise((resolve, reject) => {
    const stream = createReadStream(file);
    stream.once('open', () => resolve(stream));
    stream.once('error', (err) => {
      const code = errnoCode(err);
      reject(
        code === 'ENOENT'
          ? new BdgError('NOT_FOUND', `No such batch file: ${file}`, 'Give a file with one command per line, or - for stdin.')
          : new BdgError(code === 'EACCES' ? 'PERMISSION_DENIED' : 'INVALID_ARGUMENTS', `Cannot read ${file}: ${err.message}`),
      );
    });
  });
}

/**
 * `bdg batch [FILE|-] [--bail]`: the lines in order, each through the same execute() as `bdg` itself, every
 * request over one daemon connection. Answers one per line with --json (each command's own envelope plus `line`),
 * else a `[N] command` header and the text the CLI prints. The exit code is the first failure's; --bail stops there.
 */
async function runBatch(paths: SessionPaths, params: { file?: string; bail: boolean }, out: Output, execute: Execute): Promise<number> {
  const input = await open(params.file);
  if (input === process.stdin && process.stdin.isTTY) out.note('Reading commands from the terminal, one per line; Ctrl-D ends the batch.');
  const session = new ConnectedSession(paths.dir);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let exitCode = 0;
  let n = 0;
  try {
    for await (const raw of lines) {
      n++;
      const text = raw.trim();
      if (text === '' || text.startsWith('#')) continue;
      // json as for the command alone with --json (no progress notes); the text is rendered only when printed.
      const captured = new CapturedOutput({ json: out.json, render: !out.json, onNote: (m) => out.note(m) });
      await runLine(text, captured, session, execute);
      if (captured.result === undefined) await captured.failure(new BdgError('SOFTWARE_ERROR', `${text}: the command gave no answer`));
      const result = captured.result as Captured;
      await emit(out, n, text, result);
      if (result.exitCode !== 0) {
        if (exitCode === 0) exitCode = result.exitCode;
        if (params.bail) break;
      }
    }
  } finally {
    lines.close();
    session.close();
    // Stop reading, so an abandoned stdin (after --bail) does not keep the process alive.
    if (input !== process.stdin) input.destroy();
    else process.stdin.pause();
  }
  return exitCode;
}

export function batchRunners(execute: Execute): RunnerTable<'batch'> {
  return { batch: (paths, params, out) => runBatch(paths, params, out, execute) };
}
