import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { ImageConfig, Index, Manifest } from '../oci/manifest.js';

/** `Layer` is a layer blob (bytes live in a store) and the digest of its uncompressed tar. */
export interface Layer {
  descriptor: Descriptor;
  diffId: Digest;
}

/**
 * `Image` is one platform's image as plain data. The exact manifest and config bytes are kept,
 * so re-serialising never changes a digest; `descriptor` addresses the manifest bytes.
 */
export interface Image {
  kind: 'image';
  descriptor: Descriptor;
  manifest: Manifest;
  config: ImageConfig;
  bytes: { manifest: Uint8Array; config: Uint8Array };
}

/** `ImageIndex` is a multi-platform index and the images (or indexes) it lists, by digest. */
export interface ImageIndex {
  kind: 'index';
  descriptor: Descriptor;
  index: Index;
  bytes: Uint8Array;
  children: ReadonlyMap<Digest, Image | ImageIndex>;
}

/** `Artifact` is what a build produces and an output publishes (ko's build.Result). */
export type Artifact = Image | ImageIndex;
