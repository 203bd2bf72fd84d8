import { formatPlatform } from '../oci/platform.js';
import type { Image } from '../image/types.js';
import type { BuildPlan, StageInstance, Step } from '../plan/types.js';
import { entriesDigest } from '../context/entries-digest.js';
import { resolveCopy } from '../context/resolve-copy.js';
import { SourceTree } from '../context/source-tree.js';
import type { CacheEntry } from '../step-cache/cache-artifact.js';
import { DockerfileError } from '../dockerfile/errors.js';
import { OcibakeError, wrapError } from '../errors.js';
import { execution, type Execution } from '../sandbox/emulation.js';
import { applyConfigStep, historyFor, initialConfigState } from '../assemble/config-steps.js';
import { stackImage, type HistoryItem } from '../assemble/stack-image.js';
import { ChainTree } from './chain-tree.js';
import { copyKeyPayload, copyStep, type CopySourceTree } from './copy-step.js';
import { crossHelp } from './cross-help.js';
import type { FsLayer } from './fs-layers.js';
import type { MountSourceFs } from './run-mounts.js';
import { runStep } from './run-step.js';
import { resolveRunUser } from './run-user.js';
import type { StageContext } from './stage-context.js';
import { stepKey, type StepRecord } from './step-records.js';
import { workdirStep } from './workdir-step.js';

/** `InstanceResult` is a stage instance built: its filesystem (as a key and layers) and, for image stages, its image. */
export interface InstanceResult {
  key: string;
  layers: FsLayer[];
  image?: Image | undefined;
  base?: { name: string; digest: string } | undefined;
}

/** `StagesStats` counts what the build did, for the summary. */
export interface StagesStats {
  stepsRun: number;
  stepsCached: number;
  runsEmulated: number;
  emulatedMs: number;
  emulatedPlatforms: string[];
  layersWritten: number;
  /** Layers a cached step gave back from an earlier build. */
  layersReused: number;
  /** Steps whose result came from a `--cache-from` cache. */
  stepsImported: number;
}

/** What `runStages` returns: every instance built, and counters. */
export interface StagesOutcome {
  results: Map<string, InstanceResult>;
  stats: StagesStats;
  /** The step results `--cache-to` exports (empty without `exportMode`); `inImage` marks the final images' steps (`mode=min`). */
  exports: Map<string, { entry: CacheEntry; inImage: boolean }>;
}

const sh = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * `runStages` builds every stage instance of a plan in its own image, as BuildKit does: a stage's
 * filesystem is its base's layers plus one layer per step that changes it, RUN executes in it
 * (`runStep`: natively, or emulated for a foreign CPU), COPY/ADD/WORKDIR change it as Docker's
 * rules say. Each step has a cache key (its parent's key and what it does, inputs included); a
 * step whose key was seen before, in this build (another platform) or an earlier one, does not
 * run again, so steps before the first TARGET* use run once for every platform. Independent
 * instances run concurrently; RUN processes are bounded by `ctx.runLimit`.
 *
 *   const { results } = await runStages(plan, ctx);
 *   results.get(plan.targets[0].final)?.image // the image of the first platform
 */
export async function runStages(plan: BuildPlan, ctx: StageContext): Promise<StagesOutcome> {
  return new StageRunner(plan, ctx).run();
}

class StageRunner {
  readonly #plan: BuildPlan;
  readonly #ctx: StageContext;
  readonly #byKey: Map<string, StageInstance>;
  readonly #inImage = new Set<string>();
  readonly #instances = new Map<string, Promise<InstanceResult>>();
  readonly #steps = new Map<string, Promise<StepRecord & { cached: boolean }>>();
  readonly #stats: StagesStats = {
    stepsRun: 0,
    stepsCached: 0,
    runsEmulated: 0,
    emulatedMs: 0,
    emulatedPlatforms: [],
    layersWritten: 0,
    layersReused: 0,
    stepsImported: 0,
  };
  readonly #exports = new Map<string, { entry: CacheEntry; inImage: boolean }>();

  /** Aborted by the caller's signal or by the first failure, so sibling stages stop instead of running on. */
  readonly #stop = new AbortController();

  constructor(plan: BuildPlan, ctx: StageContext) {
    this.#plan = plan;
    this.#ctx = { ...ctx, signal: ctx.signal ? AbortSignal.any([ctx.signal, this.#stop.signal]) : this.#stop.signal };
    this.#byKey = new Map(plan.instances.map((i) => [i.key, i]));
    // The final stage of each target and the stages it is FROM become the image: their steps need layers.
    for (const t of plan.targets) {
      for (let k: string | undefined = t.final; k !== undefined;) {
        this.#inImage.add(k);
        const inst = this.#byKey.get(k);
        k = inst?.base.type === 'stage' ? inst.base.key : undefined;
      }
    }
  }

  async run(): Promise<StagesOutcome> {
    if (this.#ctx.noEmulation) this.#refuseEmulation();
    if (!this.#ctx.allowInsecure) this.#refuseInsecure();
    const results = new Map<string, InstanceResult>();
    let failure: Error | undefined;
    await Promise.all(
      this.#plan.targets.map(async (t) => {
        try {
          results.set(t.final, await this.#instance(t.final));
        } catch (err) {
          failure ??= err instanceof Error ? err : new Error(String(err));
          this.#stop.abort(failure);
        }
      }),
    );
    // Wait for every instance that started, failed or not, so no RUN or temp dir outlives the build.
    for (let seen = 0; seen < this.#instances.size;) {
      const pending = [...this.#instances.values()];
      seen = pending.length;
      await Promise.allSettled(pending);
    }
    if (failure !== undefined) throw failure;
    for (const [k, p] of this.#instances) results.set(k, await p);
    return { results, stats: this.#stats, exports: this.#exports };
  }

  /** `--no-emulation` is decided before anything runs: the first RUN that would need qemu is the error. */
  #refuseEmulation(): void {
    for (const inst of this.#plan.instances) {
      const run = inst.steps.find((s) => s.instruction.kind === 'RUN');
      if (run) this.#execution(inst, run);
    }
  }

  /** BuildKit refuses `RUN --security=insecure` unless the build allows it; so does ocibake, before anything runs. */
  #refuseInsecure(): void {
    for (const inst of this.#plan.instances) {
      const step = inst.steps.find((s) => s.instruction.kind === 'RUN' && s.instruction.security === 'insecure');
      if (!step) continue;
      const ins = step.instruction;
      throw new DockerfileError('OCIBAKE_EXEC', '--security=insecure is not allowed: it runs with every capability of the build (privileged)', {
        file: this.#ctx.dockerfile,
        line: ins.range.startLine,
        instruction: 'RUN',
        sourceLine: ins.text,
        hint: 'grant it with --allow security.insecure (as docker buildx build does), or drop --security=insecure',
      });
    }
  }

  #instance(key: string): Promise<InstanceResult> {
    let p = this.#instances.get(key);
    if (!p) {
      const inst = this.#byKey.get(key);
      if (!inst) throw new OcibakeError('OCIBAKE_INTERNAL', `plan has no instance ${key}`);
      p = this.#build(inst);
      this.#instances.set(key, p);
    }
    return p;
  }

  async #build(inst: StageInstance): Promise<InstanceResult> {
    const ctx = this.#ctx;
    await Promise.all(inst.deps.map((d) => this.#instance(d)));
    const platform = formatPlatform(inst.targetPlatform ?? inst.platform);
    const name = inst.stage.name ?? String(inst.stage.index);
    const t0 = Date.now();
    ctx.progress({ type: 'stage', key: inst.key, platform, state: 'start' });
    try {
      let key: string;
      let layers: FsLayer[];
      let baseImage: Image | undefined;
      let base: InstanceResult['base'];
      const isolation = ctx.caps.mode === 'userns-single' ? 'one-uid' : 'ids';
      if (inst.base.type === 'image') {
        const resolved = await ctx.resolver.resolve(inst.base.ref, inst.platform);
        const image = resolved.image;
        ctx.store.route([...image.manifest.layers, image.manifest.config], resolved.source);
        baseImage = image;
        base = { name: resolved.name, digest: image.descriptor.digest };
        ctx.progress({ type: 'base', platform, ref: resolved.name, digest: image.descriptor.digest });
        key = stepKey('', 'FROM', { image: image.descriptor.digest, isolation });
        layers = image.manifest.layers.map((d, i) => ({ blob: { descriptor: d, diffId: image.config.rootfs.diff_ids[i]! } }));
      } else if (inst.base.type === 'stage') {
        const parent = await this.#instance(inst.base.key);
        key = parent.key;
        layers = [...parent.layers];
        baseImage = parent.image;
        base = parent.base;
      } else {
        key = stepKey('', 'FROM', { scratch: formatPlatform(inst.platform), isolation });
        layers = [];
      }
      const inImage = this.#inImage.has(inst.key);
      const config = initialConfigState(baseImage?.config);
      const items: HistoryItem[] = [];
      const created = new Date(ctx.settings.sourceDateEpoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      let exec: Execution | undefined;
      const total = inst.steps.length;
      for (const [i, step] of inst.steps.entries()) {
        ctx.signal?.throwIfAborted();
        const ins = step.instruction;
        const text = sh(ins.text).slice(0, 160);
        const label = `${platform} ${name} ${i + 1}/${total}`;
        const parentKey = key;
        const state = { key: parentKey, layers: [...layers] };
        const materialize = async () => ctx.materializer.materialize(state.key, state.layers);
        // Said only when the step really runs; a cached step reports once, as cached.
        const announce = () => ctx.progress({ type: 'step', key: inst.key, platform, index: i + 1, total, text });
        let rec: (StepRecord & { cached: boolean }) | undefined;
        try {
          switch (ins.kind) {
            case 'RUN': {
              exec ??= this.#execution(inst, step);
              const run = exec;
              const k = stepKey(parentKey, 'RUN', { ...(await this.#runPayload(inst, step)), crossEnv: ctx.crossEnv && inst.targetArgsUsed.length > 0 });
              rec = await this.#step(k, inImage, async () => {
                announce();
                if (run.kind === 'emulated')
                  ctx.progress({ type: 'info', message: `[${label}] ${text.slice(0, 80)}: emulated through ${run.handler} (binfmt_misc)` });
                const m = await materialize();
                const cross =
                  ctx.crossEnv && inst.targetPlatform && inst.targetArgsUsed.length > 0 ? crossHelp(inst.targetPlatform, this.#plan.buildPlatform) : undefined;
                return runStep(
                  step,
                  ins,
                  {
                    key: k,
                    snapshots: m.snapshots,
                    view: m.view,
                    instance: inst.key,
                    platform,
                    label: `${platform} ${name}`,
                    execution: run,
                    needsLayer: inImage || ctx.exportMode === 'max',
                    mountSource: (index) => this.#mountSource(inst, step, index),
                    cross,
                  },
                  ctx,
                );
              });
              // Only what ran under qemu in this build: a cached emulated step cost nothing.
              if (rec.emulated && !rec.cached) {
                this.#stats.runsEmulated++;
                this.#stats.emulatedMs += rec.durationMs ?? 0;
                if (!this.#stats.emulatedPlatforms.includes(platform)) this.#stats.emulatedPlatforms.push(platform);
              }
              key = k;
              break;
            }
            case 'COPY':
            case 'ADD': {
              const source = await this.#copySource(inst, step);
              const k = stepKey(parentKey, ins.kind, await copyKeyPayload(step, source, ctx));
              rec = await this.#step(
                k,
                inImage,
                () => {
                  announce();
                  return copyStep(step, source, async () => (await materialize()).view, ctx);
                },
                { layerOnly: true },
              );
              key = k;
              break;
            }
            case 'WORKDIR': {
              applyConfigStep(config, step);
              if (step.workdir === '/') {
                items.push({ kind: 'empty', history: historyFor(ins, created, true) });
                continue;
              }
              const k = stepKey(parentKey, 'WORKDIR', { path: step.workdir, user: step.user ?? '' });
              rec = await this.#step(
                k,
                inImage,
                async () => {
                  announce();
                  const m = await materialize();
                  const owner = step.user
                    ? resolveRunUser(step.user, await text_(m.view, '/etc/passwd'), await text_(m.view, '/etc/group'))
                    : { uid: 0, gid: 0 };
                  return workdirStep(step.workdir, owner, m.view, ctx);
                },
                { layerOnly: true },
              );
              key = k;
              break;
            }
            default:
              if (applyConfigStep(config, step)) items.push({ kind: 'empty', history: historyFor(ins, created, true) });
              continue;
          }
        } catch (err) {
          throw located(err, ctx.dockerfile, step);
        }
        if (!rec) continue;
        ctx.progress({ type: 'step', key: inst.key, platform, index: i + 1, total, text, cached: rec.cached });
        if (rec.layer === null) {
          items.push({ kind: 'empty', history: historyFor(ins, created, true) });
          continue;
        }
        layers.push({ snapshot: rec.snapshot, blob: rec.layer ?? undefined });
        if (!rec.layer) continue;
        const history = historyFor(ins, created, false);
        items.push({ kind: 'layer', layer: { descriptor: rec.layer.descriptor, diffId: rec.layer.diffId, history } });
        if (inImage && !rec.cached)
          ctx.progress({
            type: 'layer',
            platform,
            digest: rec.layer.descriptor.digest,
            size: rec.layer.descriptor.size,
            diffId: rec.layer.diffId,
            created_by: history.created_by ?? '',
          });
      }
      const image = inImage
        ? stackImage(baseImage, inst.platform, items, config, { created: ctx.settings.sourceDateEpoch, format: ctx.settings.format })
        : undefined;
      ctx.progress({ type: 'stage', key: inst.key, platform, state: 'done', durationMs: Date.now() - t0 });
      return { key, layers, image, base };
    } catch (err) {
      ctx.progress({ type: 'stage', key: inst.key, platform, state: 'failed', durationMs: Date.now() - t0 });
      throw err;
    }
  }

  /** How this instance's RUNs execute; a foreign CPU under `--no-emulation` is an error at the first RUN. */
  #execution(inst: StageInstance, step: Step): Execution {
    const ex = execution(inst.platform);
    if (ex.kind === 'emulated' && this.#ctx.noEmulation) {
      const ins = step.instruction;
      throw new DockerfileError('OCIBAKE_EXEC', `RUN for ${formatPlatform(inst.platform)} would be emulated (${ex.handler}), and --no-emulation forbids it`, {
        file: this.#ctx.dockerfile,
        line: ins.range.startLine,
        instruction: 'RUN',
        sourceLine: ins.text,
        hint: 'build that work in a FROM --platform=$BUILDPLATFORM stage and cross-compile (GOOS/GOARCH, zig cc -target, xx-*), then COPY --from it; or drop --no-emulation',
      });
    }
    return ex;
  }

  /**
   * A step once per key per build, and not at all when an earlier build recorded its result (and
   * the result is still there) or a `--cache-from` cache has it. `inImage` says the step's result
   * goes into an image, so it needs a layer (so does every step with `--cache-to …,mode=max`).
   */
  #step(key: string, inImage: boolean, exec: () => Promise<StepRecord>, o: { layerOnly?: boolean } = {}): Promise<StepRecord & { cached: boolean }> {
    let p = this.#steps.get(key);
    if (!p) {
      // COPY and WORKDIR results exist only as layers; a RUN's can be a snapshot alone.
      const needsLayer = o.layerOnly === true || inImage || this.#ctx.exportMode === 'max';
      p = (async () => {
        const ctx = this.#ctx;
        const found = ctx.settings.noCache ? undefined : await this.#cached(key, needsLayer);
        if (found) {
          this.#stats.stepsCached++;
          if (found.layer) this.#stats.layersReused++;
          this.#collect(key, found, inImage);
          return { ...found, cached: true };
        }
        const rec = await exec();
        await ctx.records.put(key, rec);
        this.#stats.stepsRun++;
        if (rec.layer) this.#stats.layersWritten++;
        this.#collect(key, rec, inImage);
        return { ...rec, cached: false };
      })();
      this.#steps.set(key, p);
    }
    return p;
  }

  /** A step's result from this machine's records, else from an imported cache (its layer routed to that cache). */
  async #cached(key: string, needsLayer: boolean): Promise<StepRecord | undefined> {
    const ctx = this.#ctx;
    const rec = await ctx.records.get(key);
    if (rec && (await this.#usable(rec, needsLayer))) {
      await ctx.records.touch(key);
      return rec;
    }
    const imported = ctx.imports?.get(key);
    if (!imported) return undefined;
    const { layer, emulated } = imported.entry;
    // Fetched only if something needs its bytes: a later RUN, a COPY --from, or an output that lacks it.
    if (layer) ctx.store.route([layer.descriptor], imported.source);
    this.#stats.stepsImported++;
    return { layer, emulated };
  }

  /** What `--cache-to` can export: every step with a layer (or none at all), marked when it is part of a final image. */
  #collect(key: string, rec: StepRecord, inImage: boolean): void {
    if (!this.#ctx.exportMode || rec.layer === undefined) return;
    const had = this.#exports.get(key);
    const entry = { layer: rec.layer && { descriptor: rec.layer.descriptor, diffId: rec.layer.diffId }, ...(rec.emulated ? { emulated: true } : {}) };
    this.#exports.set(key, { entry, inImage: inImage || (had?.inImage ?? false) });
  }

  async #usable(rec: StepRecord, needsLayer: boolean): Promise<boolean> {
    if (rec.layer === null) return true;
    const blob = rec.layer ? await this.#ctx.cache.exists(rec.layer.descriptor) : false;
    if (needsLayer) return blob;
    if (blob) return true;
    return rec.snapshot !== undefined && (await this.#ctx.ops.store.get(rec.snapshot)) !== undefined;
  }

  /** What a RUN's key is made of: the command, the environment and user it runs with, and its mounts' identities (never a secret's value). */
  async #runPayload(inst: StageInstance, step: Step): Promise<Record<string, unknown>> {
    const ins = step.instruction;
    if (ins.kind !== 'RUN') throw new OcibakeError('OCIBAKE_INTERNAL', 'not a RUN');
    const mounts = await Promise.all(
      ins.mounts.map(async (m, index) => {
        const from = step.mounts?.find((x) => x.index === index);
        const source = from?.fromKey
          ? (await this.#instance(from.fromKey)).key
          : from?.fromImage
            ? `image:${(await this.#ctx.resolver.resolve(from.fromImage, inst.platform)).image.descriptor.digest}`
            : undefined;
        // A bind of the build context is keyed by the files it shows, as BuildKit does (not only by its path).
        const content = m.type === 'bind' && !source ? await contextMountDigest(this.#ctx, m.source ?? '.') : undefined;
        return {
          ...m,
          source:
            m.type === 'bind' && !source
              ? `context:${m.source ?? '.'}`
              : m.type === 'bind'
                ? `${source}:${m.source ?? '/'}`
                : (m as { source?: string }).source,
          from: source,
          content,
        };
      }),
    );
    return {
      command: ins.command,
      heredocs: ins.heredocs.map((h) => [h.name, h.content]),
      shell: step.shell,
      env: Object.entries(step.env).sort(),
      user: step.user ?? '',
      workdir: step.workdir,
      network: ins.network ?? 'default',
      security: ins.security ?? 'sandbox',
      mounts,
      platform: formatPlatform(inst.platform),
    };
  }

  async #copySource(inst: StageInstance, step: Step): Promise<CopySourceTree> {
    const ctx = this.#ctx;
    if (step.fromKey) {
      const from = await this.#instance(step.fromKey);
      const label = `stage ${step.fromKey}`;
      return { tree: async () => new ChainTree((await ctx.materializer.materialize(from.key, from.layers)).view, label), identity: `stage:${from.key}` };
    }
    if (step.fromImage) {
      const r = await ctx.resolver.resolve(step.fromImage, inst.platform);
      ctx.store.route(r.image.manifest.layers, r.source);
      const layers = r.image.manifest.layers.map((d, i) => ({ blob: { descriptor: d, diffId: r.image.config.rootfs.diff_ids[i]! } }));
      const id = `image:${r.image.descriptor.digest}`;
      return { tree: async () => new ChainTree((await ctx.materializer.materialize(id, layers)).view, `image ${r.name}`), identity: id };
    }
    const context = new SourceTree(ctx.contextDir, 'the build context', ctx.ignore);
    return { tree: () => Promise.resolve(context) };
  }

  async #mountSource(inst: StageInstance, step: Step, index: number): Promise<MountSourceFs> {
    const ctx = this.#ctx;
    const ref = step.mounts?.find((m) => m.index === index);
    if (ref?.fromKey) {
      const from = await this.#instance(ref.fromKey);
      const m = await ctx.materializer.materialize(from.key, from.layers);
      return { dirs: m.snapshots.map((s) => s.fs), view: m.view, label: `stage ${ref.fromKey}` };
    }
    if (ref?.fromImage) {
      const r = await ctx.resolver.resolve(ref.fromImage, inst.platform);
      ctx.store.route(r.image.manifest.layers, r.source);
      const layers = r.image.manifest.layers.map((d, i) => ({ blob: { descriptor: d, diffId: r.image.config.rootfs.diff_ids[i]! } }));
      const m = await ctx.materializer.materialize(`image:${r.image.descriptor.digest}`, layers);
      return { dirs: m.snapshots.map((s) => s.fs), view: m.view, label: `image ${r.name}` };
    }
    throw new OcibakeError('OCIBAKE_INTERNAL', `RUN --mount #${index} has no from= source in the plan`);
  }
}

/** The digest of the context files a bind mount of `source` shows (undefined when it shows none: the mount itself then says why). */
async function contextMountDigest(ctx: StageContext, source: string): Promise<string | undefined> {
  try {
    const entries = await resolveCopy(
      { instruction: 'COPY', sources: [source], dest: '/', workdir: '/' },
      new SourceTree(ctx.contextDir, 'the build context', ctx.ignore),
      { destIsDir: () => true },
    );
    return await entriesDigest(entries, ctx.hasher);
  } catch {
    return undefined;
  }
}

async function text_(view: { readFile(p: string): Promise<Buffer> }, path: string): Promise<string> {
  try {
    return (await view.readFile(path)).toString('utf8');
  } catch {
    return '';
  }
}

/** Puts the Dockerfile line in front of a step's failure, once (BuildKit's WithLocation). */
function located(err: unknown, dockerfile: string, step: Step): unknown {
  const where = `${dockerfile}:${step.instruction.range.startLine}`;
  if (err instanceof OcibakeError && (err.message.startsWith(where) || err instanceof DockerfileError)) return err;
  return wrapError(err, `${where}: ${sh(step.instruction.text).slice(0, 100)}`);
}
