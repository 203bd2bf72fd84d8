import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { parseDigest, sha256, HashingStream } from '../../../../lib/oci/digest.js';
import { VerifyingStream, DigestMismatchError, SizeMismatchError } from '../../../../lib/oci/verify.js';
import { canonicalJson } from '../../../../lib/oci/manifest.js';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

test('sha256 of empty input is the well-known digest', () => {
  assert.equal(sha256(''), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('parseDigest rejects other algorithms and malformed hex', () => {
  assert.throws(() => parseDigest('sha512:abcd'));
  assert.throws(() => parseDigest('sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'));
  assert.equal(parseDigest(sha256('x')), sha256('x'));
});

test('HashingStream computes digest and size in one pass', async () => {
  const h = new HashingStream();
  await pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), h, sink());
  assert.equal(h.digest, sha256('hello world'));
  assert.equal(h.size, 11);
});

test('VerifyingStream fails on a wrong digest and on a wrong size', async () => {
  const good = { mediaType: 'x', digest: sha256('abc'), size: 3 };
  await pipeline(Readable.from([Buffer.from('abc')]), new VerifyingStream(good), sink());
  await assert.rejects(pipeline(Readable.from([Buffer.from('abd')]), new VerifyingStream(good), sink()), DigestMismatchError);
  await assert.rejects(pipeline(Readable.from([Buffer.from('abcd')]), new VerifyingStream(good), sink()), SizeMismatchError);
  await assert.rejects(pipeline(Readable.from([Buffer.from('ab')]), new VerifyingStream(good), sink()), SizeMismatchError);
});

test('canonicalJson sorts keys at every depth and drops undefined', () => {
  const bytes = canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } });
  assert.equal(Buffer.from(bytes).toString(), '{"a":{"d":[{"y":2,"z":1}]},"b":1}');
});
