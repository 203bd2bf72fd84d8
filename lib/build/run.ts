import { formatPlatform } from '../oci/platform.js';
import { OcibakeError } from '../errors.js';
import { parseReference, formatReference } from '../../registry/index.js';
import { build, type BuildOptions, type BuildOutcome } from './build.js';
import { compressorIdentity, writeMetadataFile, type BuildMetadata } from './metadata.js';
import type { OutputSpec } from './options.js';
import { publishBuild, type PublishedOutput } from './publish.js';

/** `RunBuildOptions` is a build plus where its result goes (the whole `ocibake build` command). */
export interface RunBuildOptions extends BuildOptions {
  tags?: readonly string[] | undefined;
  /** `--push`: same as `--output type=registry`. */
  push?: boolean | undefined;
  outputs?: readonly OutputSpec[] | undefined;
  /** `--push-by-digest`: push to the -t repositories without tags (for `ocibake index create`). */
  pushByDigest?: boolean | undefined;
  metadataFile?: string | undefined;
}

/** `RunBuildSummary` is what the CLI prints at the end. */
export interface RunBuildSummary {
  outcome: Pick<BuildOutcome, 'images' | 'stats'>;
  digest: string;
  mediaType: string;
  outputs: PublishedOutput[];
}

/** The outputs a build writes: explicit ones, `--push`, or by default an OCI layout in ./ocibake-out. */
export function effectiveOutputs(o: RunBuildOptions): OutputSpec[] {
  const outs: OutputSpec[] = [...(o.outputs ?? [])];
  if ((o.push || o.pushByDigest) && !outs.some((x) => x.type === 'registry')) outs.push({ type: 'registry' });
  if (outs.length === 0) outs.push({ type: 'oci', dest: 'ocibake-out' });
  return outs;
}

/**
 * `runBuild` builds, publishes to every output, and writes the metadata file: the library form of
 * `ocibake build`. Tags are validated before anything runs, so a bad -t fails in milliseconds.
 *
 *   await runBuild({ contextDir: '.', platforms, tags: ['localhost:5000/app:1'], push: true });
 */
export async function runBuild(o: RunBuildOptions): Promise<RunBuildSummary> {
  const tags = [...(o.tags ?? [])];
  for (const t of tags) parseReference(t);
  // A tag is written in the last path segment (`reg:5000/app:1.0`); the registry's port is not one.
  if (o.pushByDigest && tags.some((t) => /[:@]/.test(t.split('/').pop() ?? ''))) {
    throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', '--push-by-digest pushes without tags: give -t REGISTRY/REPOSITORY only', { hint: 'tag later with `ocibake index create -t REPO:TAG REPO@sha256:…`' });
  }
  const outputs = effectiveOutputs(o);
  if (outputs.some((x) => x.type === 'registry') && tags.length === 0) {
    throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', '--push needs at least one -t REGISTRY/REPOSITORY:TAG', { hint: 'e.g. -t ghcr.io/you/app:1.0 --push' });
  }
  const started = Date.now();
  const outcome = await build(o);
  try {
    let pushTags = tags;
    if (o.pushByDigest) {
      pushTags = tags.map((t) => {
        const r = parseReference(t);
        return formatReference({ registry: r.registry, repository: r.repository, digest: outcome.root.descriptor.digest });
      });
    }
    const published = await publishBuild(outcome, outputs, pushTags, { progress: o.progress, signal: o.signal, concurrency: o.registry?.concurrency });
    const root = outcome.root.descriptor;
    if (o.metadataFile) {
      const meta: BuildMetadata = {
        'containerimage.descriptor': { mediaType: root.mediaType, digest: root.digest, size: root.size },
        'containerimage.digest': root.digest,
        'ocibake.platforms': Object.fromEntries(
          outcome.images.map((i) => [formatPlatform(i.platform), { digest: i.image.descriptor.digest, size: i.image.descriptor.size, ...(i.base ? { base: i.base } : {}) }]),
        ),
        'ocibake.compressor': compressorIdentity(),
      };
      if (tags.length) meta['image.name'] = tags.join(',');
      await writeMetadataFile(o.metadataFile, meta);
    }
    o.progress?.({ type: 'done', durationMs: Date.now() - started });
    return { outcome: { images: outcome.images, stats: outcome.stats }, digest: root.digest, mediaType: root.mediaType, outputs: published };
  } finally {
    await outcome.close();
  }
}
