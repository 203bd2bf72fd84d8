import { OcibakeError } from '../errors.js';

/** `StepCacheError` is a `--cache-from`/`--cache-to` cache that cannot be read or written. */
export class StepCacheError extends OcibakeError {}
