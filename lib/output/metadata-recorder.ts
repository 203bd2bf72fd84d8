import { versions } from 'node:process';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { Descriptor } from '../oci/descriptor.js';
import { formatPlatform } from '../oci/platform.js';
import { type BuildResult, type Published, type Publisher, type PublishOptions, rootDescriptor } from './publisher.js';

/** `BuildMetadata` is what `--metadata-file` writes: buildx's keys plus ocibake's per-platform details. */
export interface BuildMetadata {
  'containerimage.descriptor': Descriptor;
  'containerimage.digest': string;
  'image.name'?: string;
  'ocibake.platforms': Record<string, { digest: string; size: number; base?: { name: string; digest: string } }>;
  /**
   * Which compressor wrote the layers. Gzip output differs between zlib builds, so a layer digest
   * reproduces only with the same compressor (diffIDs always reproduce); recording it makes a
   * digest difference explainable.
   */
  'ocibake.compressor': string;
  /** Extra facts the build reports (how RUN steps were isolated, which copy-on-write was used). */
  'ocibake.build'?: Record<string, unknown>;
}

/** `compressorIdentity` names the gzip implementation in use, e.g. `node-zlib/1.3.0.1-motley`. */
export function compressorIdentity(): string {
  return `node-zlib/${versions.zlib}`;
}

/** `buildMetadata` describes a result the way buildx's `--metadata-file` does. */
export function buildMetadata(result: BuildResult, names: readonly string[], extra?: Record<string, unknown>): BuildMetadata {
  const root = rootDescriptor(result.root);
  const meta: BuildMetadata = {
    'containerimage.descriptor': { mediaType: root.mediaType, digest: root.digest, size: root.size },
    'containerimage.digest': root.digest,
    'ocibake.platforms': Object.fromEntries(
      (result.images ?? []).map((i) => [
        formatPlatform(i.platform),
        { digest: i.image.descriptor.digest, size: i.image.descriptor.size, ...(i.base ? { base: i.base } : {}) },
      ]),
    ),
    'ocibake.compressor': compressorIdentity(),
  };
  if (names.length) meta['image.name'] = names.join(',');
  if (extra && Object.keys(extra).length) meta['ocibake.build'] = extra;
  return meta;
}

/**
 * `MetadataRecorder` is `--metadata-file` (ko's Recorder): it publishes through `inner`, then
 * writes the build's digests as JSON atomically, so the file exists only for a result that
 * every output accepted.
 */
export class MetadataRecorder implements Publisher {
  readonly #inner: Publisher;
  readonly #file: string;
  readonly #extra: () => Record<string, unknown> | undefined;

  constructor(inner: Publisher, file: string, extra: () => Record<string, unknown> | undefined = () => undefined) {
    this.#inner = inner;
    this.#file = file;
    this.#extra = extra;
  }

  async publish(result: BuildResult, names: readonly string[], o?: PublishOptions): Promise<Published[]> {
    const published = await this.#inner.publish(result, names, o);
    await writeFileAtomic(this.#file, `${JSON.stringify(buildMetadata(result, names, this.#extra()), null, 2)}\n`);
    return published;
  }
}
