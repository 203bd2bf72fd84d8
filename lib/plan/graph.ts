import { dispatchStage } from './stage-dispatch.js';
import { dockerfileError } from './locate.js';
import type { DispatchContext, StageDraft } from './draft.js';

/**
 * `reachableStages` dispatches the target stage and everything it reads (FROM, COPY --from,
 * RUN --mount from=), depth first, and returns their indexes in dependency order (deps first).
 * A dependency cycle is a DockerfileError at the instruction that closes it.
 */
export function reachableStages(ctx: DispatchContext, target: number): number[] {
  const color = new Map<number, 'gray' | 'black'>();
  const order: number[] = [];
  const path: number[] = [];
  const visit = (i: number): void => {
    color.set(i, 'gray');
    path.push(i);
    const draft = dispatchStage(ctx, i);
    for (const dep of draft.deps) {
      const c = color.get(dep);
      if (c === 'gray') throw cycleError(ctx, draft, dep, path);
      if (c === undefined) visit(dep);
    }
    path.pop();
    color.set(i, 'black');
    order.push(i);
  };
  visit(target);
  return order;
}

function cycleError(ctx: DispatchContext, draft: StageDraft, dep: number, path: number[]): Error {
  const label = (i: number): string => ctx.stages[i]!.name ?? String(i);
  const loop = [...path.slice(path.indexOf(dep)), dep].map(label).join(' → ');
  const line = draft.depLines.get(dep) ?? ctx.stages[draft.index]!.from.range.startLine;
  const ins = ctx.stages[draft.index]!.instructions.find((i) => i.range.startLine === line) ?? ctx.stages[draft.index]!.from;
  return dockerfileError(ctx, ins, 'OCIBAKE_DOCKERFILE_SEMANTIC', `circular dependency detected on stage ${label(draft.index)}: ${loop}`, 'a stage cannot COPY --from (or mount from) itself or a stage that depends on it');
}

/** `mergeOrder` orders stage indexes so every stage follows the stages it reads in any platform's graph. */
export function mergeOrder(orders: number[][], edges: Map<number, Set<number>>): number[] {
  const all = [...new Set(orders.flat())].sort((a, b) => a - b);
  const done = new Set<number>();
  const out: number[] = [];
  const visit = (i: number, seen: Set<number>): void => {
    if (done.has(i) || seen.has(i)) return;
    seen.add(i);
    for (const d of [...(edges.get(i) ?? [])].sort((a, b) => a - b)) visit(d, seen);
    done.add(i);
    out.push(i);
  };
  for (const i of all) visit(i, new Set());
  return out;
}
