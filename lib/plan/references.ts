import type { Instruction } from '../dockerfile/instructions.js';
import { didYouMean } from '../dockerfile/suggest.js';
import type { DispatchContext } from './draft.js';
import { dockerfileError } from './locate.js';

/**
 * `--from` names a stage (by AS name or index) or else an image. A name of a later stage is allowed
 * (BuildKit resolves all stages first); a cycle is caught by the planner.
 */
export function resolveFrom(ctx: DispatchContext, value: string, ins: Instruction): { stage?: number; image?: string } {
  const name = value.toLowerCase();
  const byName = ctx.byName.get(name);
  if (byName !== undefined) return { stage: byName };
  if (/^\d+$/.test(value)) {
    const i = Number(value);
    if (i >= ctx.stages.length) {
      throw dockerfileError(
        ctx,
        ins,
        'OCIBAKE_DOCKERFILE_SEMANTIC',
        `undefined stage: --from=${value}, but the Dockerfile has ${ctx.stages.length} stage(s) (0-${ctx.stages.length - 1})`,
        'refer to an earlier stage by its index or AS name',
      );
    }
    return { stage: i };
  }
  if (value === '') throw dockerfileError(ctx, ins, 'OCIBAKE_DOCKERFILE_SEMANTIC', '--from expands to an empty string');
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
