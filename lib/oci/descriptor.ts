import { type Digest, sha256 } from './digest.js';
import type { Platform } from './platform.js';

/** `Descriptor` points at content by media type, digest and size (OCI image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
  artifactType?: string;
  data?: string;
}

/** `descriptorOf` describes bytes we hold in memory (a manifest, a config). */
export function descriptorOf(bytes: Uint8Array, mediaType: string): Descriptor {
  return { mediaType, digest: sha256(bytes), size: bytes.byteLength };
}
