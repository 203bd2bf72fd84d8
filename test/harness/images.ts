// Small synthetic images for registry tests: random layer bytes, a config and a manifest per
// platform, and an index, all as exact bytes with descriptors (nothing of ocibake's builder).
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { canonicalJson } from '../../lib/oci/manifest.js';
import { sha256 } from '../../lib/oci/digest.js';
import { MediaType } from '../../lib/oci/media-types.js';
import type { Descriptor } from '../../lib/oci/descriptor.js';

/** A blob with its descriptor. */
export interface TestBlob {
  descriptor: Descriptor;
  bytes: Uint8Array;
}

/** A test image: its blobs in push order (children first) and the root descriptor. */
export interface TestImage {
  blobs: TestBlob[];
  root: Descriptor;
}

function blob(bytes: Uint8Array, mediaType: string): TestBlob {
  return { descriptor: { mediaType, digest: sha256(bytes), size: bytes.byteLength }, bytes };
}

/** `testImage` builds one manifest per architecture (layers of `layerSize` random bytes) under an OCI index. */
export function testImage(archs: string[] = ['amd64', 'arm64'], layerSize = 64 * 1024): TestImage {
  const blobs: TestBlob[] = [];
  const manifests: Descriptor[] = [];
  for (const architecture of archs) {
    const raw = randomBytes(layerSize);
    const layer = blob(gzipSync(raw, { level: 1 }), MediaType.OciLayerGzip);
    const config = blob(canonicalJson({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(raw)] }, config: {} }), MediaType.OciConfig);
    const manifest = blob(
      canonicalJson({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: config.descriptor, layers: [layer.descriptor] }),
      MediaType.OciManifest,
    );
    blobs.push(layer, config, manifest);
    manifests.push({ ...manifest.descriptor, platform: { os: 'linux', architecture } });
  }
  const index = blob(canonicalJson({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }), MediaType.OciIndex);
  blobs.push(index);
  return { blobs, root: index.descriptor };
}
