import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { writeLayer } from '../../../../lib/layer/write-layer.js';
import { walkDirectory } from '../../../../lib/layer/walk.js';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { CacheStore } from '../../../../lib/store/cache-store.js';
import { readBlob } from '../../../../lib/store/read-blob.js';
import type { ContentStore, Opts } from '../../../../lib/oci/content-store.js';
import type { Descriptor } from '../../../../lib/oci/descriptor.js';
import { MediaType } from '../../../../lib/oci/media-types.js';
import { tempDir } from '../../../harness/tmp.js';

function tree(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.txt'), 'alpha\n'.repeat(1000));
  writeFileSync(join(dir, 'b.bin'), createHash('sha512').update('x').digest());
  return dir;
}

const hex = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('writeLayer: digest and diffID match the stored blob and its tar; same input, same digests', async () => {
  const dir = tree();
  const store = new MemoryStore();
  const a = await writeLayer(walkDirectory(dir, { prefix: '/app' }), { sourceDateEpoch: 0 }, store);
  const blob = await readBlob(store, a.descriptor);
  assert.equal(a.descriptor.mediaType, MediaType.OciLayerGzip);
  assert.equal(a.descriptor.digest, hex(blob));
  const tar = gunzipSync(blob);
  assert.equal(a.diffId, hex(tar));
  assert.equal(a.uncompressedSize, tar.length);
  const b = await writeLayer(walkDirectory(dir, { prefix: '/app' }), { sourceDateEpoch: 0, threads: 1 }, new CacheStore({ dir: tempDir() }));
  assert.deepEqual(b, a);
  const c = await writeLayer(walkDirectory(dir, { prefix: '/app' }), { sourceDateEpoch: 1 }, store);
  assert.notEqual(c.diffId, a.diffId);
});

test('writeLayer: uncompressed and Docker media types', async () => {
  const dir = tree();
  const store = new MemoryStore();
  const plain = await writeLayer(walkDirectory(dir), { compression: 'none' }, store);
  assert.equal(plain.descriptor.mediaType, MediaType.OciLayer);
  assert.equal(plain.descriptor.digest, plain.diffId);
  const docker = await writeLayer(walkDirectory(dir), { compression: 'none', mediaTypes: 'docker' }, store);
  assert.equal(docker.descriptor.mediaType, MediaType.DockerLayerGzip, 'Docker v2 has no plain layer type every registry takes');
  assert.equal(docker.diffId, plain.diffId);
});

test('writeLayer: a store without ingest gets a verified push from a spooled file', async () => {
  const inner = new MemoryStore();
  const pushes: Descriptor[] = [];
  const plainStore: ContentStore = {
    exists: (d) => inner.exists(d),
    fetch: (d) => inner.fetch(d),
    push: async (d: Descriptor, body: Readable | Uint8Array, o?: Opts) => {
      pushes.push(d);
      await inner.push(d, body, o);
    },
  };
  const res = await writeLayer(walkDirectory(tree()), {}, plainStore);
  assert.deepEqual(pushes, [res.descriptor]);
  assert.equal(await inner.exists(res.descriptor), true);
});
