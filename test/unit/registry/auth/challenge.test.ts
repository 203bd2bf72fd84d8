import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenge, repositoryScope } from '../../../../registry/auth/challenge.js';

test('bearer challenge with quoted, comma-containing values', () => {
  const c = parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push"');
  assert.deepEqual(c, {
    scheme: 'bearer',
    params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull,push' },
  });
});

test('basic challenge, escaped quotes, errors param', () => {
  assert.deepEqual(parseChallenge('Basic realm="my \\"realm\\""'), { scheme: 'basic', params: { realm: 'my "realm"' } });
  assert.equal(parseChallenge('Bearer realm="r",error="insufficient_scope"')?.params['error'], 'insufficient_scope');
  assert.equal(parseChallenge(undefined), undefined);
  assert.equal(parseChallenge(''), undefined);
});

test('repositoryScope', () => assert.equal(repositoryScope('a/b', ['pull', 'push']), 'repository:a/b:pull,push'));
