import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOcibakeError } from '../../../../lib/errors.js';
import { byteOrder, emptyCounts, readMeta, sortMeta, writeMeta, type SnapshotMeta } from '../../../../lib/snapshot/meta.js';
import { tempDir } from '../../../harness/tmp.js';

const meta = (): SnapshotMeta => ({
  version: 1,
  mode: 'userns',
  opaque: ['z', 'a'],
  whiteouts: ['é', 'z', 'Z'],
  skippedDevices: [],
  skippedXattrs: [],
  unmappedOwners: 0,
  counts: emptyCounts(),
});

test('writeMeta/readMeta round-trip, lists sorted by bytes', async () => {
  const file = join(tempDir(), 'meta.json');
  await writeMeta(file, meta());
  const back = await readMeta(file);
  assert.deepEqual(back.whiteouts, ['Z', 'z', 'é']);
  assert.deepEqual(back.opaque, ['a', 'z']);
  assert.deepEqual(sortMeta(meta()), back);
  assert.equal(readFileSync(file, 'utf8').endsWith('}\n'), true);
  assert.equal(byteOrder('a', 'é') < 0 && byteOrder('\u{1F600}', '\uFFFF') > 0, true, 'UTF-8 byte order, not UTF-16 units');
});

test('readMeta refuses missing, corrupt and foreign records', async () => {
  const dir = tempDir();
  const bad = (e: unknown): boolean => isOcibakeError(e) && e.code === 'OCIBAKE_STORE' && /rebuilt/.test(e.hint ?? '');
  await assert.rejects(readMeta(join(dir, 'missing.json')), bad);
  writeFileSync(join(dir, 'trunc.json'), '{"version":1,"mo');
  await assert.rejects(readMeta(join(dir, 'trunc.json')), bad);
  writeFileSync(join(dir, 'v2.json'), JSON.stringify({ ...meta(), version: 2 }));
  await assert.rejects(readMeta(join(dir, 'v2.json')), bad);
  writeFileSync(join(dir, 'mode.json'), JSON.stringify({ ...meta(), mode: 'fuse' }));
  await assert.rejects(readMeta(join(dir, 'mode.json')), bad);
});
