import type { BlobReader, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { layerCompression } from '../oci/media-types.js';
import { extractLayer } from './extract.js';
import { normalizeEntryPath } from './entry.js';
import { unsafeEntry } from './errors.js';

/**
 * `readImagePaths` materialises selected paths of an image (its layers applied in order, with
 * whiteouts) into `dest`, reading only those entries: what `COPY --from=<image> /etc/ssl /x`
 * needs. `paths` are image paths (`/etc/ssl`); everything under each is included.
 *
 *   await readImagePaths(cache, manifest.layers, ['/etc/ssl/certs'], tmpDir);
 */
export async function readImagePaths(store: BlobReader, layers: readonly Descriptor[], paths: readonly string[], dest: string, o?: Opts): Promise<void> {
  const wanted = paths.map((p) => (p.replace(/\/+$/, '') === '' ? '' : normalizeEntryPath(p)));
  const everything = wanted.includes('');
  const under = (p: string): boolean => everything || wanted.some((w) => p === w || p.startsWith(`${w}/`));
  const above = (p: string): boolean => wanted.some((w) => w.startsWith(`${p}/`));
  for (const layer of layers) {
    const compression = layerCompression(layer.mediaType);
    if (compression === 'zstd') throw unsafeEntry(layer.digest, 'zstd-compressed layers are not supported yet');
    await extractLayer(await store.fetch(layer, o), dest, {
      compression,
      // Opaque markers in a parent of a wanted path still hide lower content under it.
      filter: (p) => under(p) || (p.endsWith('.wh..wh..opq') && above(p.slice(0, -'/.wh..wh..opq'.length))),
    });
  }
}
