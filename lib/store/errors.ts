import { OcibakeError } from '../errors.js';

/** `BlobNotFoundError` means a store does not hold the blob a descriptor names. */
export class BlobNotFoundError extends OcibakeError {
  constructor(digest: string, where: string) {
    super('OCIBAKE_BLOB_NOT_FOUND', `blob ${digest} not found in ${where}`, {
      hint: 'the store is incomplete: pull or build the image again',
    });
  }
}

/** `StoreError` is a failure of a local store (I/O, a malformed layout). */
export class StoreError extends OcibakeError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('OCIBAKE_STORE', message, options);
  }
}

/** `CorruptBlobError` means a stored blob no longer hashes to its name; the store deleted it. */
export class CorruptBlobError extends OcibakeError {
  constructor(digest: string, where: string, cause: unknown) {
    super('OCIBAKE_DIGEST_MISMATCH', `blob ${digest} in ${where} is corrupt and was removed`, {
      hint: 'run the command again: the blob will be fetched or rebuilt',
      cause,
    });
  }
}
