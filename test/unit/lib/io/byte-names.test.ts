import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fsPath, hasEscapedBytes, nameFromBytes, nameToBytes } from '../../../../lib/io/byte-names.js';

const cases: [string, number[]][] = [
  ['plain ASCII', [...Buffer.from('main.go')]],
  ['valid UTF-8', [...Buffer.from('café-日本-😀')]],
  ['a Latin-1 byte', [0x63, 0x61, 0x66, 0xe9]],
  ['a lone continuation byte', [0x80, 0x41]],
  ['a truncated sequence', [0xe6, 0x97]],
  ['an overlong slash', [0xc0, 0xaf]],
  ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ['0xff and 0xfe', [0xff, 0xfe, 0x2e, 0x74]],
  ['escapes next to a real surrogate pair', [0xff, ...Buffer.from('😀'), 0x80]],
];

for (const [name, bytes] of cases) {
  test(`byte names round-trip: ${name}`, () => {
    const b = Buffer.from(bytes);
    const s = nameFromBytes(b);
    assert.deepEqual(nameToBytes(s), b);
    const valid = Buffer.from(b.toString('utf8'), 'utf8').equals(b);
    assert.equal(hasEscapedBytes(s), !valid);
    if (valid) {
      assert.equal(s, b.toString('utf8'), 'valid UTF-8 decodes as Node decodes it');
      assert.equal(fsPath(s), s, 'and fs gets the string itself');
    } else assert.deepEqual(fsPath(s), b);
  });
}

test('byte names round-trip for 2,000 random names', () => {
  for (let i = 0; i < 2000; i++) {
    const b = randomBytes(1 + (i % 40));
    assert.deepEqual(nameToBytes(nameFromBytes(b)), b);
  }
});

test('two names that differ only in invalid bytes stay different strings', () => {
  assert.notEqual(nameFromBytes(Buffer.from([0x61, 0xff])), nameFromBytes(Buffer.from([0x61, 0xfe])));
});
