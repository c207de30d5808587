import type { CommandSpec } from '../protocol/commands.js';
import type { Params } from '../protocol/validate.js';
import { VERSION } from '../protocol/version.js';
import { toBdgError } from '../util/errors.js';
import { SessionPaths, sessionDir } from '../util/paths.js';
import { parseArgv } from './argv.js';
import { call } from './call.js';
import { CDP_RUNNERS } from './commands/cdp.js';
import { CONSOLE_RUNNERS } from './commands/console.js';
import { NETWORK_RUNNERS } from './commands/network.js';
import { DOM_RUNNERS } from './commands/dom.js';
import { PAGE_RUNNERS } from './commands/page.js';
import { SESSION_RUNNERS } from './commands/session.js';
import { commandHelp, generalHelp, helpJson } from './help.js';
import { Output, write } from './output.js';
import type { Runner } from './runner.js';

/** CLI-side runners by command name; each family keeps its own under commands/. */
const RUNNERS: Record<string, Runner> = { ...SESSION_RUNNERS, ...CDP_RUNNERS, ...NETWORK_RUNNERS, ...CONSOLE_RUNNERS, ...DOM_RUNNERS, ...PAGE_RUNNERS };

/** A daemon command without its own runner: send it, print the result as JSON (humans get it indented too). */
const generic: (name: string) => Runner = (name) => async (paths, params, out) => {
  const data = await call(paths, name, params);
  return out.success(data, () => JSON.stringify(data, null, 2));
};

function run(command: CommandSpec, params: Params, out: Output): Promise<number> {
  const paths = new SessionPaths(sessionDir());
  const runner = RUNNERS[command.name] ?? generic(command.name);
  return runner(paths, params, out);
}

async function main(argv: string[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  let out = new Output(wantsJson);
  try {
    const parsed = parseArgv(argv);
    out = new Output(parsed.json);
    if (parsed.kind === 'version') return await out.success({ version: VERSION }, () => VERSION);
    if (parsed.kind === 'help') {
      if (parsed.json) {
        await write(process.stdout, `${JSON.stringify(helpJson(), null, 2)}\n`);
        return 0;
      }
      await write(process.stdout, parsed.command !== undefined ? commandHelp(parsed.command) : generalHelp());
      return 0;
    }
    return await run(parsed.command, parsed.params, out);
  } catch (err) {
    return out.failure(toBdgError(err));
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bdg: internal error: ${String(err)}\n`);
    process.exitCode = 110;
  },
);
