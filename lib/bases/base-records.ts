import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { descriptorOf, type Descriptor } from '../oci/descriptor.js';
import { formatPlatform, type Platform } from '../oci/platform.js';
import type { ContentStore } from '../oci/content-store.js';
import type { Image } from '../image/types.js';
import { fullName } from './base-names.js';

/**
 * `BaseRecords` remembers which image a base name resolved to for a platform, with its manifest
 * and config in the cache: what an `--offline` build resolves `FROM alpine:3.20` from.
 */
export class BaseRecords {
  readonly #dir: string;
  readonly #cache: ContentStore;

  constructor(dir: string, cache: ContentStore) {
    this.#dir = dir;
    this.#cache = cache;
  }

  /** `save` stores the image's manifest and config and the name → descriptor record. */
  async save(ref: string, platform: Platform, image: Image): Promise<void> {
    await this.#cache.push(descriptorOf(image.bytes.manifest, image.descriptor.mediaType), image.bytes.manifest);
    await this.#cache.push(image.manifest.config, image.bytes.config);
    await writeFileAtomic(this.#path(ref, platform), JSON.stringify({ ref: fullName(ref), platform: formatPlatform(platform), descriptor: image.descriptor }));
  }

  /** `lookup` returns the recorded descriptor, or undefined when this name was never resolved online. */
  async lookup(ref: string, platform: Platform): Promise<Descriptor | undefined> {
    try {
      const rec = JSON.parse(await readFile(this.#path(ref, platform), 'utf8')) as { descriptor?: Descriptor };
      return rec.descriptor;
    } catch {
      return undefined;
    }
  }

  #path(ref: string, platform: Platform): string {
    const h = createHash('sha256')
      .update(`${fullName(ref)}\0${formatPlatform(platform)}`)
      .digest('hex');
    return join(this.#dir, `${h}.json`);
  }
}
