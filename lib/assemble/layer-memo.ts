import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic-write.js';
import { join } from 'node:path';
import type { CacheStore } from '../store/cache-store.js';
import type { WrittenLayer } from '../layer/write-layer.js';

/**
 * `LayerMemo` makes identical COPY content cost one compression: within a build (the same
 * files copied for seven platforms are tarred and gzipped once) and across builds (a record
 * keyed by the content digest and writer settings points at the blob already in the cache).
 * A record whose blob has left the cache is ignored, so the memo can never serve a missing layer.
 */
export class LayerMemo {
  readonly #cache: CacheStore;
  readonly #dir: string;
  readonly #inflight = new Map<string, Promise<WrittenLayer & { reused: boolean }>>();

  /** `dir` holds the records (`CacheLayout.layerRecords`). */
  constructor(cache: CacheStore, dir: string) {
    this.#cache = cache;
    this.#dir = dir;
  }

  /** `key` combines a content digest with every setting that changes the layer's bytes. */
  static key(contentDigest: string, settings: Record<string, unknown>): string {
    return createHash('sha256')
      .update(JSON.stringify([contentDigest, settings]))
      .digest('hex');
  }

  /** `get` returns the memoised layer for `key`, or writes it with `write` and remembers it. */
  get(key: string, write: () => Promise<WrittenLayer>, persistent: boolean): Promise<WrittenLayer & { reused: boolean }> {
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.#load(key, persistent).then(async (hit) => {
        if (hit) return { ...hit, reused: true };
        const written = await write();
        if (persistent) await this.#save(key, written);
        return { ...written, reused: false };
      });
      this.#inflight.set(key, p);
      p.catch(() => this.#inflight.delete(key));
    }
    return p;
  }

  async #load(key: string, persistent: boolean): Promise<WrittenLayer | undefined> {
    if (!persistent) return undefined;
    try {
      const rec = JSON.parse(await readFile(join(this.#dir, `${key}.json`), 'utf8')) as WrittenLayer;
      return (await this.#cache.exists(rec.descriptor)) ? rec : undefined;
    } catch {
      return undefined;
    }
  }

  async #save(key: string, layer: WrittenLayer): Promise<void> {
    await writeFileAtomic(join(this.#dir, `${key}.json`), JSON.stringify(layer));
  }
}
