import { descriptorOf, type Descriptor } from '../oci/descriptor.js';
import { isDigest, type Digest } from '../oci/digest.js';
import { canonicalJson, checkDescriptor, parseJsonObject } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { StepCacheError } from './errors.js';

/** The config media type of an ocibake build cache, and the manifest's `artifactType`. */
export const CACHE_CONFIG_MEDIA_TYPE = 'application/vnd.ocibake.cache.config.v1+json';
export const CACHE_ARTIFACT_TYPE = 'application/vnd.ocibake.cache.v1';

/** `CacheMode` is BuildKit's: `min` keeps the final images' steps, `max` every step of the build. */
export type CacheMode = 'min' | 'max';

/** `CacheEntry` is one step's result as a cache records it: its layer (or `null`: it changed nothing). */
export interface CacheEntry {
  layer: { descriptor: Descriptor; diffId: Digest } | null;
  /** Ran under qemu when it was made (the summary of a cached build says so). */
  emulated?: boolean | undefined;
}

/** `CacheConfig` is the cache's config blob: step key → entry, keys sorted. */
export interface CacheConfig {
  version: 1;
  entries: Record<string, CacheEntry>;
}

/** `CacheArtifact` is an encoded cache: the manifest and config bytes, and the layers it references. */
export interface CacheArtifact {
  manifest: { descriptor: Descriptor; bytes: Uint8Array };
  config: { descriptor: Descriptor; bytes: Uint8Array };
  layers: Descriptor[];
}

/** At most this many entries are kept when caches are merged: the newest build's first. */
export const MAX_CACHE_ENTRIES = 20_000;

const KEY = /^[0-9a-f]{64}$/;

/**
 * `encodeCache` writes entries as an OCI image manifest (BuildKit's `image-manifest=true` form,
 * which every registry accepts): the config maps step keys to layers, and the manifest's layers
 * are those blobs, so a registry keeps them alive and a copy moves them. The bytes depend only
 * on the entries, so two runners with the same steps write the same digest.
 */
export function encodeCache(entries: ReadonlyMap<string, CacheEntry>): CacheArtifact {
  const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const config: CacheConfig = {
    version: 1,
    entries: Object.fromEntries(
      sorted.map(([k, e]) => [
        k,
        { layer: e.layer && { descriptor: plain(e.layer.descriptor), diffId: e.layer.diffId }, ...(e.emulated ? { emulated: true } : {}) },
      ]),
    ),
  };
  const configBytes = canonicalJson(config);
  const configDesc = descriptorOf(configBytes, CACHE_CONFIG_MEDIA_TYPE);
  const layers = new Map<string, Descriptor>();
  for (const [, e] of sorted) if (e.layer && !layers.has(e.layer.descriptor.digest)) layers.set(e.layer.descriptor.digest, plain(e.layer.descriptor));
  const layerList = [...layers.values()].sort((a, b) => (a.digest < b.digest ? -1 : 1));
  const manifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, artifactType: CACHE_ARTIFACT_TYPE, config: configDesc, layers: layerList };
  const manifestBytes = canonicalJson(manifest);
  return {
    manifest: { descriptor: descriptorOf(manifestBytes, MediaType.OciManifest), bytes: manifestBytes },
    config: { descriptor: configDesc, bytes: configBytes },
    layers: layerList,
  };
}

/**
 * `decodeCacheConfig` reads a cache config and checks its shape: every key a step key, every
 * layer a valid descriptor with a diffID. Anything else is an `OCIBAKE_CACHE_INVALID` error (the
 * caller warns and builds without that cache).
 */
export function decodeCacheConfig(bytes: Uint8Array, where: string): Map<string, CacheEntry> {
  const bad = (why: string): never => {
    throw new StepCacheError('OCIBAKE_CACHE_INVALID', `${where} is not an ocibake build cache: ${why}`, {
      hint: 'point --cache-from at a ref written by ocibake --cache-to',
    });
  };
  let doc: Record<string, unknown>;
  try {
    doc = parseJsonObject(bytes, `cache config of ${where}`);
  } catch (err) {
    return bad((err as Error).message);
  }
  if (doc['version'] !== 1) bad(`version ${JSON.stringify(doc['version'])} is not 1`);
  const raw = doc['entries'];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad('no entries object');
  const out = new Map<string, CacheEntry>();
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!KEY.test(k)) bad(`entry key ${JSON.stringify(k.slice(0, 80))} is not a step key`);
    const e = v as Record<string, unknown> | null;
    if (e === null || typeof e !== 'object') return bad(`entry ${k} is not an object`);
    const layer = e['layer'] as Record<string, unknown> | null | undefined;
    if (layer === null) {
      out.set(k, { layer: null });
      continue;
    }
    if (layer === undefined || typeof layer !== 'object') return bad(`entry ${k} has no layer`);
    try {
      checkDescriptor(layer['descriptor'], `layer of entry ${k}`);
    } catch (err) {
      bad((err as Error).message);
    }
    if (!isDigest(layer['diffId'])) bad(`entry ${k} has no valid diffId`);
    out.set(k, {
      layer: { descriptor: plain(layer['descriptor'] as Descriptor), diffId: layer['diffId'] as Digest },
      ...(e['emulated'] === true ? { emulated: true } : {}),
    });
  }
  return out;
}

/**
 * `mergeCaches` is what a shared cache ref ends up holding: this build's entries, then the ones
 * already there (so runners that build different platforms into one ref keep each other's
 * steps), up to `MAX_CACHE_ENTRIES`.
 */
export function mergeCaches(
  ours: ReadonlyMap<string, CacheEntry>,
  theirs: ReadonlyMap<string, CacheEntry> | undefined,
  max = MAX_CACHE_ENTRIES,
): Map<string, CacheEntry> {
  const out = new Map(ours);
  for (const [k, e] of theirs ?? []) {
    if (out.size >= max) break;
    if (!out.has(k)) out.set(k, e);
  }
  return out;
}

function plain(d: Descriptor): Descriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}
