import type { Readable } from 'node:stream';
import { isLocator, type BlobLocation, type BlobReader, type ContentStore, type Locator, type Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';

/**
 * `CachingReader` reads through a cache: a blob the cache lacks is fetched once from `source`,
 * stored (verified, atomically) and served from the cache from then on. File outputs and
 * `COPY --from=<image>` read this way, so a second build or an `--offline` one finds the bytes.
 * Registry-to-registry pushes read `source` directly instead, to stream or mount.
 *
 *   const reader = new CachingReader(buildStore, cache);
 */
export class CachingReader implements BlobReader, Locator {
  readonly #source: BlobReader;
  readonly #cache: ContentStore;

  constructor(source: BlobReader, cache: ContentStore) {
    this.#source = source;
    this.#cache = cache;
  }

  async exists(desc: Descriptor, o?: Opts): Promise<boolean> {
    return (await this.#cache.exists(desc, o)) || this.#source.exists(desc, o);
  }

  async fetch(desc: Descriptor, o?: Opts): Promise<Readable> {
    if (!(await this.#cache.exists(desc, o))) await this.#cache.push(desc, await this.#source.fetch(desc, o), o);
    return this.#cache.fetch(desc, o);
  }

  locate(desc: Descriptor): BlobLocation | undefined {
    return isLocator(this.#source) ? this.#source.locate(desc) : undefined;
  }
}
