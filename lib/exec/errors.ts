import { OcibakeError, type ErrorCode, type OcibakeErrorOptions } from '../errors.js';

/** `location` formats `Dockerfile:12` for messages. */
export function location(file: string, line: number): string {
  return `${file}:${line}`;
}

/** What a `RunFailedError` records about the RUN that failed. */
export interface RunFailedOptions extends OcibakeErrorOptions {
  file: string;
  line: number;
  command: string;
  exitCode: number | null;
  outputTail: string[];
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

  constructor(code: ErrorCode, message: string, options: RunFailedOptions) {
    super(code, message, options);
    this.file = options.file;
    this.line = options.line;
    this.command = options.command;
    this.exitCode = options.exitCode;
    this.outputTail = options.outputTail;
  }
}

/** `runFailed` words a `RunFailedError`: `Dockerfile:7: [linux/arm64 build] RUN make exited with code 2`. */
export function runFailed(args: {
  file: string;
  line: number;
  command: string;
  exitCode: number | null;
  signal?: string | null;
  outputTail: string[];
  stage: string;
}): RunFailedError {
  const how = args.exitCode === null ? `was killed by ${args.signal ?? 'a signal'}` : `exited with code ${args.exitCode}`;
  const tail = args.outputTail.length > 0 ? `last output:\n${args.outputTail.map((l) => `  | ${l}`).join('\n')}` : 'it printed nothing';
  return new RunFailedError('OCIBAKE_RUN_FAILED', `${location(args.file, args.line)}: [${args.stage}] RUN ${args.command} ${how}`, {
    hint: tail,
    file: args.file,
    line: args.line,
    command: args.command,
    exitCode: args.exitCode,
    outputTail: args.outputTail,
  });
}

/** `ToolMissingError` is a toolchain the Dockerfile's FROM names that the host does not have. */
export class ToolMissingError extends OcibakeError {}

/** `SecretError` is a secret mount that cannot be satisfied. It never carries the secret value. */
export class SecretError extends OcibakeError {}

/** `ExecError` is a failure to set up or run a step that is not the command's own exit status. */
export class ExecError extends OcibakeError {}
