import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { FileHasher } from '../context/entries-digest.js';
import { loadDockerignore } from '../dockerfile/dockerignore.js';
import { runHostStages } from '../exec/run-host-stages.js';
import { buildIndex } from '../image/build-index.js';
import { putArtifact } from '../image/load.js';
import type { Artifact } from '../image/types.js';
import { formatPlatform } from '../oci/platform.js';
import type { BuildPlan } from '../plan/types.js';
import { noProgress } from '../progress.js';
import { CacheStore } from '../store/cache-store.js';
import { RoutingReader } from '../store/routing-reader.js';
import type { BuildResult, PlatformImage } from '../output/publisher.js';
import { CacheLayout } from '../cache/layout.js';
import { createRegistryClient } from '../connect/registry-client.js';
import type { RegistryClient } from '../../registry/index.js';
import { assembleTargets } from '../assemble/assemble-targets.js';
import { finalImage } from '../assemble/final-image.js';
import { LayerMemo } from '../assemble/layer-memo.js';
import { BaseResolver } from '../bases/resolver.js';
import { loadPlan } from './load-plan.js';
import type { BuildOptions } from './options.js';

/** `BuildOutcome` is a finished build: the result (every blob readable from `store`), the plan and counters. */
export interface BuildOutcome extends BuildResult {
  root: Artifact;
  images: PlatformImage[];
  plan: BuildPlan;
  stats: { hostStagesRun: number; hostStagesCached: number; layersWritten: number; layersReused: number; durationMs: number };
  /** Removes the build's scratch directory (and closes a registry client the build opened itself). */
  close(): Promise<void>;
}

/**
 * `build` runs a whole build and returns the result without publishing it (ko's split: build
 * never publishes). It reads as the pipeline it is: plan (bases resolved for their configs) →
 * build stages → target stages assembled per platform → one image or index in a store.
 *
 *   const out = await build({ contextDir: '.', platforms: parsePlatformList('linux/amd64,linux/arm64') });
 */
export async function build(o: BuildOptions): Promise<BuildOutcome> {
  const t0 = Date.now();
  const progress = o.progress ?? noProgress;
  const cacheDirs = new CacheLayout(o.cacheDir);
  await mkdir(cacheDirs.root, { recursive: true });
  const cache = new CacheStore({ dir: cacheDirs.root, tmpDir: cacheDirs.blobTmp, onCorrupt: (d) => progress({ type: 'warning', message: `dropped corrupt cache blob ${d}` }) });
  let own: RegistryClient | undefined;
  const client = o.registryClient ?? ((): RegistryClient => (own ??= createRegistryClient(o.registry ?? {})));
  const resolver = new BaseResolver({ client, cache, recordsDir: cacheDirs.baseRecords, overrides: o.bases ?? [], offline: o.offline ?? false, signal: o.signal });
  let tmpRoot: string | undefined;
  const close = async (): Promise<void> => {
    await own?.close();
    if (tmpRoot) await rm(tmpRoot, { recursive: true, force: true });
  };
  try {
    // 1. Plan. Bases are resolved (manifests and configs only) before any RUN: a base that lacks
    //    a platform, or a registry that is down, fails in a second, and `$PATH` and relative
    //    WORKDIRs expand against the base's config as in BuildKit.
    const { plan, dockerfile, contextDir } = await loadPlan(o, resolver);
    for (const w of plan.warnings) progress({ type: 'warning', message: w.message, file: w.file, line: w.line });
    progress({ type: 'plan', platforms: plan.targets.map((t) => formatPlatform(t.platform)), stages: plan.instances.map((i) => ({ key: i.key, kind: i.kind, reason: i.reason })) });
    const sourceDateEpoch = plan.sourceDateEpoch ?? 0;
    const format = o.format ?? 'oci';
    tmpRoot = await mkdtemp(cacheDirs.buildTmpPrefix);
    const ignore = await loadDockerignore(contextDir, o.dockerfile ? resolve(o.dockerfile) : join(contextDir, 'Dockerfile'));

    // 2. Build stages, natively.
    const hostOutputs = await runHostStages(plan, {
      contextDir,
      dockerfilePath: dockerfile,
      workDir: join(tmpRoot, 'work'),
      cache: cacheDirs,
      toolCacheDir: o.toolCacheDir,
      noCache: o.noCache,
      concurrency: o.concurrency ?? availableParallelism(),
      secrets: new Map((o.secrets ?? []).map((s) => [s.id, { src: s.src, env: s.env }])),
      executor: o.executor ?? 'auto',
      ignore,
      signal: o.signal,
      onEvent: progress,
    });

    // 3. Target stages, one image per platform, assembled from layers.
    const store = new RoutingReader({ first: [cache] });
    const assembled = await assembleTargets(plan, {
      dockerfile, contextDir, ignore, listingsDir: cacheDirs.listings, tmpDir: tmpRoot, cache, store,
      memo: new LayerMemo(cache, cacheDirs.layerRecords), hasher: new FileHasher(), resolver,
      settings: { format, sourceDateEpoch, level: o.compressionLevel ?? 6, compression: 'gzip', noCache: o.noCache ?? false },
      hostOutputs, progress, signal: o.signal,
    });

    // 4. One image, or an index over the platforms, in the cache.
    const images = plan.targets.map((t) => {
      const pi = finalImage(t.platform, assembled.finals.get(t.final)!, { labels: o.labels, annotations: o.annotations, format, created: sourceDateEpoch });
      progress({ type: 'image', platform: formatPlatform(t.platform), digest: pi.image.descriptor.digest, size: pi.image.descriptor.size });
      return pi;
    });
    const root: Artifact = images.length === 1 && !o.index ? images[0]!.image : buildIndex(images.map((i) => i.image), { format });
    await putArtifact(cache, root);
    if (root.kind === 'index') progress({ type: 'index', digest: root.descriptor.digest, mediaType: root.descriptor.mediaType });
    const hostResults = [...hostOutputs.values()];
    return {
      root,
      store,
      images,
      plan,
      stats: {
        hostStagesRun: hostResults.filter((h) => !h.cached).length,
        hostStagesCached: hostResults.filter((h) => h.cached).length,
        layersWritten: assembled.layersWritten,
        layersReused: assembled.layersReused,
        durationMs: Date.now() - t0,
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
