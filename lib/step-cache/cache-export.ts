import type { BlobReader } from '../oci/content-store.js';
import type { ProgressSink } from '../progress.js';
import { MemoryStore } from '../store/memory-store.js';
import { RoutingReader } from '../store/routing-reader.js';
import { OciLayoutPublisher } from '../output/oci-layout-publisher.js';
import { publishToRegistry } from '../output/registry-publisher.js';
import type { Published } from '../output/publisher.js';
import type { RegistryClient } from '../../registry/index.js';
import { encodeCache, mergeCaches, type CacheEntry } from './cache-artifact.js';
import { loadCaches } from './cache-import.js';
import { describeCache, type CacheSpec } from './cache-spec.js';

/** Options of `exportCache`. */
export interface ExportCacheOptions {
  /** The build's store: every layer an entry names is readable (or mountable) through it. */
  store: BlobReader;
  client: () => RegistryClient;
  /** What the cache held when the build started, when it was also a `--cache-from` (saves reading it again). */
  prior?: Map<string, CacheEntry> | undefined;
  progress?: ProgressSink | undefined;
  signal?: AbortSignal | undefined;
  concurrency?: number | undefined;
}

/** What `exportCache` wrote. */
export interface ExportedCache {
  target: string;
  digest: string;
  entries: number;
  /** Bytes of the cache manifest and config; the layers are the build's own. */
  metadataBytes: number;
  published: Published[];
}

/**
 * `exportCache` is `--cache-to`: this build's step results, merged over what the cache already
 * holds (runners that build different platforms into one ref keep each other's steps), as one
 * OCI artifact. Layers go first and the tag last, as for images, so runners exporting at once
 * can only overwrite each other with a complete cache (the last one wins). A layer the registry
 * has is skipped, one in another repository of that registry is mounted.
 */
export async function exportCache(spec: CacheSpec, ours: ReadonlyMap<string, CacheEntry>, o: ExportCacheOptions): Promise<ExportedCache> {
  const prior = o.prior ?? (await loadCaches([spec], { client: o.client, signal: o.signal })).entriesOf(spec);
  const merged = mergeCaches(ours, prior);
  const art = encodeCache(merged);
  const meta = new MemoryStore();
  await meta.push(art.config.descriptor, art.config.bytes);
  await meta.push(art.manifest.descriptor, art.manifest.bytes);
  // A prior entry's layer already sits in the destination, so copyGraph skips it; ours come from the build.
  const store = new RoutingReader({ first: [meta], last: o.store, label: 'the build cache and its store' });
  const result = { root: art.manifest.descriptor, store };
  const publishOpts = { progress: o.progress, signal: o.signal, concurrency: o.concurrency };
  const published =
    spec.type === 'registry'
      ? await publishToRegistry(o.client(), result, [spec.ref], publishOpts)
      : await new OciLayoutPublisher(spec.dir).publish(result, [spec.tag], publishOpts);
  o.progress?.({
    type: 'info',
    message: `cache → ${describeCache(spec)}: ${merged.size} step result(s) (${ours.size} from this build), ${art.manifest.descriptor.digest.slice(0, 19)}`,
  });
  return {
    target: describeCache(spec),
    digest: art.manifest.descriptor.digest,
    entries: merged.size,
    metadataBytes: art.manifest.bytes.length + art.config.bytes.length,
    published,
  };
}
