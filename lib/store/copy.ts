import pLimit from 'p-limit';
import { isLocator, isMounter, type BlobReader, type BlobWriter, type ContentStore } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { parseManifestOrIndex } from '../oci/manifest.js';
import { isIndexMediaType, isManifestMediaType, MediaType } from '../oci/media-types.js';
import { wrapError } from '../errors.js';
import { readBlob } from './read-blob.js';

/** `CopyEvent` reports what `copyGraph` did with one blob. */
export type CopyEvent =
  | { type: 'start'; descriptor: Descriptor }
  | { type: 'progress'; descriptor: Descriptor; bytes: number }
  | { type: 'exists' | 'mounted' | 'copied'; descriptor: Descriptor };

/** Options for `copyGraph`. */
export interface CopyGraphOptions {
  /** Blobs moved at once (default 4). */
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: CopyEvent) => void) | undefined;
}

/** `CopyGraphResult` counts what happened (progress renderers and tests read it). */
export interface CopyGraphResult {
  copied: number;
  exists: number;
  mounted: number;
  bytes: number;
}

/**
 * `copyGraph` copies everything reachable from `root` (index → manifests → config + layers)
 * from `src` to `dst`, children before parents so a registry never sees a manifest whose blobs
 * are missing (distribution refuses an index whose children it lacks). Blobs `dst` already has
 * are skipped (`exists`), a manifest that exists skips its whole subgraph, and when the source is
 * a `Locator` that places a blob in another repository of the destination's registry, a
 * `Mounter` destination is asked to mount it before anything is uploaded. It uses only the ContentStore interfaces, so pull, push and
 * layout output are all this one function (oras-go `CopyGraph`).
 *
 *   await copyGraph(cache, await OciLayout.open('out'), root, { concurrency: 4 });
 */
export async function copyGraph(
  src: BlobReader,
  dst: ContentStore | (BlobReader & BlobWriter),
  root: Descriptor,
  options: CopyGraphOptions = {},
): Promise<CopyGraphResult> {
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const result: CopyGraphResult = { copied: 0, exists: 0, mounted: 0, bytes: 0 };
  const started = new Map<string, Promise<void>>();
  const emit = options.onEvent ?? (() => {});
  const signal = options.signal;

  const transfer = async (desc: Descriptor): Promise<void> => {
    signal?.throwIfAborted();
    if (await dst.exists(desc, { signal })) {
      result.exists++;
      emit({ type: 'exists', descriptor: desc });
      return;
    }
    const from = isLocator(src) ? src.locate(desc) : undefined;
    if (from && isMounter(dst) && from.registry === dst.registry && (await dst.mount(desc, from.repository, { signal }))) {
      result.mounted++;
      emit({ type: 'mounted', descriptor: desc });
      return;
    }
    emit({ type: 'start', descriptor: desc });
    const onProgress = (n: number): void => {
      result.bytes += n;
      emit({ type: 'progress', descriptor: desc, bytes: n });
    };
    const body = await src.fetch(desc, { signal });
    await dst.push(desc, body, { signal, onProgress });
    result.copied++;
    emit({ type: 'copied', descriptor: desc });
  };

  const visit = (desc: Descriptor): Promise<void> => {
    let p = started.get(desc.digest);
    if (!p) {
      p = visitOnce(desc).catch((err: unknown) => {
        throw wrapError(err, `copying ${desc.mediaType} ${desc.digest}`);
      });
      started.set(desc.digest, p);
    }
    return p;
  };

  const visitOnce = async (desc: Descriptor): Promise<void> => {
    if (!isIndexMediaType(desc.mediaType) && !isManifestMediaType(desc.mediaType)) {
      await limit(() => transfer(desc));
      return;
    }
    if (await dst.exists(desc, { signal })) {
      result.exists++;
      emit({ type: 'exists', descriptor: desc });
      return;
    }
    const bytes = await readBlob(src, desc, { signal });
    await Promise.all(childrenOf(bytes, desc.mediaType).map(visit));
    await limit(async () => {
      emit({ type: 'start', descriptor: desc });
      await dst.push(desc, bytes, { signal });
      result.copied++;
      result.bytes += bytes.length;
      emit({ type: 'copied', descriptor: desc });
    });
  };

  await visit(root);
  return result;
}

/** `childrenOf` lists what a manifest or index points at, skipping foreign (non-distributable) layers. */
export function childrenOf(bytes: Uint8Array, mediaType?: string): Descriptor[] {
  const parsed = parseManifestOrIndex(bytes, mediaType);
  if (parsed.kind === 'index') return parsed.index.manifests;
  const layers = parsed.manifest.layers.filter((l) => l.mediaType !== MediaType.DockerForeignLayerGzip && !l.urls?.length);
  return [parsed.manifest.config, ...layers];
}
