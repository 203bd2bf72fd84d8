import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatternMatcher } from '../../../../../lib/dockerfile/dockerignore/matcher.js';
import { IgnorePatternError } from '../../../../../lib/dockerfile/dockerignore/pattern.js';
import { cleanPath } from '../../../../../lib/dockerfile/dockerignore/clean.js';
import { readIgnoreFile } from '../../../../../lib/dockerfile/dockerignore/read.js';

test('PatternMatcher: the last matching pattern wins; parents match too', () => {
  const m = new PatternMatcher(['docs', '!docs/README.md', '  ', '*.go']);
  assert.equal(m.patterns.length, 3);
  assert.equal(m.exclusions, true);
  assert.equal(m.matchesOrParentMatches('docs/a/b.md'), true);
  assert.equal(m.matchesOrParentMatches('docs/README.md'), false);
  assert.equal(m.matchesOrParentMatches('main.go'), true);
  assert.equal(m.matchesOrParentMatches('cmd/main.go'), false);
});

test('PatternMatcher: Go filepath.Match syntax errors and reversed ranges are errors, with the index', () => {
  for (const bad of ['[', '[]a]', '[-]', '[x-]', '[-x]', '[a-b-c]', '\\', '[^', 'a[', '[z-a]', '[Local-Only]/']) {
    assert.throws(
      () => new PatternMatcher(['ok', bad]),
      (e: unknown) => e instanceof IgnorePatternError && e.index === 1,
      bad,
    );
  }
  assert.throws(() => new PatternMatcher(['!']), /illegal exclusion pattern/);
  for (const good of ['[\\]a]', '[\\-]', '[x\\-]', '[^a-z]', '[a-ζ]*']) assert.doesNotThrow(() => new PatternMatcher([good]), good);
});

test("moby's shortcuts: **suffix and prefix/** are string tests", () => {
  const m = (p: string, path: string): boolean => new PatternMatcher([p]).matchesOrParentMatches(path);
  assert.equal(m('**.go', 'main.go'), true);
  assert.equal(m('**/foo', 'foo'), true);
  assert.equal(m('abc/**', 'abc'), false);
  assert.equal(m('abc/**', 'abc/d/e'), true);
  assert.equal(m('[\\]a]', ']'), true);
  assert.equal(m('a[^x]b', 'a/b'), true, 'a negated class matches / as in Go regexp');
});

test('cleanPath is Go filepath.Clean', () => {
  assert.deepEqual(['', '.', './a//b/../c/', '/../x', '../../a', 'a/..'].map(cleanPath), ['.', '.', 'a/c', '/x', '../../a', '.']);
});

test('readIgnoreFile: # only at column 0, trimmed lines, ! kept in front, leading / dropped', () => {
  assert.deepEqual(readIgnoreFile('\uFEFF# c\n /test2 \n  # not a comment\n! /inv\n!\n'), [
    { pattern: 'test2', line: 2 },
    { pattern: '# not a comment', line: 3 },
    { pattern: '!inv', line: 4 },
    { pattern: '!', line: 5 },
  ]);
});
