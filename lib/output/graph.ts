import type { BlobReader, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { isIndexMediaType, isManifestMediaType } from '../oci/media-types.js';
import { childrenOf } from '../store/copy.js';
import { readBlob } from '../store/read-blob.js';

/** `graphDescriptors` lists every blob reachable from `root` once, sorted by digest (stable archive order). */
export async function graphDescriptors(store: BlobReader, root: Descriptor, o?: Opts): Promise<Descriptor[]> {
  const seen = new Map<string, Descriptor>();
  const visit = async (d: Descriptor): Promise<void> => {
    if (seen.has(d.digest)) return;
    seen.set(d.digest, { mediaType: d.mediaType, digest: d.digest, size: d.size });
    if (isIndexMediaType(d.mediaType) || isManifestMediaType(d.mediaType)) {
      for (const child of childrenOf(await readBlob(store, d, o), d.mediaType)) await visit(child);
    }
  };
  await visit(root);
  return [...seen.values()].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
}
