import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entrySize, normalizeEntryPath } from '../../../../lib/layer/entry.js';

const cases: [string, string][] = [
  ['/app/bin/x', 'app/bin/x'],
  ['app//bin/./x/', 'app/bin/x'],
  ['./etc', 'etc'],
];

for (const [input, want] of cases) {
  test(`normalizeEntryPath(${JSON.stringify(input)}) = ${want}`, () => assert.equal(normalizeEntryPath(input), want));
}

test('normalizeEntryPath refuses .. and the root', () => {
  assert.throws(() => normalizeEntryPath('/a/../../etc'), /contains "\.\."/);
  assert.throws(() => normalizeEntryPath('/'), /names the root/);
});

test('entrySize: data length, declared size, zero for non-files, error when unknown', () => {
  assert.equal(entrySize({ path: 'f', type: 'file', mode: 0, data: Buffer.from('abc') }), 3);
  assert.equal(entrySize({ path: 'f', type: 'file', mode: 0, size: 9, source: '/x' }), 9);
  assert.equal(entrySize({ path: 'd', type: 'dir', mode: 0, size: 9 }), 0);
  assert.throws(() => entrySize({ path: 'f', type: 'file', mode: 0, source: '/x' }), /no size/);
});
