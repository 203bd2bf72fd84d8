import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import type { FileHasher } from '../context/entries-digest.js';
import type { Dockerignore } from '../dockerfile/dockerignore.js';
import { SecretStore } from '../exec/secrets.js';
import { OcibakeError } from '../errors.js';
import type { BuildPlan } from '../plan/types.js';
import { formatPlatform } from '../oci/platform.js';
import type { ProgressSink } from '../progress.js';
import { sandboxReport, type SandboxCaps } from '../sandbox/caps.js';
import { CachingReader } from '../store/caching-reader.js';
import type { CacheStore } from '../store/cache-store.js';
import type { RoutingReader } from '../store/routing-reader.js';
import type { CacheLayout } from '../cache/layout.js';
import { LayerMemo } from '../assemble/layer-memo.js';
import type { BaseResolver } from '../bases/resolver.js';
import { Materializer } from '../stages/fs-layers.js';
import { CacheLocks } from '../stages/run-mounts.js';
import { snapshotOps } from '../stages/snapshot-ops.js';
import type { LayerSettings } from '../stages/stage-context.js';
import { runStages } from '../stages/stage-runner.js';
import type { CacheImports } from '../step-cache/cache-import.js';
import { StepRecords } from '../stages/step-records.js';
import type { BuildOptions } from './options.js';
import type { StagesBuilt } from './stage-results.js';

/** What the image executor needs from the build. */
export interface ImageStagesInput {
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
  caps: SandboxCaps;
  imports?: CacheImports | undefined;
  progress: ProgressSink;
}

/**
 * `imageStages` is the image executor (the default): every stage runs in its own image, each RUN
 * inside the stage's root filesystem in a namespace with copy-on-write, natively or through
 * binfmt emulation for a foreign CPU (`runStages`).
 */
export async function imageStages(i: ImageStagesInput, o: BuildOptions): Promise<StagesBuilt> {
  const ops = snapshotOps(i.caps, i.dirs.snapshots);
  const swept = await ops.sweep().catch((err: unknown) => {
    i.progress({ type: 'debug', message: `sweeping the snapshot store failed: ${(err as Error).message}` });
    return 0;
  });
  if (swept > 0) i.progress({ type: 'debug', message: `removed ${swept} temp dir(s) a killed build left in ${i.dirs.snapshots}` });
  const outcome = await runStages(i.plan, {
    dockerfile: i.dockerfile,
    contextDir: i.contextDir,
    ignore: i.ignore,
    tmpDir: i.tmpDir,
    caps: i.caps,
    ops,
    // Layers unpacked for RUN are read through the cache: an --offline rebuild finds them there.
    materializer: new Materializer(ops, new CachingReader(i.store, i.cache), i.progress),
    cache: i.cache,
    store: i.store,
    resolver: i.resolver,
    records: new StepRecords(i.dirs.stepRecords),
    memo: new LayerMemo(i.cache, i.dirs.layerRecords),
    hasher: i.hasher,
    secrets: new SecretStore(new Map((o.secrets ?? []).map((s) => [s.id, { src: s.src, env: s.env }]))),
    cacheMountsDir: i.dirs.cacheMounts,
    locks: new CacheLocks(),
    settings: i.settings,
    runLimit: pLimit(o.concurrency ?? availableParallelism()),
    noEmulation: o.noEmulation ?? false,
    allowInsecure: o.allow?.includes('security.insecure') ?? false,
    crossEnv: o.crossEnv ?? false,
    imports: i.imports,
    exportMode: o.cacheTo?.length ? (o.cacheTo.some((c) => c.mode === 'max') ? 'max' : 'min') : undefined,
    progress: i.progress,
    signal: o.signal,
  });
  const finals: StagesBuilt['finals'] = new Map();
  for (const t of i.plan.targets) {
    const r = outcome.results.get(t.final);
    if (!r?.image) throw new OcibakeError('OCIBAKE_INTERNAL', `stage ${t.final} has no image`);
    finals.set(t.final, { image: r.image, base: r.base });
  }
  const st = outcome.stats;
  return {
    finals,
    cacheExports: outcome.exports,
    stats: {
      executor: 'image',
      sandbox: sandboxReport(i.caps),
      stepsRun: st.stepsRun,
      stepsCached: st.stepsCached,
      layersWritten: st.layersWritten,
      layersReused: st.layersReused,
      stepsImported: st.stepsImported,
      runsEmulated: st.runsEmulated,
      emulatedMs: st.emulatedMs,
      // In the order the platforms were asked for, not the order they finished.
      emulatedPlatforms: i.plan.targets.map((t) => formatPlatform(t.platform)).filter((p) => st.emulatedPlatforms.includes(p)),
    },
  };
}
