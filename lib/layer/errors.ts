import { OcibakeError } from '../errors.js';

/**
 * `UnsafeArchiveError` means a layer tried to write outside its destination (`..`, an absolute
 * path, a path through a symlink, a device node without privileges) or is malformed. Nothing is
 * written for the offending entry; extraction stops.
 */
export class UnsafeArchiveError extends OcibakeError {
  readonly entry: string;
  constructor(entry: string, why: string) {
    super('OCIBAKE_UNSAFE_ARCHIVE', `unsafe layer entry ${JSON.stringify(entry.slice(0, 200))}: ${why}`, {
      hint: 'the layer is malicious or corrupt; it was not extracted past this entry',
    });
    this.entry = entry;
  }
}

/** `LayerWriteError` is a failure while producing a layer (bad entry, file changed under us). */
export class LayerWriteError extends OcibakeError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('OCIBAKE_LAYER_WRITE', message, options);
  }
}
