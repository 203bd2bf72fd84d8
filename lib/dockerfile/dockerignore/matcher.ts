import { cleanPath } from './clean.js';
import { IgnorePatternError, compilePattern, type CompiledPattern } from './pattern.js';

/** `MatcherPattern` is one compiled pattern of a `PatternMatcher`. */
export interface MatcherPattern {
  /** The pattern as matched: trimmed, cleaned, `!` removed. */
  pattern: string;
  /** True for `!pattern`: re-includes what earlier patterns excluded. */
  exclusion: boolean;
  /** Index of the pattern in the list given to the matcher. */
  index: number;
  matches: CompiledPattern;
}

/**
 * `PatternMatcher` is moby's patternmatcher: an ordered list of patterns where the last one that
 * matches a path decides, and a pattern that matches a parent directory matches the path too (so
 * `node_modules` excludes everything below it). Blank patterns are dropped; a lone `!` and a
 * malformed pattern are errors (`IgnorePatternError` with the pattern's `index`).
 *
 *     new PatternMatcher(['*.md', '!README.md']).matchesOrParentMatches('docs/x.md') // false: `*` stops at `/`
 */
export class PatternMatcher {
  readonly patterns: MatcherPattern[] = [];
  /** True when some pattern starts with `!`. */
  readonly exclusions: boolean;

  constructor(patterns: readonly string[]) {
    let exclusions = false;
    patterns.forEach((raw, index) => {
      const trimmed = raw.trim();
      if (trimmed === '') return;
      let p = cleanPath(trimmed);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw at(new IgnorePatternError('illegal exclusion pattern: "!"'), index);
        exclusion = true;
        exclusions = true;
        p = p.slice(1);
      }
      let matches: CompiledPattern;
      try {
        matches = compilePattern(p);
      } catch (err) {
        if (err instanceof IgnorePatternError) throw at(err, index);
        throw err;
      }
      this.patterns.push({ pattern: p, exclusion, index, matches });
    });
    this.exclusions = exclusions;
  }

  /** `matchesOrParentMatches` takes a `/`-separated path relative to the context root. */
  matchesOrParentMatches(file: string): boolean {
    const slash = file.lastIndexOf('/');
    const parent = slash < 0 ? '.' : cleanPath(slash === 0 ? '/' : file.slice(0, slash));
    const parentDirs = parent === '.' ? [] : parent.split('/');
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue;
      let hit = p.matches(file);
      for (let i = 0; !hit && i < parentDirs.length; i++) hit = p.matches(parentDirs.slice(0, i + 1).join('/'));
      if (hit) matched = !p.exclusion;
    }
    return matched;
  }
}

function at(err: IgnorePatternError, index: number): IgnorePatternError {
  err.index = index;
  return err;
}
