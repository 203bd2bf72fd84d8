import { descriptorOf, type Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { canonicalJson, type Index } from '../oci/manifest.js';
import { type MediaFormat, mediaTypesFor } from '../oci/media-types.js';
import { ImageError } from './errors.js';
import type { Image, ImageIndex } from './types.js';

/** Options for `buildIndex`. */
export interface BuildIndexOptions {
  /** Media type family; must match every image's (default: taken from the first image). */
  format?: MediaFormat | undefined;
  annotations?: Record<string, string> | undefined;
}

/**
 * `buildIndex` lists images in the given order, each with its platform, in an OCI index (or a
 * Docker manifest list for Docker images). Mixing families is refused: registries and runtimes
 * reject an index whose children disagree (docs/registry-client.md, rule 8).
 *
 *   const root = buildIndex([amd64, arm64]);
 */
export function buildIndex(images: readonly Image[], o: BuildIndexOptions = {}): ImageIndex {
  if (images.length === 0) throw new ImageError('OCIBAKE_INVALID_MANIFEST', 'an index needs at least one image');
  const format = o.format ?? (images[0]!.descriptor.mediaType === mediaTypesFor('docker').manifest ? 'docker' : 'oci');
  const types = mediaTypesFor(format);
  const manifests: Descriptor[] = images.map((img) => {
    if (img.descriptor.mediaType !== types.manifest) {
      throw new ImageError('OCIBAKE_INVALID_MANIFEST', `cannot put ${img.descriptor.mediaType} in a ${format} index`, {
        hint: 'build every platform with the same --format',
      });
    }
    const d: Descriptor = { mediaType: img.descriptor.mediaType, digest: img.descriptor.digest, size: img.descriptor.size };
    if (img.descriptor.platform) d.platform = img.descriptor.platform;
    return d;
  });
  const index: Index = { schemaVersion: 2, mediaType: types.index, manifests };
  if (o.annotations && Object.keys(o.annotations).length) {
    if (format === 'docker')
      throw new ImageError('OCIBAKE_INVALID_MANIFEST', 'Docker manifest lists have no annotations', { hint: 'use --format oci, or drop the annotations' });
    index.annotations = { ...o.annotations };
  }
  const bytes = canonicalJson(index);
  const children = new Map<Digest, Image>(images.map((i) => [i.descriptor.digest, i]));
  return { kind: 'index', descriptor: descriptorOf(bytes, types.index), index, bytes, children };
}
