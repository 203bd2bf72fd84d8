import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG_SPECS, parseDuration, parseFlags } from '../../../../lib/dockerfile/flags.js';
import { InstructionError } from '../../../../lib/dockerfile/build/instruction-error.js';

const COPY = FLAG_SPECS['COPY']!;

test('parseFlags reads string, bool and repeated flags', () => {
  const f = parseFlags(['--from=build', '--link', '--exclude=a', '--exclude=b c', '--chown=1:1'], COPY, 'COPY');
  assert.equal(f.strings.get('from'), 'build');
  assert.equal(f.strings.get('chown'), '1:1');
  assert.equal(f.bools.get('link'), true);
  assert.deepEqual(f.multi.get('exclude'), ['a', 'b c']);
});

test('parseFlags: --link=false, an empty string value, -- ends the flags', () => {
  const f = parseFlags(['--link=FALSE', '--chown=', '--', '--bogus'], COPY, 'COPY');
  assert.equal(f.bools.get('link'), false);
  assert.equal(f.strings.get('chown'), '');
});

const errors: [string, string, string[], RegExp][] = [
  ['unknown flag with suggestion', 'COPY', ['--chmown=1'], /unknown flag: --chmown \(did you mean --chown\?\)/],
  ['names are case-sensitive', 'COPY', ['--FROM=x'], /unknown flag: --FROM \(did you mean --from\?\)/],
  ['flag on a flagless instruction', 'ENV', ['--x=1'], /unknown flag: --x/],
  ['missing value', 'FROM', ['--platform'], /missing a value on flag: --platform/],
  ['bool with empty value', 'COPY', ['--link='], /missing a value on flag: --link/],
  ['duplicate', 'RUN', ['--network=none', '--network=host'], /duplicate flag specified: --network/],
  ['bad boolean', 'ADD', ['--keep-git-dir=yes'], /expecting boolean value/],
];
for (const [name, ins, args, re] of errors) {
  test(`parseFlags rejects: ${name}`, () => {
    assert.throws(
      () => parseFlags(args, FLAG_SPECS[ins] ?? {}, ins),
      (e: unknown) => e instanceof InstructionError && re.test(e.message),
    );
  });
}

test('parseDuration parses Go durations into nanoseconds', () => {
  assert.equal(parseDuration('30s'), 30e9);
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('1h'), 3600e9);
  assert.equal(parseDuration('1.5s'), 1.5e9);
  assert.equal(parseDuration('.5s'), 0.5e9);
  assert.equal(parseDuration('250ms'), 250e6);
  assert.equal(parseDuration('50ns'), 50);
  assert.equal(parseDuration('2μs'), 2000);
  assert.equal(parseDuration('-1s'), -1e9);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('5'), undefined);
  assert.equal(parseDuration('5x'), undefined);
  assert.equal(parseDuration('.s'), undefined);
  assert.equal(parseDuration(''), undefined);
});
