/**
 * `node:fs/promises`, loaded on first use. Importing it at the top of a module on the CLI's start-up path costs
 * every command (it pulls in Node's FileHandle and readline machinery) though most never write a file.
 */
type FsPromises = typeof import('node:fs/promises');
let loaded: FsPromises | undefined;

// process.getBuiltinModule, not import(): in the CommonJS bundle a dynamic import() of a built-in starts Node's ESM
// loader, which costs more than the module itself.
export function fsp(): Promise<FsPromises> {
  loaded ??= process.getBuiltinModule('node:fs/promises');
  return Promise.resolve(loaded);
}
