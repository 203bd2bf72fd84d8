import { OcibakeError, type ErrorCode } from '../errors.js';

/** Longest part of the offending line quoted in a message; keeps a 10 MB line out of the terminal. */
const QUOTE_LIMIT = 160;

/** `DockerfileErrorInit` is everything a `DockerfileError` needs to point at the offending text. */
export interface DockerfileErrorInit {
  file: string;
  /** 1-based line; 0 when the problem concerns the whole file. */
  line: number;
  /** 1-based column; 1 when unknown. */
  column?: number;
  /** The instruction keyword in upper case (`COPY`), or `parser directive`, `file`. */
  instruction: string;
  /** The physical source line, quoted under the message. */
  sourceLine?: string;
  hint?: string;
  cause?: unknown;
}

/**
 * `DockerfileError` is a user error in a Dockerfile, located once at dispatch (BuildKit's
 * `LocationError`). Its message is `FILE:LINE:COL: INSTRUCTION: what` followed by the quoted line:
 *
 *     Dockerfile:7:1: RUN: RUN in a target-platform stage cannot execute
 *       7 | RUN make
 */
export class DockerfileError extends OcibakeError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly instruction: string;
  /** The message without location or quote, for tests and JSON output. */
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, init: DockerfileErrorInit) {
    const column = init.column ?? 1;
    const head = `${init.file}:${init.line}:${column}: ${init.instruction}: ${detail}`;
    const quote = init.sourceLine === undefined ? '' : `\n  ${init.line} | ${clip(init.sourceLine)}`;
    super(code, head + quote, { hint: init.hint, cause: init.cause });
    this.file = init.file;
    this.line = init.line;
    this.column = column;
    this.instruction = init.instruction;
    this.detail = detail;
  }
}

function clip(line: string): string {
  // Control characters would corrupt the terminal when the "Dockerfile" is binary garbage.
  const clean = line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\uFFFD');
  return clean.length > QUOTE_LIMIT ? `${clean.slice(0, QUOTE_LIMIT)}… (${clean.length} characters)` : clean;
}

/**
 * `SourceText` gives error constructors access to a Dockerfile's physical lines, so every error can
 * quote the line it points at.
 */
export class SourceText {
  readonly file: string;
  readonly lines: readonly string[];

  constructor(file: string, lines: readonly string[]) {
    this.file = file;
    this.lines = lines;
  }

  /** `error` builds a located `DockerfileError` quoting line `line`. */
  error(
    code: ErrorCode,
    detail: string,
    at: { line: number; column?: number; instruction: string; hint?: string | undefined; cause?: unknown },
  ): DockerfileError {
    const init: DockerfileErrorInit = { file: this.file, line: at.line, instruction: at.instruction };
    if (at.column !== undefined) init.column = at.column;
    const src = this.lines[at.line - 1];
    if (src !== undefined) init.sourceLine = src;
    if (at.hint !== undefined) init.hint = at.hint;
    if (at.cause !== undefined) init.cause = at.cause;
    return new DockerfileError(code, detail, init);
  }
}
