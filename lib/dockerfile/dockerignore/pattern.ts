import { OcibakeError } from '../../errors.js';
import { checkMatchSyntax, readClass, type CharClass } from './syntax.js';

/** `IgnorePatternError` is a pattern Go's `filepath.Match` (or moby's regexp) rejects. */
export class IgnorePatternError extends OcibakeError {
  /** Position of the pattern in the list given to the matcher; -1 when unknown. */
  index = -1;
  constructor(message: string) {
    super('OCIBAKE_DOCKERIGNORE', message, { hint: 'patterns follow Go filepath.Match plus `**`; escape a literal `[` as `\\[`' });
  }
}

/**
 * A compiled pattern token, as moby's patternmatcher turns a pattern into a regexp: `?` and `*`
 * never cross a `/`; `**` not at the end matches zero or more whole directories (its `/` is
 * eaten), at the end anything; `^` outside a class stays a regexp anchor.
 */
type Token = { t: 'char'; c: string } | { t: 'one' } | { t: 'star' } | { t: 'dirs' } | { t: 'all' } | { t: 'bol' } | { t: 'class'; cls: CharClass };

/** `CompiledPattern` answers whether one path (cleaned, `/`-separated) matches. */
export type CompiledPattern = (path: string) => boolean;

/**
 * `compilePattern` compiles a cleaned pattern with moby's rules. Patterns without wildcards compare
 * exactly; `prefix/**` is a prefix test and `**suffix` a suffix test (where `**∕foo` also matches
 * `foo`), as in moby; everything else is matched by dynamic programming over the tokens, not by a
 * JavaScript RegExp, whose backtracking could take exponential time on `*a*a*a*b`.
 *
 *     compilePattern('**∕*.go')('cmd/main.go') // true
 */
export function compilePattern(pattern: string): CompiledPattern {
  const err = checkMatchSyntax(pattern);
  if (err !== undefined) throw new IgnorePatternError(err);
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  let type: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  for (let i = 0, step = 0; i < chars.length; i++, step++) {
    const ch = chars[i]!;
    if (ch === '*' && chars[i + 1] === '*') {
      i++;
      if (chars[i + 1] === '/') i++;
      if (i + 1 >= chars.length) {
        type = type === 'exact' ? 'prefix' : 'regexp';
        tokens.push({ t: 'all' });
      } else {
        type = 'regexp';
        tokens.push({ t: 'dirs' });
      }
      if (step === 0) type = 'suffix';
    } else if (ch === '*' || ch === '?') {
      type = 'regexp';
      tokens.push({ t: ch === '*' ? 'star' : 'one' });
    } else if (ch === '\\') {
      if (i + 1 < chars.length) {
        type = 'regexp';
        tokens.push({ t: 'char', c: chars[++i]! });
      } else tokens.push({ t: 'char', c: '\\' });
    } else if (ch === '[') {
      type = 'regexp';
      const { cls, end } = readClass(chars, i);
      if (cls.ranges.some(([lo, hi]) => lo > hi)) throw new IgnorePatternError('invalid character class range');
      tokens.push({ t: 'class', cls });
      i = end;
    } else if (ch === ']') {
      type = 'regexp';
      tokens.push({ t: 'char', c: ']' });
    } else if (ch === '^') {
      tokens.push({ t: 'bol' });
    } else tokens.push({ t: 'char', c: ch });
  }
  switch (type) {
    case 'exact':
      return (p) => p === pattern;
    case 'prefix': {
      const prefix = pattern.slice(0, -2);
      return (p) => p.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = pattern.slice(2);
      return (p) => p.endsWith(suffix) || (suffix.startsWith('/') && p === suffix.slice(1));
    }
    case 'regexp':
      return (p) => matchTokens(tokens, Array.from(p));
  }
}

function inClass(cls: CharClass, c: string): boolean {
  const cp = c.codePointAt(0)!;
  const hit = cls.ranges.some(([lo, hi]) => lo <= cp && cp <= hi);
  return hit !== cls.negated;
}

/** `ok[t][i]`: do tokens[t..] match s[i..]? Filled backwards; O(tokens × length). */
function matchTokens(tokens: Token[], s: string[]): boolean {
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
          v = c !== undefined && inClass(tok.cls, c) && next[i + 1] ? 1 : 0;
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
        case 'bol':
          v = i === 0 && next[i] ? 1 : 0;
          break;
      }
      cur[i] = v;
    }
    next = cur;
  }
  return next[0] === 1;
}
