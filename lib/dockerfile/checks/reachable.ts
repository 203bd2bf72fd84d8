import type { Stage } from '../instructions.js';

/**
 * `reachableStages` is the set of stage indexes a build of `target` dispatches, as BuildKit walks
 * them: the target, its base stage (`FROM <stage>`), the stages it copies from (`COPY --from`, by
 * name or index) and mounts (`RUN --mount=from=`), transitively. `baseOf[i]` is the stage index
 * stage `i` is built from, if any.
 */
export function reachableStages(stages: readonly Stage[], target: number, baseOf: ReadonlyMap<number, number>): Set<number> {
  const byName = new Map<string, number>();
  stages.forEach((s) => {
    if (s.name !== undefined) byName.set(s.name, s.index);
  });
  const lookup = (ref: string): number | undefined => (/^\d+$/.test(ref) ? Number(ref) : byName.get(ref.toLowerCase()));
  const seen = new Set<number>();
  const visit = (i: number): void => {
    const s = stages[i];
    if (s === undefined || seen.has(i)) return;
    seen.add(i);
    const base = baseOf.get(i);
    if (base !== undefined) visit(base);
    for (const ins of s.instructions) {
      if (ins.kind === 'COPY' && ins.from !== undefined) {
        const dep = lookup(ins.from);
        if (dep !== undefined) visit(dep);
      } else if (ins.kind === 'RUN') {
        for (const m of ins.mounts) {
          const from = 'from' in m ? m.from : undefined;
          const dep = from === undefined ? undefined : lookup(from);
          if (dep !== undefined) visit(dep);
        }
      }
    }
  };
  visit(target);
  return seen;
}
