import { OcibakeError, type ErrorCode, type OcibakeErrorOptions } from '../../errors.js';

const EXPANSION_HINT =
  'supported forms: $VAR ${VAR} ${VAR:-default} ${VAR-default} ${VAR:+alt} ${VAR+alt} ${VAR:?error} ${VAR#glob} ${VAR%glob} ${VAR/glob/repl}; write \\$ for a literal $';

/**
 * `ExpansionError` is a word the shell lexer cannot process: an unterminated quote, a malformed
 * substitution (`${A`, `${A!}`), or a `${A:?message}` whose variable is unset. Whoever expands the
 * word (the parser or the planner) re-throws it as a located `DockerfileError`.
 */
export class ExpansionError extends OcibakeError {
  constructor(code: ErrorCode, message: string, options: OcibakeErrorOptions = {}) {
    super(code, message, { hint: options.hint ?? EXPANSION_HINT, cause: options.cause });
  }
}

/** `syntaxError` builds the `ExpansionError` for a malformed word. */
export function syntaxError(message: string): ExpansionError {
  return new ExpansionError('OCIBAKE_DOCKERFILE_SYNTAX', message);
}
