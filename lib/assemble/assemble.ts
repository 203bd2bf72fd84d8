import { mkdtemp, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { FileHasher } from '../context/entries-digest.js';
import type { PathFilter } from '../context/entry.js';
import { buildImage } from '../image/build-image.js';
import type { Image } from '../image/types.js';
import { readImagePaths } from '../layer/read-paths.js';
import { walkDirectory } from '../layer/walk.js';
import { writeLayer } from '../layer/write-layer.js';
import { formatPlatform } from '../oci/platform.js';
import type { StageInstance, Step } from '../plan/types.js';
import type { ProgressSink } from '../progress.js';
import type { CacheStore } from '../store/cache-store.js';
import { OcibakeError, wrapError } from '../errors.js';
import type { BaseResolver, ResolvedImage } from '../bases/resolver.js';
import { CachingReader } from '../store/caching-reader.js';
import type { RoutingReader } from '../store/routing-reader.js';
import { applyConfigStep, historyFor, initialConfigState } from './config-steps.js';
import { stackImage, type HistoryItem } from './stack-image.js';
import { prepareCopy, writeCopyLayer, type CopyLayerSettings, type CopySource } from './copy-layer.js';
import { ImageFs } from './image-fs.js';
import type { LayerMemo } from './layer-memo.js';

/** `AssembledImage` is a target stage instance turned into an image, plus what it was based on. */
export interface AssembledImage {
  image: Image;
  fs: ImageFs;
  /** The base image as named in FROM, for the base annotations (absent for scratch). */
  base?: { name: string; digest: string } | undefined;
  /** Layers this build wrote for the instance, and how many came from the layer memo. */
  layersWritten: number;
  layersReused: number;
}

/** Everything `assembleTarget` reads besides the instance itself. */
export interface AssembleContext {
  dockerfile: string;
  contextDir: string;
  ignore: PathFilter | undefined;
  /** Where base-layer listings are cached (`CacheLayout.listings`). */
  listingsDir: string;
  tmpDir: string;
  cache: CacheStore;
  /** The build's store: base layers are routed to their source as bases are resolved. */
  store: RoutingReader;
  memo: LayerMemo;
  hasher: FileHasher;
  resolver: BaseResolver;
  settings: CopyLayerSettings;
  /** Output directories of host stage instances. */
  hostOutputs: ReadonlyMap<string, { rootfs: string }>;
  /** Images of target instances assembled earlier in plan order. */
  targets: ReadonlyMap<string, AssembledImage>;
  progress: ProgressSink;
  signal?: AbortSignal | undefined;
}

/**
 * `assembleTarget` builds a target-platform stage without executing anything: it starts from
 * the base (an image resolved for the platform, an earlier stage, or scratch), turns each
 * COPY/ADD into a layer and each config instruction into config, in Docker's order and with
 * Docker's history entries. RUN never reaches here (the build rejects it earlier).
 */
export async function assembleTarget(inst: StageInstance, ctx: AssembleContext): Promise<AssembledImage> {
  const platform = inst.platform;
  const created = ctx.settings.sourceDateEpoch;
  let baseImage: Image | undefined;
  let fs: ImageFs;
  let base: AssembledImage['base'];
  if (inst.base.type === 'image') {
    const resolved: ResolvedImage = await ctx.resolver.resolve(inst.base.ref, platform);
    baseImage = resolved.image;
    ctx.store.route([...resolved.image.manifest.layers, resolved.image.manifest.config], resolved.source);
    fs = new ImageFs(new CachingReader(ctx.store, ctx.cache), ctx.listingsDir, resolved.image.manifest.layers);
    base = { name: resolved.name, digest: resolved.image.descriptor.digest };
    ctx.progress({ type: 'base', platform: formatPlatform(platform), ref: resolved.name, digest: resolved.image.descriptor.digest });
  } else if (inst.base.type === 'stage') {
    const parent = ctx.targets.get(inst.base.key);
    if (parent) {
      baseImage = parent.image;
      fs = parent.fs.fork();
      base = parent.base;
    } else {
      baseImage = await hostStageAsImage(inst, inst.base.key, ctx);
      fs = new ImageFs(new CachingReader(ctx.store, ctx.cache), ctx.listingsDir, []);
    }
  } else {
    fs = new ImageFs(new CachingReader(ctx.store, ctx.cache), ctx.listingsDir, []);
  }

  const state = initialConfigState(baseImage?.config);
  // COPY/ADD steps are resolved in order but their layers are written concurrently: a layer's
  // bytes depend only on its own entries. A step waits for earlier ones only when Docker's rules
  // make it look at the image (an existing directory as destination, --chown=name).
  const steps: Promise<HistoryItem>[] = [];
  let entriesKnown: Promise<void> = Promise.resolve();
  const layersWritten: Promise<unknown>[] = [];
  let written = 0;
  let reused = 0;
  const total = inst.steps.length;
  for (const [i, step] of inst.steps.entries()) {
    ctx.signal?.throwIfAborted();
    const ins = step.instruction;
    ctx.progress({ type: 'step', key: inst.key, platform: formatPlatform(platform), index: i + 1, total, text: ins.text.replace(/\s+/g, ' ').slice(0, 120) });
    if (ins.kind === 'COPY' || ins.kind === 'ADD') {
      const earlierEntries = entriesKnown;
      const earlierLayers = [...layersWritten];
      const prepared = (async () => {
        const source = await copySourceFor(inst, step, ctx);
        try {
          const p = await prepareCopy(step, source.source, fs, ctx.tmpDir, {
            entriesOfEarlierSteps: () => earlierEntries,
            layersOfEarlierSteps: async () => {
              await earlierEntries;
              await Promise.all(earlierLayers);
            },
          });
          return { ...p, cleanup: async () => (await p.cleanup(), await source.cleanup()) };
        } catch (err) {
          await source.cleanup();
          throw err;
        }
      })();
      entriesKnown = Promise.all([earlierEntries, prepared]).then(([, p]) => fs.addEntries(p.entries));
      entriesKnown.catch(() => {}); // the failure surfaces through the step's own promise below
      const item = prepared
        .then(async (p) => {
          try {
            return await writeCopyLayer(p.entries, { cache: ctx.cache, memo: ctx.memo, hasher: ctx.hasher, settings: ctx.settings });
          } finally {
            await p.cleanup();
          }
        })
        .then((layer): HistoryItem => {
          fs.addLayer(i, layer.descriptor);
          if (layer.reused) reused++;
          else written++;
          const history = historyFor(ins, isoTime(created), false);
          ctx.progress({
            type: 'layer',
            platform: formatPlatform(platform),
            digest: layer.descriptor.digest,
            size: layer.descriptor.size,
            diffId: layer.diffId,
            created_by: history.created_by ?? '',
          });
          return { kind: 'layer', layer: { descriptor: layer.descriptor, diffId: layer.diffId, history } };
        })
        .catch((err: unknown) => {
          throw locate(err, ctx.dockerfile, step);
        });
      item.catch(() => {}); // awaited in order below; this only marks it handled meanwhile
      layersWritten.push(item);
      steps.push(item);
    } else if (ins.kind === 'RUN') {
      throw new OcibakeError('OCIBAKE_RUN_IN_TARGET_STAGE', `${ctx.dockerfile}:${ins.range.startLine}: RUN in a target-platform stage`, {
        hint: 'mark the stage FROM --platform=$BUILDPLATFORM and cross-compile, then COPY --from the result',
      });
    } else if (applyConfigStep(state, step)) {
      steps.push(Promise.resolve({ kind: 'empty', history: historyFor(ins, isoTime(created), true) }));
    }
  }
  // Wait for every step (so no temp file is removed under a running write), then fail on the first error.
  const settled = await Promise.allSettled(steps);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const ordered = settled.map((r) => (r as PromiseFulfilledResult<HistoryItem>).value);

  const final = stackImage(baseImage, platform, ordered, state, { created, format: ctx.settings.format });
  return { image: final, fs, base, layersWritten: written, layersReused: reused };
}

/** Where a COPY/ADD reads: the context, a host stage's directory, or files pulled out of an image. */
async function copySourceFor(inst: StageInstance, step: Step, ctx: AssembleContext): Promise<{ source: CopySource; cleanup: () => Promise<void> }> {
  const none = async (): Promise<void> => {};
  const ins = step.instruction;
  if (ins.kind !== 'COPY' && ins.kind !== 'ADD') throw new OcibakeError('OCIBAKE_INTERNAL', 'not a copy step');
  if (step.fromKey) {
    const host = ctx.hostOutputs.get(step.fromKey);
    if (host) return { source: { root: host.rootfs, label: `stage ${step.fromKey}` }, cleanup: none };
    const target = ctx.targets.get(step.fromKey);
    if (!target) throw new OcibakeError('OCIBAKE_INTERNAL', `stage ${step.fromKey} was not built before ${inst.key}`);
    return extractFrom(target.image, `stage ${step.fromKey}`, ins.sources, ctx);
  }
  if (step.fromImage) {
    const resolved = await ctx.resolver.resolve(step.fromImage, inst.platform);
    ctx.store.route(resolved.image.manifest.layers, resolved.source);
    return extractFrom(resolved.image, `image ${resolved.name}`, ins.sources, ctx);
  }
  return { source: { root: ctx.contextDir, label: 'build context', filter: ctx.ignore }, cleanup: none };
}

/** Materialises only the named source paths of an image into a temporary directory. */
async function extractFrom(
  image: Image,
  label: string,
  sources: readonly string[],
  ctx: AssembleContext,
): Promise<{ source: CopySource; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(ctx.tmpDir, 'from-'));
  // A wildcard source needs its directory: read from the last segment without a glob upward.
  const paths = sources.map((s) => {
    const segs = posix.normalize(`/${s}`).split('/');
    const firstGlob = segs.findIndex((seg) => /[*?[\\]/.test(seg));
    return firstGlob < 0 ? segs.join('/') : segs.slice(0, firstGlob).join('/') || '/';
  });
  await readImagePaths(new CachingReader(ctx.store, ctx.cache), image.manifest.layers, paths, dir, { signal: ctx.signal });
  return { source: { root: dir, label }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A target stage `FROM <host stage>`: the host stage's whole directory becomes the first layer. */
async function hostStageAsImage(inst: StageInstance, key: string, ctx: AssembleContext): Promise<Image> {
  const host = ctx.hostOutputs.get(key);
  if (!host) throw new OcibakeError('OCIBAKE_INTERNAL', `stage ${key} has no output directory`);
  const s = ctx.settings;
  const layer = await writeLayer(
    walkDirectory(host.rootfs),
    { compression: s.compression, level: s.level, sourceDateEpoch: s.sourceDateEpoch, mediaTypes: s.format },
    ctx.cache,
  );
  return buildImage({
    platform: inst.platform,
    layers: [{ descriptor: layer.descriptor, diffId: layer.diffId, history: { created_by: `FROM ${key} # ocibake: the build stage's filesystem` } }],
    created: s.sourceDateEpoch,
    format: s.format,
  });
}

function isoTime(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Puts the Dockerfile line in front of a COPY failure, once (BuildKit's WithLocation). */
function locate(err: unknown, dockerfile: string, step: Step): unknown {
  const where = `${dockerfile}:${step.instruction.range.startLine}`;
  if (err instanceof OcibakeError && err.message.startsWith(where)) return err;
  return wrapError(err, `${where}: ${step.instruction.text.replace(/\s+/g, ' ').slice(0, 100)}`);
}
