import { OcibakeError } from '../errors.js';
import { descriptorOf, type Descriptor } from '../oci/descriptor.js';
import { canonicalJson, parseImageConfig, parseManifestOrIndex, type Index } from '../oci/manifest.js';
import { isIndexMediaType, mediaTypesFor, MediaType } from '../oci/media-types.js';
import { formatPlatform, normalizePlatform } from '../oci/platform.js';
import { MemoryStore } from '../store/memory-store.js';
import { readBlob } from '../store/read-blob.js';
import { publishToRegistry } from '../output/registry-publisher.js';
import type { Published } from '../output/publisher.js';
import { RoutingReader } from '../store/routing-reader.js';
import type { ProgressSink } from '../progress.js';
import { formatReference, parseReference, RegistryStore, type RegistryClient } from '../../registry/index.js';

/** Options for `createIndex`. */
export interface CreateIndexOptions {
  annotations?: Record<string, string> | undefined;
  /** Compute and return the index without pushing it. */
  dryRun?: boolean | undefined;
  progress?: ProgressSink | undefined;
  signal?: AbortSignal | undefined;
}

/** `CreatedIndex` is the index that was (or would be) pushed. */
export interface CreatedIndex {
  descriptor: Descriptor;
  bytes: Uint8Array;
  platforms: string[];
  published: Published[];
}

/**
 * `createIndex` merges per-platform images (each source an image or an index, e.g. pushed by
 * separate CI runners with `--push-by-digest`) into one index and pushes it under `tags`, like
 * `docker buildx imagetools create`. Children are copied (or mounted) into the target
 * repository first, so the index never points at missing manifests. Two sources for the same
 * platform, or Docker and OCI manifests mixed, are refused.
 *
 *   ocibake index create -t reg/app:1.0 reg/app@sha256:<amd64> reg/app@sha256:<arm64>
 */
export async function createIndex(
  client: RegistryClient,
  tags: readonly string[],
  sources: readonly string[],
  o: CreateIndexOptions = {},
): Promise<CreatedIndex> {
  if (tags.length === 0)
    throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', 'index create needs at least one -t REGISTRY/REPOSITORY:TAG', {
      hint: 'e.g. ocibake index create -t ghcr.io/you/app:1.0 SRC...',
    });
  if (sources.length === 0)
    throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', 'index create needs at least one source image', {
      hint: 'name images by digest, e.g. ghcr.io/you/app@sha256:…',
    });
  const reader = new RoutingReader({ label: 'the source images' });
  const children: Descriptor[] = [];
  const seen = new Map<string, string>();
  for (const src of sources) {
    const ref = parseReference(src);
    const name = formatReference(ref);
    const store = new RegistryStore(client, ref);
    const got = await client.getManifest(ref, o.signal);
    const parsed = parseManifestOrIndex(got.bytes, got.descriptor.mediaType);
    const add = async (desc: Descriptor, bytes: Uint8Array | undefined): Promise<void> => {
      let platform = desc.platform;
      if (!platform) {
        const manifestBytes = bytes ?? (await readBlob(store, desc));
        const m = parseManifestOrIndex(manifestBytes, desc.mediaType);
        if (m.kind !== 'manifest') throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', `${name}: nested indexes cannot be merged`);
        // A config from the network is shape-checked before any field is read (an array, or JSON nested 200,000 deep).
        const config = parseImageConfig(await readBlob(store, m.manifest.config), `${m.manifest.config.digest} of ${name}`);
        platform = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
      }
      const key = formatPlatform(normalizePlatform(platform));
      const prev = seen.get(key);
      if (prev) throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', `two sources provide ${key}: ${prev} and ${name}`, { hint: 'pass one image per platform' });
      seen.set(key, name);
      reader.route([desc], store);
      children.push({ mediaType: desc.mediaType, digest: desc.digest, size: desc.size, platform });
    };
    if (parsed.kind === 'index') {
      reader.route([got.descriptor], store);
      for (const d of parsed.index.manifests) {
        if (d.platform?.os === 'unknown' || d.platform?.architecture === 'unknown') continue; // attestations
        await add(d, undefined);
      }
    } else {
      await add({ ...got.descriptor, mediaType: parsed.mediaType }, got.bytes);
    }
  }
  const docker = children.every((c) => c.mediaType === MediaType.DockerManifest);
  const oci = children.every((c) => c.mediaType === MediaType.OciManifest);
  if (!docker && !oci) {
    throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', 'the sources mix Docker v2 and OCI manifests (or include indexes), which one index cannot hold', {
      hint: 'rebuild every platform with the same --format',
    });
  }
  const types = mediaTypesFor(docker ? 'docker' : 'oci');
  const index: Index = { schemaVersion: 2, mediaType: types.index, manifests: children };
  if (o.annotations && Object.keys(o.annotations).length) {
    if (docker)
      throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', 'Docker manifest lists have no annotations', { hint: 'drop --annotation or use OCI images' });
    index.annotations = { ...o.annotations };
  }
  const bytes = canonicalJson(index);
  const descriptor = descriptorOf(bytes, types.index);
  const platforms = children.map((c) => formatPlatform(normalizePlatform(c.platform!)));
  if (o.dryRun) return { descriptor, bytes, platforms, published: [] };
  if (!isIndexMediaType(descriptor.mediaType)) throw new OcibakeError('OCIBAKE_INTERNAL', 'not an index');
  const top = new MemoryStore();
  await top.push(descriptor, bytes);
  reader.route([descriptor], top);
  const published = await publishToRegistry(client, { root: descriptor, store: reader }, tags, { progress: o.progress, signal: o.signal });
  return { descriptor, bytes, platforms, published };
}
