import { sandboxReport } from '../sandbox/caps.js';
import type { CacheEntry } from '../step-cache/cache-artifact.js';
import { loadCaches, type CacheImports } from '../step-cache/cache-import.js';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { FileHasher } from '../context/entries-digest.js';
import { checkFailure } from '../dockerfile/checks/index.js';
import { buildIndex } from '../image/build-index.js';
import { putArtifact } from '../image/load.js';
import type { Artifact } from '../image/types.js';
import { formatPlatform } from '../oci/platform.js';
import type { BuildPlan } from '../plan/types.js';
import { noProgress, type ProgressSink } from '../progress.js';
import { CacheStore } from '../store/cache-store.js';
import { RoutingReader } from '../store/routing-reader.js';
import type { BuildResult, PlatformImage } from '../output/publisher.js';
import { CacheLayout } from '../cache/layout.js';
import { createRegistryClient } from '../connect/registry-client.js';
import type { RegistryClient } from '../../registry/index.js';
import { finalImage } from '../assemble/final-image.js';
import { BaseResolver } from '../bases/resolver.js';
import { hostStages } from './host-stages.js';
import { imageStages } from './image-stages.js';
import { loadPlan } from './load-plan.js';
import type { BuildOptions } from './options.js';
import { pickExecutor } from './pick-executor.js';
import type { BuildStats } from './stage-results.js';

/** `BuildOutcome` is a finished build: the result (every blob readable from `store`), the plan and counters. */
export interface BuildOutcome extends BuildResult {
  root: Artifact;
  images: PlatformImage[];
  plan: BuildPlan;
  stats: BuildStats;
  /** What `--cache-to` exports, and the `--cache-from` caches it was loaded with (to merge into the same ref). */
  cache: { exports: Map<string, { entry: CacheEntry; inImage: boolean }>; imports?: CacheImports | undefined };
  /** Removes the build's scratch directory (and closes a registry client the build opened itself). */
  close(): Promise<void>;
}

/**
 * `build` runs a whole build and returns the result without publishing it (ko's split: build
 * never publishes). It reads as the pipeline it is: plan (bases resolved for their configs, build
 * checks run) → stages (every stage in its own image, or `--executor=host`) → one image per
 * platform → one image or index in a store.
 *
 *   const out = await build({ contextDir: '.', platforms: parsePlatformList('linux/amd64,linux/arm64') });
 */
export async function build(o: BuildOptions): Promise<BuildOutcome> {
  const t0 = Date.now();
  const progress = o.progress ?? noProgress;
  const dirs = new CacheLayout(o.cacheDir);
  await mkdir(dirs.root, { recursive: true });
  const cache = new CacheStore({
    dir: dirs.root,
    tmpDir: dirs.blobTmp,
    onCorrupt: (d) => progress({ type: 'warning', message: `dropped corrupt cache blob ${d}` }),
  });
  let own: RegistryClient | undefined;
  const client = o.registryClient ?? ((): RegistryClient => (own ??= createRegistryClient(o.registry ?? {})));
  const resolver = new BaseResolver({ client, cache, recordsDir: dirs.baseRecords, overrides: o.bases ?? [], offline: o.offline ?? false, signal: o.signal });
  let tmpRoot: string | undefined;
  const close = async (): Promise<void> => {
    await own?.close();
    if (tmpRoot) await rm(tmpRoot, { recursive: true, force: true });
  };
  try {
    // First: while it exists, `cache prune` leaves this cache alone. Killed builds' dirs go.
    await dirs.sweepBuildTmp();
    tmpRoot = await mkdtemp(dirs.buildTmpPrefix);
    const executor = pickExecutor(o.executor ?? 'auto', dirs.snapshots);
    if (executor.kind === 'host' && executor.why)
      progress({ type: 'warning', message: `RUN steps use the host's toolchains (--executor=host): ${executor.why}` });
    if (executor.kind === 'image') {
      const r = sandboxReport(executor.caps);
      progress({
        type: 'debug',
        message: `RUN isolation: ${r.mode}, copy-on-write: ${r.copyOnWrite}${r.copyOnWriteOptions ? ` (${r.copyOnWriteOptions.join(',')})` : ''}${r.uidMap ? `, uids ${r.uidMap}, gids ${r.gidMap}` : ''}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`,
      });
    }

    // 1. Plan. Bases are resolved (manifests and configs only) before any RUN: a base that lacks a
    //    platform, or a registry that is down, fails in a second, and `$PATH` and relative
    //    WORKDIRs expand against the base's config as in BuildKit.
    const loaded = await loadPlan(o, { resolver, allBases: executor.kind === 'image' });
    const { plan, dockerfile, contextDir, ignore } = loaded;
    for (const c of loaded.checks) progress({ type: 'warning', message: `${c.rule}: ${c.message} (${c.url})`, file: c.file, line: c.range.startLine });
    const failed = checkFailure(loaded.checks);
    if (failed) throw failed;
    for (const w of plan.warnings) progress({ type: 'warning', message: w.message, file: w.file, line: w.line });
    progress({
      type: 'plan',
      platforms: plan.targets.map((t) => formatPlatform(t.platform)),
      stages: plan.instances.map((i) => ({ key: i.key, kind: i.kind, reason: i.reason })),
    });
    const settings = {
      format: o.format ?? 'oci',
      sourceDateEpoch: plan.sourceDateEpoch ?? 0,
      level: o.compressionLevel ?? 6,
      noCache: o.noCache ?? false,
    } as const;
    const store = new RoutingReader({ first: [cache] });

    // 2. Stages, skipping the steps a --cache-from cache has.
    const imports = await importCaches(o, executor.kind, client, progress);
    const input = { plan, dockerfile, contextDir, ignore, tmpDir: tmpRoot, dirs, cache, store, resolver, hasher: new FileHasher(), settings, progress };
    const built = executor.kind === 'image' ? await imageStages({ ...input, caps: executor.caps, imports }, o) : await hostStages(input, o);

    // 3. One image per platform, then one image or an index over them, in the cache.
    const images = plan.targets.map((t) => {
      const pi = finalImage(t.platform, built.finals.get(t.final)!, {
        labels: o.labels,
        annotations: o.annotations,
        format: settings.format,
        created: settings.sourceDateEpoch,
      });
      progress({ type: 'image', platform: formatPlatform(t.platform), digest: pi.image.descriptor.digest, size: pi.image.descriptor.size });
      return pi;
    });
    const root: Artifact =
      images.length === 1 && !o.index
        ? images[0]!.image
        : buildIndex(
            images.map((i) => i.image),
            { format: settings.format },
          );
    await putArtifact(cache, root);
    if (root.kind === 'index') progress({ type: 'index', digest: root.descriptor.digest, mediaType: root.descriptor.mediaType });
    return {
      root,
      store,
      images,
      plan,
      stats: { ...built.stats, durationMs: Date.now() - t0 },
      cache: { exports: built.cacheExports ?? new Map(), imports },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** `--cache-from` for the image executor; the host executor has no step cache to share, and --offline reads no registry. */
async function importCaches(
  o: BuildOptions,
  executor: 'image' | 'host',
  client: () => RegistryClient,
  progress: ProgressSink,
): Promise<CacheImports | undefined> {
  const specs = o.cacheFrom ?? [];
  if (executor === 'host' && (specs.length || o.cacheTo?.length)) {
    progress({ type: 'warning', message: '--cache-from and --cache-to need the image executor; --executor=host keeps its cache on this machine only' });
    return undefined;
  }
  const usable = o.offline ? specs.filter((s) => s.type === 'local') : specs;
  if (usable.length < specs.length) progress({ type: 'warning', message: '--offline: registry caches in --cache-from are not read' });
  return usable.length ? loadCaches(usable, { client, progress, signal: o.signal }) : undefined;
}
