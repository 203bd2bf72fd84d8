import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic-write.js';
import { join, posix } from 'node:path';
import tarStream from 'tar-stream';
import type { BlobReader } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { digestHex } from '../oci/digest.js';
import { layerCompression } from '../oci/media-types.js';
import { decompress } from '../layer/decompress.js';
import { readImagePaths } from '../layer/read-paths.js';
import { parseUserDb, type UserDb } from '../context/owner.js';

/** What a layer holds, as far as COPY needs to know: directories, and paths it deletes (whiteouts). */
interface LayerListing {
  dirs: string[];
  others: string[];
  whiteouts: string[];
  opaque: string[];
}

/**
 * `ImageFs` answers the two questions Docker's COPY semantics ask of the image being assembled,
 * without unpacking it: "is this path a directory?" (`COPY app /usr/local/bin` puts `app` inside
 * an existing directory) and "who is user X?" (`--chown=app:app` reads /etc/passwd and /etc/group).
 * Base layers are listed once (headers only) and the listing is cached by layer digest, so
 * later builds download nothing for it.
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

  async #listBase(): Promise<Set<string>> {
    const dirs = new Set<string>();
    for (const layer of this.#baseLayers) {
      const l = await this.#listing(layer);
      for (const o of l.opaque) for (const d of [...dirs]) if (d.startsWith(`${o}/`)) dirs.delete(d);
      for (const w of l.whiteouts) for (const d of [...dirs]) if (d === w || d.startsWith(`${w}/`)) dirs.delete(d);
      for (const o of l.others) dirs.delete(o);
      for (const d of l.dirs) dirs.add(d);
    }
    return dirs;
  }

  async #listing(layer: Descriptor): Promise<LayerListing> {
    const file = join(this.#listingsDir, `${digestHex(layer.digest)}.json`);
    try {
      return JSON.parse(await readFile(file, 'utf8')) as LayerListing;
    } catch {
      // not cached yet
    }
    const listing = await listLayer(this.#store, layer);
    await writeFileAtomic(file, JSON.stringify(listing));
    return listing;
  }
}

/** Reads a layer's tar headers (skipping file bodies) into a listing. */
async function listLayer(store: BlobReader, layer: Descriptor): Promise<LayerListing> {
  const out: LayerListing = { dirs: [], others: [], whiteouts: [], opaque: [] };
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const p = `/${posix.normalize(header.name).replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '')}`;
      const base = posix.basename(p);
      if (base === '.wh..wh..opq') out.opaque.push(posix.dirname(p));
      else if (base.startsWith('.wh.')) out.whiteouts.push(posix.join(posix.dirname(p), base.slice(4)));
      else if (header.type === 'directory') out.dirs.push(p === '/.' ? '/' : p);
      else out.others.push(p);
      stream.on('end', next);
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  const body = decompress(await store.fetch(layer), layerCompression(layer.mediaType) === 'gzip' ? 'gzip' : 'auto');
  body.on('error', (err) => extract.destroy(err));
  body.pipe(extract);
  await done;
  return out;
}
