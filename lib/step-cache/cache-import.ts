import type { BlobReader } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { parseManifestOrIndex } from '../oci/manifest.js';
import type { ProgressSink } from '../progress.js';
import { readBlob } from '../store/read-blob.js';
import { OciLayout } from '../store/oci-layout.js';
import { parseReference, RegistryStore, type RegistryClient } from '../../registry/index.js';
import { CACHE_CONFIG_MEDIA_TYPE, decodeCacheConfig, type CacheEntry } from './cache-artifact.js';
import { describeCache, type CacheSpec } from './cache-spec.js';
import { StepCacheError } from './errors.js';

/** `ImportedEntry` is a step result another build left in a cache, and where its layer can be read. */
export interface ImportedEntry {
  entry: CacheEntry;
  /** The cache's store: the registry repository or the layout that holds the layer. */
  source: BlobReader;
  from: string;
}

/** What loading a cache gave: its entries (empty when it could not be read) and its store. */
export interface LoadedCache {
  spec: CacheSpec;
  entries: Map<string, CacheEntry>;
  source?: BlobReader | undefined;
}

/**
 * `CacheImports` is what `--cache-from` brought in: step key → entry, the first cache that has a
 * key winning (caches are given in order). Only the cache manifests and configs are read up
 * front, a few KiB; a layer is fetched from its cache when, and only when, something needs its
 * bytes.
 */
export class CacheImports {
  readonly #entries = new Map<string, ImportedEntry>();
  readonly loaded: LoadedCache[];

  constructor(loaded: LoadedCache[]) {
    this.loaded = loaded;
    for (const l of loaded) {
      if (!l.source) continue;
      for (const [k, e] of l.entries) if (!this.#entries.has(k)) this.#entries.set(k, { entry: e, source: l.source, from: describeCache(l.spec) });
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): ImportedEntry | undefined {
    return this.#entries.get(key);
  }

  /** The entries a cache spec held when this build started (a shared ref is merged, not replaced, on export). */
  entriesOf(spec: CacheSpec): Map<string, CacheEntry> | undefined {
    return this.loaded.find((l) => describeCache(l.spec) === describeCache(spec))?.entries;
  }
}

/** Options of `loadCaches`. */
export interface LoadCachesOptions {
  client: () => RegistryClient;
  progress?: ProgressSink | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * `loadCaches` reads each `--cache-from`. A cache that is missing, unauthorized or malformed is a
 * warning and contributes nothing: the build runs those steps, it never fails or uses a wrong
 * result because of a cache. Every byte read is verified against its digest.
 */
export async function loadCaches(specs: readonly CacheSpec[], o: LoadCachesOptions): Promise<CacheImports> {
  const loaded = await Promise.all(
    specs.map(async (spec): Promise<LoadedCache> => {
      try {
        const { source, manifest } = await openCache(spec, o);
        const parsed = parseManifestOrIndex(manifest.bytes, manifest.descriptor.mediaType);
        const config = parsed.kind === 'manifest' ? parsed.manifest.config : undefined;
        if (!config || config.mediaType !== CACHE_CONFIG_MEDIA_TYPE) {
          throw new StepCacheError(
            'OCIBAKE_CACHE_INVALID',
            `${describeCache(spec)} is not an ocibake build cache (its config is ${config?.mediaType ?? 'missing'})`,
            {
              hint: 'point --cache-from at a ref written by ocibake --cache-to; image refs are not caches',
            },
          );
        }
        const entries = decodeCacheConfig(await readBlob(source, config, { signal: o.signal }), describeCache(spec));
        o.progress?.({ type: 'info', message: `cache ${describeCache(spec)}: ${entries.size} step result(s)` });
        return { spec, entries, source };
      } catch (err) {
        o.signal?.throwIfAborted();
        o.progress?.({ type: 'warning', message: `cache ${describeCache(spec)} is not used: ${firstLine(err)}` });
        return { spec, entries: new Map() };
      }
    }),
  );
  return new CacheImports(loaded);
}

async function openCache(spec: CacheSpec, o: LoadCachesOptions): Promise<{ source: BlobReader; manifest: { descriptor: Descriptor; bytes: Uint8Array } }> {
  if (spec.type === 'registry') {
    const reference = parseReference(spec.ref);
    const top = await o.client().getManifest(reference, o.signal);
    return { source: new RegistryStore(o.client(), reference), manifest: { descriptor: top.descriptor, bytes: top.bytes } };
  }
  const layout = await OciLayout.open(spec.dir, { create: false });
  const descriptor = await layout.resolve(spec.tag);
  return { source: layout, manifest: { descriptor, bytes: await readBlob(layout, descriptor, { signal: o.signal }) } };
}

function firstLine(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split('\n')[0] ?? '';
}
