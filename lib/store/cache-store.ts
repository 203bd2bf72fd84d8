import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ContentStore, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { BlobDir, type CorruptBlobReporter } from './blob-dir.js';
import type { Ingester } from './ingester.js';

/** Options for `CacheStore`. */
export interface CacheStoreOptions {
  /** Cache directory; defaults to `$OCIBAKE_CACHE`, else `$XDG_CACHE_HOME/ocibake`, else `~/.cache/ocibake`. */
  dir?: string | undefined;
  /** Called when a blob fails verification on read and is deleted. */
  onCorrupt?: CorruptBlobReporter | undefined;
}

/** `defaultCacheDir` resolves the cache directory the way the CLI documents it. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['OCIBAKE_CACHE']) return resolve(env['OCIBAKE_CACHE']);
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'ocibake');
}

/**
 * `CacheStore` is the local blob cache: `<dir>/blobs/sha256/<hex>`, every write verified and
 * atomic, every read verified (a corrupt blob is dropped, reported, and the read fails).
 *
 *   const cache = new CacheStore();            // $OCIBAKE_CACHE or ~/.cache/ocibake
 *   if (!(await cache.exists(desc))) await cache.push(desc, stream);
 */
export class CacheStore implements ContentStore, Ingester {
  readonly dir: string;
  readonly #blobs: BlobDir;

  constructor(options: CacheStoreOptions = {}) {
    this.dir = options.dir ? resolve(options.dir) : defaultCacheDir();
    this.#blobs = new BlobDir(this.dir, join(this.dir, 'tmp'), options.onCorrupt);
  }

  exists(desc: Descriptor): Promise<boolean> {
    return this.#blobs.exists(desc);
  }

  fetch(desc: Descriptor, o?: Opts): Promise<Readable> {
    return this.#blobs.fetch(desc, o);
  }

  push(desc: Descriptor, body: Readable | Uint8Array, o?: Opts): Promise<void> {
    return this.#blobs.push(desc, body, o);
  }

  ingest(mediaType: string, body: Readable, o?: Opts): Promise<Descriptor> {
    return this.#blobs.ingest(mediaType, body, o);
  }

  /** `list` returns the digests of every complete blob in the cache. */
  list(): Promise<Digest[]> {
    return this.#blobs.list();
  }

  /** `blobPath` is the file of a blob, for tools that read it directly (it may not exist). */
  blobPath(digest: Digest): string {
    return this.#blobs.path(digest);
  }
}
