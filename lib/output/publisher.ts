import type { BlobReader, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { Platform } from '../oci/platform.js';
import type { Artifact, Image } from '../image/types.js';
import type { ProgressSink } from '../progress.js';
import type { OutputSpec } from './output-spec.js';

/** `PlatformImage` is one platform's image in a build result, with the base it was built on. */
export interface PlatformImage {
  platform: Platform;
  image: Image;
  base?: { name: string; digest: string } | undefined;
}

/**
 * `BuildResult` is what a build hands to outputs: a root (image or index), the store holding
 * every blob of it (a `Locator` too, when base layers live in a registry), and, for a build, the
 * image of each platform.
 */
export interface BuildResult {
  root: Descriptor | Artifact;
  store: BlobReader;
  images?: readonly PlatformImage[] | undefined;
}

/** `Published` says where an output put the result. */
export interface Published {
  type: OutputSpec['type'];
  /** Human-readable destination (`oci:out`, `docker-archive:app.tar`, `ghcr.io/org/app`). */
  target: string;
  digest: Digest;
  /** The names now pointing at the result (`oci:out:1.0`, `ghcr.io/org/app:1.0@sha256:…`). */
  refs: string[];
  /** For registry pushes: blobs uploaded, mounted, already there; bytes sent. */
  blobs?: { copied: number; mounted: number; exists: number; bytes: number } | undefined;
}

/** Options every publisher accepts. */
export interface PublishOptions extends Opts {
  progress?: ProgressSink | undefined;
  concurrency?: number | undefined;
}

/**
 * `Publisher` writes a `BuildResult` somewhere under the given names (ko's publish.Interface):
 * `-t` references, from which each output takes what it needs (a layout the tag, a registry the
 * whole reference). Build never publishes, publish never builds; `--push --output type=oci,dest=x`
 * is one `MultiPublisher` over a registry and a layout publisher.
 */
export interface Publisher {
  publish(result: BuildResult, names: readonly string[], o?: PublishOptions): Promise<Published[]>;
}

/** `rootDescriptor` gives the descriptor of a result's root, whichever form it was given in. */
export function rootDescriptor(root: Descriptor | Artifact): Descriptor {
  return 'kind' in root ? root.descriptor : root;
}
