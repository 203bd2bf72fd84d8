import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { OcibakeError } from '../errors.js';

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
 * `parseDockerignore` compiles the text of an ignore file. Lines are trimmed; `#` lines and blank
 * lines are skipped; `!` marks an exception; each pattern is cleaned like Go's `filepath.Clean`
 * (so `/foo`, `./foo` and `foo/` all mean `foo`).
 */
export function parseDockerignore(text: string, file = '.dockerignore'): Dockerignore {
  const patterns: IgnorePattern[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let p = lines[i]!.replace(/\r$/, '');
    if (p.startsWith('#')) continue;
    p = p.trim();
    if (p === '') continue;
    let exception = false;
    if (p.startsWith('!')) {
      exception = true;
      p = p.slice(1).trim();
      if (p === '') throw ignoreError(file, i + 1, `illegal exclusion pattern "!"`);
    }
    p = cleanPattern(p);
    let tokens: Token[];
    try {
      tokens = compilePattern(p);
    } catch (err) {
      throw ignoreError(file, i + 1, `invalid pattern ${JSON.stringify(lines[i]!.trim())}: ${(err as Error).message}`);
    }
    patterns.push({ pattern: p, exception, line: i + 1, matches: (path) => matchTokens(tokens, path) });
  }
  const out = compileDockerignore(patterns);
  out.file = file;
  return out;
}

/** `compileDockerignore` builds the matcher over already compiled patterns. */
export function compileDockerignore(patterns: IgnorePattern[]): Dockerignore {
  return {
    patterns,
    hasExceptions: patterns.some((p) => p.exception),
    ignores: (relPath) => matches(patterns, relPath),
  };
}

// moby's patternmatcher: the last matching line wins; a pattern that matches any parent directory
// of the path matches the path too, which is how `node_modules` excludes everything below it.
function matches(patterns: IgnorePattern[], relPath: string): boolean {
  // A backslash is an ordinary filename character on Linux, so it is not turned into a separator.
  const file = posix.normalize(relPath).replace(/^\.\/|^\/+/, '').replace(/\/+$/, '');
  const parent = posix.dirname(file);
  const parentDirs = parent === '.' ? [] : parent.split('/');
  let matched = false;
  for (const p of patterns) {
    if (p.exception !== matched) continue;
    let hit = p.matches(file);
    for (let i = 0; !hit && i < parentDirs.length; i++) hit = p.matches(parentDirs.slice(0, i + 1).join('/'));
    if (hit) matched = !p.exception;
  }
  return matched;
}

function cleanPattern(p: string): string {
  let cleaned = posix.normalize(p.replace(/\\(?=[/])/g, '/'));
  if (cleaned.length > 1) cleaned = cleaned.replace(/\/+$/, '');
  if (cleaned.length > 1 && cleaned.startsWith('/')) cleaned = cleaned.slice(1);
  if (cleaned.startsWith('./')) cleaned = cleaned.slice(2);
  return cleaned;
}

/**
 * A compiled pattern: Go `filepath.Match` plus `**`, as moby's patternmatcher reads it. Matched by
 * dynamic programming rather than a RegExp, because JavaScript regexes backtrack: `*a*a*a*a*b`
 * against a long name would take exponential time (Go's RE2 does not), and a .dockerignore line
 * must not hang the build.
 */
type Token =
  | { t: 'char'; c: string }
  | { t: 'one' } // ?  : one character except /
  | { t: 'star' } // * : any run of characters except /
  | { t: 'dirs' } // **/ or ** before more pattern: zero or more whole directories, `(.*/)?`
  | { t: 'all' } // ** at the end: anything, `.*`
  | { t: 'class'; re: RegExp };

function compilePattern(p: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '*') {
      if (p[i + 1] === '*') {
        // moby: `**` (its `/` eaten) is `(.*/)?`, or `.*` at the end. So `**.go` matches `a/.go`
        // but not `main.go`, exactly as Docker does.
        i++;
        if (p[i + 1] === '/') i++;
        out.push(i + 1 >= p.length ? { t: 'all' } : { t: 'dirs' });
      } else out.push({ t: 'star' });
    } else if (ch === '?') out.push({ t: 'one' });
    else if (ch === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) throw new Error('unterminated character class');
      let body = p.slice(i + 1, end);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      const range = /(.)-(.)/.exec(body);
      if (range && range[1]! > range[2]!) throw new Error('character range out of order');
      const escaped = body.replace(/[\]\\[^]/g, (c) => `\\${c}`);
      out.push({ t: 'class', re: new RegExp(`^[${negated ? '^' : ''}${escaped}]$`, 's') });
      i = end;
    } else if (ch === '\\') {
      i++;
      if (i >= p.length) throw new Error('trailing backslash');
      out.push({ t: 'char', c: p[i]! });
    } else out.push({ t: 'char', c: ch });
  }
  return out;
}

/** `ok[t][i]`: does tokens[t..] match s[i..]? Filled backwards; O(tokens × length). */
function matchTokens(tokens: Token[], s: string): boolean {
  const n = s.length;
  let next = new Uint8Array(n + 1);
  next[n] = 1;
  for (let t = tokens.length - 1; t >= 0; t--) {
    const tok = tokens[t]!;
    const cur = new Uint8Array(n + 1);
    let dirAhead = 0; // some j >= i with s[j] === '/' and next[j + 1]
    for (let i = n; i >= 0; i--) {
      const c = s[i];
      let v = 0;
      switch (tok.t) {
        case 'char':
          v = c === tok.c && next[i + 1] ? 1 : 0;
          break;
        case 'one':
          v = c !== undefined && c !== '/' && next[i + 1] ? 1 : 0;
          break;
        case 'class':
          v = c !== undefined && tok.re.test(c) && next[i + 1] ? 1 : 0;
          break;
        case 'star':
          v = next[i] || (c !== undefined && c !== '/' && cur[i + 1]) ? 1 : 0;
          break;
        case 'all':
          v = next[i] || (c !== undefined && cur[i + 1]) ? 1 : 0;
          break;
        case 'dirs':
          if (c === '/' && next[i + 1]) dirAhead = 1;
          v = next[i] || dirAhead ? 1 : 0;
          break;
      }
      cur[i] = v;
    }
    next = cur;
  }
  return next[0] === 1;
}

function ignoreError(file: string, line: number, what: string): OcibakeError {
  return new OcibakeError('OCIBAKE_DOCKERIGNORE', `${file}:${line}: ${what}`, {
    hint: 'patterns follow Go filepath.Match plus `**`; escape a literal `[` as `\\[`',
  });
}
