import type { Readable } from 'node:stream';
import type { Descriptor } from './descriptor.js';

/** `Opts` are the per-call options every store method accepts. */
export interface Opts {
  signal?: AbortSignal | undefined;
  /** Called with the number of bytes moved since the previous call. */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** `BlobReader` reads content by descriptor. `fetch` verifies size and digest while streaming. */
export interface BlobReader {
  exists(desc: Descriptor, o?: Opts): Promise<boolean>;
  fetch(desc: Descriptor, o?: Opts): Promise<Readable>;
}

/**
 * `BlobWriter` stores content by descriptor. `push` verifies size and digest and makes the blob
 * visible only once it is complete (temp file + rename, or a registry's commit PUT).
 */
export interface BlobWriter {
  push(desc: Descriptor, body: Readable | Uint8Array, o?: Opts): Promise<void>;
}

/** `ContentStore` reads and writes blobs. Manifests and indexes are blobs too. */
export interface ContentStore extends BlobReader, BlobWriter {}

/** `TagResolver` maps names (tags, or full references) to descriptors. */
export interface TagResolver {
  resolve(ref: string, o?: Opts): Promise<Descriptor>;
  tag(desc: Descriptor, ref: string, o?: Opts): Promise<void>;
}

/** `Target` is a store with names: a registry repository, an OCI layout, the cache. */
export interface Target extends ContentStore, TagResolver {}

/** `Mounter` is the optional capability of a store that can link a blob from another repository of its registry. */
export interface Mounter {
  /** The registry host the store writes to (`ghcr.io`): a mount source must be on it. */
  readonly registry: string;
  /** Tries to mount; resolves false (never throws for a refused mount) so callers fall back to push. */
  mount(desc: Descriptor, fromRepository: string, o?: Opts): Promise<boolean>;
}

/** `BlobLocation` is a registry repository a blob can be read from, and so mounted from. */
export interface BlobLocation {
  registry: string;
  repository: string;
}

/**
 * `Locator` is the optional capability of a reader that knows which registry repository a blob
 * comes from. `copyGraph` asks it, so a build that pushes to the registry its base came from
 * mounts the base layers instead of downloading and uploading them.
 */
export interface Locator {
  locate(desc: Descriptor): BlobLocation | undefined;
}

/** `isLocator` checks the optional locate capability. */
export function isLocator(reader: unknown): reader is Locator {
  return typeof (reader as Partial<Locator>)?.locate === 'function';
}

/** `isMounter` checks the optional mount capability (ggcr partial-style type guard). */
export function isMounter(store: unknown): store is Mounter {
  return typeof (store as Partial<Mounter>)?.mount === 'function';
}

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
