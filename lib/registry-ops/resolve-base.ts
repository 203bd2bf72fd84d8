import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { type ImageConfig, type Manifest, parseManifestOrIndex } from '../oci/manifest.js';
import { type Platform, formatPlatform, platformMatches } from '../oci/platform.js';
import { verifyBytes } from '../oci/verify.js';
import { OcibakeError } from '../errors.js';
import { type Reference, type RegistryClient, RegistryStore, formatReference, parseReference, selectPlatform } from '../../registry/index.js';

/** `ResolvedBase` is a base image for one platform, resolved without downloading its layers. */
export interface ResolvedBase {
  /** The reference as the user wrote it, normalised (`docker.io/library/alpine:3.20`). */
  name: string;
  reference: Reference;
  /** The image manifest for the platform. */
  manifest: Manifest;
  manifestBytes: Uint8Array;
  /** Its descriptor (with platform): what `org.opencontainers.image.base.digest` records (DESIGN.md §5.12). */
  descriptor: Descriptor;
  config: ImageConfig;
  configBytes: Uint8Array;
  /** The per-platform manifest digest, the base digest of rebase tools. */
  baseDigest: Digest;
  /** The digest the name resolved to (an index, or the manifest itself). */
  rootDigest: Digest;
  /** A store for the base's repository: layers can be fetched or mounted from it. */
  store: RegistryStore;
}

/**
 * `resolveBase` resolves `ref` for `platform`: the tag to an index or manifest, the index entry
 * for the platform (skipping attestations; a missing platform is an error listing what exists),
 * then the manifest and config, each verified against its digest. Layers are not downloaded.
 *
 *   const base = await resolveBase(client, 'alpine:3.20', parsePlatform('linux/arm64'));
 */
export async function resolveBase(client: RegistryClient, ref: string | Reference, platform: Platform, signal?: AbortSignal): Promise<ResolvedBase> {
  const reference = typeof ref === 'string' ? parseReference(ref) : ref;
  const name = formatReference(reference);
  const root = await client.getManifest(reference, signal);
  let manifestBytes = root.bytes;
  let descriptor: Descriptor = root.descriptor;
  let parsed = parseManifestOrIndex(root.bytes, root.descriptor.mediaType);
  if (parsed.kind === 'index') {
    const choice = selectPlatform(parsed.index, platform, name);
    const child = await client.getManifest({ registry: reference.registry, repository: reference.repository, digest: choice.descriptor.digest }, signal);
    verifyBytes(choice.descriptor, child.bytes);
    manifestBytes = child.bytes;
    descriptor = { ...choice.descriptor, mediaType: child.descriptor.mediaType };
    parsed = parseManifestOrIndex(child.bytes, child.descriptor.mediaType);
    if (parsed.kind !== 'manifest') throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', `${name}: the ${formatPlatform(platform)} entry is a nested index`);
  }
  const manifest = parsed.manifest;
  const store = new RegistryStore(client, reference);
  const configBytes = await readSmall(store, manifest.config);
  const config = JSON.parse(Buffer.from(configBytes).toString('utf8')) as ImageConfig;
  const actual: Platform = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
  // A single-platform image has no index to choose from; its config must match what was asked.
  if (root.descriptor.digest === descriptor.digest && !platformMatches(platform, actual)) {
    throw new OcibakeError('OCIBAKE_PLATFORM_NOT_FOUND', `${name} is a single-platform image for ${formatPlatform(actual)}, not ${formatPlatform(platform)}`, {
      hint: 'use a multi-platform base image, or drop the platform from --platform',
    });
  }
  if (!descriptor.platform) descriptor = { ...descriptor, platform: actual };
  return { name, reference, manifest, manifestBytes, descriptor, config, configBytes, baseDigest: descriptor.digest, rootDigest: root.descriptor.digest, store };
}

async function readSmall(store: RegistryStore, desc: Descriptor): Promise<Uint8Array> {
  if (desc.size > 8 * 1024 * 1024) throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', `config blob ${desc.digest} is ${desc.size} bytes, too large for a config`);
  const parts: Buffer[] = [];
  for await (const c of await store.fetch(desc)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
