import { createReadStream, lstatSync, type Stats } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { readlinkName } from '../io/byte-fs.js';
import { fsPath, nameFromBytes } from '../io/byte-names.js';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { resolveScoped, type ScopedNode } from '../context/scoped-path.js';
import { SnapshotError } from './errors.js';
import { byteOrder, readMeta, type SnapshotMeta } from './meta.js';

/** `ChainLayer` is one snapshot of a chain: its `fs/` directory and its metadata. */
export interface ChainLayer {
  fs: string;
  meta: SnapshotMeta;
}

/** `ChainEntry` is an object of the merged filesystem: its image path, the layer that provides it and its `lstat` there. */
export interface ChainEntry {
  /** Absolute image path (`/etc/passwd`). */
  path: string;
  /** Where the bytes are: the object's path in the providing snapshot's `fs/`. */
  hostPath: string;
  /** Index of the providing layer in the chain (0 is the lowest). */
  layer: number;
  stats: Stats;
}

type Kind = 'dir' | 'symlink' | 'other';
/** One layer's object at a name, listed top-down; only the first is visible, the rest are lower dirs merged into it. */
interface Presence {
  layer: number;
  kind: Kind;
}
interface MergedDir {
  /** Layers that contribute to this directory, top-down (an opaque one is the last). */
  layers: number[];
  entries: Map<string, Presence[]>;
}

/**
 * `ChainView` reads a stack of snapshots (lowest first) as the one filesystem a kernel overlay
 * mount of them would show, in plain JS and without privileges: a whiteout hides its path below
 * it, an opaque directory hides the content of lower directories at its path, an upper non-directory
 * hides everything below, directories merge. Whiteouts and opaque directories come from each
 * snapshot's metadata, not from xattrs. Each directory's merged listing is built once, from one
 * `readdir` per contributing layer, and cached, so a lookup costs one map hit per path component
 * whatever the number of layers or entries.
 *
 * Paths are image paths (`/etc/passwd`). Like a process chrooted into the image, every method
 * follows symlinks in the parents of a path (scoped to the root: `..` and absolute targets never
 * leave it); `lstat` and `readlink` do not follow the last component, `stat`, `readdir`,
 * `readFile` and `open` do. `entry` follows nothing (how overlayfs looks a path up, layer by layer).
 *
 *   const view = await ChainView.open([base, runStep]);
 *   const passwd = await view.readFile('/etc/passwd');
 */
export class ChainView {
  readonly layers: readonly ChainLayer[];
  readonly #whiteouts: Set<string>[];
  readonly #opaque: Set<string>[];
  readonly #dirs = new Map<string, Promise<MergedDir | undefined>>();
  readonly #links = new Map<string, Promise<string>>();

  constructor(layers: readonly ChainLayer[]) {
    this.layers = layers;
    this.#whiteouts = layers.map((l) => new Set(l.meta.whiteouts));
    this.#opaque = layers.map((l) => new Set(l.meta.opaque));
  }

  /** `open` makes a view of snapshot directories (each holding `fs/` and `meta.json`), lowest first. */
  static async open(snapshotDirs: readonly string[]): Promise<ChainView> {
    return new ChainView(await Promise.all(snapshotDirs.map(async (d) => ({ fs: join(d, 'fs'), meta: await readMeta(join(d, 'meta.json')) }))));
  }

  /** `resolve` resolves an image path inside the chain's root (see `resolveScoped`) and returns it absolute (`/usr/bin/sh`). */
  async resolve(path: string, followLeaf: boolean): Promise<string> {
    const rel = await resolveScoped(path, followLeaf, (r) => this.#scoped(r));
    return `/${rel}`;
  }

  /** `entry` is the object at exactly `path` (no symlink followed anywhere), or undefined. */
  async entry(path: string): Promise<ChainEntry | undefined> {
    const rel = relPath(path);
    const p = await this.#presence(rel);
    if (!p) return undefined;
    const hostPath = this.#host(p.layer, rel);
    // Synchronous: microseconds, where a thread-pool round trip costs tens (COPY --from stats thousands).
    return { path: `/${rel}`, hostPath, layer: p.layer, stats: lstatSync(fsPath(hostPath)) };
  }

  /** `lstat` is the object at `path`, the last component not followed; undefined when nothing is there. */
  async lstat(path: string): Promise<ChainEntry | undefined> {
    return this.entry(await this.resolve(path, false));
  }

  /** `stat` is the object at `path` with every symlink followed; undefined when nothing is there. */
  async stat(path: string): Promise<ChainEntry | undefined> {
    return this.entry(await this.resolve(path, true));
  }

  /** `readdir` lists a directory of the merged filesystem, sorted by bytes. */
  async readdir(path: string): Promise<string[]> {
    const rel = relPath(await this.resolve(path, true));
    const dir = await this.#dir(rel);
    if (!dir) throw notFound(path, 'a directory');
    return [...dir.entries.keys()].sort(byteOrder);
  }

  /** `readlink` is the target of the symlink at `path`, as written. */
  async readlink(path: string): Promise<string> {
    const rel = relPath(await this.resolve(path, false));
    const p = await this.#presence(rel);
    if (p?.kind !== 'symlink') throw notFound(path, 'a symlink');
    return this.#target(p.layer, rel);
  }

  /** `readFile` reads a regular file (symlinks followed). */
  async readFile(path: string): Promise<Buffer> {
    return readFile(fsPath((await this.#file(path)).hostPath));
  }

  /** `open` streams a regular file (symlinks followed). */
  async open(path: string): Promise<Readable> {
    return createReadStream(fsPath((await this.#file(path)).hostPath));
  }

  async #file(path: string): Promise<ChainEntry> {
    const e = await this.stat(path);
    if (!e?.stats.isFile()) throw notFound(path, 'a regular file');
    return e;
  }

  async #scoped(rel: string): Promise<ScopedNode> {
    const p = await this.#presence(rel);
    if (!p) return undefined;
    if (p.kind === 'symlink') return { kind: 'symlink', target: await this.#target(p.layer, rel) };
    return { kind: p.kind };
  }

  #host(layer: number, rel: string): string {
    const fs = this.layers[layer]!.fs;
    return rel === '' ? fs : join(fs, rel);
  }

  #target(layer: number, rel: string): Promise<string> {
    const key = `${layer}\0${rel}`;
    let t = this.#links.get(key);
    if (!t) this.#links.set(key, (t = readlinkName(this.#host(layer, rel))));
    return t;
  }

  async #presence(rel: string): Promise<Presence | undefined> {
    if (rel === '') {
      const root = await this.#dir('');
      return root ? { layer: root.layers[0]!, kind: 'dir' } : undefined;
    }
    const slash = rel.lastIndexOf('/');
    const parent = await this.#dir(slash < 0 ? '' : rel.slice(0, slash));
    return parent?.entries.get(rel.slice(slash + 1))?.[0];
  }

  #dir(rel: string): Promise<MergedDir | undefined> {
    let d = this.#dirs.get(rel);
    if (!d) {
      d = this.#merge(rel);
      this.#dirs.set(rel, d);
    }
    return d;
  }

  async #merge(rel: string): Promise<MergedDir | undefined> {
    let layers: number[];
    if (rel === '') {
      layers = [];
      for (let i = this.layers.length - 1; i >= 0; i--) {
        layers.push(i);
        if (this.#opaque[i]!.has('')) break;
      }
    } else {
      const slash = rel.lastIndexOf('/');
      const parent = await this.#dir(slash < 0 ? '' : rel.slice(0, slash));
      const list = parent?.entries.get(rel.slice(slash + 1));
      if (!list || list[0]!.kind !== 'dir') return undefined;
      layers = list.map((p) => p.layer);
    }
    if (layers.length === 0) return undefined;
    const entries = new Map<string, Presence[]>();
    // Names whose lower objects are hidden: whited out, or the visible object is not a
    // directory, or the last directory merged was opaque.
    const closed = new Set<string>();
    // Names are kept byte for byte (see `nameFromBytes`): a file whose name is not UTF-8 is found again.
    const listings = await Promise.all(layers.map((i) => readdir(fsPath(this.#host(i, rel)), { withFileTypes: true, encoding: 'buffer' }).catch(() => [])));
    layers.forEach((i, n) => {
      const whiteouts = this.#whiteouts[i]!;
      const opaque = this.#opaque[i]!;
      for (const d of listings[n]!) {
        const name = nameFromBytes(d.name);
        if (closed.has(name)) continue;
        const child = rel === '' ? name : `${rel}/${name}`;
        if (whiteouts.has(child)) {
          closed.add(name);
          continue;
        }
        const kind: Kind = d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : 'other';
        const list = entries.get(name);
        if (list && kind !== 'dir') {
          closed.add(name);
          continue;
        }
        if (list) list.push({ layer: i, kind });
        else entries.set(name, [{ layer: i, kind }]);
        if (kind !== 'dir' || opaque.has(child)) closed.add(name);
      }
    });
    return { layers, entries };
  }
}

function relPath(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

function notFound(path: string, what: string): SnapshotError {
  return new SnapshotError('OCIBAKE_NOT_FOUND', `${path} is not ${what} in the stage's filesystem`);
}
