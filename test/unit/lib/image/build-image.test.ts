import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildImage } from '../../../../lib/image/build-image.js';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { writeLayer } from '../../../../lib/layer/write-layer.js';
import { MediaType } from '../../../../lib/oci/media-types.js';
import { sha256 } from '../../../../lib/oci/digest.js';
import { isOcibakeError } from '../../../../lib/errors.js';
import { smallImage } from './fixtures.js';

test('buildImage from scratch: platform, diff_ids, history, created, canonical bytes', async () => {
  const store = new MemoryStore();
  const img = await smallImage(store, 'arm64');
  assert.equal(img.descriptor.mediaType, MediaType.OciManifest);
  assert.equal(img.descriptor.digest, sha256(img.bytes.manifest));
  assert.deepEqual(img.descriptor.platform, { os: 'linux', architecture: 'arm64' });
  assert.equal(img.config.created, '1970-01-01T00:00:00Z');
  assert.equal(img.config.rootfs.diff_ids.length, 1);
  assert.equal(img.manifest.config.digest, sha256(img.bytes.config));
  assert.deepEqual(img.config.history, [{ created: '1970-01-01T00:00:00Z', created_by: 'COPY hello-arm64 /' }]);
  assert.deepEqual((await smallImage(store, 'arm64')).descriptor, img.descriptor, 'same inputs, same digest');
});

test('buildImage on a base: keeps base layers and history, applies config changes and annotations', async () => {
  const store = new MemoryStore();
  const base = await smallImage(store, 'amd64');
  const extra = await writeLayer([{ path: '/app/x', type: 'file', mode: 0o644, data: Buffer.from('x') }], {}, store);
  const img = buildImage({
    base,
    layers: [{ ...extra, history: { created_by: 'COPY x /app/x' } }],
    emptyHistory: [{ created_by: 'ENV A=1' }],
    config: {
      Env: ['A=1'],
      Entrypoint: ['/app/x'],
      Cmd: undefined,
      WorkingDir: '/app',
      ExposedPorts: { '80/tcp': {} },
      Labels: { a: 'b' },
      StopSignal: 'SIGTERM',
      User: '1000',
    },
    annotations: { 'org.opencontainers.image.base.digest': base.descriptor.digest },
    created: 1700000000,
  });
  assert.deepEqual(
    img.manifest.layers.map((l) => l.digest),
    [base.manifest.layers[0]!.digest, extra.descriptor.digest],
  );
  assert.deepEqual(img.config.rootfs.diff_ids, [...base.config.rootfs.diff_ids, extra.diffId]);
  assert.equal(img.config.history!.length, 3);
  assert.equal(img.config.history![1]!.empty_layer, true);
  assert.equal(img.config.created, '2023-11-14T22:13:20Z');
  assert.equal(img.config.config!.Cmd, undefined, 'a change set to undefined removes the field');
  assert.deepEqual(img.config.config!.Entrypoint, ['/app/x']);
  assert.equal(img.manifest.annotations!['org.opencontainers.image.base.digest'], base.descriptor.digest);
  assert.equal(base.config.rootfs.diff_ids.length, 1, 'the base is not mutated');
});

test('buildImage: Docker format converts gzip base layers, refuses uncompressed ones and annotations', async () => {
  const store = new MemoryStore();
  const base = await smallImage(store, 'amd64');
  const docker = buildImage({ base, format: 'docker' });
  assert.equal(docker.descriptor.mediaType, MediaType.DockerManifest);
  assert.equal(docker.manifest.layers[0]!.mediaType, MediaType.DockerLayerGzip);
  assert.equal(docker.manifest.config.mediaType, MediaType.DockerConfig);
  const plain = await writeLayer([{ path: '/p', type: 'dir', mode: 0o755 }], { compression: 'none' }, store);
  assert.throws(
    () => buildImage({ base, layers: [plain], format: 'docker' }),
    (e: unknown) => isOcibakeError(e) && /no docker media type/.test(e.message),
  );
  assert.throws(() => buildImage({ base, format: 'docker', annotations: { a: 'b' } }), /no annotations/);
  assert.throws(() => buildImage({}), /needs a platform/);
});
