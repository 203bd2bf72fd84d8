import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { BuildPlan, StageInstance } from '../plan/types.js';
import type { CacheLayout } from '../cache/layout.js';
import { formatPlatform, type Platform } from '../oci/platform.js';
import { noProgress, type ProgressSink } from '../progress.js';
import type { PathFilter } from '../context/entry.js';
import { FileHasher } from '../context/entries-digest.js';
import { SourceTree } from '../context/source-tree.js';
import type { ExecMount, Executor, ExecutorMode } from './executor.js';
import { createExecutor } from './select-executor.js';
import { crossEnv, pickCCompiler } from './cross-env.js';
import { archInfo } from './arch-table.js';
import { hostBaseEnv } from './run-env.js';
import { checkToolchain, toolchainFor } from './toolchains.js';
import { findZig, which } from './tool-lookup.js';
import { SecretStore, type SecretSource } from './secrets.js';
import { StageCache, cacheKey, treeDigest } from './stage-cache.js';
import { runGraph } from './scheduler.js';
import { instanceInputs } from './instance-inputs.js';
import { executeInstance } from './instance-runner.js';
import { ExecError } from './errors.js';
import { loadDockerignore } from '../dockerfile/dockerignore.js';

/** `HostStageResult` is one host stage instance's output directory. */
export interface HostStageResult {
  /** Directory holding the instance's filesystem (read it, do not modify it: it may be a cache entry). */
  rootfs: string;
  /** True when it came from the stage cache without running anything. */
  cached: boolean;
  /** Content digest of `rootfs`. */
  digest: string;
}

/** Options of `runHostStages`. */
export interface RunHostStagesOptions {
  contextDir: string;
  /** Path of the Dockerfile as the user gave it, for messages (`Dockerfile:12`). */
  dockerfilePath: string;
  /** Scratch space for this build; outputs that are not cached stay here. */
  workDir: string;
  /** The persistent cache: stage outputs, `RUN --mount=type=cache` dirs, Go and zig caches. */
  cache: CacheLayout;
  noCache?: boolean | undefined;
  /** Independent instances run at once (default: number of cores). */
  concurrency?: number | undefined;
  secrets?: Map<string, SecretSource> | undefined;
  /** `--executor`; an `Executor` object is accepted as a test seam. */
  executor?: ExecutorMode | Executor | undefined;
  /** The .dockerignore matcher for the context (default: `loadDockerignore(contextDir, dockerfilePath)`). */
  ignore?: PathFilter | undefined;
  /** Go/zig build caches (default `<cacheDir>/tools`); kept apart so tests can share warm compiler caches. */
  toolCacheDir?: string | undefined;
  /** `zig` prefers zig over the host's cc also for the native target (static musl everywhere). */
  cCompiler?: 'auto' | 'zig' | 'none' | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ProgressSink | undefined;
}

/** `formatStepPrefix` is the log prefix renderers show: `[linux/arm64 build 5/7]`. */
export function formatStepPrefix(platform: string | undefined, stage: string, index: number, total: number): string {
  return `[${platform ? `${platform} ` : ''}${stage} ${index}/${total}]`;
}

function stageName(inst: StageInstance): string {
  return inst.stage.name ?? String(inst.stage.index);
}

/**
 * `runHostStages` runs every `host` instance of a plan natively, in dependency order, with
 * independent instances in parallel (bounded by `concurrency`), each once: shared instances
 * serve every platform and two instances with identical inputs share one run. Outputs are
 * looked up in and published to the stage cache unless `noCache`.
 *
 * @example
 * const outputs = await runHostStages(plan, { contextDir: '.', dockerfilePath: 'Dockerfile', workDir, cache: new CacheLayout(), executor: 'auto', onEvent });
 * outputs.get('build@linux/arm64')?.rootfs // directory the final stage COPY --from=build reads
 */
export async function runHostStages(plan: BuildPlan, opts: RunHostStagesOptions): Promise<Map<string, HostStageResult>> {
  const onEvent = opts.onEvent ?? noProgress;
  const hostInstances = plan.instances.filter((i) => i.kind === 'host');
  for (const inst of hostInstances) {
    for (const d of inst.deps) {
      const dep = plan.instances.find((x) => x.key === d);
      if (dep?.kind === 'target')
        throw new ExecError(
          'OCIBAKE_EXEC',
          `stage "${stageName(inst)}" runs on the build platform but reads stage "${stageName(dep)}", which is built for the target`,
          { hint: `build "${stageName(dep)}" FROM --platform=$BUILDPLATFORM too, or copy from it only in the final stage` },
        );
    }
  }
  if (hostInstances.length === 0) return new Map();

  const executor =
    typeof opts.executor === 'object' ? opts.executor : createExecutor(opts.executor ?? 'auto', (message) => onEvent({ type: 'warning', message }));
  const toolsDir = opts.toolCacheDir ?? opts.cache.tools();
  const toolCaches = {
    GOCACHE: join(toolsDir, 'go-build'),
    GOMODCACHE: join(toolsDir, 'go-mod'),
    ZIG_GLOBAL_CACHE_DIR: join(toolsDir, 'zig'),
    ZIG_LOCAL_CACHE_DIR: join(toolsDir, 'zig-local'),
  };
  for (const d of Object.values(toolCaches)) mkdirSync(d, { recursive: true });
  const toolVersions = checkToolchains(hostInstances, onEvent);
  const crossFor = crossEnvFactory(plan.buildPlatform, opts.cCompiler ?? 'auto', join(toolsDir, 'bin'));
  const hostEnv = withZigOnPath(process.env, join(toolsDir, 'bin'));
  // The tool caches, and zig's own directory: a checkout under /tmp (the stage's private /tmp in
  // the namespace) would otherwise hide the zig that $CC names.
  const zig = findZig();
  const zigDir = zig ? dirname(realpathSync(zig)) : undefined;
  const toolMounts: ExecMount[] = [{ target: toolsDir, source: toolsDir, kind: 'dir', readonly: false }];
  if (zigDir && !zigDir.startsWith(`${toolsDir}/`)) toolMounts.push({ target: zigDir, source: zigDir, kind: 'dir', readonly: true });
  const cache = opts.noCache ? undefined : new StageCache(opts.cache.stages);
  await cache?.sweep();
  const context = new SourceTree(opts.contextDir, 'the build context', opts.ignore ?? (await loadDockerignore(opts.contextDir, opts.dockerfilePath)));
  const hasher = new FileHasher();
  const secrets = new SecretStore(opts.secrets);
  const outputs = new Map<string, HostStageResult>();
  const inflight = new Map<string, Promise<HostStageResult>>();
  const hidden = [opts.workDir, opts.cache.root, toolsDir];

  const work = async (inst: StageInstance, signal: AbortSignal): Promise<HostStageResult> => {
    const platform = inst.targetPlatform ? formatPlatform(inst.targetPlatform) : undefined;
    const baseEnv = hostBaseEnv({
      build: plan.buildPlatform,
      target: inst.targetPlatform,
      cross: inst.targetPlatform ? crossFor(inst.targetPlatform) : {},
      toolCaches,
      hostEnv,
    });
    const dir = join(opts.workDir, 'stages', `${inst.key.replace(/[^A-Za-z0-9._-]+/g, '_')}-${randomBytes(4).toString('hex')}`);
    const { inputs } = await instanceInputs(plan, inst, {
      context,
      hasher,
      baseEnv,
      executor: executor.name,
      tmpDir: join(dir, 'inputs'),
      toolVersion: inst.base.type === 'image' ? toolVersions.get(inst.base.ref) : undefined,
      depDigest: (k) => outputs.get(k)?.digest ?? k,
    });
    const key = cacheKey(inputs);
    const running = inflight.get(key);
    if (running) return running;
    const p = (async (): Promise<HostStageResult> => {
      const hit = await cache?.get(key);
      if (hit) {
        onEvent({ type: 'stage', key: inst.key, platform, state: 'cached' });
        return { rootfs: hit.rootfs, cached: true, digest: hit.meta.digest };
      }
      const t0 = Date.now();
      onEvent({ type: 'stage', key: inst.key, platform, state: 'start' });
      let runs = 0;
      try {
        const rootfs = await executeInstance(inst, {
          plan,
          dir,
          context,
          depRootfs: (k) => {
            const o = outputs.get(k);
            if (!o) throw new ExecError('OCIBAKE_EXEC', `${inst.key}: dependency ${k} has no output`);
            return o.rootfs;
          },
          run: {
            executor,
            dockerfile: opts.dockerfilePath,
            key: inst.key,
            platform,
            label: `${platform ? `${platform} ` : ''}${stageName(inst)}`,
            baseEnv,
            signal,
            onEvent,
            hidden,
            toolMounts,
            mounts: {
              cacheMountsDir: opts.cache.cacheMounts,
              contextDir: opts.contextDir,
              secrets,
              stageRootfs: (from) => stageRootfs(plan, inst, from, outputs),
            },
          },
          onStep: (index, total, text) => {
            if (text.startsWith('RUN')) runs++;
            onEvent({ type: 'step', key: inst.key, platform, index, total, text });
          },
        });
        const digest = await treeDigest(rootfs, hasher);
        const result = cache
          ? { rootfs: (await cache.put(key, rootfs, { key, digest, instance: inst.key, createdMs: Date.now(), runs })).rootfs, cached: false, digest }
          : { rootfs, cached: false, digest };
        onEvent({ type: 'stage', key: inst.key, platform, state: 'done', durationMs: Date.now() - t0 });
        return result;
      } catch (err) {
        onEvent({ type: 'stage', key: inst.key, platform, state: 'failed', durationMs: Date.now() - t0 });
        throw err;
      }
    })();
    inflight.set(key, p);
    return p;
  };

  const byKey = new Map(hostInstances.map((i) => [i.key, i]));
  await runGraph(
    hostInstances,
    opts.concurrency ?? availableParallelism(),
    async (node, signal) => {
      const result = await work(byKey.get(node.key)!, signal);
      outputs.set(node.key, result);
      return result;
    },
    opts.signal,
  );
  return outputs;
}

function stageRootfs(plan: BuildPlan, inst: StageInstance, from: string, outputs: Map<string, HostStageResult>): string {
  const want = from.toLowerCase();
  for (const k of inst.deps) {
    const d = plan.instances.find((x) => x.key === k);
    const o = outputs.get(k);
    if (d && o && (d.stage.name === want || String(d.stage.index) === want)) return o.rootfs;
  }
  throw new ExecError('OCIBAKE_EXEC', `${inst.key}: RUN --mount from=${from} names no stage this instance depends on`, {
    hint: 'mount from an earlier stage of this Dockerfile',
  });
}

function checkToolchains(instances: StageInstance[], onEvent: ProgressSink): Map<string, string> {
  const versions = new Map<string, string>();
  for (const inst of instances) {
    if (inst.base.type !== 'image' || versions.has(inst.base.ref)) continue;
    const t = toolchainFor(inst.base.ref);
    if (!t) continue;
    const check = checkToolchain(t, stageName(inst), inst.base.ref, (c) => which(c));
    if (check.warning) onEvent({ type: 'warning', message: check.warning });
    versions.set(inst.base.ref, `${check.tool} ${check.version ?? '?'}`);
  }
  return versions;
}

/**
 * `withZigOnPath` lets a RUN call `zig` by name when zig comes from the npm package (not on the
 * host's PATH): a symlink in the tool bin dir, appended to PATH so host tools keep precedence.
 */
function withZigOnPath(env: NodeJS.ProcessEnv, binDir: string): NodeJS.ProcessEnv {
  if (which('zig') !== undefined) return env;
  const zig = findZig(env);
  if (!zig) return env;
  mkdirSync(binDir, { recursive: true });
  const link = join(binDir, 'zig');
  try {
    if (readlinkSync(link) !== zig) rmSync(link, { force: true });
  } catch {
    rmSync(link, { force: true });
  }
  try {
    symlinkSync(zig, link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return { ...env, PATH: `${env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'}:${binDir}` };
}

function crossEnvFactory(build: Platform, mode: 'auto' | 'zig' | 'none', binDir: string): (target: Platform) => Record<string, string> {
  const zig = mode === 'none' ? undefined : findZig();
  const memo = new Map<string, Record<string, string>>();
  return (target) => {
    const id = formatPlatform(target);
    let env = memo.get(id);
    if (env) return env;
    const has = (c: string): boolean => mode !== 'zig' && mode !== 'none' && which(c) !== undefined;
    const cc = pickCCompiler(target, build, has, zig);
    let wrapper: string | undefined;
    const info = archInfo(target);
    if (cc?.kind === 'zig' && info) {
      mkdirSync(binDir, { recursive: true });
      wrapper = join(binDir, `zig-cc-${info.zigTriple}`);
      writeFileSync(wrapper, `#!/bin/sh\nexec '${cc.zig}' cc -target ${info.zigTriple} ${info.zigFlags.join(' ')} "$@"\n`);
      chmodSync(wrapper, 0o755);
    }
    env = crossEnv({ target, build, cc, zigLinkerWrapper: wrapper });
    memo.set(id, env);
    return env;
  };
}
