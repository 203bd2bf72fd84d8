import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { OcibakeError } from '../errors.js';

/** `Digest` is a validated content address, always `sha256:<64 lowercase hex>`. */
export type Digest = string & { readonly __digest: unique symbol };

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** `isDigest` reports whether a string is a well-formed sha256 digest. */
export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/**
 * `parseDigest` validates a digest string. Only sha256 is accepted: it is the only algorithm
 * every registry and tool in this field supports for writing.
 */
export function parseDigest(value: string): Digest {
  if (!isDigest(value)) {
    throw new OcibakeError('OCIBAKE_INVALID_DIGEST', `invalid digest ${JSON.stringify(value.slice(0, 100))}`, {
      hint: 'a digest looks like sha256:<64 lowercase hex characters>',
    });
  }
  return value;
}

/** `digestHex` returns the 64 hex characters of a digest (the blob file name in a layout). */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** `sha256` hashes bytes or a string into a `Digest`. */
export function sha256(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest;
}

/** `digestFromHash` finishes a node:crypto sha256 Hash into a `Digest`. */
export function digestFromHash(hash: Hash): Digest {
  return `sha256:${hash.digest('hex')}` as Digest;
}

/**
 * `HashingStream` is a pass-through Transform that hashes and counts what flows through it,
 * so a digest is known the moment a stream ends, without a second read.
 */
export class HashingStream extends Transform {
  #hash = createHash('sha256');
  #size = 0;
  #digest: Digest | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.#digest = digestFromHash(this.#hash);
    cb();
  }

  /** Number of bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  /** The digest, available once the stream has ended. */
  get digest(): Digest {
    if (this.#digest === undefined) throw new OcibakeError('OCIBAKE_INTERNAL', 'digest read before the stream ended');
    return this.#digest;
  }
}
