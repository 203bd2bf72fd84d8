import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Target } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { isDigest } from '../oci/digest.js';
import { canonicalJson, type Index } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { withFileLock } from '../io/file-lock.js';
import { CacheLayout } from '../cache/layout.js';
import { layoutTempDir, sweepLayoutTemp } from './layout-scratch.js';
import { BlobDirStore } from './blob-dir-store.js';
import { BlobNotFoundError, blobNotFound, StoreError } from './errors.js';

/** The annotation that names an image in an OCI layout's index.json (image-spec annotations.md). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Options for `OciLayout.open`. */
export interface OciLayoutOptions {
  /** Create the layout when the directory has none (default true). */
  create?: boolean | undefined;
  /**
   * A directory of ocibake's own for temp files (default: the cache's `tmp/`), used when it is on
   * the layout's filesystem, so a killed write leaves nothing in the user's layout.
   */
  scratchDir?: string | undefined;
}

/**
 * `OciLayout` is an OCI image layout directory (image-spec image-layout.md): `oci-layout`,
 * `index.json` and `blobs/sha256/`. It is a `Target`: tags are index.json entries carrying
 * `org.opencontainers.image.ref.name`, so one layout holds several images and tags, the way
 * skopeo's `oci:DIR:tag` and umoci's `DIR:tag` address them.
 *
 *   const layout = await OciLayout.open('out/');
 *   await copyGraph(buildStore, layout, root);
 *   await layout.tag(root, 'latest');
 */
export class OciLayout extends BlobDirStore implements Target {
  // Chaining index.json updates inside one process spares them waiting on the file lock for each other.
  #indexChain: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, scratchDir: string) {
    // A layout is the user's data: a corrupt blob is reported, never deleted. Its temp directory
    // is chosen at the first write, so reading a layout leaves it untouched.
    super(dir, () => layoutTempDir(dir, scratchDir), { dropCorrupt: false, beforeFirstWrite: () => sweepLayoutTemp(dir) });
  }

  /** `open` opens (or creates) the layout in `dir`. */
  static async open(dir: string, options: OciLayoutOptions = {}): Promise<OciLayout> {
    const abs = resolve(dir);
    const marker = join(abs, 'oci-layout');
    let text: string | undefined;
    try {
      text = await readFile(marker, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new StoreError('OCIBAKE_STORE', `reading ${marker}: ${(err as Error).message}`, { cause: err });
    }
    if (text === undefined) {
      if (options.create === false) {
        throw new StoreError('OCIBAKE_STORE', `${abs} is not an OCI layout (no oci-layout file)`, {
          hint: 'point at a directory written by ocibake, skopeo or umoci',
        });
      }
      await mkdir(join(abs, 'blobs', 'sha256'), { recursive: true });
      const layout = new OciLayout(abs, options.scratchDir ?? new CacheLayout().blobTmp);
      // Several processes may create the same layout at once: the first index.json stays (with
      // whatever was tagged into it meanwhile), the marker is written last.
      await layout.#updateIndex(async () => {});
      await writeFileAtomic(marker, canonicalJson({ imageLayoutVersion: '1.0.0' }), await layout.#tmp());
      return layout;
    }
    const layout = new OciLayout(abs, options.scratchDir ?? new CacheLayout().blobTmp);
    let version: unknown;
    try {
      version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch (err) {
      throw new StoreError('OCIBAKE_STORE', `${marker} is not valid JSON`, { cause: err });
    }
    if (version !== '1.0.0') throw new StoreError('OCIBAKE_STORE', `unsupported OCI layout version ${String(version)} in ${layout.dir}`);
    return layout;
  }

  /** `index` reads index.json. */
  async index(): Promise<Index> {
    const index = await this.#readIndex();
    if (!index)
      throw new StoreError('OCIBAKE_STORE', `reading ${join(this.dir, 'index.json')}: no such file`, {
        hint: 'the layout is incomplete: write the image into it again',
      });
    return index;
  }

  async #readIndex(): Promise<Index | undefined> {
    const path = join(this.dir, 'index.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StoreError('OCIBAKE_STORE', `reading ${path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const index = JSON.parse(text) as Index;
      if (!index || typeof index !== 'object' || !Array.isArray(index.manifests)) throw new Error('no manifests array');
      return index;
    } catch (err) {
      throw new StoreError('OCIBAKE_STORE', `reading ${path}: ${(err as Error).message}`, {
        cause: err,
        hint: 'index.json is damaged: restore it, or write the images into a new layout',
      });
    }
  }

  /** `resolve` finds a tag (ref.name) or a digest listed in index.json. */
  async resolve(ref: string): Promise<Descriptor> {
    const { manifests } = await this.index();
    const found = manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === ref) ?? (isDigest(ref) ? manifests.find((m) => m.digest === ref) : undefined);
    if (found) return found;
    if (isDigest(ref)) throw blobNotFound(ref, `OCI layout ${this.dir} (index.json)`);
    const tags = manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION]).filter((t): t is string => t !== undefined);
    throw new BlobNotFoundError(
      'OCIBAKE_BLOB_NOT_FOUND',
      `tag ${JSON.stringify(ref)} not found in OCI layout ${this.dir}; ${tags.length ? `it has: ${tags.join(', ')}` : 'it has no tags'}`,
      {
        hint: `name one of its tags (${this.dir}:TAG) or a digest (${this.dir}@sha256:…)`,
      },
    );
  }

  /**
   * `tag` names a manifest or index already in the layout. An entry with the same name is
   * replaced in place, so re-tagging keeps index.json order stable (and its bytes reproducible).
   */
  tag(desc: Descriptor, ref: string): Promise<void> {
    return this.#updateIndex(async (index) => {
      if (!(await this.exists(desc))) throw blobNotFound(desc.digest, `OCI layout ${this.dir}`);
      const entry: Descriptor = {
        mediaType: desc.mediaType,
        digest: desc.digest,
        size: desc.size,
        ...(desc.platform ? { platform: desc.platform } : {}),
        annotations: { ...(desc.annotations ?? {}), [REF_NAME_ANNOTATION]: ref },
      };
      const at = index.manifests.findIndex((m) => m.annotations?.[REF_NAME_ANNOTATION] === ref);
      if (at >= 0) index.manifests[at] = entry;
      else index.manifests.push(entry);
    });
  }

  /** `addUntagged` lists a manifest in index.json without a name (skipped when already listed). */
  addUntagged(desc: Descriptor): Promise<void> {
    return this.#updateIndex(async (index) => {
      if (index.manifests.some((m) => m.digest === desc.digest)) return;
      index.manifests.push({ mediaType: desc.mediaType, digest: desc.digest, size: desc.size, ...(desc.platform ? { platform: desc.platform } : {}) });
    });
  }

  /** `tidy` removes this process's temp directory once its writes are over, leaving a clean layout. */
  tidy(): Promise<void> {
    return this.blobs.tidy();
  }

  /**
   * index.json is read, changed and replaced holding `index.json.lock`, so concurrent writers in
   * other processes (six builds tagging into one layout) each see the others' entries. The
   * change must be idempotent: it runs again if the lock was recovered from under a stalled holder.
   */
  #updateIndex(change: (index: Index) => Promise<void>): Promise<void> {
    const run = this.#indexChain.then(async () => {
      await this.blobs.prepareWrite();
      const path = join(this.dir, 'index.json');
      for (let attempt = 0; ; attempt++) {
        const committed = await withFileLock(`${path}.lock`, async (lock) => {
          const index = (await this.#readIndex()) ?? emptyIndex();
          await change(index);
          if (!(await lock.check())) return false;
          await writeFileAtomic(path, canonicalJson(index), await this.#tmp());
          return true;
        });
        if (committed) return;
        if (attempt >= 3)
          throw new StoreError('OCIBAKE_STORE', `updating ${path}: another process keeps taking its lock`, { hint: 'run the writers one after another' });
      }
    });
    this.#indexChain = run.catch(() => {});
    return run;
  }

  async #tmp(): Promise<{ tmpDir: string; tmpPrefix: string }> {
    return { tmpDir: (await this.blobs.tempDir()).path, tmpPrefix: 'ingest-' };
  }
}

function emptyIndex(): Index {
  return { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
}
