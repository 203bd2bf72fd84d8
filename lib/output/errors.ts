import { OcibakeError } from '../errors.js';

/** `OutputError` is a failure writing an output (layout, archive, docker tarball). */
export class OutputError extends OcibakeError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('OCIBAKE_OUTPUT', message, options);
  }
}
