import type { Descriptor } from '../oci/descriptor.js';
import { descriptorOf } from '../oci/descriptor.js';
import { canonicalJson, type ContainerConfig, type HistoryEntry, type ImageConfig, type Manifest } from '../oci/manifest.js';
import { convertMediaType, isLayerMediaType, type MediaFormat, mediaTypesFor } from '../oci/media-types.js';
import { normalizePlatform, type Platform } from '../oci/platform.js';
import { ImageError } from './errors.js';
import type { Image, Layer } from './types.js';

/** `AppendedLayer` is a new layer and the history entry that says how it was made. */
export interface AppendedLayer extends Layer {
  history?: HistoryEntry | undefined;
}

/** `ConfigChanges` sets container config fields; a field given as `undefined` is removed. */
export type ConfigChanges = { [K in keyof ContainerConfig]?: ContainerConfig[K] | undefined };

/** Options for `buildImage`. */
export interface BuildImageOptions {
  /** The base image; omitted means `FROM scratch`. */
  base?: Image | undefined;
  /** Required for scratch; defaults to the base's platform. */
  platform?: Platform | undefined;
  layers?: readonly AppendedLayer[] | undefined;
  /** History of steps without a layer (ENV, CMD, …); `empty_layer` is set for them. */
  emptyHistory?: readonly HistoryEntry[] | undefined;
  /** Fields to set on the container config (a key present with `undefined` removes it). */
  config?: ConfigChanges | undefined;
  /** Replace the container config entirely (what lib/build's config steps compute). */
  replaceConfig?: ContainerConfig | undefined;
  /** Manifest annotations (e.g. org.opencontainers.image.base.digest). */
  annotations?: Record<string, string> | undefined;
  /** Creation time: a Date, an ISO string or seconds since the epoch (SOURCE_DATE_EPOCH). Default epoch 0. */
  created?: Date | string | number | undefined;
  author?: string | undefined;
  /** Media type family of the result (default `oci`); base layers are converted, never mixed. */
  format?: MediaFormat | undefined;
}

/**
 * `buildImage` returns a new `Image`: the base's layers plus `layers`, the base config with
 * the platform, history, diff_ids, created time and config changes applied. Pure: no I/O, the
 * layer blobs must already be in a store. Manifest and config are canonical JSON, so the same
 * options always give the same digest.
 *
 *   const img = buildImage({ base, layers: [{ ...written, history: { created_by: 'COPY app /app' } }], config: { Cmd: ['/app'] }, created: 0 });
 */
export function buildImage(o: BuildImageOptions): Image {
  const format = o.format ?? 'oci';
  const types = mediaTypesFor(format);
  const platform = o.platform ? normalizePlatform(o.platform) : undefined;
  if (!o.base && !platform)
    throw new ImageError('OCIBAKE_INVALID_MANIFEST', 'an image from scratch needs a platform', {
      hint: 'pass platform: { os: "linux", architecture: "amd64" }',
    });
  const created = toIso(o.created ?? 0);
  const base = o.base?.config;
  const config: ImageConfig = structuredClone(base ?? { architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [] } });
  for (const stale of ['container', 'container_config', 'docker_version', 'id', 'parent']) delete config[stale];
  if (platform) {
    config.architecture = platform.architecture;
    config.os = platform.os;
    if (platform.variant) config.variant = platform.variant;
    else delete config.variant;
  }
  config.created = created;
  if (o.author !== undefined) config.author = o.author;
  const layers = o.layers ?? [];
  config.rootfs = { type: 'layers', diff_ids: [...(base?.rootfs.diff_ids ?? []), ...layers.map((l) => l.diffId)] };
  const history = [...(base?.history ?? [])];
  for (const h of o.emptyHistory ?? []) history.push({ created, ...h, empty_layer: true });
  for (const l of layers) history.push({ created, ...(l.history ?? { created_by: 'ocibake' }) });
  if (history.length) config.history = history;
  let container: ContainerConfig = o.replaceConfig ? structuredClone(o.replaceConfig) : structuredClone(config.config ?? {});
  if (o.config) container = { ...container, ...o.config } as ContainerConfig;
  for (const k of Object.keys(container) as (keyof ContainerConfig)[]) if (container[k] === undefined) delete container[k];
  config.config = container;

  const configBytes = canonicalJson(config);
  const configDesc = descriptorOf(configBytes, types.config);
  const baseLayers = (o.base?.manifest.layers ?? []).map((l) => convertLayer(l, format));
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: configDesc,
    layers: [...baseLayers, ...layers.map((l) => convertLayer(l.descriptor, format))],
  };
  if (o.annotations && Object.keys(o.annotations).length) {
    if (format === 'docker')
      throw new ImageError('OCIBAKE_INVALID_MANIFEST', 'Docker v2 manifests have no annotations', { hint: 'use --format oci, or drop the annotations' });
    manifest.annotations = { ...o.annotations };
  }
  if (manifest.layers.length !== config.rootfs.diff_ids.length) {
    throw new ImageError('OCIBAKE_INVALID_MANIFEST', `image has ${manifest.layers.length} layers but ${config.rootfs.diff_ids.length} diff_ids`);
  }
  const manifestBytes = canonicalJson(manifest);
  const descriptor: Descriptor = { ...descriptorOf(manifestBytes, types.manifest), platform: platformOf(config) };
  return { kind: 'image', descriptor, manifest, config, bytes: { manifest: manifestBytes, config: configBytes } };
}

function convertLayer(l: Descriptor, format: MediaFormat): Descriptor {
  if (!isLayerMediaType(l.mediaType)) throw new ImageError('OCIBAKE_INVALID_MANIFEST', `not a layer media type: ${l.mediaType}`);
  const mediaType = convertMediaType(l.mediaType, format);
  const ok = format === 'docker' ? mediaType.startsWith('application/vnd.docker.') : !mediaType.startsWith('application/vnd.docker.');
  if (!ok) {
    throw new ImageError('OCIBAKE_INVALID_MANIFEST', `layer ${l.digest} (${l.mediaType}) has no ${format} media type`, {
      hint: format === 'docker' ? 'Docker v2 images need gzip layers: use --format oci' : undefined,
    });
  }
  const out: Descriptor = { mediaType, digest: l.digest, size: l.size };
  if (l.annotations) out.annotations = l.annotations;
  if (l.urls) out.urls = l.urls;
  return out;
}

function platformOf(config: ImageConfig): Platform {
  const p: Platform = { os: config.os, architecture: config.architecture };
  if (config.variant) p.variant = config.variant;
  return p;
}

function toIso(t: Date | string | number): string {
  const d = typeof t === 'number' ? new Date(t * 1000) : typeof t === 'string' ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) throw new ImageError('OCIBAKE_INVALID_MANIFEST', `invalid creation time ${String(t)}`);
  // RFC 3339 without milliseconds, as BuildKit writes it for SOURCE_DATE_EPOCH.
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
