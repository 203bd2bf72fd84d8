import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIndex } from '../../../../lib/image/build-index.js';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { MediaType } from '../../../../lib/oci/media-types.js';
import { smallImage } from './fixtures.js';

test('buildIndex: order kept, platforms set, family follows the images, mixing refused', async () => {
  const store = new MemoryStore();
  const [a, b] = [await smallImage(store, 'amd64'), await smallImage(store, 'arm64')];
  const idx = buildIndex([b, a], { annotations: { 'org.opencontainers.image.created': '1970-01-01T00:00:00Z' } });
  assert.equal(idx.descriptor.mediaType, MediaType.OciIndex);
  assert.deepEqual(
    idx.index.manifests.map((m) => m.platform?.architecture),
    ['arm64', 'amd64'],
  );
  assert.equal(idx.children.size, 2);
  const d = await smallImage(store, 'amd64', 'docker');
  assert.equal(buildIndex([d]).descriptor.mediaType, MediaType.DockerManifestList);
  assert.throws(() => buildIndex([a, d]), /cannot put/);
  assert.throws(() => buildIndex([]), /at least one/);
});
