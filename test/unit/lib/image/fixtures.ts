// Small images for lib/image tests: real layers written by writeLayer into a MemoryStore.
import { writeLayer } from '../../../../lib/layer/write-layer.js';
import { type MemoryStore } from '../../../../lib/store/memory-store.js';
import { buildImage } from '../../../../lib/image/build-image.js';
import type { Image } from '../../../../lib/image/types.js';
import type { MediaFormat } from '../../../../lib/oci/media-types.js';

/** `smallImage` builds a one-layer scratch image for `arch` and stores its layer. */
export async function smallImage(store: MemoryStore, arch: string, format: MediaFormat = 'oci'): Promise<Image> {
  const layer = await writeLayer([{ path: `/hello-${arch}`, type: 'file', mode: 0o755, data: Buffer.from(arch) }], { mediaTypes: format }, store);
  return buildImage({
    platform: { os: 'linux', architecture: arch },
    layers: [{ ...layer, history: { created_by: `COPY hello-${arch} /` } }],
    config: { Cmd: ['/hello'] },
    format,
  });
}
