import type { Readable } from 'node:stream';
import { isLocator, type BlobLocation, type BlobReader, type Locator, type Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { blobNotFound } from './errors.js';

/** Where a `RoutingReader` looks besides its routes. */
export interface RoutingReaderOptions {
  /** Asked before any route, in order (the local cache: a blob already here is never fetched again). */
  first?: readonly BlobReader[] | undefined;
  /** Asked when no route and no `first` reader has the blob. */
  last?: BlobReader | undefined;
  /** Named in the not-found error (`the build's stores`). */
  label?: string | undefined;
}

/**
 * `RoutingReader` reads each blob from the source it is known to come from: a build's base
 * layers from their registry repository or OCI layout, the build's own blobs from the cache, a
 * pulled subset index from memory. It is also a `Locator`, so a copy to the base's registry mounts
 * instead of uploading: where the blobs came from travels with the store.
 *
 *   const store = new RoutingReader({ first: [cache] });
 *   store.route(base.manifest.layers, registryStore);
 */
export class RoutingReader implements BlobReader, Locator {
  readonly #routes = new Map<string, BlobReader>();
  readonly #first: readonly BlobReader[];
  readonly #last: BlobReader | undefined;
  readonly #label: string;

  constructor(o: RoutingReaderOptions = {}) {
    this.#first = o.first ?? [];
    this.#last = o.last;
    this.#label = o.label ?? "the build's stores";
  }

  /** `route` records where blobs can be fetched; the first route of a digest wins. */
  route(descriptors: Iterable<Descriptor>, reader: BlobReader): void {
    for (const d of descriptors) if (!this.#routes.has(d.digest)) this.#routes.set(d.digest, reader);
  }

  async exists(desc: Descriptor, o?: Opts): Promise<boolean> {
    return (await this.#pick(desc, o)) !== undefined;
  }

  async fetch(desc: Descriptor, o?: Opts): Promise<Readable> {
    const reader = await this.#pick(desc, o);
    if (!reader) throw blobNotFound(desc.digest, this.#label);
    return reader.fetch(desc, o);
  }

  locate(desc: Descriptor): BlobLocation | undefined {
    const r = this.#routes.get(desc.digest) ?? this.#last;
    return r && isLocator(r) ? r.locate(desc) : undefined;
  }

  async #pick(desc: Descriptor, o?: Opts): Promise<BlobReader | undefined> {
    for (const r of this.#first) if (await r.exists(desc, o)) return r;
    const routed = this.#routes.get(desc.digest);
    if (routed) return routed;
    if (this.#last && (await this.#last.exists(desc, o))) return this.#last;
    return undefined;
  }
}
