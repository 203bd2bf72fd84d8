import { parsePlatform, formatPlatform, type Platform } from '../oci/platform.js';
import { isOcibakeError, type ErrorCode } from '../errors.js';
import type { Instruction, Stage } from '../dockerfile/instructions.js';
import { SourceText, type DockerfileError } from '../dockerfile/errors.js';
import { expandWord } from '../dockerfile/expand.js';
import { didYouMean } from '../dockerfile/suggest.js';
import type { PlanWarning, StageKind } from './types.js';
import { classifyStage } from './classify.js';
import { expandInstruction } from './expand.js';
import { declareArg, isTargetArg, PREDEFINED_ARGS, type ArgValues } from './scope.js';

/** `StageState` is what a stage hands to a stage built `FROM` it: ENV, ARGs, WORKDIR, SHELL, USER. */
export interface StageState {
  env: Map<string, string>;
  args: ArgValues;
  workdir: string;
  shell: string[];
  user?: string;
}

/** `DraftStep` is a Step before instance keys exist: references point at stage indexes. */
export interface DraftStep {
  instruction: Instruction;
  env: Record<string, string>;
  imageEnv: Record<string, string>;
  workdir: string;
  shell: string[];
  user?: string;
  fromStage?: number;
  fromImage?: string;
  mounts?: { index: number; stage?: number; image?: string }[];
}

/** `DraftBase` is a BaseSource whose stage reference is an index. */
export type DraftBase = { type: 'scratch' } | { type: 'image'; ref: string; platform: Platform } | { type: 'stage'; index: number };

/** `StageDraft` is one stage dispatched for one target platform. */
export interface StageDraft {
  index: number;
  platform: Platform;
  /** True when the stage's platform follows the target (no --platform, $TARGETPLATFORM, or such a parent). */
  platformFromTarget: boolean;
  kind: StageKind;
  reason: string;
  base: DraftBase;
  steps: DraftStep[];
  /** Stage indexes read (FROM, COPY --from, RUN --mount from=), in first-use order. */
  deps: number[];
  /** Line of the instruction that created each dep edge, for cycle errors. */
  depLines: Map<number, number>;
  targetArgsUsed: string[];
  declaredArgs: string[];
  final: StageState;
}

/** `DispatchContext` is everything shared by the stages of one target platform. */
export interface DispatchContext {
  stages: Stage[];
  file: string;
  lines: readonly string[];
  escape: string;
  target: Platform;
  build: Platform;
  automatic: Map<string, string>;
  buildArgs: Map<string, string>;
  globals: ArgValues;
  /** Stage drafts already dispatched for this platform (parents are dispatched first). */
  drafts: Map<number, StageDraft>;
  warnings: PlanWarning[];
  baseImageConfig?: BaseImageConfigLookup | undefined;
  offline?: boolean | undefined;
}

/**
 * `BaseImageConfig` is the part of a base image's config the planner needs to expand like BuildKit
 * (field names as in the OCI/Docker image config): `ENV PATH=/x:$PATH` needs the image's PATH, and
 * a relative WORKDIR resolves against the image's WorkingDir.
 */
export interface BaseImageConfig {
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Shell?: string[];
  OnBuild?: string[];
}

/** `BaseImageConfigLookup` returns a base image's config for a platform, when already resolved. */
export type BaseImageConfigLookup = (ref: string, platform: Platform) => BaseImageConfig | undefined;

const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** The PATH BuildKit sets for a Linux stage whose base config has none. */
export const DEFAULT_LINUX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** ADD sources fetched over the network: URLs and git repositories (BuildKit's `isGitURL`/`isURL`). */
const REMOTE_SOURCE = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;

/** `locate` turns any typed error raised while planning an instruction into a located DockerfileError. */
export function locate(ctx: Pick<DispatchContext, 'file' | 'lines'>, ins: { kind: string; range: { startLine: number; column?: number } }, err: unknown, code?: ErrorCode): DockerfileError {
  if (!isOcibakeError(err)) throw err;
  return dockerfileError(ctx, ins, code ?? err.code, err.message, err.hint);
}

/** `dockerfileError` builds a DockerfileError at an instruction. */
export function dockerfileError(
  ctx: Pick<DispatchContext, 'file' | 'lines'>,
  ins: { kind: string; range: { startLine: number; column?: number } },
  code: ErrorCode,
  detail: string,
  hint?: string,
): DockerfileError {
  return new SourceText(ctx.file, ctx.lines).error(code, detail, { line: ins.range.startLine, column: ins.range.column ?? 1, instruction: ins.kind, hint });
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
  if (image === '') throw dockerfileError(ctx, from, 'OCIBAKE_DOCKERFILE_SEMANTIC', `base name ${JSON.stringify(from.image)} expands to an empty string`, 'set the ARG it uses before the first FROM, or pass --build-arg');
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
  const parentIndex = ctx.stages.findIndex((s) => s.index < index && s.name !== undefined && s.name === image.toLowerCase());
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
    ? { env: new Map(parent.final.env), args: new Map(parent.final.args), workdir: parent.final.workdir, shell: [...parent.final.shell], ...(parent.final.user !== undefined ? { user: parent.final.user } : {}) }
    : initialState(ctx, base, from, platform);
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
            throw dockerfileError(ctx, ins, 'OCIBAKE_DOCKERFILE_SEMANTIC', `ADD ${remote} needs the network, but the build is --offline`, 'download it into the build context and COPY it, or build without --offline');
          }
        }
        break;
      case 'COPY':
        if (expanded.from !== undefined) {
          const ref = resolveFrom(ctx, index, expanded.from, ins);
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
          const ref = resolveFrom(ctx, index, m.from, ins);
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
    index, platform, platformFromTarget, kind, reason, base, steps, deps, depLines,
    targetArgsUsed: [...targetArgsUsed].sort(), declaredArgs, final: state,
  };
  ctx.drafts.set(index, draft);
  return draft;
}

function initialState(ctx: DispatchContext, base: DraftBase, from: Stage['from'], platform: Platform): StageState {
  const state: StageState = { env: new Map(), args: new Map(), workdir: '/', shell: [...DEFAULT_SHELL] };
  // BuildKit gives a Linux stage whose base config has no PATH the default one; that is known for
  // scratch, and for an image only once its config is resolved.
  const defaultPath = (os: string): void => {
    if (os === 'linux' && !state.env.has('PATH')) state.env.set('PATH', DEFAULT_LINUX_PATH);
  };
  if (base.type === 'scratch') defaultPath(platform.os);
  if (base.type !== 'image' || !ctx.baseImageConfig) return state;
  const cfg = ctx.baseImageConfig(base.ref, base.platform);
  if (!cfg) return state;
  for (const kv of cfg.Env ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) state.env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  if (cfg.WorkingDir) state.workdir = resolveWorkdir('/', cfg.WorkingDir);
  if (cfg.User) state.user = cfg.User;
  if (cfg.Shell && cfg.Shell.length > 0) state.shell = [...cfg.Shell];
  defaultPath(base.platform.os);
  if (cfg.OnBuild && cfg.OnBuild.length > 0) {
    ctx.warnings.push({ file: ctx.file, line: from.range.startLine, message: `base image ${base.ref} has ${cfg.OnBuild.length} ONBUILD trigger(s); ocibake does not run them` });
  }
  return state;
}

/** ARGs with a value, then predefined proxy args from --build-arg, then ENV on top (ENV wins). */
function runEnv(state: StageState, buildArgs: Map<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of state.args) if (v !== undefined) env[k] = v;
  for (const [k, v] of buildArgs) if (PREDEFINED_ARGS.has(k) && !(k in env)) env[k] = v;
  for (const [k, v] of state.env) env[k] = v;
  return env;
}

function resolveWorkdir(current: string, path: string): string {
  // Windows images (`WORKDIR C:\\app`) keep their drive-letter paths as written.
  if (/^[A-Za-z]:[\\/]/.test(path)) return path;
  const joined = path.startsWith('/') ? path : `${current.replace(/\/+$/, '')}/${path}`;
  const parts: string[] = [];
  for (const seg of joined.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

/**
 * `--from` names a stage (by AS name or index) or else an image. A name of a later stage is allowed
 * (BuildKit resolves all stages first); a cycle is caught by the planner.
 */
function resolveFrom(ctx: DispatchContext, self: number, value: string, ins: Instruction): { stage?: number; image?: string } {
  const name = value.toLowerCase();
  const byName = ctx.stages.find((s) => s.name === name);
  if (byName) return { stage: byName.index };
  if (/^\d+$/.test(value)) {
    const i = Number(value);
    if (i >= ctx.stages.length) {
      throw dockerfileError(ctx, ins, 'OCIBAKE_DOCKERFILE_SEMANTIC', `undefined stage: --from=${value}, but the Dockerfile has ${ctx.stages.length} stage(s) (0-${ctx.stages.length - 1})`, 'refer to an earlier stage by its index or AS name');
    }
    return { stage: i };
  }
  if (value === '') throw dockerfileError(ctx, ins, 'OCIBAKE_DOCKERFILE_SEMANTIC', '--from expands to an empty string');
  void self;
  const names = ctx.stages.flatMap((s) => (s.name === undefined ? [] : [s.name]));
  // An unknown bare word that is close to a stage name is almost certainly a typo, not an image.
  if (!/[/:.@]/.test(value)) {
    const hint = didYouMean(name, names);
    if (hint !== '') {
      ctx.warnings.push({ file: ctx.file, line: ins.range.startLine, message: `--from=${value} is not a stage, so it is pulled as the image ${value}${hint}` });
    }
  }
  return { image: value };
}

/** `describePlatform` is formatPlatform, re-exported for messages built in the planner. */
export const describePlatform = formatPlatform;
