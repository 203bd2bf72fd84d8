import { OcibakeError, type ErrorCode, type OcibakeErrorOptions } from '../../errors.js';

/**
 * `InstructionError` is a problem found while turning one instruction node into its typed form (a
 * bad flag, argument or mount). It carries no location: `parseDockerfile` re-throws it as a
 * `DockerfileError` at the instruction, in one place.
 */
export class InstructionError extends OcibakeError {
  constructor(code: ErrorCode, message: string, options: OcibakeErrorOptions = {}) {
    super(code, message, options);
  }
}

/** `syntax` builds the common case: an `OCIBAKE_DOCKERFILE_SYNTAX` instruction error. */
export function syntax(message: string, hint?: string): InstructionError {
  return new InstructionError('OCIBAKE_DOCKERFILE_SYNTAX', message, { hint });
}
