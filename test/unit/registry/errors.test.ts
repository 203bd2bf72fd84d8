import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, RegistryError } from '../../../registry/errors.js';

test('RegistryError carries registry, repository, method, status, code and a hint', () => {
  const e = new RegistryError('m', { registry: 'r.io', repository: 'a', method: 'GET', status: 404 });
  assert.equal(e.code, 'OCIBAKE_NOT_FOUND');
  assert.equal(e.temporary, false);
  assert.ok(e.hint);
  assert.equal(new RegistryError('m', { registry: 'r.io', status: 503 }).temporary, true);
  assert.equal(new RegistryError('m', { registry: 'r.io' }).code, 'OCIBAKE_REGISTRY_UNREACHABLE');
});

test('AuthError: 401 unauthorized, 403 denied, never temporary', () => {
  const a = new AuthError('x', { registry: 'r.io', status: 401 });
  assert.equal(a.code, 'OCIBAKE_UNAUTHORIZED');
  assert.equal(a.temporary, false);
  assert.match(a.hint ?? '', /ocibake login r\.io/);
  assert.equal(new AuthError('x', { registry: 'r.io', status: 403 }).code, 'OCIBAKE_DENIED');
  assert.ok(a instanceof RegistryError);
});
