import { readdir, readlink } from 'node:fs/promises';
import { fsPath, nameFromBytes } from './byte-names.js';

/** `readdirNames` lists a directory with every name kept byte for byte (see `nameFromBytes`). */
export async function readdirNames(dir: string): Promise<string[]> {
  return (await readdir(fsPath(dir), { encoding: 'buffer' })).map(nameFromBytes);
}

/** `readlinkName` is a symlink's target, kept byte for byte. */
export async function readlinkName(path: string): Promise<string> {
  return nameFromBytes(await readlink(fsPath(path), { encoding: 'buffer' }));
}
