import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OcibakeError } from '../errors.js';
import { cleanPath } from './dockerignore/clean.js';
import { PatternMatcher, type MatcherPattern } from './dockerignore/matcher.js';
import { IgnorePatternError } from './dockerignore/pattern.js';
import { readIgnoreFile } from './dockerignore/read.js';

export { PatternMatcher } from './dockerignore/matcher.js';
export { readIgnoreFile } from './dockerignore/read.js';

/** `IgnorePattern` is one compiled line of a .dockerignore file. */
export interface IgnorePattern {
  /** The cleaned pattern as matched (`!` removed, leading `/` and `./` dropped). */
  pattern: string;
  /** True for `!pattern`: re-includes what earlier lines excluded. */
  exception: boolean;
  /** 1-based line in the ignore file. */
  line: number;
  /** Whether the pattern matches this exact path (parents are tried by `ignores`). */
  matches(path: string): boolean;
}

/** `Dockerignore` answers "is this context path excluded?" with Docker's pattern semantics. */
export interface Dockerignore {
  /** The ignore file used (`<Dockerfile>.dockerignore` or `<context>/.dockerignore`), if any. */
  file?: string;
  patterns: IgnorePattern[];
  /** True when some pattern starts with `!`: an ignored directory may then still hold included files, so walkers must descend. */
  hasExceptions: boolean;
  /** `ignores` takes a context-relative path with `/` separators (`src/main.go`, no leading `./`). */
  ignores(relPath: string): boolean;
}

/**
 * `loadDockerignore` reads the ignore file for a build: `<dockerfilePath>.dockerignore` when it
 * exists (BuildKit's per-Dockerfile ignore file), otherwise `<contextDir>/.dockerignore`, otherwise
 * an empty matcher that ignores nothing.
 *
 *     const ig = await loadDockerignore('.', './Dockerfile');
 *     ig.ignores('node_modules/x/index.js'); // true with a `node_modules` line
 */
export async function loadDockerignore(contextDir: string, dockerfilePath?: string): Promise<Dockerignore> {
  const candidates = dockerfilePath === undefined ? [] : [`${dockerfilePath}.dockerignore`];
  candidates.push(join(contextDir, '.dockerignore'));
  for (const file of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new OcibakeError('OCIBAKE_DOCKERIGNORE', `reading ${file}: ${(err as Error).message}`, { cause: err });
    }
    return parseDockerignore(text, file);
  }
  return compileDockerignore([]);
}

/**
 * `parseDockerignore` compiles the text of an ignore file with moby's rules (`ignorefile.ReadAll`
 * then `patternmatcher.New`): `#` lines and blank lines are skipped, `!` marks an exception, each
 * pattern is cleaned like Go's `filepath.Clean` (so `/foo`, `./foo` and `foo/` all mean `foo`), and
 * a pattern Go's `filepath.Match` rejects is an error naming its line.
 */
export function parseDockerignore(text: string, file = '.dockerignore'): Dockerignore {
  const lines = readIgnoreFile(text);
  let matcher: PatternMatcher;
  try {
    matcher = new PatternMatcher(lines.map((l) => l.pattern));
  } catch (err) {
    if (!(err instanceof IgnorePatternError)) throw err;
    const at = lines[err.index];
    throw ignoreError(file, at?.line ?? 0, `invalid pattern ${JSON.stringify(at?.pattern ?? '')}: ${err.message}`);
  }
  const out = fromMatcher(matcher, (p) => lines[p.index]!.line);
  out.file = file;
  return out;
}

/** `compileDockerignore` builds the matcher over already compiled patterns. */
export function compileDockerignore(patterns: IgnorePattern[]): Dockerignore {
  return {
    patterns,
    hasExceptions: patterns.some((p) => p.exception),
    ignores: (relPath) => {
      const path = normalize(relPath);
      const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')).split('/') : [];
      let matched = false;
      for (const p of patterns) {
        if (p.exception !== matched) continue;
        let hit = p.matches(path);
        for (let i = 0; !hit && i < parent.length; i++) hit = p.matches(parent.slice(0, i + 1).join('/'));
        if (hit) matched = !p.exception;
      }
      return matched;
    },
  };
}

function fromMatcher(m: PatternMatcher, lineOf: (p: MatcherPattern) => number): Dockerignore {
  const patterns = m.patterns.map((p) => ({ pattern: p.pattern, exception: p.exclusion, line: lineOf(p), matches: p.matches }));
  return { patterns, hasExceptions: m.exclusions, ignores: (relPath) => m.matchesOrParentMatches(normalize(relPath)) };
}

/** A context path as the matcher wants it: cleaned, no leading `./` or `/`. */
function normalize(relPath: string): string {
  const p = cleanPath(relPath);
  return p.startsWith('/') ? p.slice(1) : p === '.' ? '' : p;
}

function ignoreError(file: string, line: number, what: string): OcibakeError {
  return new OcibakeError('OCIBAKE_DOCKERIGNORE', `${file}:${line}: ${what}`, {
    hint: 'patterns follow Go filepath.Match plus `**`; escape a literal `[` as `\\[`',
  });
}
