import type { Descriptor } from './descriptor.js';
import type { Digest } from './digest.js';
import type { Platform } from './platform.js';
import { OcibakeError } from '../errors.js';
import { isIndexMediaType, isManifestMediaType } from './media-types.js';

/** `Manifest` is an OCI image manifest or a Docker schema 2 manifest (same shape). */
export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** `Index` is an OCI image index or a Docker manifest list (same shape). */
export interface Index {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** `HealthConfig` is Docker's healthcheck block, kept in OCI configs the way Docker writes it. */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** `ContainerConfig` is the `config` block of an image config (Docker-compatible superset of OCI). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig;
  OnBuild?: string[] | null;
  Shell?: string[];
}

/** `HistoryEntry` records how a layer (or an empty step) was made. */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** `ImageConfig` is the OCI image configuration (config.md), with Docker's extra fields allowed. */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
  [extra: string]: unknown;
}

/**
 * `canonicalJson` encodes a value with object keys sorted and no whitespace, so the same data
 * always gives the same bytes and therefore the same digest. `undefined` members are dropped.
 */
export function canonicalJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(sortKeys(value)), 'utf8');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** `platformOfConfig` reads the platform an image config declares. */
export function platformOfConfig(config: ImageConfig): Platform {
  const p: Platform = { os: config.os, architecture: config.architecture };
  if (config.variant) p.variant = config.variant;
  if (config['os.version']) p.osVersion = config['os.version'];
  return p;
}

/** `ParsedManifest` is what `parseManifestOrIndex` returns: which kind it is, plus the data. */
export type ParsedManifest =
  | { kind: 'index'; mediaType: string; index: Index }
  | { kind: 'manifest'; mediaType: string; manifest: Manifest };

/**
 * `parseManifestOrIndex` decodes manifest bytes, telling index from image manifest by the
 * media type (given by the server or in the document) and falling back to the shape.
 */
export function parseManifestOrIndex(bytes: Uint8Array, contentType?: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', 'manifest is not valid JSON', { cause: err });
  }
  if (doc === null || typeof doc !== 'object') {
    throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', 'manifest is not a JSON object');
  }
  const obj = doc as Record<string, unknown>;
  const declared = typeof obj['mediaType'] === 'string' ? (obj['mediaType'] as string) : undefined;
  const ct = contentType?.split(';')[0]?.trim();
  const mediaType = declared ?? (ct && (isIndexMediaType(ct) || isManifestMediaType(ct)) ? ct : undefined);
  if (obj['schemaVersion'] !== 2) {
    throw new OcibakeError('OCIBAKE_UNSUPPORTED_MEDIA_TYPE', `unsupported manifest schemaVersion ${String(obj['schemaVersion'])}`, {
      hint: 'only schema 2 manifests (OCI or Docker v2) are supported; schema 1 is deprecated',
    });
  }
  if ((mediaType && isIndexMediaType(mediaType)) || (!mediaType && Array.isArray(obj['manifests']))) {
    if (!Array.isArray(obj['manifests'])) throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', 'index has no manifests array');
    return { kind: 'index', mediaType: mediaType ?? 'application/vnd.oci.image.index.v1+json', index: obj as unknown as Index };
  }
  if ((mediaType && isManifestMediaType(mediaType)) || (!mediaType && obj['config'] !== undefined)) {
    if (!Array.isArray(obj['layers']) || typeof obj['config'] !== 'object') {
      throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', 'manifest has no config or layers');
    }
    return { kind: 'manifest', mediaType: mediaType ?? 'application/vnd.oci.image.manifest.v1+json', manifest: obj as unknown as Manifest };
  }
  throw new OcibakeError('OCIBAKE_UNSUPPORTED_MEDIA_TYPE', `unsupported manifest media type ${mediaType ?? '(none)'}`);
}
