import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parseDockerfile } from '../dockerfile/parser.js';
import type { ContainerConfig } from '../oci/manifest.js';
import type { BaseImageConfig } from '../plan/draft.js';
import { formatPlatform, hostPlatform, type Platform } from '../oci/platform.js';
import { planBuild, type PlanOptions } from '../plan/plan.js';
import type { BuildPlan } from '../plan/types.js';
import { OcibakeError } from '../errors.js';
import type { BaseResolver } from '../bases/resolver.js';
import type { BuildOptions } from './options.js';
import { loadDockerignore, type Dockerignore } from '../dockerfile/dockerignore.js';
import { runChecks, type CheckOptions, type CheckResult } from '../dockerfile/checks/index.js';

/** `resolveSourceDateEpoch` reads the option or `$SOURCE_DATE_EPOCH`, validating it. */
export function resolveSourceDateEpoch(value: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (value !== undefined) return value;
  const raw = env['SOURCE_DATE_EPOCH'];
  if (raw === undefined || raw === '') return 0;
  if (!/^\d+$/.test(raw)) {
    throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', `SOURCE_DATE_EPOCH=${JSON.stringify(raw)} is not a number of seconds`, {
      hint: 'e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)',
    });
  }
  return Number(raw);
}

/** `LoadedPlan` is a planned build and where its inputs are. */
export interface LoadedPlan {
  plan: BuildPlan;
  /** The Dockerfile path as the user gave it (for messages). */
  dockerfile: string;
  contextDir: string;
  /** The context's .dockerignore (`<Dockerfile>.dockerignore` wins over `<context>/.dockerignore`). */
  ignore: Dockerignore;
  /** BuildKit's build checks on the stages the build needs, in the order BuildKit reports them. */
  checks: CheckResult[];
}

/** How `loadPlan` treats base images. */
export interface LoadPlanOptions {
  resolver?: BaseResolver | undefined;
  /** What to do when a base cannot be resolved: throw (build), or record and go on (`--dry-run`). */
  onBaseError?: BaseErrorHandler | undefined;
  /**
   * Resolve the bases of every stage, not only of the image's: when every stage runs in its own
   * image, a build stage's RUN sees its base's Env (golang's PATH, GOPATH) as in BuildKit.
   */
  allBases?: boolean | undefined;
}

/** `BaseErrorHandler` is told about a base that could not be resolved. */
export type BaseErrorHandler = (ref: string, platform: Platform, err: unknown) => void;

/**
 * `loadPlan` reads and parses the Dockerfile and plans the build. With a resolver, it also
 * resolves the base images of target stages (and `COPY --from=<image>`) for each platform and
 * plans again with their configs, so `ENV PATH=/app/bin:$PATH` and relative WORKDIRs expand
 * against the base image as in BuildKit.
 */
export async function loadPlan(o: BuildOptions, lo: LoadPlanOptions = {}): Promise<LoadedPlan> {
  const { resolver, onBaseError } = lo;
  const contextDir = resolve(o.contextDir);
  let st;
  try {
    st = await stat(contextDir);
  } catch {
    throw new OcibakeError('OCIBAKE_CONTEXT', `build context ${o.contextDir} does not exist`, {
      hint: 'pass the directory that holds your sources, e.g. `ocibake build .`',
    });
  }
  if (!st.isDirectory())
    throw new OcibakeError('OCIBAKE_CONTEXT', `build context ${o.contextDir} is not a directory`, { hint: 'pass a directory; use -f for the Dockerfile' });
  const path = o.dockerfile ? (isAbsolute(o.dockerfile) ? o.dockerfile : resolve(o.dockerfile)) : join(contextDir, 'Dockerfile');
  const shown = o.dockerfile ?? join(o.contextDir, 'Dockerfile');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new OcibakeError('OCIBAKE_CONTEXT', `cannot read Dockerfile ${shown}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      hint: 'put a Dockerfile in the context directory or name one with -f',
    });
  }
  const df = parseDockerfile(text, shown);
  const options: PlanOptions = {
    platforms: o.platforms ? [...o.platforms] : [hostPlatform()],
    buildArgs: o.buildArgs ?? {},
    sourceDateEpoch: resolveSourceDateEpoch(o.sourceDateEpoch),
    offline: o.offline ?? false,
  };
  if (o.target !== undefined) options.target = o.target;
  const first = planBuild(df, options);
  const ignore = await loadDockerignore(contextDir, path);
  const checkOptions = (configs?: (ref: string, p: Platform) => BaseImageConfig | undefined): CheckOptions => {
    const p = options.platforms![0]!;
    const c: CheckOptions = { buildArgs: options.buildArgs ?? {}, ignore, platforms: { target: p, build: hostPlatform() } };
    if (o.target !== undefined) c.targetStage = o.target;
    if (configs) c.baseImage = ({ ref }) => configs(ref, p);
    return c;
  };
  if (!resolver) return { plan: first, dockerfile: shown, contextDir, ignore, checks: runChecks(df, checkOptions()) };

  const configs = new Map<string, BaseImageConfig>();
  const key = (ref: string, p: Platform): string => `${ref}\0${formatPlatform(p)}`;
  await Promise.all(
    first.instances.flatMap((inst) => {
      if (inst.kind !== 'target' && !lo.allBases) return [];
      const refs = inst.steps.flatMap((s) => (s.fromImage ? [s.fromImage] : []));
      if (inst.base.type === 'image') refs.push(inst.base.ref);
      return refs.map(async (ref) => {
        try {
          const r = await resolver.resolve(ref, inst.platform);
          configs.set(key(ref, inst.platform), baseConfig(r.image.config.config ?? {}));
        } catch (err) {
          if (!onBaseError) throw err;
          onBaseError(ref, inst.platform, err);
        }
      });
    }),
  );
  const lookup = (ref: string, p: Platform): BaseImageConfig | undefined => configs.get(key(ref, p));
  const plan = planBuild(df, { ...options, baseImageConfig: lookup });
  return { plan, dockerfile: shown, contextDir, ignore, checks: runChecks(df, checkOptions(lookup)) };
}

/** The part of a base image's config the planner and the checks read. */
function baseConfig(c: ContainerConfig): BaseImageConfig {
  const out: BaseImageConfig = {};
  if (c.Env) out.Env = c.Env;
  if (c.WorkingDir) out.WorkingDir = c.WorkingDir;
  if (c.User) out.User = c.User;
  if (c.Shell) out.Shell = c.Shell;
  if (c.OnBuild) out.OnBuild = c.OnBuild;
  return out;
}
