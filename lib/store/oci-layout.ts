import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Target } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { isDigest } from '../oci/digest.js';
import { canonicalJson, type Index } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { BlobDirStore } from './blob-dir-store.js';
import { BlobNotFoundError, blobNotFound, StoreError } from './errors.js';

/** The annotation that names an image in an OCI layout's index.json (image-spec annotations.md). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Options for `OciLayout.open`. */
export interface OciLayoutOptions {
  /** Create the layout when the directory has none (default true). */
  create?: boolean | undefined;
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
  // index.json updates are read-modify-write; chaining them keeps concurrent tags in one process consistent.
  #indexLock: Promise<unknown> = Promise.resolve();

  private constructor(dir: string) {
    // A layout is the user's data: a corrupt blob is reported, never deleted.
    super(dir, join(dir, '.ocibake-tmp'), { dropCorrupt: false });
  }

  /** `open` opens (or creates) the layout in `dir`. */
  static async open(dir: string, options: OciLayoutOptions = {}): Promise<OciLayout> {
    const layout = new OciLayout(resolve(dir));
    const marker = join(layout.dir, 'oci-layout');
    let text: string | undefined;
    try {
      text = await readFile(marker, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreError('OCIBAKE_STORE', `reading ${marker}: ${(err as Error).message}`, { cause: err });
    }
    if (text === undefined) {
      if (options.create === false) {
        throw new StoreError('OCIBAKE_STORE', `${layout.dir} is not an OCI layout (no oci-layout file)`, { hint: 'point at a directory written by ocibake, skopeo or umoci' });
      }
      await mkdir(join(layout.dir, 'blobs', 'sha256'), { recursive: true });
      await writeFileAtomic(join(layout.dir, 'index.json'), canonicalJson(emptyIndex()));
      await writeFileAtomic(marker, canonicalJson({ imageLayoutVersion: '1.0.0' }));
      return layout;
    }
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
    const path = join(this.dir, 'index.json');
    try {
      const index = JSON.parse(await readFile(path, 'utf8')) as Index;
      if (!Array.isArray(index.manifests)) throw new Error('no manifests array');
      return index;
    } catch (err) {
      throw new StoreError('OCIBAKE_STORE', `reading ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** `resolve` finds a tag (ref.name) or a digest listed in index.json. */
  async resolve(ref: string): Promise<Descriptor> {
    const { manifests } = await this.index();
    const found =
      manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === ref) ??
      (isDigest(ref) ? manifests.find((m) => m.digest === ref) : undefined);
    if (found) return found;
    if (isDigest(ref)) throw blobNotFound(ref, `OCI layout ${this.dir} (index.json)`);
    const tags = manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION]).filter((t): t is string => t !== undefined);
    throw new BlobNotFoundError('OCIBAKE_BLOB_NOT_FOUND', `tag ${JSON.stringify(ref)} not found in OCI layout ${this.dir}; ${tags.length ? `it has: ${tags.join(', ')}` : 'it has no tags'}`, {
      hint: `name one of its tags (${this.dir}:TAG) or a digest (${this.dir}@sha256:…)`,
    });
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

  /** `tidy` removes the temp directory once writes are over, leaving a clean layout. */
  tidy(): Promise<void> {
    return this.blobs.tidy();
  }

  #updateIndex(change: (index: Index) => Promise<void>): Promise<void> {
    const run = this.#indexLock.then(async () => {
      const index = await this.index();
      await change(index);
      await writeFileAtomic(join(this.dir, 'index.json'), canonicalJson(index));
    });
    this.#indexLock = run.catch(() => {});
    return run;
  }
}

function emptyIndex(): Index {
  return { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
}
