import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ramInBytes } from '../../../../lib/io/ram-bytes.js';

test('ramInBytes reads sizes as Docker does: binary multiples, any case, an optional b/ib, a space allowed before the unit', () => {
  assert.equal(ramInBytes('512'), 512);
  assert.equal(ramInBytes('64m'), 64 * 1024 ** 2);
  assert.equal(ramInBytes('10GB'), 10 * 1024 ** 3);
  assert.equal(ramInBytes('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('2 t'), 2 * 1024 ** 4);
  assert.equal(ramInBytes('1p'), 1024 ** 5);
  assert.equal(ramInBytes('1.7b'), 1, 'whole bytes');
  for (const bad of ['', 'm', '-1', '10x', '1e3', '1,5g', ' 1g']) assert.equal(ramInBytes(bad), undefined, JSON.stringify(bad));
});
