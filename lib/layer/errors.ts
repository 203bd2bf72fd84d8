import { OcibakeError, type ErrorCode, type OcibakeErrorOptions } from '../errors.js';

/**
 * `UnsafeArchiveError` means a layer tried to write outside its destination (`..`, an absolute
 * path, a path through a symlink, a device node without privileges) or is malformed. Nothing is
 * written for the offending entry; extraction stops.
 */
export class UnsafeArchiveError extends OcibakeError {
  readonly entry: string;

  constructor(code: ErrorCode, message: string, options: OcibakeErrorOptions & { entry: string }) {
    super(code, message, options);
    this.entry = options.entry;
  }
}

/** `unsafeEntry` words an `UnsafeArchiveError` for one layer entry. */
export function unsafeEntry(entry: string, why: string): UnsafeArchiveError {
  return new UnsafeArchiveError('OCIBAKE_UNSAFE_ARCHIVE', `unsafe layer entry ${JSON.stringify(entry.slice(0, 200))}: ${why}`, {
    hint: 'the layer is malicious or corrupt; it was not extracted past this entry',
    entry,
  });
}

/** `LayerWriteError` is a failure while producing a layer (bad entry, file changed under us). */
export class LayerWriteError extends OcibakeError {}
