import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LINE_PARSERS, LineParseError, jsonStrings, parseWords } from '../../../../../lib/dockerfile/ast/line-parsers.js';

const parse = (keyword: string, rest: string): { args: string[]; json: boolean } => LINE_PARSERS[keyword]!(rest, '\\');

test('jsonStrings: arrays of strings, "not JSON", and the error for other arrays', () => {
  assert.deepEqual(jsonStrings(' ["a", "b c"] '), ['a', 'b c']);
  assert.deepEqual(jsonStrings('[]'), []);
  assert.equal(jsonStrings("['a']"), undefined);
  assert.equal(jsonStrings('["a", "b"'), undefined);
  assert.equal(jsonStrings('echo [x]'), undefined);
  assert.throws(
    () => jsonStrings('["a", ["b"]]'),
    (e: unknown) => e instanceof LineParseError && /comprised of strings only/.test(e.message),
  );
});

test('RUN/CMD: JSON, else the whole rest in shell form (a broken array too)', () => {
  assert.deepEqual(parse('cmd', '["a", "b"]'), { args: ['a', 'b'], json: true });
  assert.deepEqual(parse('cmd', '["echo", "x"'), { args: ['["echo", "x"'], json: false });
  assert.deepEqual(parse('run', '[ -f x ] && y'), { args: ['[ -f x ] && y'], json: false });
});

test('COPY/ADD/VOLUME/EXPOSE/FROM split on blanks only, keeping quotes and escapes', () => {
  assert.deepEqual(parse('copy', 'a\\ b "my file" /x'), { args: ['a\\', 'b', '"my', 'file"', '/x'], json: false });
  assert.deepEqual(parse('copy', '["my file", "/x"]'), { args: ['my file', '/x'], json: true });
  assert.deepEqual(parse('from', 'alpine AS base'), { args: ['alpine', 'AS', 'base'], json: false });
});

test('ENV/LABEL: key, value, separator triples; the legacy form has an empty separator', () => {
  assert.deepEqual(parse('env', 'A=1 B="x y"').args, ['A', '1', '=', 'B', '"x y"', '=']);
  assert.deepEqual(parse('env', 'JAVA_OPTS -Xmx1g -Xms1g').args, ['JAVA_OPTS', '-Xmx1g -Xms1g', '']);
  assert.deepEqual(parse('label', 'a=').args, ['a', '', '=']);
  assert.throws(() => parse('env', 'LONELY'), /ENV must have two arguments/);
  assert.throws(() => parse('env', 'A=1 B 2'), /can't find = in "B"/);
});

test('HEALTHCHECK: the type word, then the command in JSON or shell form', () => {
  assert.deepEqual(parse('healthcheck', 'CMD ["curl", "-f"]'), { args: ['CMD', 'curl', '-f'], json: true });
  assert.deepEqual(parse('healthcheck', 'CMD   a b'), { args: ['CMD', 'a b'], json: false });
  assert.deepEqual(parse('healthcheck', ''), { args: [], json: false });
});

test('parseWords keeps quotes and escapes, drops a trailing escape', () => {
  assert.deepEqual(parseWords(`a "b c" 'd e' f\\ g h\\`, '\\'), ['a', '"b c"', "'d e'", 'f\\ g', 'h']);
  assert.deepEqual(parseWords('x=""', '\\'), ['x=""']);
  assert.deepEqual(parseWords('C:\\dir `"q`"', '`'), ['C:\\dir', '`"q`"']);
});
