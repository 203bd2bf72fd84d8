import { chmod, copyFile, lchown, lstat, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContextEntry } from './entry.js';

/**
 * `writeEntries` materialises COPY/ADD entries under a host directory that stands for `/` of a
 * stage (host-stage execution). Whatever is in the way of an entry of another type is replaced,
 * as a layer would shadow it. Ownership is applied where the process may (as root, or in a
 * rootless run when the ids are ours); modes always.
 */
export async function writeEntries(root: string, entries: readonly ContextEntry[]): Promise<void> {
  for (const e of entries) {
    const p = join(root, e.destPath);
    const existing = await lstat(p).catch(() => undefined);
    if (e.type === 'dir') {
      if (existing && !existing.isDirectory()) await rm(p, { force: true });
      if (!existing?.isDirectory()) await mkdir(p, { recursive: true });
      else if (e.implicit) continue;
    } else {
      if (existing?.isDirectory() || existing?.isSymbolicLink() || (existing && e.type === 'symlink')) await rm(p, { recursive: true, force: true });
      await mkdir(join(p, '..'), { recursive: true });
      if (e.type === 'symlink') {
        await symlink(e.linkTarget ?? '', p);
      } else if (e.content !== undefined) {
        await writeFile(p, e.content);
      } else if (e.hostPath !== undefined) {
        await copyFile(e.hostPath, p);
      }
    }
    if (e.type !== 'symlink') await chmod(p, e.mode);
    await lchown(p, e.uid, e.gid).catch(() => undefined);
  }
}
