import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobDir } from '../../../../lib/store/blob-dir.js';
import { descriptorOf } from '../../../../lib/oci/descriptor.js';
import { tempDir } from '../../../harness/tmp.js';

test('BlobDir.removeStaleTemp removes only old files of dead writers', async () => {
  const root = tempDir();
  const tmp = join(root, 'tmp');
  mkdirSync(tmp);
  const old = new Date(Date.now() - 3_600_000);
  // pid 2^22+1 is above Linux's pid_max limit, so it is never alive.
  const dead = `ingest-${2 ** 22 + 1}-aaaa`;
  const deadFresh = `ingest-${2 ** 22 + 1}-bbbb`;
  const live = `ingest-${process.ppid}-cccc`;
  for (const f of [dead, deadFresh, live, 'unrelated']) writeFileSync(join(tmp, f), 'x');
  for (const f of [dead, live, 'unrelated']) utimesSync(join(tmp, f), old, old);
  const dir = new BlobDir(root, tmp, { dropCorrupt: true });
  assert.equal(await dir.removeStaleTemp(), 1);
  assert.deepEqual(readdirSync(tmp).sort(), [deadFresh, live, 'unrelated'].sort());
  const bytes = Buffer.from('b');
  await dir.push(descriptorOf(bytes, 'x'), bytes);
  assert.deepEqual(await dir.list(), [descriptorOf(bytes, 'x').digest]);
});
