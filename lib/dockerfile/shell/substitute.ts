import { syntaxError } from './errors.js';
import type { ShellLexer } from './lex.js';
import { replaceMatch, trimPrefix, trimSuffix } from './pattern.js';

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/** The POSIX special parameters (`$@ $* $# $? $- $$ $! $0`): never set in a Dockerfile. */
const SPECIAL = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

function isDigit(ch: string): boolean {
  return (ch >= '0' && ch <= '9') || (ch > '\u007f' && DIGIT.test(ch));
}

function isNameChar(ch: string): boolean {
  if (ch < '\u0080') return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch === '_';
  return LETTER.test(ch) || DIGIT.test(ch);
}

/**
 * `readName` reads a parameter name: letters, digits and `_`; or a run of digits (a positional
 * parameter, so `$1x` is `$1` then `x`); or one special-parameter character.
 */
function readName(lx: ShellLexer): string {
  let name = '';
  for (let ch = lx.peek(); ch !== undefined; ch = lx.peek()) {
    if (name === '' && isDigit(ch)) {
      while (ch !== undefined && isDigit(ch)) {
        name += lx.next();
        ch = lx.peek();
      }
      return name;
    }
    if (name === '' && SPECIAL.has(ch)) return lx.next()!;
    if (!isNameChar(ch)) break;
    name += lx.next();
  }
  return name;
}

/**
 * `processDollar` expands the `$…` at the cursor: `$NAME`, `${NAME}`, `${NAME:-word}`,
 * `${NAME-word}`, `:+`/`+`, `:?`/`?`, `#`/`##`/`%`/`%%` pattern trimming and `/`/`//` replacement.
 * A `$` not followed by a name is literal.
 */
export function processDollar(lx: ShellLexer): string {
  lx.next();
  if (lx.peek() !== '{') {
    const name = readName(lx);
    if (name === '') return '$';
    const value = lx.get(name);
    if (value === undefined && lx.opts.skipUnsetEnv === true) return `$${name}`;
    return value ?? '';
  }
  lx.next();
  return lx.nest(() => braced(lx));
}

function braced(lx: ShellLexer): string {
  const first = lx.peek();
  if (first === undefined) throw syntaxError("syntax error: missing '}'");
  if (first === '{' || first === '}' || first === ':') throw syntaxError('syntax error: bad substitution');
  const name = readName(lx);
  let ch = lx.next();
  // BuildKit reports the end of input here as an unsupported modifier; the missing brace is clearer.
  if (ch === undefined) throw syntaxError("syntax error: missing '}'");
  let op = ch;
  const skip = lx.opts.skipUnsetEnv === true;
  if (ch === '}') {
    const value = lx.get(name);
    return value === undefined && skip ? `\${${name}}` : (value ?? '');
  }
  if (ch === '/') return replacement(lx, name);
  let nullIsUnset = false;
  if (ch === ':') {
    nullIsUnset = true;
    ch = lx.next();
    op += ch ?? '\uFFFD';
  } else if (ch !== '+' && ch !== '-' && ch !== '?' && ch !== '#' && ch !== '%') {
    throw syntaxError(`unsupported modifier (${op}) in substitution`);
  }
  let word: string;
  try {
    word = lx.stopOn('}', ch === '#' || ch === '%');
  } catch (err) {
    if (lx.peek() === undefined) throw syntaxError("syntax error: missing '}'");
    throw err;
  }
  const value = lx.get(name);
  if (value === undefined && skip) return `\${${name}${op}${word}}`;
  const unset = value === undefined || (nullIsUnset && value === '');
  switch (ch) {
    case '-':
      return unset ? word : value;
    case '+':
      return unset ? '' : word;
    case '?':
      if (value === undefined) throw syntaxError(`${name}: ${word === '' ? 'is not allowed to be unset' : word}`);
      if (unset) throw syntaxError(`${name}: ${word === '' ? 'is not allowed to be empty' : word}`);
      return value;
    case '#':
    case '%': {
      const greedy = word.startsWith(ch);
      const pattern = greedy ? word.slice(1) : word;
      return ch === '%' ? trimSuffix(pattern, value ?? '', greedy) : trimPrefix(pattern, value ?? '', greedy);
    }
    default:
      throw syntaxError(`unsupported modifier (${op}) in substitution`);
  }
}

function replacement(lx: ShellLexer, name: string): string {
  const all = lx.peek() === '/';
  if (all) lx.next();
  let pattern: string;
  try {
    pattern = lx.stopOn('/', true);
  } catch (err) {
    if (lx.peek() === undefined) throw syntaxError("syntax error: missing '/' in ${}");
    throw err;
  }
  let repl: string;
  try {
    repl = lx.stopOn('}', true);
  } catch (err) {
    if (lx.peek() === undefined) throw syntaxError("syntax error: missing '}'");
    throw err;
  }
  const value = lx.get(name);
  if (value === undefined && lx.opts.skipUnsetEnv === true) return `\${${name}/${pattern}/${repl}}`;
  return replaceMatch(value ?? '', pattern, repl, all);
}
