import { OcibakeError } from '../errors.js';
import { formatPlatform } from '../oci/platform.js';
import type { CopyEvent } from '../store/copy.js';
import { DockerArchivePublisher } from '../output/docker-archive-publisher.js';
import { OciArchivePublisher } from '../output/oci-archive-publisher.js';
import { OciLayoutPublisher } from '../output/oci-layout-publisher.js';
import { publishToRegistry } from '../output/registry.js';
import type { ProgressSink } from '../progress.js';
import { parseReference } from '../../registry/index.js';
import type { BuildOutcome } from './build.js';
import type { OutputSpec } from './options.js';

/** `PublishedOutput` is one place the build result now lives. */
export interface PublishedOutput {
  type: OutputSpec['type'];
  target: string;
  digest: string;
  refs: string[];
  /** For registry pushes: blobs uploaded, mounted, already there; bytes sent. */
  blobs?: { copied: number; mounted: number; exists: number; bytes: number } | undefined;
}

/** Options for `publishBuild`. */
export interface PublishBuildOptions {
  progress?: ProgressSink | undefined;
  signal?: AbortSignal | undefined;
  concurrency?: number | undefined;
}

/** The tag part of a reference, for naming an image inside an OCI layout (`reg/app:1.0` → `1.0`). */
function layoutTag(ref: string): string {
  const r = parseReference(ref);
  return r.tag ?? 'latest';
}

/**
 * `publishBuild` sends a build outcome to every requested output (ko's MultiPublisher): the
 * registry (all tags; blobs and manifests first, tags last), an OCI layout, an OCI archive, a
 * docker-load tarball. File outputs read base layers through the cache; registry pushes stream
 * them from the base's registry or mount them when it is the same registry.
 */
export async function publishBuild(outcome: BuildOutcome, outputs: readonly OutputSpec[], tags: readonly string[], o: PublishBuildOptions = {}): Promise<PublishedOutput[]> {
  const progress = o.progress;
  const results: PublishedOutput[] = [];
  const root = outcome.root.descriptor;
  const fileEvents = (target: string) => (e: CopyEvent): void => {
    if (!progress) return;
    if (e.type === 'copied') progress({ type: 'blob', target, digest: e.descriptor.digest, size: e.descriptor.size, state: 'uploaded' });
  };
  for (const out of outputs) {
    switch (out.type) {
      case 'registry': {
        if (tags.length === 0) {
          throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', '--push needs at least one -t REGISTRY/REPOSITORY:TAG', { hint: 'e.g. -t ghcr.io/you/app:1.0 --push' });
        }
        // A cross-repo mount needs the source on the same registry; copyGraph takes one source repository.
        const targetRegistries = new Set(tags.map((t) => parseReference(t).registry));
        const mountFrom = outcome.baseRepositories.find((b) => targetRegistries.has(b.registry));
        const pushed = await publishToRegistry(outcome.registryClient(), { root, store: outcome.store }, tags, {
          progress,
          signal: o.signal,
          concurrency: o.concurrency,
          sourceRepository: mountFrom?.repository,
        });
        for (const p of pushed) {
          results.push({ type: 'registry', target: p.reference, digest: p.digest, refs: [p.reference], blobs: { copied: p.copy.copied, mounted: p.copy.mounted, exists: p.copy.exists, bytes: p.copy.bytes } });
        }
        break;
      }
      case 'oci':
      case 'oci-archive': {
        const names = [...new Set(tags.map(layoutTag))];
        const publisher = out.type === 'oci' ? new OciLayoutPublisher(out.dest) : new OciArchivePublisher(out.dest);
        const p = await publisher.publish({ root: outcome.root, store: outcome.store.through() }, names, { signal: o.signal, onEvent: fileEvents(out.dest) });
        results.push({ type: out.type, target: p.target, digest: p.digest, refs: p.refs });
        break;
      }
      case 'docker': {
        let platform = out.platform;
        if (!platform) {
          if (outcome.images.length > 1) {
            throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', `--output type=docker holds one platform, but this build made ${outcome.images.length}`, {
              hint: `add platform=…, e.g. --output type=docker,dest=${out.dest},platform=${formatPlatform(outcome.images[0]!.platform)}`,
            });
          }
          platform = outcome.images[0]!.platform;
        }
        const p = await new DockerArchivePublisher(out.dest, { platform }).publish({ root: outcome.root, store: outcome.store.through() }, tags, { signal: o.signal });
        results.push({ type: 'docker', target: p.target, digest: p.digest, refs: p.refs });
        break;
      }
    }
  }
  return results;
}
