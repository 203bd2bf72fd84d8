import { posix } from 'node:path';

/** `ScopedNode` is what a lookup knows about one path of a tree: a directory, a symlink, or anything else. */
export type ScopedNode = { kind: 'dir' } | { kind: 'symlink'; target: string } | { kind: 'other' } | undefined;

/** `ScopedLookup` answers `lstat` for a path relative to the tree's root (`''` is the root). */
export type ScopedLookup = (rel: string) => ScopedNode | Promise<ScopedNode>;

/**
 * How a symlink whose target climbs above the root is treated: `clamp` stops at the root, as
 * `chroot` and containerd's `fs.RootPath` do (COPY into a stage); `error` refuses it, as BuildKit
 * does for the symlinks inside an archive that ADD unpacks.
 */
export type EscapePolicy = 'clamp' | 'error';

/** `ScopeEscapeError` says which symlink pointed out of the root (the caller words the user-facing error). */
export class ScopeEscapeError extends Error {
  readonly link: string;
  constructor(link: string, message: string) {
    super(message);
    this.link = link;
  }
}

const MAX_LINKS = 255;

/** `cleanRelative` makes a path relative to the root: leading `/` and `.` dropped, `..` resolved; undefined when it climbs above the root. */
export function cleanRelative(p: string): string | undefined {
  const norm = posix.normalize(p.replace(/^\/+/, '') || '.');
  if (norm === '.' || norm === './') return '';
  if (norm === '..' || norm.startsWith('../')) return undefined;
  return norm.replace(/\/+$/, '');
}

/**
 * `resolveScoped` resolves `rel` inside a tree the way the kernel would after `chroot` into it:
 * every symlink on the way is followed, an absolute target starts again at the tree's root, and
 * nothing can leave the root. The last component is followed only when `followLeaf` (a
 * directory entry, or a COPY destination) so that a file written at a symlink's path replaces
 * the link instead of writing through it. The result is relative (`''` for the root); parts that
 * do not exist are kept as written.
 *
 *   resolveScoped('d/x', false, lookup) // 'etc/x' when d -> /etc
 */
export async function resolveScoped(rel: string, followLeaf: boolean, lookup: ScopedLookup, policy: EscapePolicy = 'clamp'): Promise<string> {
  let pending = splitPath(rel);
  let resolved: string[] = [];
  for (let links = 0; ;) {
    let followed = false;
    for (let i = 0; i < pending.length; i++) {
      const part = pending[i]!;
      if (part === '..') {
        resolved.pop();
        continue;
      }
      const candidate = [...resolved, part].join('/');
      if (i === pending.length - 1 && !followLeaf) {
        resolved.push(part);
        continue;
      }
      const node = await lookup(candidate);
      if (node === undefined) return [...resolved, ...pending.slice(i)].filter((s) => s !== '..').join('/');
      if (node.kind !== 'symlink') {
        resolved.push(part);
        continue;
      }
      if (++links > MAX_LINKS) throw new ScopeEscapeError(candidate, `too many levels of symbolic links resolving ${rel}`);
      const target = node.target;
      const rest = pending.slice(i + 1);
      if (target.startsWith('/')) {
        if (policy === 'error' && cleanRelative(target) === undefined)
          throw new ScopeEscapeError(candidate, `symlink ${candidate} -> ${target} points outside the root`);
        resolved = [];
        pending = [...splitPath(target), ...rest];
      } else {
        const joined = posix.normalize(posix.join(resolved.join('/') || '.', target));
        if (joined === '..' || joined.startsWith('../')) {
          if (policy === 'error') throw new ScopeEscapeError(candidate, `symlink ${candidate} -> ${target} points outside the root`);
        }
        resolved = [];
        pending = [...splitPath(joined), ...rest];
      }
      followed = true;
      break;
    }
    if (!followed) return resolved.join('/');
  }
}

function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s !== '' && s !== '.');
}
