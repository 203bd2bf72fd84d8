import type { Descriptor } from '../oci/descriptor.js';
import type { Platform } from '../oci/platform.js';
import type { Image } from '../image/types.js';
import { MemoryStore } from '../store/memory-store.js';
import { RoutingReader } from '../store/routing-reader.js';
import { type Reference, type RegistryClient, RegistryStore, formatReference, parseReference } from '../../registry/index.js';
import { imageForPlatform } from './image-for-platform.js';

/** `RegistryBase` is an image resolved on a registry for one platform, layers not downloaded. */
export interface RegistryBase {
  /** The reference as written, normalised (`docker.io/library/alpine:3.20`). */
  name: string;
  reference: Reference;
  image: Image;
  /** What the name resolved to (an index, or the image manifest itself). */
  root: Descriptor;
  /** The base's repository: layers are fetched or mounted from it. */
  store: RegistryStore;
}

/**
 * `resolveRegistryBase` resolves `ref` (a tag or digest) on its registry and reads the image for
 * `platform` with `imageForPlatform`, so registry, layout and cached bases pick platforms the
 * same way.
 *
 *   const base = await resolveRegistryBase(client, 'alpine:3.20', parsePlatform('linux/arm64'));
 */
export async function resolveRegistryBase(client: RegistryClient, ref: string | Reference, platform: Platform, signal?: AbortSignal): Promise<RegistryBase> {
  const reference = typeof ref === 'string' ? parseReference(ref) : ref;
  const name = formatReference(reference);
  const top = await client.getManifest(reference, signal);
  const store = new RegistryStore(client, reference);
  // The tag's bytes are in hand already; only children and the config come from the registry.
  const seen = new MemoryStore();
  await seen.push(top.descriptor, top.bytes);
  const image = await imageForPlatform(new RoutingReader({ first: [seen], last: store }), top.descriptor, platform, name, { signal });
  return { name, reference, image, root: top.descriptor, store };
}
