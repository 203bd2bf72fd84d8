import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandWord, ExpansionError, referencedNames } from '../../../../lib/dockerfile/expand.js';

const vars: Record<string, string> = { A: 'a', EMPTY: '', DIR: '/opt/app', FILE: 'archive.tar.gz', SP: 'x y' };
const lookup = (n: string): string | undefined => vars[n];

const cases: [string, string, string][] = [
  ['plain $VAR', '$A', 'a'],
  ['braced', '${A}b', 'ab'],
  ['name stops at non-name char', '$A-x', 'a-x'],
  ['unset is empty', 'x${NOPE}y', 'xy'],
  [':- on unset', '${NOPE:-dflt}', 'dflt'],
  [':- on empty', '${EMPTY:-dflt}', 'dflt'],
  ['- on empty keeps empty', '${EMPTY-dflt}', ''],
  ['- on unset', '${NOPE-dflt}', 'dflt'],
  [':+ on set', '${A:+alt}', 'alt'],
  [':+ on empty', '${EMPTY:+alt}', ''],
  ['+ on empty', '${EMPTY+alt}', 'alt'],
  ['+ on unset', '${NOPE+alt}', ''],
  ['nested default', '${NOPE:-$A/x}', 'a/x'],
  ['escaped dollar', '\\$A', '$A'],
  ['single quotes are literal', "'$A'", '$A'],
  ['double quotes expand', '"$A b"', 'a b'],
  ['escaped quote inside double quotes', '"say \\"hi\\""', 'say "hi"'],
  ['backslash kept before other chars in double quotes', '"a\\nb"', 'a\\nb'],
  ['mixed quoting', `"$DIR"/'$A'/x`, '/opt/app/$A/x'],
  ['lone dollar', 'cost $', 'cost $'],
  ['dollar before non-name', '$.x', '$.x'],
  ['special parameter $- is unset', '$-x', 'x'],
  ['positional parameter then text', '$1x', 'x'],
  ['trailing escape dropped', 'a\\', 'a'],
  ['prefix removal shortest', '${FILE#*.}', 'tar.gz'],
  ['prefix removal longest', '${FILE##*.}', 'gz'],
  ['suffix removal shortest', '${FILE%.*}', 'archive.tar'],
  ['suffix removal longest', '${FILE%%.*}', 'archive'],
  ['replace first', '${DIR/p/P}', '/oPt/app'],
  ['replace all', '${DIR//p/P}', '/oPt/aPP'],
  ['value with spaces is one word', '$SP', 'x y'],
  ['default with quotes', '${NOPE:-"a b"}', 'a b'],
];

for (const [name, input, want] of cases) {
  test(`expandWord: ${name}`, () => {
    assert.equal(expandWord(input, lookup).value, want);
  });
}

test('expandWord uses the escape directive character', () => {
  assert.equal(expandWord('`$A', lookup, { escape: '`' }).value, '$A');
  assert.equal(expandWord('C:\\dir', lookup, { escape: '`' }).value, 'C:\\dir');
});

test('expandWord heredoc mode keeps quotes, processes escapes, expands variables', () => {
  // As in BuildKit's heredoc tests: `\\` gives `\`, `\$` gives `$`, and a `\` before the newline goes.
  assert.equal(expandWord('echo "$A" \'$A\' \\\\ \\$A \\\n', lookup, { heredoc: true }).value, 'echo "a" \'a\' \\ $A \n');
  assert.equal(expandWord('`$A', lookup, { heredoc: true, escape: '`' }).value, '`a', 'the escape directive does not apply');
});

test('expandWord reports referenced names, set or not', () => {
  assert.deepEqual(expandWord('${TARGETARCH:-amd64}-$A-$NOPE', lookup).used.sort(), ['A', 'NOPE', 'TARGETARCH']);
  assert.deepEqual(referencedNames('--platform=$BUILDPLATFORM'), ['BUILDPLATFORM']);
});

const errors: [string, string, RegExp][] = [
  ['missing brace', '${A', /missing '}'/],
  ['bad modifier', '${A!x}', /failed to process "\$\{A!x\}": unsupported modifier \(!\)/],
  ['bad colon modifier', '${A:=x}', /unsupported modifier \(:=\)/],
  ['empty name', '${}', /bad substitution/],
  ['unterminated single quote', "'abc", /single-quote/],
  ['unterminated double quote', '"abc', /double-quote/],
  [':? on unset', '${NOPE:?must be set}', /NOPE: must be set/],
  ['? on unset default message', '${NOPE?}', /NOPE: is not allowed to be unset/],
];
for (const [name, input, re] of errors) {
  test(`expandWord error: ${name}`, () => {
    assert.throws(
      () => expandWord(input, lookup),
      (err: unknown) => err instanceof ExpansionError && err.code === 'OCIBAKE_DOCKERFILE_SYNTAX' && re.test(err.message),
    );
  });
}

test('expandWord :? passes when set', () => {
  assert.equal(expandWord('${A:?x}', lookup).value, 'a');
});

test('expandWord: deeply nested substitutions are a typed error, not a stack overflow', () => {
  const word = `${'${A:-'.repeat(10_000)}x${'}'.repeat(10_000)}`;
  assert.throws(
    () => expandWord(word, lookup),
    (err: unknown) => err instanceof ExpansionError && /nested more than 64/.test(err.message),
  );
  assert.equal(expandWord(`${'${NOPE:-'.repeat(60)}x${'}'.repeat(60)}`, lookup).value, 'x');
});
