import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LayerEntry } from '../layer/entry.js';
import { decompress } from '../layer/decompress.js';
import type { BlobReader, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { digestHex } from '../oci/digest.js';
import { layerCompression } from '../oci/media-types.js';
import { formatPlatform, type Platform, platformMatches } from '../oci/platform.js';
import { loadArtifact } from '../image/load.js';
import type { Image } from '../image/types.js';
import { wrapError } from '../errors.js';
import { OutputError } from './errors.js';
import { type BuildResult, type Published, type Publisher, type PublishOptions, rootDescriptor } from './publisher.js';
import { writeTarFile } from './write-tar-file.js';

/** Options for `DockerArchivePublisher`. */
export interface DockerArchiveOptions {
  /** Which image of a multi-platform result to write (Docker's classic store holds one per tag). */
  platform?: Platform | undefined;
  sourceDateEpoch?: number | undefined;
}

/**
 * `DockerArchivePublisher` writes a `docker load` tarball in Docker's classic format:
 * `manifest.json` ([{Config, RepoTags, Layers}]), `repositories`, `<config hex>.json` and one
 * uncompressed `<diff_id hex>/layer.tar` per layer (decompressed through a temp file, because
 * a tar header needs the size first; each diff_id is checked on the way).
 *
 *   await new DockerArchivePublisher('app.tar', { platform: parsePlatform('linux/amd64') }).publish(result, ['app:1.0']);
 *   // docker load -i app.tar   /   skopeo copy docker-archive:app.tar oci:out:1.0
 */
export class DockerArchivePublisher implements Publisher {
  readonly file: string;
  readonly #o: DockerArchiveOptions;

  constructor(file: string, options: DockerArchiveOptions = {}) {
    this.file = file;
    this.#o = options;
  }

  async publish(result: BuildResult, tags: readonly string[], o: PublishOptions = {}): Promise<Published[]> {
    const root = rootDescriptor(result.root);
    const repoTags = tags.map(dockerTag);
    const spool = await mkdtemp(join(tmpdir(), 'ocibake-docker-archive-'));
    try {
      const image = await this.#pick(result.store, root, o);
      const configName = `${digestHex(image.manifest.config.digest)}.json`;
      const entries: LayerEntry[] = [{ path: configName, type: 'file', mode: 0o644, data: image.bytes.config }];
      const layerPaths: string[] = [];
      const written = new Set<string>();
      for (const [i, layer] of image.manifest.layers.entries()) {
        const diffId = image.config.rootfs.diff_ids[i];
        if (!diffId) throw new OutputError('OCIBAKE_OUTPUT', `image ${image.descriptor.digest} has fewer diff_ids than layers`);
        const id = digestHex(diffId);
        layerPaths.push(`${id}/layer.tar`);
        if (written.has(id)) continue;
        written.add(id);
        const tarFile = join(spool, id);
        const size = await spoolUncompressed(result.store, layer, tarFile, diffId, o);
        entries.push({ path: id, type: 'dir', mode: 0o755 }, { path: `${id}/layer.tar`, type: 'file', mode: 0o644, size, source: tarFile });
      }
      const manifest = [{ Config: configName, RepoTags: repoTags, Layers: layerPaths }];
      entries.push({ path: 'manifest.json', type: 'file', mode: 0o644, data: Buffer.from(JSON.stringify(manifest)) });
      const top = layerPaths.at(-1)?.split('/')[0];
      if (repoTags.length && top)
        entries.push({ path: 'repositories', type: 'file', mode: 0o644, data: Buffer.from(JSON.stringify(repositories(repoTags, top))) });
      await writeTarFile(this.file, entries, this.#o.sourceDateEpoch ?? 0, o.signal);
      o.progress?.({ type: 'published', target: `docker-archive:${this.file}`, digest: image.descriptor.digest });
      return [{ type: 'docker', target: `docker-archive:${this.file}`, digest: image.descriptor.digest, refs: repoTags }];
    } catch (err) {
      throw wrapError(err, `writing docker archive ${this.file}`);
    } finally {
      await rm(spool, { recursive: true, force: true });
    }
  }

  async #pick(store: BlobReader, root: Descriptor, o: Opts): Promise<Image> {
    const artifact = await loadArtifact(store, root, o);
    if (artifact.kind === 'image') return artifact;
    const want = this.#o.platform;
    const candidates = artifact.index.manifests.filter((m) => m.platform && (!want || platformMatches(want, m.platform)));
    const names = artifact.index.manifests
      .filter((m) => m.platform)
      .map((m) => formatPlatform(m.platform!))
      .join(', ');
    if (candidates.length !== 1) {
      throw new OutputError(
        'OCIBAKE_OUTPUT',
        want ? `the result has no image for ${formatPlatform(want)} (it has ${names})` : `a docker archive holds one platform; the result has ${names}`,
        {
          hint: 'choose one with --platform (or output type=docker,platform=linux/amd64)',
        },
      );
    }
    const child = artifact.children.get(candidates[0]!.digest);
    if (!child || child.kind !== 'image') throw new OutputError('OCIBAKE_OUTPUT', `index entry ${candidates[0]!.digest} is not an image`);
    return child;
  }
}

async function spoolUncompressed(store: BlobReader, layer: Image['manifest']['layers'][number], file: string, diffId: string, o: Opts): Promise<number> {
  const compression = layerCompression(layer.mediaType);
  if (compression === 'zstd') throw new OutputError('OCIBAKE_OUTPUT', `layer ${layer.digest} is zstd-compressed; docker archives need gzip or plain layers`);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(decompress(await store.fetch(layer, o), compression), tap, createWriteStream(file));
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== diffId) throw new OutputError('OCIBAKE_OUTPUT', `layer ${layer.digest} uncompresses to ${actual}, but the config's diff_id is ${diffId}`);
  return size;
}

/** Docker names need a tag: `app` means `app:latest`; digests cannot be loaded as names. */
function dockerTag(ref: string): string {
  if (ref.includes('@')) throw new OutputError('OCIBAKE_OUTPUT', `cannot name a docker archive image by digest: ${ref}`, { hint: 'use name:tag' });
  const last = ref.split('/').at(-1) ?? ref;
  return last.includes(':') ? ref : `${ref}:latest`;
}

function repositories(tags: string[], top: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const t of tags) {
    const at = t.lastIndexOf(':');
    (out[t.slice(0, at)] ??= {})[t.slice(at + 1)] = top;
  }
  return out;
}
