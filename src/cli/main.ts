import type { CommandName, InFamily } from '../protocol/commands.js';
import { validateParams } from '../protocol/validate.js';
import { VERSION } from '../protocol/version.js';
import { toBdgError } from '../util/errors.js';
import { resolveSession } from '../client/session.js';
import { bootSweep } from '../client/sweep.js';
import { parseArgv } from './argv.js';
import { SESSION_RUNNERS } from './commands/session.js';
import { StdoutOutput, jsonText, write, type Output } from './output.js';
import type { Execute, LazyFamily, Runner, RunnerTable } from './runner.js';

/**
 * CLI-side runners by command name. The session core's are loaded with the CLI; every other family is imported
 * only when one of its commands runs: each `import()` target is its own file in dist/ (scripts/build.mjs), which the
 * loader compiles (with its code cache) when the import runs, so `bdg status` and `bdg peek` do not pay for the CDP
 * schema, HAR or DOM code at start-up, nor for the MCP SDK, which only `bdg mcp` loads.
 */
const FAMILIES: { readonly [F in LazyFamily]: () => Promise<RunnerTable<InFamily<F>>> } = {
  cdp: async () => (await import('./commands/cdp.js')).CDP_RUNNERS,
  network: async () => (await import('./commands/network.js')).NETWORK_RUNNERS,
  console: async () => (await import('./commands/console.js')).CONSOLE_RUNNERS,
  dom: async () => (await import('./commands/dom.js')).DOM_RUNNERS,
  page: async () => (await import('./commands/page.js')).PAGE_RUNNERS,
  tabs: async () => (await import('./commands/page.js')).PAGE_RUNNERS,
  bundle: async () => (await import('./commands/bundle.js')).BUNDLE_RUNNERS,
  css: async () => (await import('./commands/css.js')).CSS_RUNNERS,
  eval: async () => (await import('./commands/dom.js')).EVAL_RUNNERS,
  storage: async () => (await import('./commands/storage.js')).STORAGE_RUNNERS,
  state: async () => (await import('./commands/storage.js')).STATE_RUNNERS,
  'install-skill': async () => (await import('./commands/installSkill.js')).SKILL_RUNNERS,
  // The front doors run other commands: they are handed execute() rather than importing this module.
  batch: async () => (await import('./batch.js')).batchRunners(execute),
  mcp: async () => (await import('../mcp/server.js')).mcpRunners(execute),
};

function isLazy(family: string): family is LazyFamily {
  return family in FAMILIES;
}

/** Every command's runner; the tables are typed against the contract, so each command has one. */
async function runnerFor(name: CommandName): Promise<Runner<CommandName>> {
  const family = name.split('.')[0] ?? '';
  const table: Record<string, unknown> = isLazy(family) ? await FAMILIES[family]() : SESSION_RUNNERS;
  // The table for `name`'s family has an entry for it (RunnerTable), taking ParamsOf<name>; execute() passes params
  // validated against the same entry.
  return table[name] as Runner<CommandName>;
}

/**
 * Runs one command: applies the contract once (defaults, bounds, required args), hands the params to the command's
 * runner, and gives a failure to `out` like any other answer. The CLI runs one; batch and MCP run many with it.
 */
const execute: Execute = async (command, raw, out, paths) => {
  try {
    const params = validateParams(command, raw);
    const runner = await runnerFor(command.name as CommandName);
    return await runner(paths, params as never, out);
  } catch (err) {
    return out.failure(toBdgError(err));
  }
};

async function main(argv: string[]): Promise<number> {
  const wantsJson = argv.includes('--json') || argv.includes('-j');
  const quiet = argv.includes('--quiet') || argv.includes('-q');
  let out: Output = new StdoutOutput(wantsJson, quiet);
  try {
    const parsed = parseArgv(argv);
    out = new StdoutOutput(parsed.json, quiet);
    if (parsed.kind === 'version') return await out.success({ version: VERSION }, () => VERSION);
    if (parsed.kind === 'help') {
      // Help text is generated from the whole contract: its own file, loaded only for --help.
      const { commandHelp, commandHelpJson, familyHelp, familyHelpJson, generalHelp, helpJson } = await import('./help.js');
      if (parsed.json) {
        const doc =
          parsed.command !== undefined ? commandHelpJson(parsed.command) : parsed.family !== undefined ? familyHelpJson(parsed.family) : helpJson(parsed.full);
        await write(process.stdout, jsonText(doc));
        return 0;
      }
      const text = parsed.command !== undefined ? commandHelp(parsed.command) : parsed.family !== undefined ? familyHelp(parsed.family) : generalHelp();
      await write(process.stdout, text);
      return 0;
    }
    const paths = resolveSession(process.env, parsed.session);
    for (const m of bootSweep(paths)) out.note(m);
    return await execute(parsed.command, parsed.params, out, paths);
  } catch (err) {
    return out.failure(toBdgError(err));
  }
}

// A reader that went away (`bdg tail | head -1`) ends us quietly, as with any Unix filter; without this a
// following command would keep writing into the broken pipe forever.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
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
