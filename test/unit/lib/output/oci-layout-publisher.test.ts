import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciLayoutPublisher } from '../../../../lib/output/oci-layout-publisher.js';
import { buildIndex } from '../../../../lib/image/build-index.js';
import { putArtifact } from '../../../../lib/image/load.js';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { smallImage } from '../image/fixtures.js';
import { tempDir } from '../../../harness/tmp.js';

test('OciLayoutPublisher: copies the graph, tags it, leaves no temp dir; untagged when no tags', async () => {
  const store = new MemoryStore();
  const idx = buildIndex([await smallImage(store, 'amd64'), await smallImage(store, 'arm64')]);
  await putArtifact(store, idx);
  const dir = join(tempDir(), 'out');
  const [pub] = await new OciLayoutPublisher(dir).publish({ root: idx, store }, ['1.0', 'latest']);
  assert.deepEqual(pub!.refs, [`oci:${dir}:1.0`, `oci:${dir}:latest`]);
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
  assert.deepEqual(
    index.manifests.map((m) => [m.digest, m.annotations['org.opencontainers.image.ref.name']]),
    [
      [idx.descriptor.digest, '1.0'],
      [idx.descriptor.digest, 'latest'],
    ],
  );
  assert.equal(existsSync(join(dir, '.ocibake-tmp')), false);
  const untagged = join(tempDir(), 'u');
  await new OciLayoutPublisher(untagged).publish({ root: idx.descriptor, store }, []);
  assert.equal((JSON.parse(readFileSync(join(untagged, 'index.json'), 'utf8')) as { manifests: unknown[] }).manifests.length, 1);
});

test('OciLayoutPublisher: a missing blob fails with context and tags nothing', async () => {
  const store = new MemoryStore();
  const idx = buildIndex([await smallImage(new MemoryStore(), 'amd64')]);
  await store.push(idx.descriptor, idx.bytes);
  const dir = join(tempDir(), 'out');
  await assert.rejects(new OciLayoutPublisher(dir).publish({ root: idx, store }, ['x']), /writing OCI layout .*not found/);
  assert.deepEqual((JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: unknown[] }).manifests, []);
});
