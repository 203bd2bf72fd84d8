import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReference, formatReference, apiHost, isLoopbackRegistry } from '../../../registry/reference.js';

const D = `sha256:${'a'.repeat(64)}`;
const cases: [string, string][] = [
  ['alpine', 'docker.io/library/alpine:latest'],
  ['alpine:3.20', 'docker.io/library/alpine:3.20'],
  ['library/alpine', 'docker.io/library/alpine:latest'],
  ['docker.io/library/alpine', 'docker.io/library/alpine:latest'],
  ['index.docker.io/alpine', 'docker.io/library/alpine:latest'],
  ['user/app:1', 'docker.io/user/app:1'],
  ['ghcr.io/o/r:tag', 'ghcr.io/o/r:tag'],
  ['localhost:5000/r', 'localhost:5000/r:latest'],
  ['localhost/r', 'localhost/r:latest'],
  [`127.0.0.1:5000/a/b/c@${D}`, `127.0.0.1:5000/a/b/c@${D}`],
  [`r:tag@${D}`, `docker.io/library/r:tag@${D}`],
  ['GHCR.io/o/r', 'ghcr.io/o/r:latest'],
  ['my-reg.example.com:443/a__b/c-d.e:v1.0_rc-1', 'my-reg.example.com:443/a__b/c-d.e:v1.0_rc-1'],
];
for (const [input, want] of cases) {
  test(`parseReference ${input}`, () => assert.equal(formatReference(parseReference(input)), want));
}

const bad: [string, RegExp][] = [
  ['', /empty/],
  ['Alpine', /lowercase/],
  ['alpine:', /not a valid tag/],
  ['alpine@sha256:abc', /not a sha256 digest/],
  ['a//b', /not a valid repository/],
  ['ghcr.io/', /repository/],
  ['a b', /whitespace/],
  [`x:${'t'.repeat(129)}`, /not a valid tag/],
];
for (const [input, re] of bad) {
  test(`parseReference rejects ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => parseReference(input),
      (e: Error & { code?: string; hint?: string }) => {
        assert.equal(e.code, 'OCIBAKE_INVALID_REFERENCE');
        assert.match(e.message, re);
        assert.ok(e.hint);
        return true;
      },
    );
  });
}

test('no default tag when a digest is given or when asked not to', () => {
  assert.equal(parseReference(`a@${D}`).tag, undefined);
  assert.equal(parseReference('a', null).tag, undefined);
});

test('Docker Hub API host and loopback detection', () => {
  assert.equal(apiHost('docker.io'), 'registry-1.docker.io');
  assert.equal(apiHost('ghcr.io'), 'ghcr.io');
  for (const h of ['localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000']) assert.equal(isLoopbackRegistry(h), true, h);
  for (const h of ['ghcr.io', '10.0.0.1:5000', 'localhost.example.com']) assert.equal(isLoopbackRegistry(h), false, h);
});
