import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchGlob, hasWildcard } from '../../../../lib/context/wildcard.js';

const rows: [string, string, boolean][] = [
  ['*.go', 'main.go', true],
  ['*.go', 'cmd/main.go', false],
  ['cmd/*.go', 'cmd/main.go', true],
  ['?.c', 'a.c', true],
  ['?.c', 'ab.c', false],
  ['[a-c]x', 'bx', true],
  ['[!a-c]x', 'bx', false],
  ['**/*.c', 'a.c', true],
  ['**/*.c', 'x/y/a.c', true],
  ['src/**', 'src/a/b', true],
  ['src/**', 'other/a', false],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'axb', false],
];
for (const [pat, path, want] of rows) test(`matchGlob(${pat}, ${path}) = ${want}`, () => assert.equal(matchGlob(pat, path), want));
test('hasWildcard', () => {
  assert.equal(hasWildcard('src/*.c'), true);
  assert.equal(hasWildcard('src/main.c'), false);
});
