import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, parseDuration, parseFlags } from '../../../../lib/dockerfile/flags.js';

test('parseFlags reads string, bool and repeated flags and returns the rest', () => {
  const f = parseFlags('COPY', '--from=build --link --exclude=a --exclude="b c" --chown=1:1   src dst');
  assert.equal(f.strings.get('from'), 'build');
  assert.equal(f.strings.get('chown'), '1:1');
  assert.equal(f.bools.get('link'), true);
  assert.deepEqual(f.multi.get('exclude'), ['a', 'b c']);
  assert.equal(f.rest, 'src dst');
});

test('parseFlags: flag names are case-insensitive, --link=false, -- ends flags', () => {
  const f = parseFlags('COPY', '--LINK=false -- --not-a-flag /x');
  assert.equal(f.bools.get('link'), false);
  assert.equal(f.rest, '--not-a-flag /x');
});

test('parseFlags: instructions without flags keep text that does not start with --', () => {
  assert.equal(parseFlags('RUN', 'echo --from=x').rest, 'echo --from=x');
  assert.equal(parseFlags('CMD', '["--help"]').rest, '["--help"]');
});

const errors: [string, string, string, RegExp][] = [
  ['unknown flag with suggestion', 'COPY', '--chmown=1 a b', /unknown flag: --chmown \(did you mean --chown\?\)/],
  ['flag on a flagless instruction', 'ENV', '--x=1 A=1', /unknown flag: --x/],
  ['missing value', 'FROM', '--platform alpine', /missing a value on flag: --platform/],
  ['duplicate', 'RUN', '--network=none --network=host true', /duplicate flag specified: --network/],
  ['bad boolean', 'ADD', '--keep-git-dir=yes x y', /expecting boolean value/],
  ['unterminated quote', 'COPY', '--chown="1:1 a b', /unterminated quote/],
];
for (const [name, ins, args, re] of errors) {
  test(`parseFlags rejects: ${name}`, () => {
    assert.throws(() => parseFlags(ins, args), (e: unknown) => e instanceof FlagError && re.test(e.message));
  });
}

test('parseDuration parses Go durations into nanoseconds', () => {
  assert.equal(parseDuration('30s'), 30e9);
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('1h'), 3600e9);
  assert.equal(parseDuration('1.5s'), 1.5e9);
  assert.equal(parseDuration('250ms'), 250e6);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('5'), undefined);
  assert.equal(parseDuration('5x'), undefined);
  assert.equal(parseDuration(''), undefined);
});
