import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIndex } from '../../../../lib/image/build-index.js';
import { putArtifact } from '../../../../lib/image/load.js';
import { validateArtifact } from '../../../../lib/image/validate.js';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { sha256 } from '../../../../lib/oci/digest.js';
import { smallImage } from './fixtures.js';

test('validateArtifact: a built index is valid (deep); broken ones list their problems', async () => {
  const store = new MemoryStore();
  const a = await smallImage(store, 'amd64');
  const idx = buildIndex([a, await smallImage(store, 'arm64')]);
  await putArtifact(store, idx);
  assert.deepEqual(await validateArtifact(store, idx, { deep: true }), []);

  const empty = new MemoryStore();
  const missing = await validateArtifact(empty, idx);
  assert.ok(missing.some((p) => /layer .* missing/.test(p)) && missing.some((p) => /config .* missing/.test(p)));

  const lying = { ...a, config: { ...a.config, rootfs: { type: 'layers' as const, diff_ids: [sha256('nope')] } } };
  assert.ok((await validateArtifact(store, lying, { deep: true })).some((p) => /diff_id is/.test(p)));
  const wrongPlatform = { ...idx, index: { ...idx.index, manifests: [{ ...idx.index.manifests[0]!, platform: { os: 'linux', architecture: 's390x' } }] } };
  assert.ok((await validateArtifact(store, wrongPlatform)).some((p) => /index says linux\/s390x/.test(p)));
});
