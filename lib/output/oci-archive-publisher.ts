import type { LayerEntry } from '../layer/entry.js';
import type { Descriptor } from '../oci/descriptor.js';
import { digestHex } from '../oci/digest.js';
import { canonicalJson, type Index } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { REF_NAME_ANNOTATION } from '../store/oci-layout.js';
import { wrapError } from '../errors.js';
import { graphDescriptors } from './graph.js';
import { type BuildResult, type Published, type Publisher, type PublishOptions, rootDescriptor } from './publisher.js';
import { writeTarFile } from './write-tar-file.js';

/** Options for `OciArchivePublisher`. */
export interface OciArchiveOptions {
  /** mtime of the archive's entries (default 0) so the archive itself is reproducible. */
  sourceDateEpoch?: number | undefined;
}

/**
 * `OciArchivePublisher` writes an OCI archive: a plain tar of an OCI layout (`oci-layout`,
 * `index.json`, `blobs/sha256/…`), what `skopeo copy oci-archive:app.tar:1.0 …` and
 * `buildah pull oci-archive:` read. Blobs are streamed from the store into the tar, never
 * staged on disk or in memory.
 *
 *   await new OciArchivePublisher('app.tar').publish({ root, store }, ['1.0']);
 */
export class OciArchivePublisher implements Publisher {
  readonly file: string;
  readonly #epoch: number;

  constructor(file: string, options: OciArchiveOptions = {}) {
    this.file = file;
    this.#epoch = options.sourceDateEpoch ?? 0;
  }

  async publish(result: BuildResult, tags: readonly string[], o: PublishOptions = {}): Promise<Published[]> {
    const root = rootDescriptor(result.root);
    try {
      const blobs = await graphDescriptors(result.store, root, o);
      const entry = (d: Descriptor) => ({ mediaType: d.mediaType, digest: d.digest, size: d.size, ...(d.platform ? { platform: d.platform } : {}) });
      const index: Index = {
        schemaVersion: 2,
        mediaType: MediaType.OciIndex,
        manifests: tags.length ? tags.map((t) => ({ ...entry(root), annotations: { [REF_NAME_ANNOTATION]: t } })) : [entry(root)],
      };
      const entries: LayerEntry[] = [
        { path: 'oci-layout', type: 'file', mode: 0o644, data: canonicalJson({ imageLayoutVersion: '1.0.0' }) },
        { path: 'index.json', type: 'file', mode: 0o644, data: canonicalJson(index) },
        { path: 'blobs', type: 'dir', mode: 0o755 },
        { path: 'blobs/sha256', type: 'dir', mode: 0o755 },
        ...blobs.map((d): LayerEntry => ({
          path: `blobs/sha256/${digestHex(d.digest)}`,
          type: 'file',
          mode: 0o644,
          size: d.size,
          open: () => result.store.fetch(d, o),
        })),
      ];
      await writeTarFile(this.file, entries, this.#epoch, o.signal);
      o.progress?.({ type: 'published', target: `oci-archive:${this.file}`, digest: root.digest });
      return [{ type: 'oci-archive', target: `oci-archive:${this.file}`, digest: root.digest, refs: tags.map((t) => `oci-archive:${this.file}:${t}`) }];
    } catch (err) {
      throw wrapError(err, `writing OCI archive ${this.file}`);
    }
  }
}
