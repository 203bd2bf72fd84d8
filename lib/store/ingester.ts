import type { Readable } from 'node:stream';
import type { Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';

/**
 * `Ingester` is the optional capability of a store that accepts content whose digest is not
 * known in advance: it hashes while writing and names the blob once the stream ends. The layer
 * writer needs it because a layer's digest exists only after the last compressed byte.
 */
export interface Ingester {
  ingest(mediaType: string, body: Readable, o?: Opts): Promise<Descriptor>;
}

/** `isIngester` checks the optional ingest capability. */
export function isIngester(store: unknown): store is Ingester {
  return typeof (store as Partial<Ingester>)?.ingest === 'function';
}
