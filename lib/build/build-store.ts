import type { Readable } from 'node:stream';
import type { BlobReader, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { CacheStore } from '../store/cache-store.js';
import { BlobNotFoundError, blobNotFound } from '../store/errors.js';

/**
 * `BuildStore` is where every blob of a build can be read from: layers and configs the build
 * wrote live in the local cache; base-image layers stay in their source (a registry repository
 * or an OCI layout) until something needs their bytes. Registry-to-registry pushes stream base
 * layers straight from the source (or mount them); file outputs and `--offline` builds set
 * `cacheThrough`, so a remote blob is stored (verified) in the cache once and read from there.
 */
export class BuildStore implements BlobReader {
  readonly cache: CacheStore;
  /** Copy remote blobs into the cache before serving them (file outputs, COPY --from=<image>). */
  cacheThrough = false;
  readonly #remotes = new Map<string, BlobReader>();

  constructor(cache: CacheStore) {
    this.cache = cache;
  }

  /** `addSource` records where the blobs of a base image can be fetched. The first source of a digest wins. */
  addSource(descriptors: readonly Descriptor[], source: BlobReader): void {
    for (const d of descriptors) if (!this.#remotes.has(d.digest)) this.#remotes.set(d.digest, source);
  }

  async exists(desc: Descriptor, o?: Opts): Promise<boolean> {
    if (await this.cache.exists(desc)) return true;
    const remote = this.#remotes.get(desc.digest);
    return remote ? remote.exists(desc, o) : false;
  }

  fetch(desc: Descriptor, o?: Opts): Promise<Readable> {
    return this.#fetch(desc, this.cacheThrough, o);
  }

  /** `through` is a reader over the same blobs that always stores remote blobs in the cache first. */
  through(): BlobReader {
    return { exists: (d, o) => this.exists(d, o), fetch: (d, o) => this.#fetch(d, true, o) };
  }

  async #fetch(desc: Descriptor, cacheThrough: boolean, o?: Opts): Promise<Readable> {
    if (await this.cache.exists(desc)) return this.cache.fetch(desc, o);
    const remote = this.#remotes.get(desc.digest);
    if (!remote) throw blobNotFound(desc.digest, 'the build cache');
    if (!cacheThrough) return remote.fetch(desc, o);
    // push() verifies size and digest before the blob becomes visible in the cache.
    await this.cache.push(desc, await remote.fetch(desc, o), o);
    return this.cache.fetch(desc, o);
  }
}
