import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WhiteoutMaker } from '../../../../lib/snapshot/whiteout-maker.js';
import { tempDir } from '../../../harness/tmp.js';

test('WhiteoutMaker: char 0:0 nodes from one mknod, linked; close removes only the template', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'etc'));
  const wh = new WhiteoutMaker(dir);
  const paths = Array.from({ length: 500 }, (_, i) => join(dir, 'etc', `f${i}`));
  for (const p of paths) await wh.make(p);
  await wh.close();
  assert.deepEqual(readdirSync(dir), ['etc']);
  const st = lstatSync(paths[0]!);
  assert.equal(st.isCharacterDevice() && st.rdev === 0 && (st.mode & 0o7777) === 0, true);
  assert.equal(lstatSync(paths[499]!).ino, st.ino);
  await assert.rejects(new WhiteoutMaker(dir).make(paths[0]!), /EEXIST/);
});
