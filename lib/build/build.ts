import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { FileHasher } from '../context/entries-digest.js';
import { loadDockerignore } from '../dockerfile/dockerignore.js';
import { runHostStages } from '../exec/run-host-stages.js';
import { buildImage } from '../image/build-image.js';
import { buildIndex } from '../image/build-index.js';
import { putArtifact } from '../image/load.js';
import type { Artifact, Image } from '../image/types.js';
import type { MediaFormat } from '../oci/media-types.js';
import { formatPlatform, type Platform } from '../oci/platform.js';
import type { BuildPlan, StageInstance } from '../plan/types.js';
import { noProgress, type ProgressSink } from '../progress.js';
import { CacheStore, defaultCacheDir } from '../store/cache-store.js';
import { createRegistryClient, type RegistryFlags } from '../registry-ops/client.js';
import type { RegistryClient } from '../../registry/index.js';
import { OcibakeError } from '../errors.js';
import { assembleTarget, type AssembledImage } from './assemble.js';
import { BaseResolver } from './bases.js';
import { BuildStore } from './build-store.js';
import { LayerMemo } from './layer-memo.js';
import { loadPlan, resolveSourceDateEpoch } from './load-plan.js';
import type { BaseOverride, SecretSpec } from './options.js';

/** `BuildOptions` is everything `ocibake build` takes, as a library call. */
export interface BuildOptions {
  contextDir: string;
  /** Dockerfile path; default `<context>/Dockerfile`. */
  dockerfile?: string | undefined;
  /** Target platforms in output order; default the host platform. */
  platforms?: readonly Platform[] | undefined;
  buildArgs?: Record<string, string> | undefined;
  target?: string | undefined;
  secrets?: readonly SecretSpec[] | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  /** Default `$OCIBAKE_CACHE` or the XDG cache dir. */
  cacheDir?: string | undefined;
  noCache?: boolean | undefined;
  /** Go/zig build caches; default `$OCIBAKE_TOOL_CACHE`, else `<cacheDir>/tools`. */
  toolCacheDir?: string | undefined;
  offline?: boolean | undefined;
  format?: MediaFormat | undefined;
  bases?: readonly BaseOverride[] | undefined;
  registry?: RegistryFlags | undefined;
  /** Timestamps of everything written; default `$SOURCE_DATE_EPOCH`, else 0. */
  sourceDateEpoch?: number | undefined;
  /** Write an index even for one platform (buildx writes a plain manifest then). */
  index?: boolean | undefined;
  executor?: 'auto' | 'namespace' | 'plain' | undefined;
  /** Stage instances run at once; default the number of cores. */
  concurrency?: number | undefined;
  /** gzip level for new layers (default 6). */
  compressionLevel?: number | undefined;
  signal?: AbortSignal | undefined;
  progress?: ProgressSink | undefined;
}

/** `PlatformImage` is one platform's result. */
export interface PlatformImage {
  platform: Platform;
  image: Image;
  base?: { name: string; digest: string } | undefined;
}

/** `BuildOutcome` is a finished build: the artifact (in `store`), per-platform images and counters. */
export interface BuildOutcome {
  root: Artifact;
  store: BuildStore;
  images: PlatformImage[];
  plan: BuildPlan;
  stats: { hostStagesRun: number; hostStagesCached: number; layersWritten: number; layersReused: number; durationMs: number };
  /** Registry repositories the base layers come from (cross-repo mount sources when pushing there). */
  baseRepositories: { registry: string; repository: string }[];
  /** The registry client the build used (reuse it to push), created on first use. */
  registryClient: () => RegistryClient;
  /** Releases the registry connections and the build's scratch directory. */
  close(): Promise<void>;
}

/**
 * `build` runs a whole build and returns the result without publishing it (ko's split: build
 * never publishes). Host stages run natively (lib/exec); target stages are assembled from
 * layers per platform, concurrently; the result is an index (or one image) whose blobs are all
 * readable from `outcome.store`.
 *
 *   const out = await build({ contextDir: '.', platforms: parsePlatformList('linux/amd64,linux/arm64') });
 */
export async function build(o: BuildOptions): Promise<BuildOutcome> {
  const t0 = Date.now();
  const progress = o.progress ?? noProgress;
  const cacheDir = resolve(o.cacheDir ?? defaultCacheDir());
  await mkdir(cacheDir, { recursive: true });
  const cache = new CacheStore({ dir: cacheDir, onCorrupt: (d) => progress({ type: 'warning', message: `dropped corrupt cache blob ${d}` }) });
  let client: RegistryClient | undefined;
  const getClient = (): RegistryClient => (client ??= createRegistryClient(o.registry ?? {}));
  const resolver = new BaseResolver({ client: getClient, cache, cacheDir, overrides: o.bases ?? [], offline: o.offline ?? false, signal: o.signal });
  // Bases are resolved (manifests and configs only) while planning, before any RUN: a base that
  // lacks a platform, or a registry that is down, fails the build in a second, and the planner
  // expands `$PATH` and relative WORKDIRs against the base's config as BuildKit does.
  let loaded;
  try {
    loaded = await loadPlan(o, resolver);
  } catch (err) {
    await client?.close();
    throw err;
  }
  const { plan, dockerfile, contextDir } = loaded;
  for (const w of plan.warnings) progress({ type: 'warning', message: w.message, file: w.file, line: w.line });
  progress({
    type: 'plan',
    platforms: plan.targets.map((t) => formatPlatform(t.platform)),
    stages: plan.instances.map((i) => ({ key: i.key, kind: i.kind, reason: i.reason })),
  });

  const tmpRoot = await mkdtemp(join(cacheDir, 'tmp-build-'));
  const close = async (): Promise<void> => {
    await client?.close();
    await rm(tmpRoot, { recursive: true, force: true });
  };
  try {
    const store = new BuildStore(cache);
    const ignore = await loadDockerignore(contextDir, o.dockerfile ? resolve(o.dockerfile) : join(contextDir, 'Dockerfile'));
    const secrets = new Map((o.secrets ?? []).map((s) => [s.id, { src: s.src, env: s.env }]));
    const hostOutputs = await runHostStages(plan, {
      contextDir,
      dockerfilePath: dockerfile,
      workDir: join(tmpRoot, 'work'),
      cacheDir,
      // Go and zig build caches: shareable between projects and CI jobs (`OCIBAKE_TOOL_CACHE`).
      toolCacheDir: o.toolCacheDir ?? process.env['OCIBAKE_TOOL_CACHE'],
      noCache: o.noCache,
      concurrency: o.concurrency ?? cpus().length,
      secrets,
      executor: o.executor ?? 'auto',
      ignore,
      signal: o.signal,
      onEvent: progress,
    });

    const sourceDateEpoch = resolveSourceDateEpoch(o.sourceDateEpoch);
    const format = o.format ?? 'oci';
    const ctx = {
      dockerfile,
      contextDir,
      ignore,
      cacheDir,
      tmpDir: tmpRoot,
      cache,
      store,
      memo: new LayerMemo(cache, cacheDir),
      hasher: new FileHasher(),
      resolver,
      settings: { format, sourceDateEpoch, level: o.compressionLevel ?? 6, compression: 'gzip' as const, noCache: o.noCache ?? false },
      hostOutputs,
      targets: new Map<string, AssembledImage>(),
      progress,
      signal: o.signal,
    };
    // Target instances of different platforms are independent: assemble them concurrently,
    // each waiting only for the instances it reads.
    const byKey = new Map(plan.instances.map((i) => [i.key, i]));
    const pending = new Map<string, Promise<AssembledImage>>();
    const assemble = (inst: StageInstance): Promise<AssembledImage> => {
      let p = pending.get(inst.key);
      if (!p) {
        p = (async () => {
          for (const dep of inst.deps) {
            const d = byKey.get(dep);
            if (d?.kind === 'target') await assemble(d);
          }
          const res = await assembleTarget(inst, ctx);
          ctx.targets.set(inst.key, res);
          return res;
        })();
        pending.set(inst.key, p);
      }
      return p;
    };
    const finals = await Promise.all(
      plan.targets.map(async (t) => {
        const inst = byKey.get(t.final);
        if (!inst) throw new OcibakeError('OCIBAKE_INTERNAL', `plan has no instance ${t.final}`);
        if (inst.kind !== 'target') {
          throw new OcibakeError('OCIBAKE_PLAN', `the final stage "${inst.stage.name ?? inst.stage.index}" runs on the build platform (FROM --platform=$BUILDPLATFORM)`, {
            hint: 'the stage that becomes the image must be built for the target: remove --platform from its FROM, and COPY --from the build stage',
          });
        }
        return { target: t, res: await assemble(inst) };
      }),
    );

    const images: PlatformImage[] = finals.map(({ target, res }) => {
      const annotations: Record<string, string> = { ...(o.annotations ?? {}) };
      if (res.base && format === 'oci') {
        annotations['org.opencontainers.image.base.name'] = res.base.name;
        annotations['org.opencontainers.image.base.digest'] = res.base.digest;
      }
      const labels = o.labels && Object.keys(o.labels).length ? { Labels: { ...(res.image.config.config?.Labels ?? {}), ...o.labels } } : undefined;
      const image = buildImage({
        base: res.image,
        annotations: format === 'oci' ? annotations : undefined,
        config: labels,
        created: sourceDateEpoch,
        format,
      });
      progress({ type: 'image', platform: formatPlatform(target.platform), digest: image.descriptor.digest, size: image.descriptor.size });
      return { platform: target.platform, image, base: res.base };
    });
    const root: Artifact = images.length === 1 && !o.index ? images[0]!.image : buildIndex(images.map((i) => i.image), { format });
    await putArtifact(cache, root);
    if (root.kind === 'index') progress({ type: 'index', digest: root.descriptor.digest, mediaType: root.descriptor.mediaType });

    const assembled = [...ctx.targets.values()];
    const hostResults = [...hostOutputs.values()];
    const baseRepositories = new Map<string, { registry: string; repository: string }>();
    for (const r of resolver.resolvedRegistries()) baseRepositories.set(`${r.registry}/${r.repository}`, r);
    return {
      root,
      store,
      images,
      plan,
      stats: {
        hostStagesRun: hostResults.filter((h) => !h.cached).length,
        hostStagesCached: hostResults.filter((h) => h.cached).length,
        layersWritten: assembled.reduce((n, a) => n + a.layersWritten, 0),
        layersReused: assembled.reduce((n, a) => n + a.layersReused, 0),
        durationMs: Date.now() - t0,
      },
      baseRepositories: [...baseRepositories.values()],
      registryClient: getClient,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
