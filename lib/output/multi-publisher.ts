import type { ContentStore } from '../oci/content-store.js';
import { CachingReader } from '../store/caching-reader.js';
import type { BuildResult, Published, Publisher, PublishOptions } from './publisher.js';

/**
 * `MultiPublisher` tees one result to several publishers, in order (ko's MultiPublisher):
 * `--push -o type=oci,dest=out` pushes, then writes the layout.
 */
export class MultiPublisher implements Publisher {
  readonly #children: readonly Publisher[];

  constructor(children: readonly Publisher[]) {
    this.#children = children;
  }

  async publish(result: BuildResult, names: readonly string[], o?: PublishOptions): Promise<Published[]> {
    const out: Published[] = [];
    for (const p of this.#children) out.push(...(await p.publish(result, names, o)));
    return out;
  }
}

/** `renamed` hands a publisher other names than the `-t` references (an OCI layout takes their tags). */
export function renamed(inner: Publisher, map: (names: readonly string[]) => string[]): Publisher {
  return { publish: (result, names, o) => inner.publish(result, map(names), o) };
}

/**
 * `readThroughCache` makes a publisher read the result through the local cache, so base layers
 * a file output needs are downloaded once and a later build or an `--offline` one finds them.
 */
export function readThroughCache(inner: Publisher, cache: ContentStore): Publisher {
  return { publish: (result, names, o) => inner.publish({ ...result, store: new CachingReader(result.store, cache) }, names, o) };
}
