import type { ArgInstruction, Dockerfile, FromInstruction, Instruction, Stage } from './instructions.js';
import { parseAst } from './ast/parse.js';
import type { DockerfileAst, InstructionNode } from './ast/node.js';
import { buildInstruction } from './build/instruction.js';
import { isOcibakeError } from '../errors.js';
import type { DockerfileError, SourceText } from './errors.js';

/** `DockerfileWarning` is a construct that parses but deserves attention (deprecated MAINTAINER, …). */
export interface DockerfileWarning {
  line: number;
  message: string;
}

/** `ParsedDockerfile` is a `Dockerfile` plus the parse warnings, the source lines and the syntax tree. */
export interface ParsedDockerfile extends Dockerfile {
  warnings: DockerfileWarning[];
  /** The physical lines, so later stages (planner) can quote the offending line in errors. */
  lines: readonly string[];
  /** The concrete syntax tree the typed stages were built from (keyword case, raw flags, heredoc details). */
  ast: DockerfileAst;
}

/** `ParseOptions` tune how strict `parseDockerfile` is. */
export interface ParseOptions {
  /**
   * Accept what BuildKit only warns about: a stage name used twice, and the reserved stage names
   * `scratch` and `context`. ocibake rejects these by default, because BuildKit then silently picks
   * one meaning; the build checks (`runChecks`) parse leniently so they can report them.
   */
  lenient?: boolean;
}

const RESERVED_STAGE_NAMES = new Set(['scratch', 'context']);

/**
 * `parseDockerfile` parses Dockerfile text into global ARGs and stages. Every user error is a
 * `DockerfileError` naming file, line, column and instruction; nothing else is thrown.
 *
 *     const df = parseDockerfile('FROM alpine AS base\nRUN echo hi\n', 'Dockerfile');
 *     df.stages[0].name // 'base'
 */
export function parseDockerfile(text: string, file = 'Dockerfile', opts: ParseOptions = {}): ParsedDockerfile {
  const { ast, source } = parseAst(text, file);
  const warnings: DockerfileWarning[] = ast.emptyContinuations.map((e) => ({
    line: e.line,
    message: 'empty continuation line (deprecated; a future Dockerfile syntax may reject it)',
  }));
  const syntax = ast.directives.find((d) => d.name === 'syntax')?.value;
  if (syntax !== undefined) warnings.push({ line: 1, message: `# syntax=${syntax} is accepted and ignored: ocibake has its own Dockerfile frontend` });
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const names = new Map<string, number>();
  for (const node of ast.children) {
    const ins = typed(node, source);
    if (ins.kind === 'FROM') {
      const stage: Stage = { index: stages.length, from: ins, instructions: [], range: { ...ins.range } };
      if (ins.stageName !== undefined) {
        if (opts.lenient !== true) checkStageName(ins.stageName, node, stages, names, source);
        if (!names.has(ins.stageName)) names.set(ins.stageName, stage.index);
        stage.name = ins.stageName;
      }
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (current === undefined) {
      if (ins.kind === 'ARG') {
        globalArgs.push(ins);
        continue;
      }
      throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', `${ins.kind} before the first FROM: no build stage in current context`, {
        line: node.startLine,
        column: node.column,
        instruction: ins.kind,
        hint: 'only ARG may come before the first FROM',
      });
    }
    if (ins.kind === 'MAINTAINER')
      warnings.push({ line: node.startLine, message: 'MAINTAINER is deprecated; it is recorded as the label org.opencontainers.image.authors' });
    current.instructions.push(ins);
    current.range.endLine = ins.range.endLine;
  }
  if (stages.length === 0) {
    const last = ast.children[ast.children.length - 1]!;
    throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', 'the Dockerfile has no FROM instruction', {
      line: last.startLine,
      instruction: last.keyword.toUpperCase(),
      hint: 'a Dockerfile starts with FROM <image> (ARG lines may come before it)',
    });
  }
  const df = { file, escapeChar: ast.escape, globalArgs, stages, warnings } as Dockerfile & { warnings: DockerfileWarning[] };
  if (syntax !== undefined) df.syntax = syntax;
  // Not enumerable: JSON output (goldens, --dry-run) should not repeat the whole file.
  Object.defineProperty(df, 'lines', { value: source.lines, enumerable: false });
  Object.defineProperty(df, 'ast', { value: ast, enumerable: false });
  return df as ParsedDockerfile;
}

/** Builds the typed instruction of a node; a problem becomes a DockerfileError at the instruction, here and only here. */
function typed(node: InstructionNode, source: SourceText): Instruction | FromInstruction {
  try {
    return buildInstruction(node);
  } catch (err) {
    if (!isOcibakeError(err)) throw err;
    throw source.error(err.code, err.message, {
      line: node.startLine,
      column: node.column,
      instruction: node.keyword.toUpperCase(),
      hint: err.hint,
      cause: err,
    });
  }
}

function checkStageName(name: string, node: InstructionNode, stages: Stage[], names: Map<string, number>, source: SourceText): void {
  const at = { line: node.startLine, column: node.column, instruction: 'FROM' };
  if (RESERVED_STAGE_NAMES.has(name)) {
    throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', `${JSON.stringify(name)} is a reserved name and can't be used as a stage name`, {
      ...at,
      hint: 'pick another AS name',
    });
  }
  const prev = names.get(name);
  if (prev !== undefined) {
    throw source.error('OCIBAKE_DOCKERFILE_SEMANTIC', `duplicate stage name ${JSON.stringify(name)} (first defined on line ${stages[prev]!.range.startLine})`, {
      ...at,
      hint: 'give every stage a unique AS name',
    });
  }
}

/** `isDockerfileError` narrows to `DockerfileError` without importing the class at call sites. */
export function isDockerfileError(err: unknown): err is DockerfileError {
  return (
    err instanceof Error && typeof (err as Partial<DockerfileError>).line === 'number' && typeof (err as Partial<DockerfileError>).instruction === 'string'
  );
}
