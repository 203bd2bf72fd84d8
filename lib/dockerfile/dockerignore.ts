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
  regex: RegExp;
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
    let regex: RegExp;
    try {
      regex = patternRegex(p);
    } catch (err) {
      throw ignoreError(file, i + 1, `invalid pattern ${JSON.stringify(lines[i]!.trim())}: ${(err as Error).message}`);
    }
    patterns.push({ pattern: p, exception, line: i + 1, regex });
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
  const file = posix.normalize(relPath.replace(/\\/g, '/')).replace(/^\.\/|^\/+/, '').replace(/\/+$/, '');
  const parent = posix.dirname(file);
  const parentDirs = parent === '.' ? [] : parent.split('/');
  let matched = false;
  for (const p of patterns) {
    if (p.exception !== matched) continue;
    let hit = p.regex.test(file);
    for (let i = 0; !hit && i < parentDirs.length; i++) hit = p.regex.test(parentDirs.slice(0, i + 1).join('/'));
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

/** Translates a Go `filepath.Match` pattern extended with `**` into an anchored RegExp. */
function patternRegex(p: string): RegExp {
  let re = '^';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '*') {
      if (p[i + 1] === '*') {
        // moby's patternmatcher: `**` (its `/` eaten) is `(.*/)?` (zero or more directories), or
        // `.*` at the end. So `**.go` matches `a/.go` but not `main.go`, exactly as Docker does.
        i++;
        if (p[i + 1] === '/') i++;
        re += i + 1 >= p.length ? '.*' : '(?:.*/)?';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) throw new Error('unterminated character class');
      let body = p.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${escapeClass(body.slice(1))}`;
      else body = escapeClass(body);
      if (/^\^?$/.test(body)) throw new Error('empty character class');
      const range = /(.)-(.)/.exec(body.replace(/^\^/, ''));
      if (range && range[1]! > range[2]!) throw new Error('character range out of order');
      re += `[${body}]`;
      i = end;
    } else if (ch === '\\') {
      i++;
      if (i >= p.length) throw new Error('trailing backslash');
      re += escapeRegex(p[i]!);
    } else re += escapeRegex(ch);
  }
  return new RegExp(`${re}$`, 's');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function escapeClass(s: string): string {
  return s.replace(/[\]\\[^]/g, (c) => (c === '-' ? c : `\\${c}`));
}

function ignoreError(file: string, line: number, what: string): OcibakeError {
  return new OcibakeError('OCIBAKE_DOCKERIGNORE', `${file}:${line}: ${what}`, {
    hint: 'patterns follow Go filepath.Match plus `**`; escape a literal `[` as `\\[`',
  });
}
