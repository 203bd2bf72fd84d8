// The leaf model's public surface: explicit named exports (no `export *`), so the API is visible here.
export { type Digest, isDigest, parseDigest, digestHex, sha256, digestFromHash, HashingStream } from './digest.js';
export {
  MediaType,
  type MediaFormat,
  type MediaTypeSet,
  MANIFEST_ACCEPT,
  isIndexMediaType,
  isManifestMediaType,
  isConfigMediaType,
  isLayerMediaType,
  layerCompression,
  mediaTypesFor,
  convertMediaType,
} from './media-types.js';
export {
  type Platform,
  normalizePlatform,
  parsePlatform,
  parsePlatformList,
  formatPlatform,
  platformEquals,
  platformMatches,
  hostPlatform,
  platformArgs,
} from './platform.js';
export { type Descriptor, descriptorOf } from './descriptor.js';
export {
  type Manifest,
  type Index,
  type ImageConfig,
  type ContainerConfig,
  type HealthConfig,
  type HistoryEntry,
  type ParsedManifest,
  canonicalJson,
  platformOfConfig,
  parseManifestOrIndex,
} from './manifest.js';
export { type Opts, type BlobReader, type BlobWriter, type ContentStore, type TagResolver, type Target, type Mounter, isMounter } from './content-store.js';
export { DigestMismatchError, SizeMismatchError, VerifyingStream, verifyBytes } from './verify.js';
