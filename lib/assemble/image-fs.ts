import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { BlobReader } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { readImagePaths } from '../layer/read-paths.js';
import { parseUserDb, type UserDb } from '../context/owner.js';
import { baseDirs } from './base-listing.js';

/**
 * `ImageFs` answers the two questions Docker's COPY semantics ask of the image being assembled,
 * without unpacking it: "is this path a directory?" (`COPY app /usr/local/bin` puts `app` inside
 * an existing directory) and "who is user X?" (`--chown=app:app` reads /etc/passwd and /etc/group).
 * Base layers are listed once (headers only) and the listing is cached by layer digest and the
 * merged one by chain (see `baseDirs`), so later builds download and merge nothing for it.
 */
export class ImageFs {
  readonly #store: BlobReader;
  readonly #listingsDir: string;
  readonly #baseLayers: readonly Descriptor[];
  /** Layers this build appended, by step position (they may finish out of order). */
  readonly #ownLayers = new Map<number, Descriptor>();
  /** Paths written by this build's own layers, known without reading anything. */
  readonly #ownDirs = new Set<string>();
  readonly #ownOthers = new Set<string>();
  #baseDirs: Promise<Set<string>> | undefined;

  constructor(store: BlobReader, listingsDir: string, baseLayers: readonly Descriptor[]) {
    this.#store = store;
    this.#listingsDir = listingsDir;
    this.#baseLayers = [...baseLayers];
  }

  /** `fork` copies the state for a stage that starts FROM this one. */
  fork(): ImageFs {
    // The parent stage is complete when a stage forks it: its layers become the child's base.
    const own = [...this.#ownLayers.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d);
    const f = new ImageFs(this.#store, this.#listingsDir, [...this.#baseLayers, ...own]);
    f.#baseDirs = this.#baseDirs;
    for (const d of this.#ownDirs) f.#ownDirs.add(d);
    for (const o of this.#ownOthers) f.#ownOthers.add(o);
    return f;
  }

  /** `addEntries` records what a COPY of this build puts in the image (known without reading anything). */
  addEntries(entries: readonly { destPath: string; type: string }[]): void {
    for (const e of entries) {
      if (e.type === 'dir') {
        this.#ownDirs.add(e.destPath);
        this.#ownOthers.delete(e.destPath);
      } else {
        this.#ownOthers.add(e.destPath);
        this.#ownDirs.delete(e.destPath);
      }
    }
  }

  /** `addLayer` records the layer written for step `position` (read by `users`). */
  addLayer(position: number, desc: Descriptor): void {
    this.#ownLayers.set(position, desc);
  }

  /** `isDir` tells whether an absolute path is a directory in the image as assembled so far. */
  async isDir(path: string): Promise<boolean> {
    const p = posix.normalize(path).replace(/\/+$/, '') || '/';
    if (p === '/') return true;
    if (this.#ownDirs.has(p)) return true;
    if (this.#ownOthers.has(p)) return false;
    this.#baseDirs ??= this.#listBase();
    return (await this.#baseDirs).has(p);
  }

  /** `users` reads /etc/passwd and /etc/group from the image (empty tables when absent). */
  async users(tmpRoot: string): Promise<UserDb> {
    const dir = await mkdtemp(join(tmpRoot, 'etc-'));
    try {
      const own = [...this.#ownLayers.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d);
      await readImagePaths(this.#store, [...this.#baseLayers, ...own], ['/etc/passwd', '/etc/group'], dir);
      const read = (f: string) => readFile(join(dir, 'etc', f), 'utf8').catch(() => '');
      return parseUserDb(await read('passwd'), await read('group'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  #listBase(): Promise<Set<string>> {
    return baseDirs(this.#store, this.#listingsDir, this.#baseLayers);
  }
}
