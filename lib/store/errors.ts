import { OcibakeError } from '../errors.js';

/** `BlobNotFoundError` means a store does not hold the blob a descriptor names. */
export class BlobNotFoundError extends OcibakeError {}

/** `blobNotFound` words a `BlobNotFoundError` for `digest` in `where`. */
export function blobNotFound(digest: string, where: string): BlobNotFoundError {
  return new BlobNotFoundError('OCIBAKE_BLOB_NOT_FOUND', `blob ${digest} not found in ${where}`, {
    hint: 'the store is incomplete: pull or build the image again',
  });
}

/** `StoreError` is a failure of a local store (I/O, a malformed layout). */
export class StoreError extends OcibakeError {}

/** `CorruptBlobError` means a stored blob no longer hashes to its name. */
export class CorruptBlobError extends OcibakeError {}

/** `corruptBlob` words a `CorruptBlobError` for a cache entry that was dropped. */
export function corruptBlob(digest: string, where: string, cause: unknown): CorruptBlobError {
  return new CorruptBlobError('OCIBAKE_DIGEST_MISMATCH', `blob ${digest} in ${where} is corrupt and was removed`, {
    hint: 'run the command again: the blob will be fetched or rebuilt',
    cause,
  });
}

/** `corruptInput` words a `CorruptBlobError` for a blob ocibake did not create (an OCI layout): left untouched. */
export function corruptInput(digest: string, path: string, cause: unknown): CorruptBlobError {
  return new CorruptBlobError('OCIBAKE_DIGEST_MISMATCH', `blob ${digest} (${path}) does not match its digest; the file was left as it is`, {
    hint: 'the layout is damaged: copy the image into it again (skopeo copy, ocibake pull) or build it again',
    cause,
  });
}
