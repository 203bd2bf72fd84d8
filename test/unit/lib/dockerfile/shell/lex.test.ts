import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processShellWord } from '../../../../../lib/dockerfile/shell/lex.js';

const env: Record<string, string> = { A: 'a', SP: 'x  y', EMPTY: '' };
const word = (w: string): string => processShellWord(w, (n) => env[n]).value;
const words = (w: string): string[] => processShellWord(w, (n) => env[n]).words;

test('special and positional parameters are never set', () => {
  assert.equal(word('$@ $* $# $? $- $$ $! $0|'), '       |');
  assert.equal(word('${#:-x}${@:+y}'), 'x');
  assert.equal(word('he$1x'), 'hex', '$1 is a positional parameter, then x');
  assert.equal(word('$001aaa'), 'aaa');
});

test('a trailing escape is dropped; an escaped escape is one backslash', () => {
  assert.equal(word('hello\\'), 'hello');
  assert.equal(word('hello\\\\'), 'hello\\');
});

test("words split on unquoted blanks, also inside a variable's value", () => {
  assert.deepEqual(words('a "b  c" $SP\\ z'), ['a', 'b  c', 'x', 'y z']);
  assert.deepEqual(words('"" x'), ['x'], 'an empty quoted word is dropped');
});

test('raw quotes, raw escapes and unset variables kept as written (heredoc detection)', () => {
  const r = processShellWord(`"q" \\x $NOPE \${NOPE:-d}`, () => undefined, { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  assert.deepEqual(r.words, ['"q"', '\\x', '$NOPE', '${NOPE:-d}']);
});

test('skipProcessQuotes treats quotes as text (heredoc bodies)', () => {
  assert.equal(processShellWord(`'$A' "$A"`, (n) => env[n], { skipProcessQuotes: true }).value, `'a' "a"`);
});

test('matched and unmatched names are reported', () => {
  const r = processShellWord('$A ${EMPTY} ${NOPE:-x} $A', (n) => env[n]);
  assert.deepEqual([r.matched, r.unmatched], [['A', 'EMPTY'], ['NOPE']]);
});
