import type { Readable } from 'node:stream';
import type { BlobReader, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';

/**
 * `overlayReader` reads from `top` first and falls back to `bottom`: a pulled subset index lives
 * in memory while everything it points at comes from the registry.
 */
export function overlayReader(top: BlobReader, bottom: BlobReader): BlobReader {
  return {
    async exists(desc: Descriptor, o?: Opts): Promise<boolean> {
      return (await top.exists(desc, o)) || bottom.exists(desc, o);
    },
    async fetch(desc: Descriptor, o?: Opts): Promise<Readable> {
      return (await top.exists(desc, o)) ? top.fetch(desc, o) : bottom.fetch(desc, o);
    },
  };
}
