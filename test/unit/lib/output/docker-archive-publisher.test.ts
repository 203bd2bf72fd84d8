import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerArchivePublisher } from '../../../../lib/output/docker-archive-publisher.js';
import { buildIndex } from '../../../../lib/image/build-index.js';
import { putArtifact } from '../../../../lib/image/load.js';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { isOcibakeError } from '../../../../lib/errors.js';
import { smallImage } from '../image/fixtures.js';
import { tempDir } from '../../../harness/tmp.js';

test('DockerArchivePublisher: classic manifest.json, repositories, config, uncompressed layers named by diff_id', async () => {
  const store = new MemoryStore();
  const amd = await smallImage(store, 'amd64');
  const idx = buildIndex([amd, await smallImage(store, 'arm64')]);
  await putArtifact(store, idx);
  const dir = tempDir();
  const file = join(dir, 'd.tar');
  await new DockerArchivePublisher(file, { platform: { os: 'linux', architecture: 'amd64' } }).publish({ root: idx, store }, ['app', 'reg:5000/app:1.0']);
  const x = join(dir, 'x');
  mkdirSync(x);
  execFileSync('tar', ['-xf', file, '-C', x]);
  const manifest = JSON.parse(readFileSync(join(x, 'manifest.json'), 'utf8')) as { Config: string; RepoTags: string[]; Layers: string[] }[];
  const diff = amd.config.rootfs.diff_ids[0]!.slice(7);
  assert.deepEqual(manifest, [
    { Config: `${amd.manifest.config.digest.slice(7)}.json`, RepoTags: ['app:latest', 'reg:5000/app:1.0'], Layers: [`${diff}/layer.tar`] },
  ]);
  assert.deepEqual(JSON.parse(readFileSync(join(x, 'repositories'), 'utf8')), { app: { latest: diff }, 'reg:5000/app': { '1.0': diff } });
  assert.equal(
    createHash('sha256')
      .update(readFileSync(join(x, diff, 'layer.tar')))
      .digest('hex'),
    diff,
  );
  assert.deepEqual(readFileSync(join(x, manifest[0]!.Config)), Buffer.from(amd.bytes.config));
});

test('DockerArchivePublisher: several platforms without a choice, an absent platform, and digest refs are errors', async () => {
  const store = new MemoryStore();
  const idx = buildIndex([await smallImage(store, 'amd64'), await smallImage(store, 'arm64')]);
  await putArtifact(store, idx);
  const file = join(tempDir(), 'd.tar');
  await assert.rejects(
    new DockerArchivePublisher(file).publish({ root: idx, store }, ['a']),
    (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_OUTPUT' && /linux\/amd64, linux\/arm64/.test(e.message),
  );
  await assert.rejects(
    new DockerArchivePublisher(file, { platform: { os: 'linux', architecture: 's390x' } }).publish({ root: idx, store }, ['a']),
    /no image for linux\/s390x/,
  );
  await assert.rejects(new DockerArchivePublisher(file).publish({ root: idx.index.manifests[0]!, store }, [`a@${idx.descriptor.digest}`]), /by digest/);
});
