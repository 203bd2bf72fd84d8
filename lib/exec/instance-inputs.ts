import { posix } from 'node:path';
import type { Instruction } from '../dockerfile/instructions.js';
import type { BuildPlan, StageInstance, Step } from '../plan/types.js';
import { formatPlatform } from '../oci/platform.js';
import type { ContextEntry } from '../context/entry.js';
import { entriesDigest, type FileHasher } from '../context/entries-digest.js';
import { resolveCopy, type CopySpec } from '../context/resolve-copy.js';
import type { SourceTree } from '../context/source-tree.js';
import { ExecError } from './errors.js';

/** `copySpecOf` turns a COPY/ADD step into the spec `resolveCopy` takes. */
export function copySpecOf(step: Step): CopySpec | undefined {
  const i = step.instruction;
  if (i.kind !== 'COPY' && i.kind !== 'ADD') return undefined;
  return {
    instruction: i.kind,
    sources: i.sources,
    dest: i.dest,
    workdir: step.workdir,
    chown: i.chown,
    chmod: i.chmod,
    exclude: i.exclude,
    parents: i.kind === 'COPY' ? i.parents : false,
    heredocs: i.heredocs,
  };
}

/**
 * `findDep` resolves a stage reference of a step (`COPY --from=build`, `--mount=from=1`) to the
 * instance key it reads: the planner's `fromKey` when it matches, else the dependency whose
 * stage has that name or index.
 */
export function findDep(plan: BuildPlan, inst: StageInstance, from: string, fromKey?: string): string | undefined {
  if (fromKey) return fromKey;
  const want = from.toLowerCase();
  for (const key of inst.deps) {
    const d = plan.instances.find((x) => x.key === key);
    if (d && (d.stage.name === want || String(d.stage.index) === want)) return key;
  }
  return undefined;
}

/** What `instanceInputs` computed: the key material, and resolved context copies to reuse. */
export interface InstanceInputs {
  inputs: unknown;
  /** Context COPY/ADD entries by step index (resolved once, for the key and for the run). */
  contextCopies: Map<number, ContextEntry[]>;
}

function keyOfInstruction(i: Instruction): unknown {
  // Line numbers do not change what a step does; moving a stage must not invalidate its cache.
  const { range: _range, ...rest } = i;
  return rest;
}

/**
 * `instanceInputs` gathers everything a stage instance's output depends on, for its cache key:
 * platforms, base, each step (expanded instruction, env, workdir, shell, user), content digests
 * of the context files each COPY/ADD and bind mount reads, and the output digests of the
 * instances it reads. Secret mounts contribute their ids only, never values.
 */
export async function instanceInputs(
  plan: BuildPlan,
  inst: StageInstance,
  opts: {
    context: SourceTree;
    hasher: FileHasher;
    depDigest: (key: string) => string;
    baseEnv: Record<string, string>;
    executor: string;
    toolVersion?: string | undefined;
    tmpDir: string;
  },
): Promise<InstanceInputs> {
  const contextCopies = new Map<number, ContextEntry[]>();
  const steps: unknown[] = [];
  for (const [n, step] of inst.steps.entries()) {
    const i = step.instruction;
    const s: Record<string, unknown> = { i: keyOfInstruction(i), env: step.env, workdir: step.workdir, shell: step.shell, user: step.user };
    if (i.kind === 'COPY' && i.from !== undefined) {
      const dep = findDep(plan, inst, i.from, step.fromKey);
      if (!dep)
        throw new ExecError('OCIBAKE_EXEC', `${inst.key}: COPY --from=${i.from} (line ${i.range.startLine}) reads an image, which host stages do not support`, {
          hint: 'copy it in the final stage, or build the files in an earlier stage',
        });
      s['from'] = opts.depDigest(dep);
    } else {
      const spec = copySpecOf(step);
      if (spec) {
        const entries = await resolveCopy(spec, opts.context, { tmpDir: posix.join(opts.tmpDir, `copy-${n}`) });
        contextCopies.set(n, entries);
        s['content'] = await entriesDigest(entries, opts.hasher);
      }
    }
    if (i.kind === 'RUN') {
      const binds: unknown[] = [];
      for (const m of i.mounts) {
        if (m.type !== 'bind') continue;
        if (m.from) {
          const dep = findDep(plan, inst, m.from);
          binds.push(dep ? opts.depDigest(dep) : m.from);
        } else {
          const entries = await resolveCopy({ instruction: 'COPY', sources: [m.source ?? '.'], dest: '/b/', workdir: '/' }, opts.context);
          binds.push(await entriesDigest(entries, opts.hasher));
        }
      }
      if (binds.length > 0) s['binds'] = binds;
    }
    steps.push(s);
  }
  const base =
    inst.base.type === 'stage'
      ? { stage: opts.depDigest(inst.base.key) }
      : inst.base.type === 'image'
        ? { image: inst.base.ref, tool: opts.toolVersion }
        : { scratch: true };
  return {
    inputs: {
      v: 1,
      platform: formatPlatform(inst.platform),
      target: inst.targetPlatform ? formatPlatform(inst.targetPlatform) : undefined,
      base,
      env: opts.baseEnv,
      executor: opts.executor,
      steps,
    },
    contextCopies,
  };
}
