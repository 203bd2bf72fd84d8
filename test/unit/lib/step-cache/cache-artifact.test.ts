import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CACHE_ARTIFACT_TYPE,
  CACHE_CONFIG_MEDIA_TYPE,
  decodeCacheConfig,
  encodeCache,
  mergeCaches,
  type CacheEntry,
} from '../../../../lib/step-cache/cache-artifact.js';
import { StepCacheError } from '../../../../lib/step-cache/errors.js';
import type { Digest } from '../../../../lib/oci/digest.js';

const key = (n: number): string => createHash('sha256').update(`k${n}`).digest('hex');
const digest = (n: number): Digest => `sha256:${createHash('sha256').update(`d${n}`).digest('hex')}` as Digest;
const layer = (n: number): CacheEntry => ({
  layer: { descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(n), size: 100 + n }, diffId: digest(1000 + n) },
});

test('encodeCache writes an OCI manifest whose config maps keys to layers, and the same entries give the same bytes', () => {
  const entries = new Map<string, CacheEntry>([
    [key(2), layer(2)],
    [key(1), { ...layer(1), emulated: true }],
    [key(3), { layer: null }],
    [key(4), layer(2)],
  ]);
  const a = encodeCache(entries);
  const manifest = JSON.parse(Buffer.from(a.manifest.bytes).toString()) as {
    mediaType: string;
    artifactType: string;
    config: { mediaType: string; digest: string };
    layers: { digest: string }[];
  };
  assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(manifest.artifactType, CACHE_ARTIFACT_TYPE);
  assert.equal(manifest.config.mediaType, CACHE_CONFIG_MEDIA_TYPE);
  assert.equal(manifest.config.digest, a.config.descriptor.digest);
  assert.deepEqual(
    manifest.layers.map((l) => l.digest),
    [digest(1), digest(2)].sort(),
    'each layer once, sorted',
  );
  assert.equal(a.manifest.descriptor.digest, `sha256:${createHash('sha256').update(a.manifest.bytes).digest('hex')}`);
  const reversed = encodeCache(new Map([...entries].reverse()));
  assert.equal(reversed.manifest.descriptor.digest, a.manifest.descriptor.digest, 'insertion order does not matter');

  const back = decodeCacheConfig(a.config.bytes, 'test');
  assert.deepEqual(back.get(key(1)), { ...layer(1), emulated: true });
  assert.deepEqual(back.get(key(3)), { layer: null });
  assert.equal(back.size, 4);
});

test('decodeCacheConfig refuses anything that is not a well-formed cache, with a StepCacheError', () => {
  const bad = [
    'not json',
    '[]',
    '{"version":2,"entries":{}}',
    '{"version":1}',
    `{"version":1,"entries":{"short":{"layer":null}}}`,
    `{"version":1,"entries":{"${key(1)}":{"layer":{"descriptor":{"digest":"sha256:x"},"diffId":"${digest(1)}"}}}}`,
    `{"version":1,"entries":{"${key(1)}":{"layer":{"descriptor":{"mediaType":"m","digest":"${digest(1)}","size":1},"diffId":"nope"}}}}`,
    `{"version":1,"entries":{"${key(1)}":{}}}`,
    `${'['.repeat(100_000)}`,
  ];
  for (const text of bad) {
    assert.throws(
      () => decodeCacheConfig(Buffer.from(text), 'reg/cache:x'),
      (e: unknown) => e instanceof StepCacheError && e.code === 'OCIBAKE_CACHE_INVALID' && /reg\/cache:x/.test(e.message),
      text.slice(0, 60),
    );
  }
});

test('mergeCaches keeps this build’s entries over older ones and caps the total', () => {
  const ours = new Map([[key(1), layer(1)]]);
  const theirs = new Map([
    [key(1), layer(9)],
    [key(2), layer(2)],
    [key(3), layer(3)],
  ]);
  const merged = mergeCaches(ours, theirs);
  assert.deepEqual(merged.get(key(1)), layer(1), 'ours wins');
  assert.equal(merged.size, 3);
  assert.equal(mergeCaches(ours, theirs, 2).size, 2);
  assert.equal(mergeCaches(ours, undefined).size, 1);
});
