import { Readable } from 'node:stream';
import type { Opts, Target } from '../oci/content-store.js';
import { descriptorOf, type Descriptor } from '../oci/descriptor.js';
import { isDigest } from '../oci/digest.js';
import { verifyBytes } from '../oci/verify.js';
import { blobNotFound } from './errors.js';
import type { Ingester } from '../oci/content-store.js';
import { collect } from './read-blob.js';

/**
 * `MemoryStore` keeps blobs and tags in memory. It is for tests and for small metadata
 * (configs, manifests) built before they are copied to a real target.
 *
 *   const store = new MemoryStore();
 *   await store.push(desc, bytes);
 */
export class MemoryStore implements Target, Ingester {
  readonly #blobs = new Map<string, Buffer>();
  readonly #tags = new Map<string, Descriptor>();

  async exists(desc: Descriptor): Promise<boolean> {
    return this.#blobs.has(desc.digest);
  }

  async fetch(desc: Descriptor): Promise<Readable> {
    const bytes = this.#blobs.get(desc.digest);
    if (!bytes) throw blobNotFound(desc.digest, 'memory store');
    return Readable.from([bytes]);
  }

  async push(desc: Descriptor, body: Readable | Uint8Array, o?: Opts): Promise<void> {
    const bytes = body instanceof Uint8Array ? Buffer.from(body) : await collect(body);
    verifyBytes(desc, bytes);
    o?.onProgress?.(bytes.length);
    this.#blobs.set(desc.digest, bytes);
  }

  async ingest(mediaType: string, body: Readable): Promise<Descriptor> {
    const bytes = await collect(body);
    const desc = descriptorOf(bytes, mediaType);
    this.#blobs.set(desc.digest, bytes);
    return desc;
  }

  async resolve(ref: string): Promise<Descriptor> {
    const desc = this.#tags.get(ref);
    if (desc) return desc;
    if (isDigest(ref) && this.#blobs.has(ref)) {
      // A bare digest has no media type of its own; callers that need it must tag first.
      return { mediaType: 'application/octet-stream', digest: ref, size: this.#blobs.get(ref)!.length };
    }
    throw blobNotFound(ref, 'memory store tags');
  }

  async tag(desc: Descriptor, ref: string): Promise<void> {
    this.#tags.set(ref, desc);
  }

  /** `digests` lists every blob held, sorted (test helper and `list` for small stores). */
  digests(): string[] {
    return [...this.#blobs.keys()].sort();
  }
}
