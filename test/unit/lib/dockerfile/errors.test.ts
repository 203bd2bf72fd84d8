import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerfileError, SourceText } from '../../../../lib/dockerfile/errors.js';
import { OcibakeError } from '../../../../lib/errors.js';

test('DockerfileError message is FILE:LINE:COL: INSTRUCTION: what, then the quoted line', () => {
  const src = new SourceText('app/Dockerfile', ['FROM alpine', 'RUN make']);
  const err = src.error('OCIBAKE_RUN_IN_TARGET_STAGE', 'cannot run', { line: 2, column: 1, instruction: 'RUN', hint: 'fix it' });
  assert.ok(err instanceof DockerfileError);
  assert.ok(err instanceof OcibakeError);
  assert.equal(err.message, 'app/Dockerfile:2:1: RUN: cannot run\n  2 | RUN make');
  assert.equal(err.file, 'app/Dockerfile');
  assert.equal(err.line, 2);
  assert.equal(err.column, 1);
  assert.equal(err.instruction, 'RUN');
  assert.equal(err.detail, 'cannot run');
  assert.equal(err.hint, 'fix it');
  assert.equal(err.code, 'OCIBAKE_RUN_IN_TARGET_STAGE');
});

test('DockerfileError clips a huge line and neutralises control characters', () => {
  const huge = 'RUN ' + 'x'.repeat(100_000) + '\u0007';
  const err = new SourceText('Dockerfile', [huge]).error('OCIBAKE_DOCKERFILE_SYNTAX', 'too long', { line: 1, instruction: 'RUN' });
  assert.ok(err.message.length < 400, `message is ${err.message.length} chars`);
  assert.match(err.message, /\(100005 characters\)/);
  const bin = new SourceText('Dockerfile', ['\u0001\u0002FROM']).error('OCIBAKE_DOCKERFILE_SYNTAX', 'bad', { line: 1, instruction: 'file' });
  assert.doesNotMatch(bin.message, /[\u0001\u0002]/);
});
