import { OcibakeError } from '../../lib/index.js';

/** `BuildOptionError` is a bad flag value (`--output`, `--secret`, `--base`, ...): names the flag and the value. */
export class BuildOptionError extends OcibakeError {}

/** `badFlag` words a `BuildOptionError`: `invalid --output "x": unknown type "x"`. */
export function badFlag(flag: string, value: string, why: string, hint: string): BuildOptionError {
  return new BuildOptionError('OCIBAKE_INVALID_ARGUMENT', `invalid ${flag} ${JSON.stringify(value)}: ${why}`, { hint });
}
