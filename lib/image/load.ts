import type { BlobReader, BlobWriter, Opts } from '../oci/content-store.js';
import { descriptorOf, type Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { parseImageConfig, parseManifestOrIndex } from '../oci/manifest.js';
import { verifyBytes } from '../oci/verify.js';
import { readBlob } from '../store/read-blob.js';
import { ImageError } from './errors.js';
import type { Artifact, Image, ImageIndex } from './types.js';

/** `imageFromBytes` wraps manifest and config bytes (already verified) as an `Image`. */
export function imageFromBytes(descriptor: Descriptor, manifestBytes: Uint8Array, configBytes: Uint8Array): Image {
  const parsed = parseManifestOrIndex(manifestBytes, descriptor.mediaType);
  if (parsed.kind !== 'manifest') throw new ImageError('OCIBAKE_INVALID_MANIFEST', `${descriptor.digest} is an index, not an image manifest`);
  const config = parseImageConfig(configBytes, parsed.manifest.config.digest);
  return { kind: 'image', descriptor, manifest: parsed.manifest, config, bytes: { manifest: manifestBytes, config: configBytes } };
}

/**
 * `loadArtifact` reads an image or an index (and every child) from a store: manifests and
 * configs only, layers stay where they are. The result keeps the exact bytes it read.
 */
export async function loadArtifact(store: BlobReader, descriptor: Descriptor, o?: Opts): Promise<Artifact> {
  const bytes = await readBlob(store, descriptor, o);
  verifyBytes(descriptor, bytes);
  const parsed = parseManifestOrIndex(bytes, descriptor.mediaType);
  if (parsed.kind === 'manifest') {
    const configBytes = await readBlob(store, parsed.manifest.config, o);
    verifyBytes(parsed.manifest.config, configBytes);
    return imageFromBytes(descriptor, bytes, configBytes);
  }
  const children = new Map<Digest, Image | ImageIndex>();
  for (const child of parsed.index.manifests) {
    if (!children.has(child.digest)) children.set(child.digest, await loadArtifact(store, child, o));
  }
  return { kind: 'index', descriptor, index: parsed.index, bytes, children };
}

/** `loadImage` is `loadArtifact` for a descriptor that must be a single image. */
export async function loadImage(store: BlobReader, descriptor: Descriptor, o?: Opts): Promise<Image> {
  const a = await loadArtifact(store, descriptor, o);
  if (a.kind !== 'image') throw new ImageError('OCIBAKE_INVALID_MANIFEST', `${descriptor.digest} is an index; pick a platform first`);
  return a;
}

/**
 * `putArtifact` writes an artifact's configs and manifests (children first) into a store.
 * Layer blobs must already be there (writeLayer put them).
 */
export async function putArtifact(store: BlobWriter & BlobReader, a: Artifact, o?: Opts): Promise<Descriptor> {
  if (a.kind === 'image') {
    const cfg = descriptorOf(a.bytes.config, a.manifest.config.mediaType);
    if (!(await store.exists(cfg, o))) await store.push(cfg, a.bytes.config, o);
  } else {
    for (const child of a.children.values()) await putArtifact(store, child, o);
  }
  const bytes = a.kind === 'image' ? a.bytes.manifest : a.bytes;
  const d = { mediaType: a.descriptor.mediaType, digest: a.descriptor.digest, size: a.descriptor.size };
  if (!(await store.exists(d, o))) await store.push(d, bytes, o);
  return a.descriptor;
}
