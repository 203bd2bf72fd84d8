import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CorruptBlobReporter } from './blob-dir.js';
import { BlobDirStore } from './blob-dir-store.js';

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
export class CacheStore extends BlobDirStore {
  constructor(options: CacheStoreOptions = {}) {
    const dir = options.dir ? resolve(options.dir) : defaultCacheDir();
    super(dir, join(dir, 'tmp'), options.onCorrupt);
  }
}
