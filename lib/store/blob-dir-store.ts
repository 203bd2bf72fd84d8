import type { Readable } from 'node:stream';
import type { ContentStore, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { BlobDir, type BlobDirOptions, type TempDirSpec } from './blob-dir.js';
import type { Ingester } from '../oci/content-store.js';

/**
 * `BlobDirStore` is a `ContentStore` over a `blobs/sha256/<hex>` directory: every write verified
 * and atomic, every read verified. The cache and OCI layouts are both this plus their own extras
 * (a default location; index.json and tags).
 */
export class BlobDirStore implements ContentStore, Ingester {
  readonly dir: string;
  protected readonly blobs: BlobDir;

  constructor(dir: string, tmpDir: TempDirSpec, o: BlobDirOptions) {
    this.dir = dir;
    this.blobs = new BlobDir(dir, tmpDir, o);
  }

  exists(desc: Descriptor): Promise<boolean> {
    return this.blobs.exists(desc);
  }

  fetch(desc: Descriptor, o?: Opts): Promise<Readable> {
    return this.blobs.fetch(desc, o);
  }

  push(desc: Descriptor, body: Readable | Uint8Array, o?: Opts): Promise<void> {
    return this.blobs.push(desc, body, o);
  }

  ingest(mediaType: string, body: Readable, o?: Opts): Promise<Descriptor> {
    return this.blobs.ingest(mediaType, body, o);
  }

  /** `list` returns the digests of every complete blob. */
  list(): Promise<Digest[]> {
    return this.blobs.list();
  }

  /** `blobPath` is the file of a blob, for tools that read it directly (it may not exist). */
  blobPath(digest: Digest): string {
    return this.blobs.path(digest);
  }
}
