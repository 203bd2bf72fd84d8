import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { CacheLayout } from '../../../../lib/cache/layout.js';
import { tempDir } from '../../../harness/tmp.js';

test('sweepBuildTmp removes the scratch dirs of dead builds only', async () => {
  const cache = new CacheLayout(tempDir());
  // pid 2^22+1 is above Linux's pid_max limit, so it is never alive.
  const dead = `tmp-build-${2 ** 22 + 1}-77-0-abcdef`;
  const live = `tmp-build-${process.ppid}-0-0-abcdef`;
  const legacy = 'tmp-build-Xy12Zq';
  for (const n of [dead, live, legacy]) mkdirSync(`${cache.root}/${n}/inside`, { recursive: true });
  const mine = basename(mkdtempSync(cache.buildTmpPrefix));
  assert.equal(await cache.sweepBuildTmp(), 1);
  assert.deepEqual(readdirSync(cache.root).sort(), [legacy, live, mine].sort());
});
