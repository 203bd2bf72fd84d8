import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidImageReference } from '../../../../../lib/dockerfile/checks/reference.js';
import { closest } from '../../../../../lib/dockerfile/checks/closest.js';

test('isValidImageReference follows distribution/reference', () => {
  for (const ok of [
    'alpine',
    'alpine:3.20',
    'library/alpine',
    'localhost:5000/a/b:1',
    'MyRegistry.io/app',
    'a@sha256:' + 'a'.repeat(64),
    'scratch',
    'ghcr.io/o/r:v1.2-rc_1',
  ]) {
    assert.equal(isValidImageReference(ok), true, ok);
  }
  for (const bad of ['', 'busybox:', 'Alpine', 'a:b:c', 'a/-b', 'a@sha256:short', 'a'.repeat(64).replace(/a/g, 'f'), ':tag']) {
    assert.equal(isValidImageReference(bad), false, bad);
  }
});

test('closest suggests within two edits, never for an exact match', () => {
  assert.equal(closest('PAHT', ['HOME', 'PATH']), 'PATH');
  assert.equal(closest('VERSOIN', ['VERSION']), 'VERSION');
  assert.equal(closest('XYZ', ['PATH']), undefined);
  assert.equal(closest('PATH', ['PATH', 'PATX']), undefined);
});
