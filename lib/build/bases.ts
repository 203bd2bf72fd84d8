import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OcibakeError, wrapError } from '../errors.js';
import type { BlobReader } from '../oci/content-store.js';
import { descriptorOf, type Descriptor } from '../oci/descriptor.js';
import { isDigest } from '../oci/digest.js';
import { parseManifestOrIndex } from '../oci/manifest.js';
import { formatPlatform, type Platform } from '../oci/platform.js';
import { verifyBytes } from '../oci/verify.js';
import { imageFromBytes } from '../image/load.js';
import type { Image } from '../image/types.js';
import { OciLayout } from '../store/oci-layout.js';
import { readBlob } from '../store/read-blob.js';
import type { CacheStore } from '../store/cache-store.js';
import { resolveBase } from '../registry-ops/resolve-base.js';
import { parseReference, formatReference, selectPlatform, type RegistryClient } from '../../registry/index.js';
import type { BaseOverride } from './options.js';

/** `ResolvedImage` is a base image for one platform: its manifest and config, and where its layers live. */
export interface ResolvedImage {
  /** What the base is called, for `org.opencontainers.image.base.name` (`docker.io/library/alpine:3.20`). */
  name: string;
  image: Image;
  /** Where the layer blobs can be fetched. */
  source: BlobReader;
  /** Registry + repository of the source, when it is a registry: enables cross-repo mounts. */
  registry?: { registry: string; repository: string };
}

/** Options for `BaseResolver`. */
export interface BaseResolverOptions {
  client: () => RegistryClient;
  cache: CacheStore;
  cacheDir: string;
  overrides: readonly BaseOverride[];
  offline: boolean;
  signal?: AbortSignal | undefined;
}

const LAYOUT_SCHEME = 'oci-layout://';

/**
 * `BaseResolver` resolves the FROM images of target stages per platform: `--base` overrides
 * first, then `oci-layout://DIR[:tag]`, then the registry. Online resolutions are recorded in the
 * cache (manifest + config bytes and the name → digest mapping), which is what `--offline`
 * builds resolve from. Results are memoised per (name, platform).
 */
export class BaseResolver {
  readonly #o: BaseResolverOptions;
  readonly #memo = new Map<string, Promise<ResolvedImage>>();
  readonly #registries: { registry: string; repository: string }[] = [];

  constructor(o: BaseResolverOptions) {
    this.#o = o;
  }

  /** `resolvedRegistries` lists the registry repositories bases were resolved from so far. */
  resolvedRegistries(): readonly { registry: string; repository: string }[] {
    return this.#registries;
  }

  /** `resolve` returns the base `ref` (as written in FROM, expanded) for `platform`. */
  resolve(ref: string, platform: Platform): Promise<ResolvedImage> {
    const target = this.#override(ref, platform) ?? ref;
    const key = `${target}\0${formatPlatform(platform)}`;
    let p = this.#memo.get(key);
    if (!p) {
      p = this.#resolve(target, platform).catch((err: unknown) => {
        throw wrapError(err, `resolving base image ${target} for ${formatPlatform(platform)}`);
      });
      this.#memo.set(key, p);
    }
    return p;
  }

  #override(ref: string, platform: Platform): string | undefined {
    // `--base alpine=…` replaces `FROM alpine`, `FROM alpine:3.20` and `FROM docker.io/library/alpine`;
    // `--base alpine:3.19=…` replaces only that tag.
    const matches = (o: BaseOverride): boolean =>
      o.name === ref || fullName(o.name) === fullName(ref) || (!/[:@]/.test(o.name.split('/').pop() ?? '') && repoName(o.name) === repoName(ref));
    const specific = this.#o.overrides.find((o) => o.platform && formatPlatform(o.platform) === formatPlatform(platform) && matches(o));
    return (specific ?? this.#o.overrides.find((o) => !o.platform && matches(o)))?.ref;
  }

  async #resolve(ref: string, platform: Platform): Promise<ResolvedImage> {
    if (ref.startsWith(LAYOUT_SCHEME)) return this.#fromLayout(ref.slice(LAYOUT_SCHEME.length), platform);
    if (this.#o.offline) return this.#fromRecord(ref, platform);
    const base = await resolveBase(this.#o.client(), ref, platform, this.#o.signal);
    const image = imageFromBytes(base.descriptor, base.manifestBytes, base.configBytes);
    await this.#record(ref, platform, image);
    this.#registries.push({ registry: base.reference.registry, repository: base.reference.repository });
    return { name: base.name, image, source: base.store, registry: { registry: base.reference.registry, repository: base.reference.repository } };
  }

  async #fromLayout(spec: string, platform: Platform): Promise<ResolvedImage> {
    const { dir, ref } = splitLayoutRef(spec);
    const layout = await OciLayout.open(dir, { create: false });
    let desc: Descriptor;
    if (ref) desc = await layout.resolve(ref);
    else {
      const { manifests } = await layout.index();
      if (manifests.length !== 1) {
        throw new OcibakeError('OCIBAKE_NOT_FOUND', `OCI layout ${dir} holds ${manifests.length} images; name one`, { hint: `write ${LAYOUT_SCHEME}${dir}:TAG` });
      }
      desc = manifests[0]!;
    }
    const image = await loadForPlatform(layout, desc, platform, `${LAYOUT_SCHEME}${spec}`);
    return { name: `${LAYOUT_SCHEME}${spec}`, image, source: layout };
  }

  #recordPath(ref: string, platform: Platform): string {
    const h = createHash('sha256').update(`${fullName(ref)}\0${formatPlatform(platform)}`).digest('hex');
    return join(this.#o.cacheDir, 'bases', `${h}.json`);
  }

  async #record(ref: string, platform: Platform, image: Image): Promise<void> {
    await this.#o.cache.push(descriptorOf(image.bytes.manifest, image.descriptor.mediaType), image.bytes.manifest);
    await this.#o.cache.push(image.manifest.config, image.bytes.config);
    const path = this.#recordPath(ref, platform);
    await mkdir(join(this.#o.cacheDir, 'bases'), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ ref: fullName(ref), platform: formatPlatform(platform), descriptor: image.descriptor }));
    await rename(tmp, path);
  }

  async #fromRecord(ref: string, platform: Platform): Promise<ResolvedImage> {
    let desc: Descriptor;
    try {
      desc = (JSON.parse(await readFile(this.#recordPath(ref, platform), 'utf8')) as { descriptor: Descriptor }).descriptor;
    } catch {
      throw new OcibakeError('OCIBAKE_NOT_FOUND', `${ref} for ${formatPlatform(platform)} is not in the cache and --offline forbids the registry`, {
        hint: `run the build once online (or \`ocibake pull ${ref} --platform ${formatPlatform(platform)}\`), or use --base ${ref}=oci-layout://DIR:TAG`,
      });
    }
    const image = await loadForPlatform(this.#o.cache, desc, platform, ref);
    return { name: fullName(ref), image, source: this.#o.cache };
  }
}

/** Reads an image or picks the platform's image out of an index, verifying every byte. */
async function loadForPlatform(store: BlobReader, desc: Descriptor, platform: Platform, name: string): Promise<Image> {
  const bytes = await readBlob(store, desc);
  verifyBytes(desc, bytes);
  const parsed = parseManifestOrIndex(bytes, desc.mediaType);
  let manifestDesc = desc;
  let manifestBytes: Uint8Array = bytes;
  if (parsed.kind === 'index') {
    const choice = selectPlatform(parsed.index, platform, name);
    manifestDesc = choice.descriptor;
    manifestBytes = await readBlob(store, manifestDesc);
    verifyBytes(manifestDesc, manifestBytes);
  }
  const manifest = parseManifestOrIndex(manifestBytes, manifestDesc.mediaType);
  if (manifest.kind !== 'manifest') throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', `${name}: nested indexes are not supported as a base`);
  const configBytes = await readBlob(store, manifest.manifest.config);
  verifyBytes(manifest.manifest.config, configBytes);
  const image = imageFromBytes({ ...manifestDesc, mediaType: manifest.mediaType }, manifestBytes, configBytes);
  const actual = `${image.config.os}/${image.config.architecture}${image.config.variant ? `/${image.config.variant}` : ''}`;
  if (parsed.kind !== 'index' && actual.replace('/v8', '') !== formatPlatform(platform) && !(platform.architecture === 'arm' && actual === 'linux/arm')) {
    throw new OcibakeError('OCIBAKE_PLATFORM_NOT_FOUND', `${name} is a single-platform image for ${actual}, not ${formatPlatform(platform)}`, {
      hint: 'use a multi-platform base image, or drop the platform from --platform',
    });
  }
  return image;
}

/** `splitLayoutRef` splits `DIR[:tag|@digest]`; a colon inside the directory part is kept. */
export function splitLayoutRef(spec: string): { dir: string; ref?: string } {
  const at = spec.lastIndexOf('@');
  if (at > 0 && isDigest(spec.slice(at + 1))) return { dir: spec.slice(0, at), ref: spec.slice(at + 1) };
  const colon = spec.lastIndexOf(':');
  if (colon > spec.lastIndexOf('/') && colon > 0) return { dir: spec.slice(0, colon), ref: spec.slice(colon + 1) };
  return { dir: spec };
}

/** Normalised full name used to match overrides and cache records (`alpine` ≡ `docker.io/library/alpine:latest`). */
function fullName(ref: string): string {
  if (ref.startsWith(LAYOUT_SCHEME)) return ref;
  try {
    return formatReference(parseReference(ref));
  } catch {
    return ref;
  }
}

/** Registry and repository only (`alpine:3.20` → `docker.io/library/alpine`). */
function repoName(ref: string): string {
  try {
    const r = parseReference(ref);
    return `${r.registry}/${r.repository}`;
  } catch {
    return ref;
  }
}
