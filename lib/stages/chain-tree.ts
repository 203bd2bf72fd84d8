import { posix } from 'node:path';
import type { Tree, TreeNode } from '../context/source-tree.js';
import type { ChainView } from '../snapshot/chain-view.js';

/**
 * `ChainTree` lets COPY/ADD read another stage's (or an image's) filesystem through its
 * snapshots, as if it were a directory: `COPY --from=build /out/app /usr/local/bin/`. Named
 * sources follow symlinks inside that filesystem (never out of it); walks list symlinks as they
 * are. Nothing is ignored: .dockerignore applies only to the build context.
 */
export class ChainTree implements Tree {
  readonly root = '/';
  readonly label: string;
  readonly #view: ChainView;

  constructor(view: ChainView, label: string) {
    this.#view = view;
    this.label = label;
  }

  clean(p: string): string {
    return posix.normalize(`/${p}`).replace(/^\/+/, '').replace(/\/+$/, '');
  }

  ignored(): boolean {
    return false;
  }

  async lookup(rel: string): Promise<TreeNode | undefined> {
    const e = await this.#view.stat(`/${rel}`);
    return e ? { rel, hostPath: e.hostPath, stats: e.stats } : undefined;
  }

  async walk(dir: TreeNode, skip: (relInside: string) => boolean = () => false): Promise<TreeNode[]> {
    const out: TreeNode[] = [];
    const start = await this.#view.resolve(`/${dir.rel}`, true);
    const visit = async (abs: string, relInside: string): Promise<void> => {
      for (const name of await this.#view.readdir(abs)) {
        const ri = relInside === '' ? name : `${relInside}/${name}`;
        if (skip(ri)) continue;
        const path = posix.join(abs, name);
        const e = await this.#view.entry(path);
        if (!e) continue;
        const node: TreeNode = { rel: ri, hostPath: e.hostPath, stats: e.stats };
        if (e.stats.isSymbolicLink()) node.linkTarget = await this.#view.readlink(path);
        out.push(node);
        if (e.stats.isDirectory()) await visit(path, ri);
      }
    };
    await visit(start, '');
    return out;
  }

  async list(rel: string): Promise<string[]> {
    try {
      return await this.#view.readdir(`/${rel}`);
    } catch {
      return [];
    }
  }
}
