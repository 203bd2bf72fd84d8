import { OcibakeError } from '../errors.js';
import type { BuildPlan, StageInstance } from '../plan/types.js';
import { assembleTarget, type AssembleContext, type AssembledImage } from './assemble.js';

/** What `assembleTargets` made: each planned target's image, and layer counters. */
export interface AssembledTargets {
  /** By instance key of each `plan.targets[].final`. */
  finals: Map<string, AssembledImage>;
  layersWritten: number;
  layersReused: number;
}

/**
 * `assembleTargets` assembles every target instance a plan's targets need. Instances of different
 * platforms are independent, so they run concurrently, each waiting only for the target
 * instances it reads (`FROM <stage>`, `COPY --from`).
 */
export async function assembleTargets(plan: BuildPlan, ctx: Omit<AssembleContext, 'targets'>): Promise<AssembledTargets> {
  const byKey = new Map(plan.instances.map((i) => [i.key, i]));
  const targets = new Map<string, AssembledImage>();
  const full: AssembleContext = { ...ctx, targets };
  const pending = new Map<string, Promise<AssembledImage>>();
  const assemble = (inst: StageInstance): Promise<AssembledImage> => {
    let p = pending.get(inst.key);
    if (!p) {
      p = (async () => {
        for (const dep of inst.deps) {
          const d = byKey.get(dep);
          if (d?.kind === 'target') await assemble(d);
        }
        const res = await assembleTarget(inst, full);
        targets.set(inst.key, res);
        return res;
      })();
      pending.set(inst.key, p);
    }
    return p;
  };
  const finals = new Map<string, AssembledImage>();
  await Promise.all(
    plan.targets.map(async (t) => {
      const inst = byKey.get(t.final);
      if (!inst) throw new OcibakeError('OCIBAKE_INTERNAL', `plan has no instance ${t.final}`);
      if (inst.kind !== 'target') {
        throw new OcibakeError(
          'OCIBAKE_PLAN',
          `the final stage "${inst.stage.name ?? inst.stage.index}" runs on the build platform (FROM --platform=$BUILDPLATFORM)`,
          {
            hint: 'the stage that becomes the image must be built for the target: remove --platform from its FROM, and COPY --from the build stage',
          },
        );
      }
      finals.set(t.final, await assemble(inst));
    }),
  );
  const all = [...targets.values()];
  return { finals, layersWritten: all.reduce((n, a) => n + a.layersWritten, 0), layersReused: all.reduce((n, a) => n + a.layersReused, 0) };
}
