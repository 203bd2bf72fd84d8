import { formatPlatform, hostPlatform, normalizePlatform, type Platform } from '../oci/platform.js';
import { OcibakeError } from '../errors.js';
import type { Dockerfile, Stage } from '../dockerfile/instructions.js';
import { didYouMean } from '../dockerfile/suggest.js';
import type { BaseSource, BuildPlan, PlanWarning, StageInstance, Step } from './types.js';
import { automaticArgs, declareArg, PREDEFINED_ARGS, resolveBuildArgs, type ArgValues } from './scope.js';
import { locate } from './locate.js';
import type { BaseImageConfigLookup, DispatchContext, StageDraft } from './draft.js';
import { mergeOrder, reachableStages } from './graph.js';

/** `PlanOptions` are the build's inputs besides the Dockerfile. */
export interface PlanOptions {
  /** Target platforms, in output order; default: the build platform alone. */
  platforms?: Platform[];
  /** The machine's platform (BUILDPLATFORM); default `hostPlatform()`. */
  buildPlatform?: Platform;
  /** `--build-arg NAME=value`; a value of undefined (`--build-arg NAME`) takes `env[NAME]`. */
  buildArgs?: Record<string, string | undefined>;
  /** `--target` stage name (or index); default: the last stage. */
  target?: string;
  /** Environment for valueless build args; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** SOURCE_DATE_EPOCH seconds when not given as a build arg (e.g. from the environment). */
  sourceDateEpoch?: number;
  /**
   * Base image configs, when the caller has resolved them (plan once, fetch the configs of the
   * `image` bases, plan again). With them, `ENV PATH=/x:$PATH` sees the image's PATH, a relative
   * WORKDIR starts at the image's WorkingDir, and `imageEnv` holds the image's Env too. Without
   * them, expansion sees only the Dockerfile's own ENV and ARGs.
   */
  baseImageConfig?: BaseImageConfigLookup;
  /** `--offline`: an ADD of a URL or git repository is a DockerfileError at its line. */
  offline?: boolean;
}

/**
 * `planBuild` turns a parsed Dockerfile into a `BuildPlan` for the requested target platforms.
 *
 * Semantics (BuildKit's, so a Dockerfile means the same as under `docker buildx build`):
 * - ARGs before the first FROM are global: usable in FROM lines, visible in a stage only after a
 *   bare `ARG NAME` there. `--build-arg` overrides defaults; `--build-arg NAME` without a value
 *   reads the environment. A build arg no ARG consumes is a warning. ENV wins over an ARG of the
 *   same name. A stage `FROM <stage>` inherits that stage's ENV, ARGs, WORKDIR, SHELL and USER.
 * - The automatic args TARGETPLATFORM/OS/ARCH/VARIANT and BUILDPLATFORM/OS/ARCH/VARIANT are in the
 *   global scope (FROM lines see them) and in a stage after `ARG NAME`. SOURCE_DATE_EPOCH works the
 *   same way and is recorded in `plan.sourceDateEpoch`.
 * - Kind (see `classifyStage`): `host` stages run natively (`FROM --platform=$BUILDPLATFORM`),
 *   `target` stages are assembled from layers. The target stage and the stages it is FROM are
 *   always `target` unless their FROM names the build platform (`markImageChain`): their RUN would
 *   have to change the image's own root filesystem. A RUN in a target stage is recorded as a
 *   warning here and rejected by `checkNoRunInTargetStages`, so `--dry-run` can show the plan.
 * - Dedupe: a stage whose platform does not follow the target is one shared instance (key `build`,
 *   `targetPlatform` undefined) unless it, or a stage it reads, reads a TARGET* arg (an
 *   `ARG TARGETARCH` line, or `$TARGETARCH` in its FROM line): then one instance per target
 *   (`build@linux/arm64`). `targetArgsUsed` records why. Stages that follow the target
 *   (no --platform) are always per target (`2@linux/amd64`).
 * - Instances are in dependency order; `--target` prunes stages it does not reach. Unknown stages,
 *   cycles and duplicate names are DockerfileErrors with the line.
 *
 *     const plan = planBuild(parseDockerfile(text), { platforms: [amd64, arm64], buildPlatform: amd64 });
 *     plan.targets.map((t) => t.final); // ['1@linux/amd64', '1@linux/arm64']
 */
export function planBuild(df: Dockerfile, opts: PlanOptions = {}): BuildPlan {
  const build = normalizePlatform(opts.buildPlatform ?? hostPlatform());
  // `linux/arm64,linux/arm64/v8` is one platform: one set of instances, one image.
  const platforms = [
    ...new Map(
      (opts.platforms && opts.platforms.length > 0 ? opts.platforms : [build]).map((p) => {
        const n = normalizePlatform(p);
        return [formatPlatform(n), n] as const;
      }),
    ).values(),
  ];
  const buildArgs = resolveBuildArgs(opts.buildArgs ?? {}, opts.env ?? process.env);
  if (opts.sourceDateEpoch !== undefined && !buildArgs.has('SOURCE_DATE_EPOCH')) buildArgs.set('SOURCE_DATE_EPOCH', String(opts.sourceDateEpoch));
  const lines = (df as { lines?: readonly string[] }).lines ?? [];
  const target = targetIndex(df.stages, opts.target);
  const warnings: PlanWarning[] = [];
  for (const w of (df as { warnings?: { line: number; message: string }[] }).warnings ?? []) warnings.push({ message: w.message, file: df.file, line: w.line });

  const byName = new Map<string, number>();
  for (const s of df.stages) if (s.name !== undefined && !byName.has(s.name)) byName.set(s.name, s.index);
  const perPlatform: Map<number, StageDraft>[] = [];
  const orders: number[][] = [];
  const edges = new Map<number, Set<number>>();
  const consumed = new Set<string>(df.globalArgs.flatMap((a) => a.args.map((x) => x.name)));
  for (const platform of platforms) {
    const automatic = automaticArgs(platform, build);
    const ctx: DispatchContext = {
      stages: df.stages,
      byName,
      file: df.file,
      lines,
      escape: df.escapeChar,
      target: platform,
      build,
      automatic,
      buildArgs,
      globals: globalScope(df, automatic, buildArgs, lines),
      drafts: new Map(),
      warnings,
      baseImageConfig: opts.baseImageConfig,
      offline: opts.offline,
    };
    const order = reachableStages(ctx, target);
    markImageChain(ctx.drafts, target);
    orders.push(order);
    perPlatform.push(ctx.drafts);
    for (const i of order) {
      const d = ctx.drafts.get(i)!;
      for (const n of d.declaredArgs) consumed.add(n);
      const set = edges.get(i) ?? new Set<number>();
      for (const dep of d.deps) set.add(dep);
      edges.set(i, set);
    }
  }

  const order = mergeOrder(orders, edges);
  const shared = new Map<number, boolean>();
  for (const i of order) {
    const drafts = perPlatform.flatMap((m) => (m.has(i) ? [m.get(i)!] : []));
    const first = drafts[0]!;
    shared.set(
      i,
      drafts.every((d) => !d.platformFromTarget && d.targetArgsUsed.length === 0 && d.deps.every((x) => shared.get(x) === true)) &&
        drafts.every((d) => fingerprint(d) === fingerprint(first)),
    );
  }
  const stageLabel = (i: number): string => df.stages[i]!.name ?? String(i);
  const keyOf = (i: number, p: Platform): string => (shared.get(i) ? stageLabel(i) : `${stageLabel(i)}@${formatPlatform(p)}`);

  const instances: StageInstance[] = [];
  for (const i of order) {
    for (let pi = 0; pi < platforms.length; pi++) {
      const draft = perPlatform[pi]!.get(i);
      if (!draft) continue;
      const p = platforms[pi]!;
      instances.push(toInstance(df.stages[i]!, draft, keyOf(i, p), shared.get(i) ? undefined : p, (x) => keyOf(x, p)));
      if (shared.get(i)) break;
    }
  }

  for (const name of buildArgs.keys()) {
    if (consumed.has(name) || PREDEFINED_ARGS.has(name) || name === 'SOURCE_DATE_EPOCH') continue;
    warnings.push({ file: df.file, message: `build arg ${name} was not consumed by any ARG instruction${didYouMean(name, [...consumed])}` });
  }

  const plan: BuildPlan = {
    file: df.file,
    buildPlatform: build,
    targets: platforms.map((p) => ({ platform: p, final: keyOf(target, p) })),
    instances,
    warnings: dedupeWarnings(warnings),
  };
  const epoch = buildArgs.get('SOURCE_DATE_EPOCH');
  if (epoch !== undefined) {
    if (!/^\d+$/.test(epoch)) {
      throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', `SOURCE_DATE_EPOCH=${JSON.stringify(epoch)} is not a whole number of seconds`, {
        hint: 'e.g. SOURCE_DATE_EPOCH=$(git log -1 --pretty=%ct)',
      });
    }
    plan.sourceDateEpoch = Number(epoch);
  }
  return plan;
}

/**
 * `markImageChain` keeps the stages that become the image (the target stage and the stages it is
 * FROM) out of the host: a RUN there would have to change the image's own root filesystem, which
 * only emulation can do, even when the target equals the build platform. Such a stage stays `host`
 * only when its FROM line explicitly asks for the build platform (the build then says the final
 * stage must be built for the target).
 */
function markImageChain(drafts: Map<number, StageDraft>, target: number): void {
  for (let i: number | undefined = target; i !== undefined;) {
    const d = drafts.get(i);
    if (!d) return;
    if (d.kind === 'host' && d.platformFromTarget) {
      d.kind = 'target';
      d.reason = `becomes part of the ${formatPlatform(d.platform)} image: assembled from layers, nothing executes (a RUN here would change the image's own filesystem)`;
    }
    i = d.base.type === 'stage' ? d.base.index : undefined;
  }
}

function targetIndex(stages: Stage[], target: string | undefined): number {
  if (target === undefined || target === '') return stages.length - 1;
  const name = target.toLowerCase();
  const found = stages.find((s) => s.name === name) ?? (/^\d+$/.test(target) ? stages[Number(target)] : undefined);
  if (found) return found.index;
  const names = stages.flatMap((s) => (s.name === undefined ? [] : [s.name]));
  throw new OcibakeError('OCIBAKE_DOCKERFILE_SEMANTIC', `target stage ${JSON.stringify(target)} could not be found${didYouMean(name, names)}`, {
    hint: names.length > 0 ? `stages with a name: ${names.join(', ')}` : 'no stage has an AS name; name one with FROM image AS name',
  });
}

function globalScope(df: Dockerfile, automatic: Map<string, string>, buildArgs: Map<string, string>, lines: readonly string[]): ArgValues {
  const scope: ArgValues = new Map(automatic);
  for (const ins of df.globalArgs) {
    for (const a of ins.args) {
      try {
        scope.set(a.name, declareArg(a, { automatic, buildArgs, globals: undefined, lookup: (n) => scope.get(n), escape: df.escapeChar }).value);
      } catch (err) {
        throw locate({ file: df.file, lines }, ins, err);
      }
    }
  }
  return scope;
}

function fingerprint(d: StageDraft): string {
  return JSON.stringify([formatPlatform(d.platform), d.kind, d.base.type === 'image' ? [d.base.ref, formatPlatform(d.base.platform)] : d.base, d.steps]);
}

function toInstance(stage: Stage, d: StageDraft, key: string, targetPlatform: Platform | undefined, keyOf: (i: number) => string): StageInstance {
  const base: BaseSource = d.base.type === 'stage' ? { type: 'stage', key: keyOf(d.base.index) } : d.base;
  const steps: Step[] = d.steps.map((s) => {
    const step: Step = { instruction: s.instruction, env: s.env, imageEnv: s.imageEnv, workdir: s.workdir, shell: s.shell };
    if (s.user !== undefined) step.user = s.user;
    if (s.fromStage !== undefined) step.fromKey = keyOf(s.fromStage);
    if (s.fromImage !== undefined) step.fromImage = s.fromImage;
    if (s.mounts) {
      step.mounts = s.mounts.map((m) => (m.stage !== undefined ? { index: m.index, fromKey: keyOf(m.stage) } : { index: m.index, fromImage: m.image! }));
      const firstKey = step.mounts.find((m) => m.fromKey !== undefined)?.fromKey;
      if (step.fromKey === undefined && firstKey !== undefined) step.fromKey = firstKey;
    }
    return step;
  });
  const inst: StageInstance = {
    key,
    stage,
    kind: d.kind,
    reason: d.reason,
    platform: d.platform,
    base,
    steps,
    deps: d.deps.map(keyOf),
    targetArgsUsed: d.targetArgsUsed,
  };
  if (targetPlatform !== undefined) inst.targetPlatform = targetPlatform;
  return inst;
}

function dedupeWarnings(ws: PlanWarning[]): PlanWarning[] {
  const seen = new Set<string>();
  return ws.filter((w) => {
    const k = `${w.line ?? ''}:${w.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
