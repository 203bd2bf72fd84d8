import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContentStore } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { type Digest, digestFromHash, HashingStream } from '../oci/digest.js';
import { type MediaFormat, mediaTypesFor } from '../oci/media-types.js';
import { isIngester } from '../oci/content-store.js';
import type { LayerEntry } from './entry.js';
import { LayerWriteError } from './errors.js';
import { parallelGzip } from './parallel-gzip.js';
import { tarStream } from './tar-writer.js';

/** Options for `writeLayer`. */
export interface WriteLayerOptions {
  /** `gzip` (default) or `none`. Docker media types always use gzip. */
  compression?: 'gzip' | 'none' | undefined;
  /** gzip level 1..9 (default 6). */
  level?: number | undefined;
  /** mtime of every entry without its own (seconds); SOURCE_DATE_EPOCH semantics, default 0. */
  sourceDateEpoch?: number | undefined;
  /** Media type family (default `oci`). */
  mediaTypes?: MediaFormat | undefined;
  /** Compression threads (default: CPUs). The layer bytes do not depend on it. */
  threads?: number | undefined;
  /** Default owner of entries that set none. */
  uid?: number | undefined;
  gid?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** `WrittenLayer` is a layer in a store: its blob descriptor, its diffID and its tar size. */
export interface WrittenLayer {
  descriptor: Descriptor;
  diffId: Digest;
  uncompressedSize: number;
}

/**
 * `writeLayer` streams entries into a deterministic tar, compresses it in parallel and stores the
 * blob, computing the diffID (sha256 of the tar) and the digest (sha256 of the blob) in the same
 * single pass. Nothing is buffered whole: memory stays bounded whatever the layer size. Stores
 * with the `Ingester` capability receive the stream directly; others get it from a temp file.
 *
 *   const { descriptor, diffId } = await writeLayer(walkDirectory('out', { prefix: '/app' }), { sourceDateEpoch: 0 }, cache);
 */
export async function writeLayer(
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
  options: WriteLayerOptions,
  store: ContentStore,
): Promise<WrittenLayer> {
  return writeTarLayer(tarStream(entries, options), options, store);
}

/**
 * `writeTarLayer` stores an uncompressed tar stream as a layer: it hashes the tar (diffID),
 * compresses it and hashes the blob in one pass. `writeLayer` is this over our own tar writer; a
 * RUN diffed inside a user namespace streams its tar from there to here.
 */
export async function writeTarLayer(tar: AsyncIterable<Uint8Array>, options: WriteLayerOptions, store: ContentStore): Promise<WrittenLayer> {
  const types = mediaTypesFor(options.mediaTypes ?? 'oci');
  const gzip = options.compression !== 'none' || options.mediaTypes === 'docker';
  const mediaType = gzip ? types.layerGzip : types.layer;
  const diffHash = createHash('sha256');
  let uncompressedSize = 0;
  const hashed = (async function* () {
    for await (const chunk of tar) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      diffHash.update(b);
      uncompressedSize += b.length;
      yield b;
    }
  })();
  const blob = gzip ? parallelGzip(hashed, { level: options.level, threads: options.threads }) : hashed;
  const body = Readable.from(blob, { objectMode: false, highWaterMark: 1 << 20 });
  let descriptor: Descriptor;
  try {
    descriptor = isIngester(store)
      ? await store.ingest(mediaType, body, { signal: options.signal })
      : await spoolAndPush(body, mediaType, store, options.signal);
  } catch (err) {
    body.destroy();
    if (err instanceof LayerWriteError) throw err;
    throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `writing layer: ${(err as Error).message}`, { cause: err });
  }
  return { descriptor, diffId: digestFromHash(diffHash), uncompressedSize };
}

async function spoolAndPush(body: Readable, mediaType: string, store: ContentStore, signal?: AbortSignal): Promise<Descriptor> {
  const dir = await mkdtemp(join(tmpdir(), 'ocibake-layer-'));
  try {
    const file = join(dir, 'blob');
    const hasher = new HashingStream();
    await pipeline(body, hasher, createWriteStream(file), ...(signal ? [{ signal }] : []));
    const descriptor: Descriptor = { mediaType, digest: hasher.digest, size: hasher.size };
    await store.push(descriptor, createReadStream(file), { signal });
    return descriptor;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
