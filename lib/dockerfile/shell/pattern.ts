import { syntaxError } from './errors.js';

const REGEX_SPECIAL = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

/**
 * `shellPatternRegex` turns the pattern of `${VAR#pattern}`, `${VAR%pattern}` or
 * `${VAR/pattern/…}` into a RegExp: `*` is any run of characters but a newline (lazy unless
 * `greedy`), `?` one such character, and `\` escapes `*`, `?` and itself. As in BuildKit there are no bracket
 * expressions, and a `\` before `}` or `/` only protects the delimiter.
 */
export function shellPatternRegex(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  let out = anchored ? '^' : '';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      out += greedy ? '[^\\n]*' : '[^\\n]*?';
    } else if (ch === '?') {
      out += '[^\\n]';
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next === '}' || next === '/') continue;
      if (next !== '*' && next !== '?' && next !== '\\') throw syntaxError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${next ?? ''}'`);
      out += `\\${next}`;
      i++;
    } else if (REGEX_SPECIAL.has(ch)) {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  return new RegExp(out, 'u');
}

/** `trimPrefix` is `${VAR#pattern}` (shortest) and `${VAR##pattern}` (longest). */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = shellPatternRegex(pattern, greedy, true).exec(value);
  return m === null ? value : value.slice(m[0].length);
}

/**
 * `trimSuffix` is `${VAR%pattern}` and `${VAR%%pattern}`: a regex cannot find the shortest
 * rightmost match, so pattern and value are reversed and the prefix is trimmed (BuildKit's way).
 */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

/**
 * `replaceMatch` is `${VAR/pattern/repl}` (first match) and `${VAR//pattern/repl}` (every match).
 * Replacing every match goes through Go's `ReplaceAllString`, whose template turns `$$` into `$`
 * and `$name` into an (always empty) group; the first-match form inserts `repl` as is.
 */
export function replaceMatch(value: string, pattern: string, repl: string, all: boolean): string {
  const re = shellPatternRegex(pattern, true, false);
  if (!all) {
    const m = re.exec(value);
    return m === null ? value : value.slice(0, m.index) + repl + value.slice(m.index + m[0].length);
  }
  const template = repl.replace(/\$(\$|\{[^}]*\}|[A-Za-z0-9_]+)/g, (_, g: string) => (g === '$' ? '$' : ''));
  const global = new RegExp(re.source, 'gu');
  let out = '';
  let last = 0;
  for (let m = global.exec(value); m !== null; m = global.exec(value)) {
    out += value.slice(last, m.index) + template;
    last = m.index + m[0].length;
    // An empty match must still move on, or the loop never ends.
    if (m[0].length === 0) global.lastIndex += value.codePointAt(m.index)! > 0xffff ? 2 : 1;
    if (m.index >= value.length) break;
  }
  return out + value.slice(last);
}

function reverse(s: string): string {
  return Array.from(s).reverse().join('');
}

/** Reverses a pattern but keeps each `\x` escape in front of the character it escapes. */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = new Array<string>(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last;) {
    const ch = chars[i]!;
    if (ch === '\\' && i !== last) {
      out[last - i - 1] = ch;
      out[last - i] = chars[i + 1]!;
      i += 2;
    } else {
      out[last - i] = ch;
      i++;
    }
  }
  return out.join('');
}
