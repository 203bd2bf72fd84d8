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
export type ParsedManifest = { kind: 'index'; mediaType: string; index: Index } | { kind: 'manifest'; mediaType: string; manifest: Manifest };

/**
 * `parseManifestOrIndex` decodes manifest bytes, telling index from image manifest by the
 * media type (given by the server or in the document) and falling back to the shape.
 */
export function parseManifestOrIndex(bytes: Uint8Array, contentType?: string): ParsedManifest {
  const doc = parseJsonObject(bytes, 'manifest');
  const obj = doc;
  const declared = typeof obj['mediaType'] === 'string' ? obj['mediaType'] : undefined;
  const ct = contentType?.split(';')[0]?.trim();
  const mediaType = declared ?? (ct && (isIndexMediaType(ct) || isManifestMediaType(ct)) ? ct : undefined);
  if (obj['schemaVersion'] !== 2) {
    throw new OcibakeError('OCIBAKE_UNSUPPORTED_MEDIA_TYPE', `unsupported manifest schemaVersion ${String(obj['schemaVersion'])}`, {
      hint: 'only schema 2 manifests (OCI or Docker v2) are supported; schema 1 is deprecated',
    });
  }
  if ((mediaType && isIndexMediaType(mediaType)) || (!mediaType && Array.isArray(obj['manifests']))) {
    if (!Array.isArray(obj['manifests'])) throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', 'index has no manifests array');
    (obj['manifests'] as unknown[]).forEach((d, i) => checkDescriptor(d, `index entry ${i}`));
    return { kind: 'index', mediaType: mediaType ?? 'application/vnd.oci.image.index.v1+json', index: obj as unknown as Index };
  }
  if ((mediaType && isManifestMediaType(mediaType)) || (!mediaType && obj['config'] !== undefined)) {
    if (!Array.isArray(obj['layers']) || typeof obj['config'] !== 'object') {
      throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', 'manifest has no config or layers');
    }
    checkDescriptor(obj['config'], 'manifest config');
    (obj['layers'] as unknown[]).forEach((d, i) => checkDescriptor(d, `manifest layer ${i}`));
    return { kind: 'manifest', mediaType: mediaType ?? 'application/vnd.oci.image.manifest.v1+json', manifest: obj as unknown as Manifest };
  }
  throw new OcibakeError('OCIBAKE_UNSUPPORTED_MEDIA_TYPE', `unsupported manifest media type ${mediaType ?? '(none)'}`);
}

/** Deeper JSON than this is refused before parsing: real manifests and configs nest a handful of levels. */
const MAX_JSON_DEPTH = 64;

/**
 * `parseJsonObject` parses registry or layout JSON that must be an object, refusing documents
 * nested deeper than any real manifest or config (a hostile 200,000-level config would otherwise
 * overflow the stack of whatever walks it).
 */
export function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  const text = Buffer.from(bytes).toString('utf8');
  const hint = 'the image is malformed (or hostile): rebuild it, or pull it again from a registry you trust';
  if (jsonDepth(text) > MAX_JSON_DEPTH)
    throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', `${what} is nested more than ${MAX_JSON_DEPTH} levels deep`, { hint });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', `${what} is not valid JSON`, { cause: err, hint });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', `${what} is not a JSON object`, { hint });
  return doc as Record<string, unknown>;
}

/**
 * `parseImageConfig` decodes an image config and checks the fields ocibake relies on (os,
 * architecture, rootfs.diff_ids, config), so a malformed config is one clear error, not a
 * TypeError deep in the build.
 */
export function parseImageConfig(bytes: Uint8Array, where: string): ImageConfig {
  const doc = parseJsonObject(bytes, `config ${where}`);
  const bad = (why: string): never => {
    throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', `config ${where}: ${why}`, { hint: 'the image config is malformed; rebuild or re-pull the image' });
  };
  if (typeof doc['os'] !== 'string') bad('"os" is not a string');
  if (typeof doc['architecture'] !== 'string') bad('"architecture" is not a string');
  if (doc['variant'] !== undefined && typeof doc['variant'] !== 'string') bad('"variant" is not a string');
  const rootfs = doc['rootfs'] as Record<string, unknown> | undefined;
  if (!rootfs || typeof rootfs !== 'object' || !Array.isArray(rootfs['diff_ids'])) bad('"rootfs.diff_ids" is not an array');
  for (const d of rootfs!['diff_ids'] as unknown[])
    if (typeof d !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(d)) bad(`diff_id ${JSON.stringify(d)} is not a sha256 digest`);
  const c = doc['config'];
  if (c !== undefined && c !== null && (typeof c !== 'object' || Array.isArray(c))) bad('"config" is not an object');
  if (c && typeof c === 'object') {
    const cfg = c as Record<string, unknown>;
    for (const k of ['Env', 'Entrypoint', 'Cmd', 'Shell', 'OnBuild']) {
      const v = cfg[k];
      if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) bad(`"config.${k}" is not a list of strings`);
    }
    for (const k of ['User', 'WorkingDir', 'StopSignal']) if (cfg[k] !== undefined && typeof cfg[k] !== 'string') bad(`"config.${k}" is not a string`);
    for (const k of ['Labels', 'ExposedPorts', 'Volumes']) {
      const v = cfg[k];
      if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) bad(`"config.${k}" is not an object`);
    }
  }
  if (doc['history'] !== undefined && !Array.isArray(doc['history'])) bad('"history" is not an array');
  return doc as unknown as ImageConfig;
}

/** `checkDescriptor` throws unless `d` has the mediaType, digest and size every descriptor needs. */
export function checkDescriptor(d: unknown, what: string): void {
  const o = d as Record<string, unknown> | null;
  const ok =
    o !== null &&
    typeof o === 'object' &&
    typeof o['mediaType'] === 'string' &&
    typeof o['digest'] === 'string' &&
    /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(o['digest']) &&
    typeof o['size'] === 'number' &&
    Number.isSafeInteger(o['size']) &&
    o['size'] >= 0;
  if (!ok) throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', `${what} is not a valid descriptor (mediaType, digest, size)`);
}

/** Deepest bracket nesting outside strings, stopping early once past the limit. */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
      if (max > MAX_JSON_DEPTH) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}
