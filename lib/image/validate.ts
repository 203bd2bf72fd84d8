import { createHash } from 'node:crypto';
import type { BlobReader } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { sha256 } from '../oci/digest.js';
import { isConfigMediaType, isIndexMediaType, isLayerMediaType, isManifestMediaType, layerCompression } from '../oci/media-types.js';
import { formatPlatform, platformEquals } from '../oci/platform.js';
import { decompress } from '../layer/decompress.js';
import { ImageError } from './errors.js';
import type { Artifact, Image } from './types.js';

/** Options for `validateArtifact`. */
export interface ValidateOptions {
  /** Also stream every layer to check its diffID (slow for big images). */
  deep?: boolean | undefined;
}

/**
 * `validateArtifact` is ocibake's conformance check (ggcr `validate.Image`): bytes match their
 * descriptors, the media type family is consistent, every blob is in `store`, layer count
 * equals diff_ids, history agrees with the layers, an index's platforms match the configs.
 * It returns the problems found; an empty list means valid.
 */
export async function validateArtifact(store: BlobReader, a: Artifact, o: ValidateOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const bytes = a.kind === 'image' ? a.bytes.manifest : a.bytes;
  checkBytes(problems, 'manifest', a.descriptor, bytes);
  if (a.kind === 'image') {
    await validateImage(store, a, problems, o);
    return problems;
  }
  if (!isIndexMediaType(a.descriptor.mediaType)) problems.push(`index has media type ${a.descriptor.mediaType}`);
  const docker = a.descriptor.mediaType.includes('docker');
  for (const m of a.index.manifests) {
    if (m.mediaType.includes('docker') !== docker) problems.push(`index mixes media type families: ${m.mediaType}`);
    const child = a.children.get(m.digest);
    if (!child) {
      problems.push(`index child ${m.digest} not loaded`);
      continue;
    }
    if (child.descriptor.size !== m.size) problems.push(`index entry ${m.digest} size ${m.size} != ${child.descriptor.size}`);
    if (child.kind === 'image' && m.platform && !platformEquals(m.platform, platformOfImage(child))) {
      problems.push(`index says ${formatPlatform(m.platform)} but the config of ${m.digest} says ${formatPlatform(platformOfImage(child))}`);
    }
    if (!(await store.exists(m))) problems.push(`manifest ${m.digest} missing from the store`);
    problems.push(...(await validateArtifact(store, child, o)));
  }
  return problems;
}

/** `assertValidArtifact` throws an `ImageError` listing every problem `validateArtifact` finds. */
export async function assertValidArtifact(store: BlobReader, a: Artifact, o: ValidateOptions = {}): Promise<void> {
  const problems = await validateArtifact(store, a, o);
  if (problems.length) throw new ImageError('OCIBAKE_INVALID_MANIFEST', `invalid image ${a.descriptor.digest}: ${problems.join('; ')}`);
}

async function validateImage(store: BlobReader, img: Image, problems: string[], o: ValidateOptions): Promise<void> {
  const { manifest, config } = img;
  if (!isManifestMediaType(img.descriptor.mediaType)) problems.push(`manifest has media type ${img.descriptor.mediaType}`);
  if (manifest.mediaType && manifest.mediaType !== img.descriptor.mediaType)
    problems.push(`manifest mediaType ${manifest.mediaType} != descriptor ${img.descriptor.mediaType}`);
  const docker = img.descriptor.mediaType.includes('docker');
  if (!isConfigMediaType(manifest.config.mediaType)) problems.push(`config media type ${manifest.config.mediaType}`);
  checkBytes(problems, 'config', manifest.config, img.bytes.config);
  if (!(await store.exists(manifest.config))) problems.push(`config ${manifest.config.digest} missing from the store`);
  if (!config.os || !config.architecture) problems.push('config lacks os or architecture');
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) problems.push(`${manifest.layers.length} layers but ${diffIds.length} diff_ids`);
  if (config.history) {
    const withLayer = config.history.filter((h) => !h.empty_layer).length;
    if (withLayer !== manifest.layers.length) problems.push(`history has ${withLayer} non-empty entries for ${manifest.layers.length} layers`);
  }
  for (const [i, layer] of [manifest.config, ...manifest.layers].entries()) {
    if (layer.mediaType.includes('docker') !== docker) problems.push(`mixed media type families: ${layer.mediaType}`);
    if (i > 0 && !isLayerMediaType(layer.mediaType)) problems.push(`layer media type ${layer.mediaType}`);
  }
  for (const [i, layer] of manifest.layers.entries()) {
    if (!(await store.exists(layer))) {
      problems.push(`layer ${layer.digest} missing from the store`);
      continue;
    }
    if (o.deep && diffIds[i]) {
      const hash = createHash('sha256');
      for await (const chunk of decompress(await store.fetch(layer), layerCompression(layer.mediaType) === 'gzip' ? 'gzip' : 'none'))
        hash.update(chunk as Buffer);
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== diffIds[i]) problems.push(`layer ${layer.digest} diff_id is ${actual}, config says ${diffIds[i]}`);
    }
  }
}

function checkBytes(problems: string[], what: string, d: Descriptor, bytes: Uint8Array): void {
  if (bytes.byteLength !== d.size) problems.push(`${what} ${d.digest}: size ${bytes.byteLength} != ${d.size}`);
  if (sha256(bytes) !== d.digest) problems.push(`${what} bytes do not hash to ${d.digest}`);
}

function platformOfImage(img: Image): { os: string; architecture: string; variant?: string } {
  return img.config.variant
    ? { os: img.config.os, architecture: img.config.architecture, variant: img.config.variant }
    : { os: img.config.os, architecture: img.config.architecture };
}
