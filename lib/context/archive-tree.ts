import { posix } from 'node:path';
import type { ContextEntry } from './entry.js';
import { resolveScoped, ScopeEscapeError, type ScopedNode } from './scoped-path.js';

/** `ArchiveNode` is one object an archive creates, kept in memory while the archive is read. */
export type ArchiveNode =
  | { type: 'dir'; mode: number; uid: number; gid: number }
  | { type: 'file'; mode: number; uid: number; gid: number; size: number; spool: string }
  | { type: 'symlink'; uid: number; gid: number; target: string }
  | { type: 'hardlink'; mode: number; uid: number; gid: number; size: number; spool: string; of: string };

/** `ArchiveTreeError` is a member BuildKit would refuse (the caller adds the archive's name). */
export class ArchiveTreeError extends Error {}

/**
 * `ArchiveTree` is the filesystem an archive builds when ADD unpacks it, held in memory so that
 * nothing on the host is created from the archive's names. It applies BuildKit's rules for
 * `ADD archive.tar /dest`: member paths are resolved inside the extraction root with the
 * archive's own symlinks followed (absolute targets start at the extraction root, relative
 * targets may not climb out of it), an entry replaces whatever is at its path (a file replaces a
 * symlink rather than writing through it), missing parents are created `0755 root:root`, and
 * hard links point at a file of the same archive. File bytes live in spool files named by the
 * caller, never at a path the archive chose.
 */
export class ArchiveTree {
  readonly #nodes = new Map<string, ArchiveNode>();
  /** Children of each directory, so replacing a directory costs its subtree, not the whole archive. */
  readonly #children = new Map<string, Set<string>>();

  /** `lookup` is `lstat` inside the tree (`''` is the extraction root, always a directory). */
  lookup(rel: string): ScopedNode {
    if (rel === '') return { kind: 'dir' };
    const n = this.#nodes.get(rel);
    if (!n) return undefined;
    if (n.type === 'dir') return { kind: 'dir' };
    if (n.type === 'symlink') return { kind: 'symlink', target: n.target };
    return { kind: 'other' };
  }

  /** `resolve` maps a cleaned member name to where it lands; `followLeaf` for directories. */
  async resolve(rel: string, followLeaf: boolean): Promise<string> {
    try {
      return await resolveScoped(rel, followLeaf, (p) => this.lookup(p), 'error');
    } catch (err) {
      if (err instanceof ScopeEscapeError) throw new ArchiveTreeError(`${err.message.replace('the root', 'the extraction root')}`);
      throw err;
    }
  }

  /** `put` creates `rel` (already resolved), replacing what is there unless both are directories. */
  put(rel: string, node: ArchiveNode): void {
    this.#mkParents(rel);
    const existing = this.#nodes.get(rel);
    if (existing && existing.type === 'dir' && node.type === 'dir') {
      this.#nodes.set(rel, node);
      return;
    }
    if (existing) this.#removeAll(rel);
    this.#set(rel, node);
  }

  /** `linkTarget` returns the file a hard link names (resolved, not following the last component). */
  async linkTarget(name: string): Promise<{ rel: string; node: Extract<ArchiveNode, { type: 'file' | 'hardlink' | 'symlink' }> }> {
    const rel = await this.resolve(name, false);
    if (rel === '') throw new ArchiveTreeError(`hard link to the extraction root`);
    const node = this.#nodes.get(rel);
    if (!node) throw new ArchiveTreeError(`hard link target ${name} is not in the archive before the link`);
    if (node.type === 'dir') throw new ArchiveTreeError(`hard link to the directory ${name}`);
    return { rel, node };
  }

  /**
   * `entries` lists the final tree under `destDir` in creation order. A hard link whose target
   * was replaced later keeps the bytes it had, as on a real filesystem, and becomes a plain file.
   */
  entries(destDir: string): ContextEntry[] {
    const out: ContextEntry[] = [];
    const at = (rel: string): string => posix.join(destDir, rel);
    for (const [rel, n] of this.#nodes) {
      const destPath = at(rel);
      switch (n.type) {
        case 'dir':
          out.push({ type: 'dir', destPath, mode: n.mode, uid: n.uid, gid: n.gid, size: 0 });
          break;
        case 'symlink':
          out.push({ type: 'symlink', destPath, linkTarget: n.target, mode: 0o777, uid: n.uid, gid: n.gid, size: 0 });
          break;
        case 'file':
          out.push({ type: 'file', destPath, hostPath: n.spool, mode: n.mode, uid: n.uid, gid: n.gid, size: n.size });
          break;
        case 'hardlink': {
          const target = this.#nodes.get(n.of);
          const intact = target !== undefined && (target.type === 'file' || target.type === 'hardlink') && target.spool === n.spool;
          out.push(
            intact
              ? { type: 'hardlink', destPath, linkTarget: at(n.of), hostPath: n.spool, mode: n.mode, uid: n.uid, gid: n.gid, size: n.size }
              : { type: 'file', destPath, hostPath: n.spool, mode: n.mode, uid: n.uid, gid: n.gid, size: n.size },
          );
          break;
        }
      }
    }
    return out;
  }

  #mkParents(rel: string): void {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const n = this.#nodes.get(p);
      if (!n) this.#set(p, { type: 'dir', mode: 0o755, uid: 0, gid: 0 });
      else if (n.type !== 'dir') throw new ArchiveTreeError(`${rel}: its parent ${p} is not a directory`);
    }
  }

  #set(rel: string, node: ArchiveNode): void {
    this.#nodes.set(rel, node);
    const parent = posix.dirname(rel);
    const key = parent === '.' ? '' : parent;
    let kids = this.#children.get(key);
    if (!kids) this.#children.set(key, (kids = new Set()));
    kids.add(rel);
  }

  #removeAll(rel: string): void {
    const stack = [rel];
    while (stack.length > 0) {
      const p = stack.pop()!;
      this.#nodes.delete(p);
      const kids = this.#children.get(p);
      if (kids) stack.push(...kids);
      this.#children.delete(p);
    }
    const parent = posix.dirname(rel);
    this.#children.get(parent === '.' ? '' : parent)?.delete(rel);
  }
}
