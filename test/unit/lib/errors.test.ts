import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findError, OcibakeError, wrapError } from '../../../lib/errors.js';
import { RegistryError, registryError } from '../../../registry/errors.js';
import { UnsafeArchiveError, unsafeEntry } from '../../../lib/layer/errors.js';

test('wrapError keeps the class, code, hint and fields of a typed error, with context in front', () => {
  const inner = registryError('GET https://r.io/v2/a/manifests/1 (404)', { registry: 'r.io', repository: 'a', method: 'GET', status: 404 });
  const wrapped = wrapError(inner, 'resolving base image r.io/a:1');
  assert.ok(wrapped instanceof RegistryError);
  assert.equal(wrapped.code, 'OCIBAKE_NOT_FOUND');
  assert.equal(wrapped.hint, inner.hint);
  assert.equal(wrapped.status, 404);
  assert.equal(wrapped.repository, 'a');
  assert.equal(wrapped.message, 'resolving base image r.io/a:1: GET https://r.io/v2/a/manifests/1 (404)');
  assert.equal(wrapped.cause, inner);
  const twice = wrapError(wrapped, 'building');
  assert.ok(twice instanceof RegistryError);
  assert.match(twice.message, /^building: resolving base image/);
  const archive = wrapError(unsafeEntry('../x', '".." in path'), 'unpacking layer sha256:1');
  assert.ok(archive instanceof UnsafeArchiveError);
  assert.equal(archive.entry, '../x');
});

test('wrapError makes anything else an internal error with the original as cause', () => {
  const e = new TypeError('boom');
  const w = wrapError(e, 'reading');
  assert.ok(w instanceof OcibakeError);
  assert.equal(w.code, 'OCIBAKE_INTERNAL');
  assert.equal(w.cause, e);
});

test('findError finds a class anywhere in the cause chain', () => {
  const inner = registryError('x', { registry: 'r.io', status: 500 });
  const outer = new OcibakeError('OCIBAKE_INTERNAL', 'outer', { cause: new Error('middle', { cause: inner }) });
  assert.equal(findError(outer, RegistryError), inner);
  assert.equal(findError(new Error('plain'), RegistryError), undefined);
});
