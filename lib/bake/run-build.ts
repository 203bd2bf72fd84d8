import { hostPlatform } from '../oci/platform.js';
import { CacheLayout } from '../cache/layout.js';
import { CacheStore } from '../store/cache-store.js';
import { createRegistryClient } from '../connect/registry-client.js';
import { publishersFor } from '../output/publishers-for.js';
import type { Published } from '../output/publisher.js';
import type { RegistryClient } from '../../registry/index.js';
import { build, type BuildOutcome } from './build.js';
import type { BuildStats } from './stage-results.js';
import { exportCache, type ExportedCache } from '../step-cache/cache-export.js';
import { describeCache } from '../step-cache/cache-spec.js';
import { StepCacheError } from '../step-cache/errors.js';
import { effectiveOutputs, type RunBuildOptions } from './options.js';

function buildFacts(st: BuildStats): Record<string, unknown> {
  return {
    executor: st.executor,
    ...(st.sandbox ? { sandbox: st.sandbox } : {}),
    steps: { run: st.stepsRun, cached: st.stepsCached, ...(st.stepsImported ? { imported: st.stepsImported } : {}) },
    layers: { written: st.layersWritten, reused: st.layersReused },
    ...(st.runsEmulated ? { emulated: { runs: st.runsEmulated, ms: st.emulatedMs, platforms: st.emulatedPlatforms } } : {}),
  };
}

/** `RunBuildSummary` is what the CLI prints at the end. */
export interface RunBuildSummary {
  outcome: Pick<BuildOutcome, 'images' | 'stats'>;
  digest: string;
  mediaType: string;
  outputs: Published[];
  /** What `--cache-to` wrote. */
  caches: ExportedCache[];
}

/**
 * `runBuild` is the whole `ocibake build` command as one straight line: outputs validated (a bad
 * `-t`, `--push` without a tag or a docker archive of two platforms fails in milliseconds) →
 * `build` → every output → the metadata file. One registry client serves bases and pushes.
 *
 *   await runBuild({ contextDir: '.', platforms, tags: ['localhost:5000/app:1'], push: true });
 */
export async function runBuild(o: RunBuildOptions): Promise<RunBuildSummary> {
  const started = Date.now();
  const cacheDirs = new CacheLayout(o.cacheDir);
  let client: RegistryClient | undefined;
  const registryClient = (): RegistryClient => (client ??= createRegistryClient(o.registry ?? {}));
  const publisher = publishersFor(effectiveOutputs(o), {
    tags: o.tags ?? [],
    platforms: o.platforms?.length ? o.platforms : [hostPlatform()],
    index: o.index,
    byDigest: o.pushByDigest,
    client: registryClient,
    cache: new CacheStore({ dir: cacheDirs.root, tmpDir: cacheDirs.blobTmp }),
    scratchDir: cacheDirs.blobTmp,
    metadataFile: o.metadataFile,
    // How RUN ran, for whoever audits a build from its metadata file.
    metadataExtra: () => (outcome ? buildFacts(outcome.stats) : undefined),
  });
  let outcome: BuildOutcome | undefined;
  try {
    outcome = await build({ ...o, registryClient });
    // The cache first: its layers are the image's, so the image push then mounts what the cache uploaded.
    const caches = await exportCaches(o, outcome, registryClient);
    const outputs = await publisher.publish(outcome, o.tags ?? [], { progress: o.progress, signal: o.signal, concurrency: o.registry?.concurrency });
    o.progress?.({ type: 'done', durationMs: Date.now() - started });
    const root = outcome.root.descriptor;
    return { outcome: { images: outcome.images, stats: outcome.stats }, digest: root.digest, mediaType: root.mediaType, outputs, caches };
  } finally {
    await outcome?.close();
    await client?.close();
  }
}

/** `--cache-to`: each cache gets the steps its mode keeps; `ignore-error=true` makes a failed export a warning. */
async function exportCaches(o: RunBuildOptions, outcome: BuildOutcome, client: () => RegistryClient): Promise<ExportedCache[]> {
  const out: ExportedCache[] = [];
  for (const spec of o.cacheTo ?? []) {
    const entries = new Map([...outcome.cache.exports].filter(([, x]) => spec.mode === 'max' || x.inImage).map(([k, x]) => [k, x.entry]));
    try {
      out.push(
        await exportCache(spec, entries, {
          store: outcome.store,
          client,
          prior: outcome.cache.imports?.entriesOf(spec),
          progress: o.progress,
          signal: o.signal,
          concurrency: o.registry?.concurrency,
        }),
      );
    } catch (err) {
      o.signal?.throwIfAborted();
      if (!spec.ignoreError) {
        throw new StepCacheError('OCIBAKE_CACHE_EXPORT', `exporting the build cache to ${describeCache(spec)}: ${(err as Error).message}`, {
          cause: err,
          hint:
            (err as { hint?: string }).hint ??
            'nothing was published; add ignore-error=true to --cache-to to publish the image even when the cache cannot be written',
        });
      }
      o.progress?.({ type: 'warning', message: `the build cache was not exported to ${describeCache(spec)}: ${(err as Error).message}` });
    }
  }
  return out;
}
