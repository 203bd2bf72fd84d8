import type { BlobReader, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { parseManifestOrIndex, platformOfConfig } from '../oci/manifest.js';
import { formatPlatform, platformMatches, type Platform } from '../oci/platform.js';
import { verifyBytes } from '../oci/verify.js';
import { OcibakeError } from '../errors.js';
import { imageFromBytes } from '../image/load.js';
import { ImageError } from '../image/errors.js';
import type { Image } from '../image/types.js';
import { readBlob } from '../store/read-blob.js';
import { selectPlatform } from '../../registry/index.js';

/**
 * `imageForPlatform` reads the image for `platform` under `root` from any store (a registry
 * repository, an OCI layout, the cache): an index entry chosen by `selectPlatform` (attestations
 * skipped, arm64 ≡ arm64/v8, arm ≡ arm/v7), or a single-platform image whose config must declare
 * that platform. Every manifest and config is verified against its digest; layers are not read.
 * The returned descriptor carries the platform (what `org.opencontainers.image.base.digest` names).
 *
 *   const image = await imageForPlatform(layout, await layout.resolve('3.20'), parsePlatform('linux/arm64'), 'alpine');
 */
export async function imageForPlatform(store: BlobReader, root: Descriptor, platform: Platform, name: string, o?: Opts): Promise<Image> {
  const rootBytes = await readBlob(store, root, o);
  verifyBytes(root, rootBytes);
  const top = parseManifestOrIndex(rootBytes, root.mediaType);
  let desc: Descriptor = { ...root, mediaType: top.mediaType };
  let bytes: Uint8Array = rootBytes;
  if (top.kind === 'index') {
    desc = selectPlatform(top.index, platform, name).descriptor;
    bytes = await readBlob(store, desc, o);
    verifyBytes(desc, bytes);
    const child = parseManifestOrIndex(bytes, desc.mediaType);
    if (child.kind !== 'manifest')
      throw new ImageError('OCIBAKE_INVALID_MANIFEST', `${name}: the ${formatPlatform(platform)} entry is a nested index`, {
        hint: 'point at the inner index or a platform image directly',
      });
    desc = { ...desc, mediaType: child.mediaType };
  }
  const manifest = parseManifestOrIndex(bytes, desc.mediaType);
  if (manifest.kind !== 'manifest') throw new ImageError('OCIBAKE_INVALID_MANIFEST', `${name}: not an image manifest`);
  const configBytes = await readBlob(store, manifest.manifest.config, o);
  verifyBytes(manifest.manifest.config, configBytes);
  const image = imageFromBytes(desc, bytes, configBytes);
  const actual = platformOfConfig(image.config);
  if (top.kind === 'manifest' && !platformMatches(platform, actual)) {
    throw new OcibakeError('OCIBAKE_PLATFORM_NOT_FOUND', `${name} is a single-platform image for ${formatPlatform(actual)}, not ${formatPlatform(platform)}`, {
      hint: 'use a multi-platform base image, or drop the platform from --platform',
    });
  }
  if (!image.descriptor.platform) return { ...image, descriptor: { ...image.descriptor, platform: actual } };
  return image;
}
