import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { OcibakeError } from '../errors.js';
import type { Descriptor } from './descriptor.js';
import { digestFromHash } from './digest.js';

/** `DigestMismatchError` means content did not hash to the digest it was addressed by. */
export class DigestMismatchError extends OcibakeError {}

/** `digestMismatch` words a `DigestMismatchError` for content read from `where`. */
export function digestMismatch(expected: string, actual: string, where: string): DigestMismatchError {
  return new DigestMismatchError('OCIBAKE_DIGEST_MISMATCH', `digest mismatch for ${where}: expected ${expected}, got ${actual}`, {
    hint: 'the content is corrupt or was changed in transit; it was not stored',
  });
}

/** `SizeMismatchError` means content had a different length than its descriptor said. */
export class SizeMismatchError extends OcibakeError {}

/** `sizeMismatch` words a `SizeMismatchError` for content read from `where`. */
export function sizeMismatch(expected: number, actual: number, where: string): SizeMismatchError {
  return new SizeMismatchError('OCIBAKE_SIZE_MISMATCH', `size mismatch for ${where}: expected ${expected} bytes, got ${actual}`, {
    hint: 'the content is truncated or too long; it was not stored',
  });
}

/**
 * `VerifyingStream` passes bytes through and fails the stream (instead of ending it) when the
 * size or digest differs from the descriptor. Consumers that commit on 'finish' therefore never
 * commit bad content.
 */
export class VerifyingStream extends Transform {
  readonly #desc: Descriptor;
  readonly #where: string;
  #hash = createHash('sha256');
  #size = 0;

  constructor(desc: Descriptor, where: string = desc.digest) {
    super();
    this.#desc = desc;
    this.#where = where;
    // A verifying stream is made by a producer and read by a consumer that attaches later; a
    // small blob can fail verification before that. The error stays in `errored`, and pipeline
    // or for-await report it to the consumer whenever it attaches; without this listener Node
    // would first crash the process with "Unhandled 'error' event".
    this.on('error', () => {});
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#size += chunk.length;
    if (this.#size > this.#desc.size) {
      cb(sizeMismatch(this.#desc.size, this.#size, this.#where));
      return;
    }
    this.#hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.#size !== this.#desc.size) {
      cb(sizeMismatch(this.#desc.size, this.#size, this.#where));
      return;
    }
    const actual = digestFromHash(this.#hash);
    if (actual !== this.#desc.digest) {
      cb(digestMismatch(this.#desc.digest, actual, this.#where));
      return;
    }
    cb();
  }
}

/** `verifyBytes` checks in-memory content against a descriptor. */
export function verifyBytes(desc: Descriptor, bytes: Uint8Array, where = desc.digest): void {
  if (bytes.byteLength !== desc.size) throw sizeMismatch(desc.size, bytes.byteLength, where);
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== desc.digest) throw digestMismatch(desc.digest, actual, where);
}
