import { parsePlatform, type Platform } from '../oci/platform.js';
import type { Instruction } from '../dockerfile/instructions.js';
import { expandWord } from '../dockerfile/expand.js';
import { classifyStage } from './classify.js';
import { expandInstruction } from './expand.js';
import { declareArg, isTargetArg } from './scope.js';
import type { DispatchContext, DraftBase, DraftStep, StageDraft, StageState } from './draft.js';
import { dockerfileError, locate } from './locate.js';
import { initialState, resolveWorkdir, runEnv } from './stage-state.js';
import { resolveFrom } from './references.js';

/** Variables base images commonly set in their config; expanding one unresolved is almost surely a bug. */
const IMAGE_ENV_NAMES = new Set([
  'PATH',
  'HOME',
  'LANG',
  'LD_LIBRARY_PATH',
  'GOPATH',
  'GOROOT',
  'JAVA_HOME',
  'PYTHONPATH',
  'NODE_PATH',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'NODE_VERSION',
  'PYTHON_VERSION',
  'GOLANG_VERSION',
  'JAVA_VERSION',
  'VIRTUAL_ENV',
  'NGINX_VERSION',
]);

/** ADD sources fetched over the network: URLs and git repositories (BuildKit's `isGitURL`/`isURL`). */
const REMOTE_SOURCE = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;

/** A FROM names an earlier stage (a later one would be an image, as in BuildKit). */
function parentOf(ctx: DispatchContext, index: number, image: string): number {
  const i = ctx.byName.get(image.toLowerCase());
  return i !== undefined && i < index ? i : -1;
}

/**
 * `fromParent` is the stage index a stage is built `FROM`, or -1; used to dispatch long FROM chains
 * root first instead of recursing (a 5,000-stage chain would overflow the stack).
 */
export function fromParent(ctx: DispatchContext, index: number): number {
  try {
    return parentOf(ctx, index, expandWord(ctx.stages[index]!.from.image, (n) => ctx.globals.get(n), { escape: ctx.escape }).value);
  } catch {
    return -1; // dispatchStage reports the located error
  }
}

/**
 * `dispatchStage` walks one stage for one target platform: resolves its base and platform, tracks
 * ARG/ENV/WORKDIR/SHELL/USER, expands each instruction, and records what it reads.
 */
export function dispatchStage(ctx: DispatchContext, index: number): StageDraft {
  const done = ctx.drafts.get(index);
  if (done) return done;
  const stage = ctx.stages[index]!;
  const from = stage.from;
  const globalLookup = (n: string): string | undefined => ctx.globals.get(n) ?? undefined;
  const targetArgsUsed = new Set<string>();
  const noteUsed = (names: string[]): void => {
    for (const n of names) if (isTargetArg(n)) targetArgsUsed.add(n);
  };
  let image: string;
  try {
    const r = expandWord(from.image, globalLookup, { escape: ctx.escape });
    image = r.value;
    noteUsed(r.used);
  } catch (err) {
    throw locate(ctx, from, err);
  }
  if (image === '')
    throw dockerfileError(
      ctx,
      from,
      'OCIBAKE_DOCKERFILE_SEMANTIC',
      `base name ${JSON.stringify(from.image)} expands to an empty string`,
      'set the ARG it uses before the first FROM, or pass --build-arg',
    );
  let explicit: string | undefined;
  let platform: Platform | undefined;
  let platformFromTarget = false;
  if (from.platform !== undefined) {
    let text: string;
    try {
      const r = expandWord(from.platform, globalLookup, { escape: ctx.escape });
      text = r.value;
      noteUsed(r.used);
      platformFromTarget = r.used.some(isTargetArg);
    } catch (err) {
      throw locate(ctx, from, err);
    }
    try {
      platform = parsePlatform(text);
    } catch (err) {
      throw locate(ctx, from, err, 'OCIBAKE_INVALID_PLATFORM');
    }
    explicit = from.platform;
  }
  const parentIndex = parentOf(ctx, index, image);
  let base: DraftBase;
  let parent: StageDraft | undefined;
  const deps: number[] = [];
  const depLines = new Map<number, number>();
  if (parentIndex >= 0) {
    parent = dispatchStage(ctx, parentIndex);
    base = { type: 'stage', index: parentIndex };
    deps.push(parentIndex);
    depLines.set(parentIndex, from.range.startLine);
    if (platform === undefined) {
      platform = parent.platform;
      platformFromTarget = parent.platformFromTarget;
    }
    for (const n of parent.targetArgsUsed) targetArgsUsed.add(n);
  } else if (image.toLowerCase() === 'scratch') {
    base = { type: 'scratch' };
  } else {
    base = { type: 'image', ref: image, platform: platform ?? ctx.target };
  }
  if (platform === undefined) {
    platform = ctx.target;
    platformFromTarget = true;
  }
  const hasRun = stage.instructions.some((i) => i.kind === 'RUN');
  const parentLabel = parent ? (ctx.stages[parent.index]!.name !== undefined ? `"${ctx.stages[parent.index]!.name}"` : `#${parent.index}`) : undefined;
  const classifyInput: Parameters<typeof classifyStage>[0] = { platform, buildPlatform: ctx.build, hasRun };
  if (explicit !== undefined) classifyInput.explicitPlatform = explicit;
  classifyInput.followsTarget = platformFromTarget;
  if (parent && parentLabel) classifyInput.parent = { label: parentLabel, kind: parent.kind };
  const { kind, reason } = classifyStage(classifyInput);

  const state: StageState = parent
    ? { ...parent.final, env: new Map(parent.final.env), args: new Map(parent.final.args), shell: [...parent.final.shell] }
    : initialState(ctx, base, from, platform);
  const warnedUnset = new Set<string>();
  const declaredArgs: string[] = [];
  const steps: DraftStep[] = [];
  const lookup = (n: string): string | undefined => state.env.get(n) ?? state.args.get(n);
  const addDep = (i: number, line: number): void => {
    if (!deps.includes(i)) {
      deps.push(i);
      depLines.set(i, line);
    }
  };

  for (const ins of stage.instructions) {
    let expanded: Instruction;
    try {
      if (ins.kind === 'ARG') {
        const args = ins.args.map((a) => {
          const r = declareArg(a, { automatic: ctx.automatic, buildArgs: ctx.buildArgs, globals: ctx.globals, lookup, escape: ctx.escape });
          state.args.set(a.name, r.value);
          declaredArgs.push(a.name);
          if (isTargetArg(a.name)) targetArgsUsed.add(a.name);
          return r.value === undefined ? { name: a.name } : { name: a.name, value: r.value };
        });
        expanded = { ...ins, args };
      } else {
        const r = expandInstruction(ins, lookup, ctx.escape);
        expanded = r.instruction;
        if (state.unresolvedBase !== undefined) {
          // `ENV PATH=/x:$PATH` needs the base image's PATH, which only a resolved config gives.
          for (const n of r.used) {
            if (lookup(n) !== undefined || warnedUnset.has(n) || !IMAGE_ENV_NAMES.has(n)) continue;
            warnedUnset.add(n);
            ctx.warnings.push({
              file: ctx.file,
              line: ins.range.startLine,
              message: `$${n} is not set by this Dockerfile and expands to "" because the config of ${state.unresolvedBase} was not given to the planner (PlanOptions.baseImageConfig)`,
            });
          }
        }
      }
    } catch (err) {
      throw locate(ctx, ins, err);
    }
    const step: DraftStep = { instruction: expanded, env: {}, imageEnv: {}, workdir: state.workdir, shell: [...state.shell] };
    switch (expanded.kind) {
      case 'ENV':
        for (const p of expanded.pairs) state.env.set(p.key, p.value);
        break;
      case 'WORKDIR':
        state.workdir = resolveWorkdir(state.workdir, expanded.path);
        step.workdir = state.workdir;
        break;
      case 'USER':
        state.user = expanded.user;
        break;
      case 'SHELL':
        state.shell = [...expanded.argv];
        break;
      case 'EXPOSE':
        expanded.ports = expanded.ports.map((p) => {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) {
            throw dockerfileError(ctx, ins, 'OCIBAKE_DOCKERFILE_SYNTAX', `invalid port ${JSON.stringify(p)}`, 'write EXPOSE 80, 8080/tcp, 53/udp or 8000-8010');
          }
          return p.toLowerCase();
        });
        break;
      case 'ADD':
        if (ctx.offline) {
          const remote = expanded.sources.find((src) => REMOTE_SOURCE.test(src));
          if (remote !== undefined) {
            throw dockerfileError(
              ctx,
              ins,
              'OCIBAKE_DOCKERFILE_SEMANTIC',
              `ADD ${remote} needs the network, but the build is --offline`,
              'download it into the build context and COPY it, or build without --offline',
            );
          }
        }
        break;
      case 'COPY':
        if (expanded.from !== undefined) {
          const ref = resolveFrom(ctx, expanded.from, ins);
          if (ref.stage !== undefined) {
            step.fromStage = ref.stage;
            addDep(ref.stage, ins.range.startLine);
          } else step.fromImage = ref.image!;
        }
        break;
      case 'RUN': {
        const mounts: NonNullable<DraftStep['mounts']> = [];
        expanded.mounts.forEach((m, i) => {
          if (!('from' in m) || m.from === undefined) return;
          const ref = resolveFrom(ctx, m.from, ins);
          if (ref.stage !== undefined) {
            mounts.push({ index: i, stage: ref.stage });
            addDep(ref.stage, ins.range.startLine);
          } else mounts.push({ index: i, image: ref.image! });
        });
        if (mounts.length > 0) step.mounts = mounts;
        break;
      }
      default:
        break;
    }
    if (state.user !== undefined) step.user = state.user;
    step.env = runEnv(state, ctx.buildArgs);
    step.imageEnv = Object.fromEntries(state.env);
    steps.push(step);
  }

  const draft: StageDraft = {
    index,
    platform,
    platformFromTarget,
    kind,
    reason,
    base,
    steps,
    deps,
    depLines,
    targetArgsUsed: [...targetArgsUsed].sort(),
    declaredArgs,
    final: state,
  };
  ctx.drafts.set(index, draft);
  return draft;
}
