import { isOcibakeError, type ErrorCode } from '../errors.js';
import { SourceText, type DockerfileError } from '../dockerfile/errors.js';

/** `SourceRef` is where planning errors point: the Dockerfile path and its physical lines. */
export interface SourceRef {
  file: string;
  lines: readonly string[];
}

type At = { kind: string; range: { startLine: number; column?: number } };

/** `locate` turns any typed error raised while planning an instruction into a located DockerfileError. */
export function locate(ctx: SourceRef, ins: At, err: unknown, code?: ErrorCode): DockerfileError {
  if (!isOcibakeError(err)) throw err;
  return dockerfileError(ctx, ins, code ?? err.code, err.message, err.hint);
}

/** `dockerfileError` builds a DockerfileError at an instruction. */
export function dockerfileError(ctx: SourceRef, ins: At, code: ErrorCode, detail: string, hint?: string): DockerfileError {
  return new SourceText(ctx.file, ctx.lines).error(code, detail, { line: ins.range.startLine, column: ins.range.column ?? 1, instruction: ins.kind, hint });
}
