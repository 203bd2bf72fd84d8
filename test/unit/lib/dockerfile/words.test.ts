import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseProblem, jsonArray, listArgs, looksLikeBrokenJson, nameValues } from '../../../../lib/dockerfile/words.js';

test('jsonArray accepts only arrays of strings', () => {
  assert.deepEqual(jsonArray(' ["a", "b c"] '), ['a', 'b c']);
  assert.deepEqual(jsonArray('[]'), []);
  assert.equal(jsonArray('["a", 1]'), undefined);
  assert.equal(jsonArray("['a']"), undefined);
  assert.equal(jsonArray('echo [x]'), undefined);
});

test('looksLikeBrokenJson flags ["… that is not JSON, never the test command', () => {
  assert.equal(looksLikeBrokenJson(`["sh", '-c']`), true);
  assert.equal(looksLikeBrokenJson('["a", "b"'), true);
  assert.equal(looksLikeBrokenJson('["a", "b"]'), false);
  assert.equal(looksLikeBrokenJson('[ "$A" = b ]'), false);
  assert.equal(looksLikeBrokenJson('[ -f x ]'), false);
});

test('listArgs reads JSON or blank-separated words', () => {
  assert.deepEqual(listArgs('["a b", "c"]', '\\'), ['a b', 'c']);
  assert.deepEqual(listArgs('a "b c"  d', '\\'), ['a', '"b c"', 'd']);
});

test('nameValues: k=v pairs, legacy form, errors', () => {
  assert.deepEqual(nameValues('ENV', 'A=1 B="x y"', '\\'), [{ key: 'A', value: '1' }, { key: 'B', value: '"x y"' }]);
  assert.deepEqual(nameValues('ENV', 'JAVA_OPTS -Xmx1g -Xms1g', '\\'), [{ key: 'JAVA_OPTS', value: '-Xmx1g -Xms1g' }]);
  assert.deepEqual(nameValues('LABEL', 'a=', '\\'), [{ key: 'a', value: '' }]);
  assert.throws(() => nameValues('ENV', '', '\\'), (e: unknown) => e instanceof ParseProblem && /at least one argument/.test(e.message));
  assert.throws(() => nameValues('ENV', 'LONELY', '\\'), (e: unknown) => e instanceof ParseProblem && /needs a value/.test(e.message));
  assert.throws(() => nameValues('ENV', '=x', '\\'), (e: unknown) => e instanceof ParseProblem && /names can not be blank/.test(e.message));
});
