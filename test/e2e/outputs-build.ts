// Builds the two-platform test image the output e2e tests publish: real Alpine 3.20.3 minirootfs
// as the base layer (amd64: the upstream gzip blob as-is; arm64: extracted and rewritten by our
// own layer writer) plus two new layers, config changes and base annotations.
import { createReadStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractLayer } from '../../lib/layer/extract.js';
import { walkDirectory } from '../../lib/layer/walk.js';
import { writeLayer } from '../../lib/layer/write-layer.js';
import { buildImage } from '../../lib/image/build-image.js';
import { buildIndex } from '../../lib/image/build-index.js';
import { putArtifact } from '../../lib/image/load.js';
import type { Image, ImageIndex } from '../../lib/image/types.js';
import type { ContentStore } from '../../lib/oci/content-store.js';
import { parseDigest, sha256 } from '../../lib/oci/digest.js';
import { MediaType } from '../../lib/oci/media-types.js';

/** The fixture directory with the real minirootfs tarballs (see its README). */
export const ALPINE = fileURLToPath(new URL('../../../test/fixtures/alpine/', import.meta.url));

/** diff_ids from test/fixtures/alpine/README.md (sha256 of the uncompressed tarballs). */
export const ALPINE_DIFF_IDS = {
  amd64: parseDigest('sha256:1bccf10afce5c1ffe31381419930ad565c1436eaeb1ca680494b0663e0028419'),
  arm64: parseDigest('sha256:909cd5ea844eecebecee4b5e80e98709c7cfbb2e95748c787c211bf1698aaae2'),
};

const TARBALL = { amd64: 'alpine-minirootfs-3.20.3-x86_64.tar.gz', arm64: 'alpine-minirootfs-3.20.3-aarch64.tar.gz' } as const;

async function baseImage(store: ContentStore, arch: 'amd64' | 'arm64', work: string): Promise<Image> {
  const tarball = join(ALPINE, TARBALL[arch]);
  let layer;
  if (arch === 'amd64') {
    const bytes = readFileSync(tarball);
    const descriptor = { mediaType: MediaType.OciLayerGzip, digest: sha256(bytes), size: statSync(tarball).size };
    await store.push(descriptor, createReadStream(tarball));
    layer = { descriptor, diffId: ALPINE_DIFF_IDS.amd64 };
  } else {
    const rootfs = join(work, `alpine-${arch}`);
    await extractLayer(createReadStream(tarball), rootfs, { compression: 'gzip', preserveOwner: true });
    const written = await writeLayer(walkDirectory(rootfs, { preserveOwner: true }), { sourceDateEpoch: 1725580800 }, store);
    layer = { descriptor: written.descriptor, diffId: written.diffId };
  }
  return buildImage({
    platform: { os: 'linux', architecture: arch },
    layers: [{ ...layer, history: { created_by: `ADD ${TARBALL[arch]} / # buildkit` } }],
    emptyHistory: [],
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
    created: 1725580800,
  });
}

/** `buildTestIndex` writes every blob into `store` and returns the index (also stored). */
export async function buildTestIndex(store: ContentStore, work: string, sourceDateEpoch: number): Promise<ImageIndex> {
  const images: Image[] = [];
  for (const arch of ['amd64', 'arm64'] as const) {
    const base = await baseImage(store, arch, work);
    const app = join(work, `app-${arch}`);
    mkdirSync(join(app, 'bin'), { recursive: true });
    writeFileSync(join(app, 'bin', 'hello.sh'), `#!/bin/sh\necho "hello from ${arch} on alpine $(cat /etc/alpine-release)"\n`, { mode: 0o755 });
    writeFileSync(join(app, 'data.txt'), 'x'.repeat(10_000));
    const l1 = await writeLayer(walkDirectory(app, { prefix: '/app' }), { sourceDateEpoch }, store);
    const l2 = await writeLayer(
      [
        { path: '/etc', type: 'dir', mode: 0o755 },
        { path: '/etc/ocibake-release', type: 'file', mode: 0o644, data: Buffer.from(`${arch}\n`) },
        { path: '/etc/motd', type: 'file', mode: 0o644, data: Buffer.from('replaced by a later layer\n') },
      ],
      { sourceDateEpoch },
      store,
    );
    const image = buildImage({
      base,
      layers: [
        { ...l1, history: { created_by: 'COPY app /app' } },
        { ...l2, history: { created_by: 'COPY etc /etc' } },
      ],
      emptyHistory: [{ created_by: 'WORKDIR /app' }],
      config: { WorkingDir: '/app', Entrypoint: ['/app/bin/hello.sh'], Cmd: undefined, Labels: { 'org.example.arch': arch }, ExposedPorts: { '8080/tcp': {} } },
      annotations: { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.20.3', 'org.opencontainers.image.base.digest': base.descriptor.digest },
      created: sourceDateEpoch,
    });
    images.push(image);
  }
  const index = buildIndex(images);
  await putArtifact(store, index);
  return index;
}
