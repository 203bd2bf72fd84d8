import { join, resolve } from 'node:path';
import type { CorruptBlobReporter } from './blob-dir.js';
import { BlobDirStore } from './blob-dir-store.js';

/** Options for `CacheStore`. */
export interface CacheStoreOptions {
  /** Cache directory (see `CacheLayout`); its `blobs/` and `tmp/` are used. */
  dir: string;
  /** Temp directory for writes; default `<dir>/tmp`. */
  tmpDir?: string | undefined;
  /** Called when a blob fails verification on read and is deleted. */
  onCorrupt?: CorruptBlobReporter | undefined;
}

/**
 * `CacheStore` is the local blob cache: `<dir>/blobs/sha256/<hex>`, every write verified and
 * atomic, every read verified (a corrupt blob is dropped, reported, and the read fails).
 *
 *   const cache = new CacheStore({ dir: new CacheLayout().root });
 *   if (!(await cache.exists(desc))) await cache.push(desc, stream);
 */
export class CacheStore extends BlobDirStore {
  constructor(options: CacheStoreOptions) {
    const dir = resolve(options.dir);
    super(dir, options.tmpDir ?? join(dir, 'tmp'), { dropCorrupt: true, onCorrupt: options.onCorrupt });
  }
}
