import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIndex } from '../../../../lib/image/build-index.js';
import { loadArtifact, loadImage, putArtifact } from '../../../../lib/image/load.js';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { smallImage } from './fixtures.js';

test('putArtifact then loadArtifact round-trips exact bytes', async () => {
  const store = new MemoryStore();
  const idx = buildIndex([await smallImage(store, 'amd64'), await smallImage(store, 'arm64')]);
  await putArtifact(store, idx);
  const back = await loadArtifact(store, idx.descriptor);
  assert.equal(back.kind, 'index');
  assert.deepEqual(back.kind === 'index' && back.bytes, idx.bytes);
  const child = idx.index.manifests[1]!;
  const img = await loadImage(store, child);
  assert.deepEqual(img.bytes, idx.children.get(child.digest)!.kind === 'image' ? (idx.children.get(child.digest) as typeof img).bytes : undefined);
  await assert.rejects(loadImage(store, idx.descriptor), /is an index/);
});
