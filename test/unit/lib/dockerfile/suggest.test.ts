import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean, suggest } from '../../../../lib/dockerfile/suggest.js';

const INSTR = ['FROM', 'RUN', 'COPY', 'ENV', 'WORKDIR', 'ENTRYPOINT'];

test('suggest finds transpositions and small typos', () => {
  assert.equal(suggest('FORM', INSTR), 'FROM');
  assert.equal(suggest('cpoy', INSTR), 'COPY');
  assert.equal(suggest('WROKDIR', INSTR), 'WORKDIR');
  assert.equal(suggest('ENTRYPIONT', INSTR), 'ENTRYPOINT');
  assert.equal(suggest('RUNN', INSTR), 'RUN');
});

test('suggest returns nothing for unrelated words', () => {
  assert.equal(suggest('XYZZY', INSTR), undefined);
  assert.equal(suggest('HELLO', INSTR), undefined);
  assert.equal(didYouMean('zzz', ['from', 'link'], '--'), '');
});

test('didYouMean formats a suffix with a prefix', () => {
  assert.equal(didYouMean('form', ['from', 'chown'], '--'), ' (did you mean --from?)');
});
