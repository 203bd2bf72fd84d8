import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replaceMatch, shellPatternRegex, trimPrefix, trimSuffix } from '../../../../../lib/dockerfile/shell/pattern.js';

test('shellPatternRegex: * and ? are wildcards, regexp characters are literal, \\ escapes', () => {
  assert.equal(shellPatternRegex('*.tar', true, true).test('a.tar'), true);
  assert.equal(shellPatternRegex('(a|b)', true, true).test('(a|b)'), true);
  assert.equal(shellPatternRegex('a\\*', true, true).test('a*'), true);
  assert.throws(() => shellPatternRegex('\\x', true, true), /invalid escape/);
});

test('trimPrefix/trimSuffix: shortest and longest', () => {
  assert.equal(trimPrefix('*.', 'a.tar.gz', false), 'tar.gz');
  assert.equal(trimPrefix('*.', 'a.tar.gz', true), 'gz');
  assert.equal(trimSuffix('.*', 'a.tar.gz', false), 'a.tar');
  assert.equal(trimSuffix('.*', 'a.tar.gz', true), 'a');
  assert.equal(trimSuffix('\\**', 'xx**', true), 'xx');
});

test("replaceMatch: first or all; all-replacement reads $ as Go's template does", () => {
  assert.equal(replaceMatch('/a/foo/b/c.txt', '/?/', '/', false), '/foo/b/c.txt');
  assert.equal(replaceMatch('/a/foo/b/c.txt', '/?/', '/', true), '/foo/c.txt');
  assert.equal(replaceMatch('aXa', 'a', '$$', true), '$X$');
  assert.equal(replaceMatch('xxyy', '', 'ww', false), 'wwxxyy');
});
