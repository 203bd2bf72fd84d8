import { OcibakeError, type ErrorCode } from '../errors.js';

/** `BuildOptionError` is a bad flag value (`--output`, `--secret`, `--base`, ...): names the flag and the value. */
export class BuildOptionError extends OcibakeError {
  constructor(flag: string, value: string, why: string, hint: string, code: ErrorCode = 'OCIBAKE_INVALID_ARGUMENT') {
    super(code, `invalid ${flag} ${JSON.stringify(value)}: ${why}`, { hint });
  }
}
