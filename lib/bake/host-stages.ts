import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { FileHasher } from '../context/entries-digest.js';
import type { Dockerignore } from '../dockerfile/dockerignore.js';
import { runHostStages } from '../exec/run-host-stages.js';
import { checkNoRunInTargetStages } from '../plan/check.js';
import type { BuildPlan } from '../plan/types.js';
import type { ProgressSink } from '../progress.js';
import type { CacheStore } from '../store/cache-store.js';
import type { RoutingReader } from '../store/routing-reader.js';
import type { CacheLayout } from '../cache/layout.js';
import { assembleTargets } from '../assemble/assemble-targets.js';
import { LayerMemo } from '../assemble/layer-memo.js';
import type { BaseResolver } from '../bases/resolver.js';
import type { BuildOptions } from './options.js';
import type { StagesBuilt } from './stage-results.js';
import type { LayerSettings } from '../stages/stage-context.js';

/** What the host executor needs from the build. */
export interface HostStagesInput {
  plan: BuildPlan;
  dockerfile: string;
  contextDir: string;
  ignore: Dockerignore;
  tmpDir: string;
  dirs: CacheLayout;
  cache: CacheStore;
  store: RoutingReader;
  resolver: BaseResolver;
  hasher: FileHasher;
  settings: LayerSettings;
  progress: ProgressSink;
}

/**
 * `hostStages` is `--executor=host`: build stages run on the host's own toolchains (for machines
 * without namespaces, and CI jobs that set toolchains up themselves), and the image's stages are
 * assembled from layers with nothing executed, so a RUN there is refused with the fix.
 */
export async function hostStages(i: HostStagesInput, o: BuildOptions): Promise<StagesBuilt> {
  checkNoRunInTargetStages(i.plan);
  const hostOutputs = await runHostStages(i.plan, {
    contextDir: i.contextDir,
    dockerfilePath: i.dockerfile,
    workDir: join(i.tmpDir, 'work'),
    cache: i.dirs,
    toolCacheDir: o.toolCacheDir,
    noCache: o.noCache,
    concurrency: o.concurrency ?? availableParallelism(),
    secrets: new Map((o.secrets ?? []).map((s) => [s.id, { src: s.src, env: s.env }])),
    executor: 'auto',
    ignore: i.ignore,
    signal: o.signal,
    onEvent: i.progress,
  });
  const s = i.settings;
  const assembled = await assembleTargets(i.plan, {
    dockerfile: i.dockerfile,
    contextDir: i.contextDir,
    ignore: i.ignore,
    listingsDir: i.dirs.listings,
    tmpDir: i.tmpDir,
    cache: i.cache,
    store: i.store,
    memo: new LayerMemo(i.cache, i.dirs.layerRecords),
    hasher: i.hasher,
    resolver: i.resolver,
    settings: { format: s.format, sourceDateEpoch: s.sourceDateEpoch, level: s.level, compression: 'gzip', noCache: s.noCache },
    hostOutputs,
    progress: i.progress,
    signal: o.signal,
  });
  const host = [...hostOutputs.values()];
  return {
    finals: assembled.finals,
    stats: {
      executor: 'host',
      stepsRun: host.filter((h) => !h.cached).length,
      stepsCached: host.filter((h) => h.cached).length,
      layersWritten: assembled.layersWritten,
      layersReused: assembled.layersReused,
      runsEmulated: 0,
      emulatedMs: 0,
      emulatedPlatforms: [],
    },
  };
}
