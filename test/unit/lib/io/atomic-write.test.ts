import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../../lib/io/atomic-write.js';
import { tempDir } from '../../../harness/tmp.js';

test('writeFileAtomic replaces a file and leaves no temp file; concurrent writers never tear it', async () => {
  const dir = tempDir();
  const file = join(dir, 'index.json');
  writeFileSync(file, 'old');
  await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(file, Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(10_000) })))));
  assert.equal(typeof (JSON.parse(readFileSync(file, 'utf8')) as { i: number }).i, 'number');
  assert.deepEqual(readdirSync(dir), ['index.json']);
});
