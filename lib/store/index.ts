// lib/store's public surface (re-exported from lib/index.ts).
export { MemoryStore } from './memory-store.js';
export { CacheStore, type CacheStoreOptions, defaultCacheDir } from './cache-store.js';
export { OciLayout, type OciLayoutOptions, REF_NAME_ANNOTATION } from './oci-layout.js';
export { copyGraph, childrenOf, type CopyEvent, type CopyGraphOptions, type CopyGraphResult } from './copy.js';
export { type Ingester, isIngester } from './ingester.js';
export { readBlob, collect, MAX_METADATA_BYTES } from './read-blob.js';
export { BlobNotFoundError, CorruptBlobError, StoreError } from './errors.js';
export { type CorruptBlobReporter } from './blob-dir.js';
