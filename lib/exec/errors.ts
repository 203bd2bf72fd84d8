import { OcibakeError } from '../errors.js';

/** `location` formats `Dockerfile:12` for messages. */
export function location(file: string, line: number): string {
  return `${file}:${line}`;
}

/**
 * `RunFailedError` is a RUN that exited non-zero. It names the Dockerfile line, the command and
 * the exit code; `outputTail` keeps the last lines of its output (also shown in the hint).
 */
export class RunFailedError extends OcibakeError {
  readonly file: string;
  readonly line: number;
  readonly command: string;
  readonly exitCode: number | null;
  readonly outputTail: string[];

  constructor(args: { file: string; line: number; command: string; exitCode: number | null; signal?: string | null; outputTail: string[]; stage: string }) {
    const how = args.exitCode === null ? `was killed by ${args.signal ?? 'a signal'}` : `exited with code ${args.exitCode}`;
    const tail = args.outputTail.length > 0 ? `last output:\n${args.outputTail.map((l) => `  | ${l}`).join('\n')}` : 'it printed nothing';
    super('OCIBAKE_RUN_FAILED', `${location(args.file, args.line)}: [${args.stage}] RUN ${args.command} ${how}`, { hint: tail });
    this.file = args.file;
    this.line = args.line;
    this.command = args.command;
    this.exitCode = args.exitCode;
    this.outputTail = args.outputTail;
  }
}

/** `ToolMissingError` is a toolchain the Dockerfile's FROM names that the host does not have. */
export class ToolMissingError extends OcibakeError {
  constructor(message: string, hint: string) {
    super('OCIBAKE_TOOL_MISSING', message, { hint });
  }
}

/** `SecretError` is a secret mount that cannot be satisfied. It never carries the secret value. */
export class SecretError extends OcibakeError {
  constructor(message: string, hint: string) {
    super('OCIBAKE_SECRET', message, { hint });
  }
}

/** `ExecError` is a failure to set up or run a step that is not the command's own exit status. */
export class ExecError extends OcibakeError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('OCIBAKE_EXEC', message, { hint, cause });
  }
}
