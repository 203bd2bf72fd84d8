import { OcibakeError } from '../errors.js';
import type { ContentStore } from '../oci/content-store.js';
import { formatPlatform, type Platform } from '../oci/platform.js';
import { parseReference, type RegistryClient } from '../../registry/index.js';
import { DockerArchivePublisher } from './docker-archive-publisher.js';
import { MetadataRecorder } from './metadata-recorder.js';
import { MultiPublisher, readThroughCache, renamed } from './multi-publisher.js';
import { OciArchivePublisher } from './oci-archive-publisher.js';
import { OciLayoutPublisher } from './oci-layout-publisher.js';
import type { OutputSpec } from './output-spec.js';
import type { Publisher } from './publisher.js';
import { RegistryPublisher } from './registry-publisher.js';

/** What `publishersFor` needs to know about the build before it runs. */
export interface PublishersForOptions {
  /** The `-t` references. */
  tags: readonly string[];
  /** The platforms the build makes (a docker archive holds one). */
  platforms: readonly Platform[];
  /** Whether the result is an index even for one platform (`--index`). */
  index?: boolean | undefined;
  /** `--push-by-digest`. */
  byDigest?: boolean | undefined;
  client: () => RegistryClient;
  /** The cache file outputs read base layers through. */
  cache: ContentStore;
  /** The cache's temp directory, where layout writes put their temp files (see `OciLayoutOptions`). */
  scratchDir?: string | undefined;
  metadataFile?: string | undefined;
  /** Extra facts for the metadata file, read when it is written. */
  metadataExtra?: (() => Record<string, unknown> | undefined) | undefined;
  /** The build's SOURCE_DATE_EPOCH, for the entries of archives. */
  sourceDateEpoch?: number | undefined;
}

/** The tag part of a reference, for naming an image inside an OCI layout (`reg/app:1.0` → `1.0`). */
function layoutTags(refs: readonly string[]): string[] {
  return [...new Set(refs.map((r) => parseReference(r).tag ?? 'latest'))];
}

/**
 * `publishersFor` turns `--output`/`--push`/`--metadata-file` into one `Publisher` (a tee of the
 * outputs, wrapped in the metadata recorder) and validates every combination before anything is
 * built: `--push` without `-t`, a docker archive for several platforms, a bad tag. With no output
 * at all the result goes to an OCI layout in `./ocibake-out`, as the README says.
 *
 *   const publisher = publishersFor([{ type: 'registry' }, { type: 'oci', dest: 'out' }], { tags, platforms, client, cache });
 */
export function publishersFor(outputs: readonly OutputSpec[], o: PublishersForOptions): Publisher {
  for (const t of o.tags) parseReference(t);
  const specs = outputs.length > 0 ? outputs : [{ type: 'oci', dest: 'ocibake-out' } as const];
  const children: Publisher[] = [];
  for (const out of specs) {
    switch (out.type) {
      case 'registry': {
        const p = new RegistryPublisher(o.client, { byDigest: o.byDigest });
        p.check(o.tags);
        children.push(p);
        break;
      }
      case 'oci':
        children.push(readThroughCache(renamed(new OciLayoutPublisher(out.dest, { scratchDir: o.scratchDir }), layoutTags), o.cache));
        break;
      case 'oci-archive':
        children.push(readThroughCache(renamed(new OciArchivePublisher(out.dest, { sourceDateEpoch: o.sourceDateEpoch }), layoutTags), o.cache));
        break;
      case 'docker': {
        const platform = out.platform ?? (o.platforms.length === 1 ? o.platforms[0] : undefined);
        if (!platform) {
          throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', `--output type=docker holds one platform, but this build makes ${o.platforms.length}`, {
            hint: `add platform=…, e.g. --output type=docker,dest=${out.dest},platform=${formatPlatform(o.platforms[0]!)}`,
          });
        }
        if (out.platform && !o.platforms.some((p) => formatPlatform(p) === formatPlatform(out.platform!))) {
          throw new OcibakeError(
            'OCIBAKE_INVALID_ARGUMENT',
            `--output type=docker,platform=${formatPlatform(out.platform)} is not one of the build's platforms (${o.platforms.map(formatPlatform).join(', ')})`,
            {
              hint: 'name one of the --platform values',
            },
          );
        }
        for (const t of o.tags)
          if (t.includes('@'))
            throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', `a docker archive names images by tag, not digest: ${t}`, { hint: 'use -t name:tag' });
        children.push(readThroughCache(new DockerArchivePublisher(out.dest, { platform, sourceDateEpoch: o.sourceDateEpoch }), o.cache));
        break;
      }
    }
  }
  const tee: Publisher = children.length === 1 ? children[0]! : new MultiPublisher(children);
  return o.metadataFile ? new MetadataRecorder(tee, o.metadataFile, o.metadataExtra) : tee;
}
