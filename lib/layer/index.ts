// lib/layer's public surface (re-exported from lib/index.ts).
export { type LayerEntry, type EntryType, normalizeEntryPath } from './entry.js';
export { walkDirectory, type WalkOptions } from './walk.js';
export { tarStream, type TarOptions } from './tar-writer.js';
export { parallelGzip, type GzipOptions } from './parallel-gzip.js';
export { writeLayer, type WriteLayerOptions, type WrittenLayer } from './write-layer.js';
export { extractLayer, type ExtractOptions, type ExtractResult } from './extract.js';
export { decompress, type LayerCompression } from './decompress.js';
export { readImagePaths } from './read-paths.js';
export { UnsafeArchiveError, LayerWriteError } from './errors.js';
