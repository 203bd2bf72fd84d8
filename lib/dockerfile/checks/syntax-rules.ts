import type { DockerfileAst, InstructionNode } from '../ast/node.js';
import type { Stage } from '../instructions.js';
import { MESSAGES } from './messages.js';
import type { Reporter } from './result.js';

const RESERVED_STAGE_NAMES = new Set(['context', 'scratch']);

const at = (n: InstructionNode): { startLine: number; endLine: number } => ({ startLine: n.startLine, endLine: n.endLine });
const selfConsistent = (s: string): boolean => s === s.toLowerCase() || s === s.toUpperCase();

/** `checkEmptyContinuations` is NoEmptyContinuation, at the end of each continued instruction. */
export function checkEmptyContinuations(ast: DockerfileAst, out: Reporter): void {
  const seen = new Set<number>();
  for (const e of ast.emptyContinuations) {
    if (seen.has(e.instructionEnd)) continue;
    seen.add(e.instructionEnd);
    out.report('NoEmptyContinuation', { startLine: e.instructionEnd, endLine: e.instructionEnd }, MESSAGES.NoEmptyContinuation());
  }
}

/**
 * `checkInstructionSyntax` runs the rules BuildKit applies while typing each instruction:
 * MaintainerDeprecated, StageNameCasing (`AS Build`) and FromAsCasing (`FROM x as y`).
 */
export function checkInstructionSyntax(ast: DockerfileAst, out: Reporter): void {
  for (const n of ast.children) {
    const kw = n.keyword;
    const lower = kw.toLowerCase();
    if (lower === 'maintainer') out.report('MaintainerDeprecated', at(n), MESSAGES.MaintainerDeprecated());
    if (lower !== 'from' || n.args.length !== 3) continue;
    const [, as, name] = n.args as [string, string, string];
    if (name !== name.toLowerCase()) out.report('StageNameCasing', at(n), MESSAGES.StageNameCasing(name));
    // A keyword that is not itself consistently cased is ConsistentInstructionCasing's business.
    if (!selfConsistent(kw)) continue;
    const want = kw === kw.toLowerCase() ? as.toLowerCase() : as.toUpperCase();
    if (as !== want) out.report('FromAsCasing', at(n), MESSAGES.FromAsCasing(kw, as));
  }
}

/** `checkStageNames` is ReservedStageName and DuplicateStageName, per stage in order. */
export function checkStageNames(stages: readonly Stage[], out: Reporter): void {
  const seen = new Set<string>();
  for (const s of stages) {
    if (s.name === undefined) continue;
    const where = { startLine: s.from.range.startLine, endLine: s.from.range.endLine };
    if (RESERVED_STAGE_NAMES.has(s.name)) out.report('ReservedStageName', where, MESSAGES.ReservedStageName(s.name));
    if (seen.has(s.name)) out.report('DuplicateStageName', where, MESSAGES.DuplicateStageName(s.name));
    seen.add(s.name);
  }
}

/**
 * `checkInstructionCasing` is ConsistentInstructionCasing: the keywords of the stages (global ARGs
 * do not count) vote lower or upper case, a tie going to upper; every keyword not in the winning
 * case, and every mixed-case keyword, is reported.
 */
export function checkInstructionCasing(ast: DockerfileAst, out: Reporter): void {
  const firstFrom = ast.children.findIndex((n) => n.keyword.toLowerCase() === 'from');
  if (firstFrom < 0) return;
  const nodes = ast.children.slice(firstFrom);
  let lower = 0;
  let upper = 0;
  for (const n of nodes) {
    if (!selfConsistent(n.keyword)) continue;
    if (n.keyword === n.keyword.toLowerCase()) lower++;
    else upper++;
  }
  const majorityLower = lower > upper;
  for (const n of nodes) {
    const kw = n.keyword;
    if (majorityLower && kw !== kw.toLowerCase()) out.report('ConsistentInstructionCasing', at(n), MESSAGES.ConsistentInstructionCasing(kw, 'lowercase'));
    else if (!majorityLower && kw !== kw.toUpperCase()) out.report('ConsistentInstructionCasing', at(n), MESSAGES.ConsistentInstructionCasing(kw, 'uppercase'));
  }
}
