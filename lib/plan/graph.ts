import { dispatchStage, fromParent } from './stage-dispatch.js';
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
  // Iterative depth-first search: Dockerfiles with thousands of chained stages must not overflow
  // the stack (a RangeError is not a user-facing error).
  const stack: { i: number; next: number; draft: StageDraft }[] = [];
  const enter = (i: number): void => {
    ensureDispatched(ctx, i);
    color.set(i, 'gray');
    stack.push({ i, next: 0, draft: dispatchStage(ctx, i) });
  };
  enter(target);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const dep = top.draft.deps[top.next++];
    if (dep === undefined) {
      stack.pop();
      color.set(top.i, 'black');
      order.push(top.i);
      continue;
    }
    const c = color.get(dep);
    if (c === 'gray')
      throw cycleError(
        ctx,
        top.draft,
        dep,
        stack.map((f) => f.i),
      );
    if (c === undefined) enter(dep);
  }
  return order;
}

/** Dispatches a stage's FROM ancestors root first, so `dispatchStage` never recurses deeply. */
function ensureDispatched(ctx: DispatchContext, i: number): void {
  const chain: number[] = [];
  for (let j = i; j >= 0 && !ctx.drafts.has(j); j = fromParent(ctx, j)) chain.push(j);
  for (let k = chain.length - 1; k >= 0; k--) dispatchStage(ctx, chain[k]!);
}

function cycleError(ctx: DispatchContext, draft: StageDraft, dep: number, path: number[]): Error {
  const label = (i: number): string => ctx.stages[i]!.name ?? String(i);
  const loop = [...path.slice(path.indexOf(dep)), dep].map(label).join(' → ');
  const line = draft.depLines.get(dep) ?? ctx.stages[draft.index]!.from.range.startLine;
  const ins = ctx.stages[draft.index]!.instructions.find((i) => i.range.startLine === line) ?? ctx.stages[draft.index]!.from;
  return dockerfileError(
    ctx,
    ins,
    'OCIBAKE_DOCKERFILE_SEMANTIC',
    `circular dependency detected on stage ${label(draft.index)}: ${loop}`,
    'a stage cannot COPY --from (or mount from) itself or a stage that depends on it',
  );
}

/** `mergeOrder` orders stage indexes so every stage follows the stages it reads in any platform's graph. */
export function mergeOrder(orders: number[][], edges: Map<number, Set<number>>): number[] {
  const all = [...new Set(orders.flat())].sort((a, b) => a - b);
  const done = new Set<number>();
  const out: number[] = [];
  for (const root of all) {
    if (done.has(root)) continue;
    const seen = new Set<number>([root]);
    const stack: { i: number; deps: number[]; next: number }[] = [{ i: root, deps: sortedDeps(edges, root), next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const d = top.deps[top.next++];
      if (d === undefined) {
        stack.pop();
        done.add(top.i);
        out.push(top.i);
      } else if (!done.has(d) && !seen.has(d)) {
        seen.add(d);
        stack.push({ i: d, deps: sortedDeps(edges, d), next: 0 });
      }
    }
  }
  return out;
}

function sortedDeps(edges: Map<number, Set<number>>, i: number): number[] {
  return [...(edges.get(i) ?? [])].sort((a, b) => a - b);
}
