// moby/patternmatcher's tables (patternmatcher_test.go, ignorefile/ignorefile_test.go) against
// ocibake's .dockerignore matcher.
import assert from 'node:assert/strict';
import { PatternMatcher, readIgnoreFile } from '../../../lib/dockerfile/dockerignore.js';
import { cleanPath } from '../../../lib/dockerfile/dockerignore/clean.js';
import type { Case, Fixtures } from './fixtures.js';

interface IgnoreCase {
  source: string;
  kind: 'match' | 'count' | 'exclusions' | 'readall';
  patterns?: string[];
  path?: string;
  text?: string;
  expect: boolean | number | string | string[];
}

function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch {
    return 'error';
  }
}

function evaluate(c: IgnoreCase): unknown {
  const patterns = c.patterns ?? [];
  switch (c.kind) {
    case 'match':
      return outcome(() => {
        const m = new PatternMatcher(patterns);
        // TestMatches calls the matcher's MatchesOrParentMatches; the other tests call the
        // package-level function, which cleans the path first and never matches ".".
        if (c.source.startsWith('TestMatches')) return m.matchesOrParentMatches(c.path ?? '');
        const file = cleanPath(c.path ?? '');
        return file === '.' ? false : m.matchesOrParentMatches(file);
      });
    case 'count':
      return outcome(() => new PatternMatcher(patterns).patterns.length);
    case 'exclusions':
      return outcome(() => new PatternMatcher(patterns).exclusions);
    case 'readall':
      return outcome(() => {
        const read = readIgnoreFile(c.text ?? '').map((l) => l.pattern);
        if (c.expect === 'error') new PatternMatcher(read);
        return read;
      });
  }
}

/** `ignoreCases` lists one case per patternmatcher table entry. */
export function ignoreCases(fx: Fixtures): Case[] {
  const data = fx.json('moby-patternmatcher/cases.json') as { cases: IgnoreCase[] };
  return data.cases.map((c, i) => ({
    id: `patternmatcher#${i} ${c.source} ${JSON.stringify(c.patterns ?? c.text)} ${c.path ?? ''}`.trim(),
    group: 'patternmatcher',
    run: () => assert.deepEqual(evaluate(c), c.expect),
  }));
}
