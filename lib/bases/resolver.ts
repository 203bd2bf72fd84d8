import type { BlobReader } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { formatPlatform, type Platform } from '../oci/platform.js';
import { OcibakeError, wrapError } from '../errors.js';
import type { Image } from '../image/types.js';
import type { CacheStore } from '../store/cache-store.js';
import { parseLayoutRef } from '../store/layout-ref.js';
import { OciLayout, REF_NAME_ANNOTATION } from '../store/oci-layout.js';
import type { RegistryClient } from '../../registry/index.js';
import { BaseRecords } from './base-records.js';
import { type BaseOverride, fullName, LAYOUT_SCHEME, overrideFor } from './base-names.js';
import { imageForPlatform } from './image-for-platform.js';
import { resolveRegistryBase } from './registry-base.js';

/** `ResolvedImage` is a base image for one platform: its manifest and config, and where its layers live. */
export interface ResolvedImage {
  /** What the base is called, for `org.opencontainers.image.base.name` (`docker.io/library/alpine:3.20`). */
  name: string;
  image: Image;
  /** Where the layer blobs can be fetched (a registry store is also a `Locator`, for mounts). */
  source: BlobReader;
}

/** Options for `BaseResolver`. */
export interface BaseResolverOptions {
  /** The registry client, created on first use (a build from local bases never opens one). */
  client: () => RegistryClient;
  cache: CacheStore;
  /** Where name → digest records live (`CacheLayout.baseRecords`). */
  recordsDir: string;
  overrides: readonly BaseOverride[];
  offline: boolean;
  signal?: AbortSignal | undefined;
}

/**
 * `BaseResolver` resolves FROM images (and `COPY --from=<image>`) per platform: `--base` overrides
 * first, then `oci-layout://DIR[:tag|@digest]`, then the registry, or with `--offline` the cache's
 * records of earlier online resolutions. Every path reads the image with `imageForPlatform`.
 * Results are memoised per (name, platform).
 */
export class BaseResolver {
  readonly #o: BaseResolverOptions;
  readonly #records: BaseRecords;
  readonly #memo = new Map<string, Promise<ResolvedImage>>();

  constructor(o: BaseResolverOptions) {
    this.#o = o;
    this.#records = new BaseRecords(o.recordsDir, o.cache);
  }

  /** `resolve` returns the base `ref` (as written in FROM, expanded) for `platform`. */
  resolve(ref: string, platform: Platform): Promise<ResolvedImage> {
    const target = overrideFor(this.#o.overrides, ref, platform) ?? ref;
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

  async #resolve(ref: string, platform: Platform): Promise<ResolvedImage> {
    if (ref.startsWith(LAYOUT_SCHEME)) return this.#fromLayout(ref, platform);
    if (this.#o.offline) return this.#fromRecord(ref, platform);
    const base = await resolveRegistryBase(this.#o.client(), ref, platform, this.#o.signal);
    await this.#records.save(ref, platform, base.image);
    return { name: base.name, image: base.image, source: base.store };
  }

  async #fromLayout(name: string, platform: Platform): Promise<ResolvedImage> {
    const spec = parseLayoutRef(name.slice(LAYOUT_SCHEME.length));
    const layout = await OciLayout.open(spec.dir, { create: false });
    const root = await layoutRoot(layout, spec, name);
    return { name, image: await imageForPlatform(layout, root, platform, name, { signal: this.#o.signal }), source: layout };
  }

  async #fromRecord(ref: string, platform: Platform): Promise<ResolvedImage> {
    const desc = await this.#records.lookup(ref, platform);
    if (!desc) {
      throw new OcibakeError('OCIBAKE_NOT_FOUND', `${ref} for ${formatPlatform(platform)} is not in the cache and --offline forbids the registry`, {
        hint: `run the build once online (or \`ocibake pull ${ref} --platform ${formatPlatform(platform)}\`), or use --base ${ref}=${LAYOUT_SCHEME}DIR:TAG`,
      });
    }
    return { name: fullName(ref), image: await imageForPlatform(this.#o.cache, desc, platform, ref, { signal: this.#o.signal }), source: this.#o.cache };
  }
}

/** `layoutRoot` finds what `DIR[:tag|@digest]` names in a layout; a bare DIR must hold exactly one image. */
export async function layoutRoot(layout: OciLayout, spec: { dir: string; tag?: string; digest?: string }, shown: string): Promise<Descriptor> {
  if (spec.tag !== undefined) return layout.resolve(spec.tag);
  if (spec.digest !== undefined) return layout.resolve(spec.digest);
  const { manifests } = await layout.index();
  if (manifests.length !== 1) {
    const names = manifests.map((d) => d.annotations?.[REF_NAME_ANNOTATION] ?? d.digest);
    throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', `${shown} holds ${manifests.length} images; say which one with ${shown}:TAG`, {
      hint: names.length ? `tags in the layout: ${names.join(', ')}` : 'the layout is empty',
    });
  }
  return manifests[0]!;
}
