import type { BlobReader, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { Artifact } from '../image/types.js';
import type { CopyEvent } from '../store/copy.js';

/** `BuildResult` is what a build hands to outputs: a root (image or index) and the store holding every blob of it. */
export interface BuildResult {
  root: Descriptor | Artifact;
  store: BlobReader;
}

/** `Published` says where an output put the result. */
export interface Published {
  /** Human-readable destination (`oci:out:1.0`, `docker-archive:app.tar`). */
  target: string;
  digest: Digest;
  refs: string[];
}

/** Options every publisher accepts. */
export interface PublishOptions extends Opts {
  onEvent?: ((event: CopyEvent) => void) | undefined;
  concurrency?: number | undefined;
}

/**
 * `Publisher` writes a `BuildResult` somewhere (ko's publish.Interface). Build never publishes,
 * publish never builds; `--push --output type=oci,dest=x` is two publishers over one result.
 */
export interface Publisher {
  publish(result: BuildResult, tags: readonly string[], o?: PublishOptions): Promise<Published>;
  close(): Promise<void>;
}

/** `rootDescriptor` gives the descriptor of a result's root, whichever form it was given in. */
export function rootDescriptor(root: Descriptor | Artifact): Descriptor {
  return 'kind' in root ? root.descriptor : root;
}
