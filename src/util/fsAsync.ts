/**
 * `node:fs/promises`, loaded on first use. Importing it at the top of a module on the CLI's start-up path costs
 * every command (it pulls in Node's FileHandle and readline machinery) though most never write a file.
 */
type FsPromises = typeof import('node:fs/promises');
let loaded: FsPromises | undefined;

export async function fsp(): Promise<FsPromises> {
  loaded ??= await import('node:fs/promises');
  return loaded;
}
