import { constants } from 'node:fs';
import { chmod, copyFile, lchown, link, lstat, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContextEntry } from './entry.js';
import { ContextError } from './errors.js';
import { readlinkName } from '../io/byte-fs.js';
import { fsPath } from '../io/byte-names.js';
import { resolveScoped, type ScopedNode } from './scoped-path.js';

/**
 * `writeEntries` materialises COPY/ADD entries under a host directory that stands for `/` of a
 * stage. Paths are resolved as inside the stage (`resolveScoped`): a symlink the stage holds,
 * `/x -> /etc` say, leads to `<root>/etc`, never to the host's `/etc`, and an entry replaces a
 * symlink at its own path instead of writing through it. Whatever is in the way of an entry of
 * another type is replaced, as a layer would shadow it. Ownership is applied where the process
 * may (as root, or in a rootless run when the ids are ours); modes always.
 */
export async function writeEntries(root: string, entries: readonly ContextEntry[]): Promise<void> {
  const lookup = async (rel: string): Promise<ScopedNode> => {
    const st = await lstat(fsPath(join(root, rel))).catch(() => undefined);
    if (!st) return undefined;
    if (st.isSymbolicLink()) return { kind: 'symlink', target: await readlinkName(join(root, rel)) };
    return st.isDirectory() ? { kind: 'dir' } : { kind: 'other' };
  };
  const inStage = async (destPath: string, followLeaf: boolean): Promise<string> => join(root, await resolveScoped(destPath, followLeaf, lookup));
  for (const e of entries) {
    const p = await inStage(e.destPath, e.type === 'dir');
    await mkdirInStage(root, p, lookup);
    // Names are kept byte for byte (see `fsPath`): a context file whose name is not UTF-8 lands as it is.
    const at = fsPath(p);
    const existing = await lstat(at).catch(() => undefined);
    if (e.type === 'dir') {
      if (existing && !existing.isDirectory()) await rm(at, { force: true });
      if (!existing?.isDirectory()) await mkdir(at);
      else if (e.implicit) continue;
    } else {
      if (existing) await rm(at, { recursive: true, force: true });
      if (e.type === 'symlink') {
        await symlink(fsPath(e.linkTarget ?? ''), at);
      } else if (e.type === 'hardlink') {
        await link(fsPath(await inStage(e.linkTarget ?? '', false)), at);
      } else if (e.content !== undefined) {
        await writeFile(at, e.content, { flag: 'wx' });
      } else if (e.hostPath !== undefined) {
        await copyFile(fsPath(e.hostPath), at, constants.COPYFILE_EXCL);
      }
    }
    if (e.type !== 'symlink') await chmod(at, e.mode);
    await lchown(at, e.uid, e.gid).catch(() => undefined);
  }
}

/** Creates the missing parents of `p` (already resolved, so every existing part is a real directory). */
async function mkdirInStage(root: string, p: string, lookup: (rel: string) => Promise<ScopedNode>): Promise<void> {
  const rel = p
    .slice(root.length + 1)
    .split('/')
    .slice(0, -1);
  for (let i = 1; i <= rel.length; i++) {
    const sub = rel.slice(0, i).join('/');
    const node = await lookup(sub);
    if (node === undefined) await mkdir(fsPath(join(root, sub)), { mode: 0o755 });
    else if (node.kind !== 'dir')
      throw new ContextError('OCIBAKE_CONTEXT', `cannot copy to ${p.slice(root.length)}: /${sub} is not a directory`, {
        hint: 'the destination path runs through a file of the stage; copy somewhere else',
      });
  }
}
