import { lstat, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, posix, sep } from 'node:path';
import type { PathFilter } from './entry.js';
import { ContextError } from './errors.js';
import { fsPath, nameFromBytes } from '../io/byte-names.js';
import { readdirNames, readlinkName } from '../io/byte-fs.js';

/** `TreeNode` is one object found under a source tree root. */
export interface TreeNode {
  /** Path relative to the tree root, `/`-separated, '' for the root itself. */
  rel: string;
  hostPath: string;
  stats: Stats;
  linkTarget?: string;
}

/**
 * `Tree` is what COPY/ADD resolve their sources in: the build context on disk (`SourceTree`), or a
 * stage's or an image's filesystem read through its snapshots. Paths are relative to the root,
 * `/`-separated; every lookup stays inside the root.
 */
export interface Tree {
  readonly root: string;
  readonly label: string;
  clean(p: string): string;
  ignored(rel: string): boolean;
  lookup(rel: string): Promise<TreeNode | undefined>;
  walk(dir: TreeNode, skip?: (relInside: string) => boolean): Promise<TreeNode[]>;
  list(rel: string): Promise<string[]>;
}

/**
 * `SourceTree` is a directory COPY/ADD read from: the build context (with the .dockerignore
 * filter) or another stage's output directory (`COPY --from=build`, no filter). All paths are
 * cleaned and confined to the root; `..` cannot escape it and a symlink named as a source is
 * followed only while it stays inside. Names that are not valid UTF-8 are kept byte for byte
 * (see `nameFromBytes`), as BuildKit keeps them.
 */
export class SourceTree implements Tree {
  readonly root: string;
  readonly label: string;
  readonly #filter: PathFilter | undefined;

  constructor(root: string, label: string, filter?: PathFilter) {
    this.root = root;
    this.label = label;
    this.#filter = filter;
  }

  /** `clean` makes a source path relative to the root (`/a/../b/` → `b`), refusing escapes. */
  clean(p: string): string {
    const norm = posix.normalize(`/${p}`);
    return norm.replace(/^\/+/, '').replace(/\/+$/, '');
  }

  /** `ignored` tells whether the filter hides a path. */
  ignored(rel: string): boolean {
    return rel !== '' && this.#filter !== undefined && this.#filter.ignores(rel);
  }

  /**
   * `lookup` finds a named source, following symlinks on the way (BuildKit follows the source
   * path itself) as long as the result stays inside the root; undefined when absent or ignored.
   */
  async lookup(rel: string): Promise<TreeNode | undefined> {
    if (this.ignored(rel)) return undefined;
    const hostPath = join(this.root, rel);
    let real: string;
    try {
      real = nameFromBytes(await realpath(fsPath(hostPath), { encoding: 'buffer' }));
    } catch {
      return undefined;
    }
    const rootReal = nameFromBytes(await realpath(fsPath(this.root), { encoding: 'buffer' }));
    if (real !== rootReal && !real.startsWith(rootReal + sep)) {
      throw new ContextError('OCIBAKE_CONTEXT', `${this.label}: "${rel}" is a symlink that points outside (${real})`, {
        hint: 'COPY can only read files inside the build context',
      });
    }
    return { rel, hostPath: real, stats: await stat(fsPath(real)) };
  }

  /**
   * `walk` lists everything under a directory node (not the node itself), depth first in sorted
   * order so results are deterministic. Symlinks are listed, not followed. `skip(rel)` prunes.
   */
  async walk(dir: TreeNode, skip: (relInside: string) => boolean = () => false): Promise<TreeNode[]> {
    const out: TreeNode[] = [];
    const visit = async (hostDir: string, relInside: string, relTree: string): Promise<void> => {
      const names = (await readdirNames(hostDir)).sort();
      for (const name of names) {
        const ri = relInside === '' ? name : `${relInside}/${name}`;
        const rt = relTree === '' ? name : `${relTree}/${name}`;
        const hostPath = join(hostDir, name);
        const stats = await lstat(fsPath(hostPath));
        const hidden = this.ignored(rt) || skip(ri);
        if (hidden && !(stats.isDirectory() && this.#filter?.hasExceptions)) continue;
        const node: TreeNode = { rel: ri, hostPath, stats };
        if (stats.isSymbolicLink()) node.linkTarget = await readlinkName(hostPath);
        if (!hidden) out.push(node);
        if (stats.isDirectory()) await visit(hostPath, ri, rt);
      }
    };
    await visit(dir.hostPath, '', dir.rel);
    return out;
  }

  /** `list` returns the names in a directory of the tree (unfiltered), for wildcard matching. */
  async list(rel: string): Promise<string[]> {
    try {
      return (await readdirNames(join(this.root, rel))).sort();
    } catch {
      return [];
    }
  }
}
