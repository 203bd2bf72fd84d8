import type { ArgInstruction, Dockerfile, FromInstruction, Instruction, Stage } from './instructions.js';
import { lex } from './lexer.js';
import { buildInstruction } from './commands.js';
import { FlagError } from './flags.js';
import { ParseProblem } from './words.js';
import type { DockerfileError } from './errors.js';

/** `DockerfileWarning` is a construct that parses but deserves attention (deprecated MAINTAINER, …). */
export interface DockerfileWarning {
  line: number;
  message: string;
}

/** `ParsedDockerfile` is a `Dockerfile` plus the parse warnings. */
export interface ParsedDockerfile extends Dockerfile {
  warnings: DockerfileWarning[];
  /** The physical lines, so later stages (planner) can quote the offending line in errors. */
  lines: readonly string[];
}

/**
 * `parseDockerfile` parses Dockerfile text into global ARGs and stages. Every user error is a
 * `DockerfileError` naming file, line, column and instruction; nothing else is thrown.
 *
 *     const df = parseDockerfile('FROM alpine AS base\nRUN echo hi\n', 'Dockerfile');
 *     df.stages[0].name // 'base'
 */
export function parseDockerfile(text: string, file = 'Dockerfile'): ParsedDockerfile {
  const lexed = lex(text, file);
  const { source } = lexed;
  const warnings: DockerfileWarning[] = lexed.warnings.map((w) => ({ line: w.line, message: w.message }));
  if (lexed.directives.syntax !== undefined) {
    warnings.push({ line: 1, message: `# syntax=${lexed.directives.syntax} is accepted and ignored: ocibake has its own Dockerfile frontend` });
  }
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const names = new Map<string, number>();
  for (const line of lexed.lines) {
    let ins: Instruction | FromInstruction;
    try {
      ins = buildInstruction(line, lexed.directives.escape);
    } catch (err) {
      if (err instanceof ParseProblem || err instanceof FlagError) {
        throw source.error(err instanceof ParseProblem ? err.code : 'OCIBAKE_DOCKERFILE_SYNTAX', err.message, {
          line: line.startLine,
          column: line.column,
          instruction: line.keyword.toUpperCase(),
          hint: err.hint,
        });
      }
      throw err;
    }
    if (ins.kind === 'FROM') {
      const stage: Stage = { index: stages.length, from: ins, instructions: [], range: { ...ins.range } };
      if (ins.stageName !== undefined) {
        const prev = names.get(ins.stageName);
        if (prev !== undefined) {
          throw source.error('OCIBAKE_DOCKERFILE_SEMANTIC', `duplicate stage name ${JSON.stringify(ins.stageName)} (first defined on line ${stages[prev]!.range.startLine})`, {
            line: line.startLine,
            column: line.column,
            instruction: 'FROM',
            hint: 'give every stage a unique AS name',
          });
        }
        names.set(ins.stageName, stage.index);
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
        line: line.startLine,
        column: line.column,
        instruction: ins.kind,
        hint: 'only ARG may come before the first FROM',
      });
    }
    if (ins.kind === 'MAINTAINER') warnings.push({ line: line.startLine, message: 'MAINTAINER is deprecated; it is recorded as the label org.opencontainers.image.authors' });
    current.instructions.push(ins);
    current.range.endLine = ins.range.endLine;
  }
  if (stages.length === 0) {
    const last = lexed.lines[lexed.lines.length - 1];
    throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', lexed.lines.length === 0 ? 'the Dockerfile has no instructions' : 'the Dockerfile has no FROM instruction', {
      line: last?.startLine ?? 1,
      instruction: last ? last.keyword.toUpperCase() : 'file',
      hint: 'a Dockerfile starts with FROM <image> (ARG lines may come before it)',
    });
  }
  const df = { file, escapeChar: lexed.directives.escape, globalArgs, stages, warnings } as ParsedDockerfile;
  if (lexed.directives.syntax !== undefined) df.syntax = lexed.directives.syntax;
  // Not enumerable: JSON output (goldens, --dry-run) should not repeat the whole file.
  Object.defineProperty(df, 'lines', { value: source.lines, enumerable: false });
  return df;
}

/** `isDockerfileError` narrows to `DockerfileError` without importing the class at call sites. */
export function isDockerfileError(err: unknown): err is DockerfileError {
  return err instanceof Error && typeof (err as Partial<DockerfileError>).line === 'number' && typeof (err as Partial<DockerfileError>).instruction === 'string';
}
