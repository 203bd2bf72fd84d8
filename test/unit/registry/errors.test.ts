import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authError, RegistryError, registryError } from '../../../registry/errors.js';

test('RegistryError carries registry, repository, method, status, code and a hint', () => {
  const e = registryError('m', { registry: 'r.io', repository: 'a', method: 'GET', status: 404 });
  assert.equal(e.code, 'OCIBAKE_NOT_FOUND');
  assert.equal(e.temporary, false);
  assert.ok(e.hint);
  assert.equal(registryError('m', { registry: 'r.io', status: 503 }).temporary, true);
  assert.equal(registryError('m', { registry: 'r.io' }).code, 'OCIBAKE_REGISTRY_UNREACHABLE');
});

test('AuthError: 401 unauthorized, 403 denied, never temporary', () => {
  const a = authError('x', { registry: 'r.io', status: 401 });
  assert.equal(a.code, 'OCIBAKE_UNAUTHORIZED');
  assert.equal(a.temporary, false);
  assert.match(a.hint ?? '', /ocibake login r\.io/);
  assert.equal(authError('x', { registry: 'r.io', status: 403 }).code, 'OCIBAKE_DENIED');
  assert.ok(a instanceof RegistryError);
});
