import type { Readable } from 'node:stream';
import type { BlobReader, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { readCapped } from '../io/read-capped.js';
import { StoreError } from './errors.js';

/** Manifests, indexes and configs are small; anything bigger than this is refused when read whole. */
export const MAX_METADATA_BYTES = 8 * 1024 * 1024;

/**
 * `readBlob` fetches a small blob (manifest, index, config) into memory through the store's
 * verifying `fetch`. Layers must be streamed, never read this way.
 */
export async function readBlob(store: BlobReader, desc: Descriptor, o?: Opts): Promise<Buffer> {
  if (desc.size > MAX_METADATA_BYTES) {
    throw new StoreError('OCIBAKE_STORE', `refusing to read ${desc.digest} (${desc.size} bytes) into memory`, {
      hint: 'layers are streamed; only manifests and configs are read whole',
    });
  }
  return readCapped(
    await store.fetch(desc, o),
    desc.size,
    () => new StoreError('OCIBAKE_SIZE_MISMATCH', `${desc.digest} is longer than its descriptor's ${desc.size} bytes`),
  );
}

/** `collect` drains a stream into one Buffer. */
export async function collect(stream: Readable): Promise<Buffer> {
  return readCapped(stream, Number.MAX_SAFE_INTEGER);
}
