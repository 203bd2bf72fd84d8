import { OciLayout } from '../store/oci-layout.js';
import { copyGraph } from '../store/copy.js';
import { wrapError } from '../errors.js';
import { copyEventsTo } from './copy-events.js';
import { type BuildResult, type Published, type Publisher, type PublishOptions, rootDescriptor } from './publisher.js';

/**
 * `OciLayoutPublisher` writes a result into an OCI layout directory under the given tags (created if needed, shared
 * with other images already there) and names it with each tag via
 * `org.opencontainers.image.ref.name`. Blobs are written atomically and index.json is replaced
 * atomically, so an interrupted publish never leaves a half-written layout behind.
 *
 *   await new OciLayoutPublisher('out').publish({ root, store }, ['1.0', 'latest']);
 *   // skopeo inspect oci:out:1.0
 */
export class OciLayoutPublisher implements Publisher {
  readonly dir: string;
  readonly #scratchDir: string | undefined;

  /** `scratchDir` is ocibake's own temp directory (the cache's `tmp/`); see `OciLayoutOptions`. */
  constructor(dir: string, o: { scratchDir?: string | undefined } = {}) {
    this.dir = dir;
    this.#scratchDir = o.scratchDir;
  }

  async publish(result: BuildResult, tags: readonly string[], o: PublishOptions = {}): Promise<Published[]> {
    const root = rootDescriptor(result.root);
    try {
      const layout = await OciLayout.open(this.dir, { scratchDir: this.#scratchDir });
      await copyGraph(result.store, layout, root, { concurrency: o.concurrency, signal: o.signal, onEvent: copyEventsTo(this.dir, o.progress, 'written') });
      const desc = { mediaType: root.mediaType, digest: root.digest, size: root.size, ...(root.platform ? { platform: root.platform } : {}) };
      if (tags.length === 0) await layout.addUntagged(desc);
      for (const tag of tags) await layout.tag(desc, tag);
      await layout.tidy();
      o.progress?.({ type: 'published', target: `oci:${this.dir}`, digest: root.digest });
      return [{ type: 'oci', target: `oci:${this.dir}`, digest: root.digest, refs: tags.map((t) => `oci:${this.dir}:${t}`) }];
    } catch (err) {
      throw wrapError(err, `writing OCI layout ${this.dir}`);
    }
  }
}
