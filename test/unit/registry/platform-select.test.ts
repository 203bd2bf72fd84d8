import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectPlatform } from '../../../registry/platform-select.js';
import { parsePlatform } from '../../../lib/oci/platform.js';
import { sha256 } from '../../../lib/oci/digest.js';
import type { Index } from '../../../lib/oci/manifest.js';

const entry = (p: Record<string, string>, n: string) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: sha256(n),
  size: 1,
  platform: p as never,
});
const index: Index = {
  schemaVersion: 2,
  manifests: [
    entry({ os: 'linux', architecture: 'amd64' }, 'amd64'),
    entry({ os: 'unknown', architecture: 'unknown' }, 'attestation'),
    entry({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'arm64'),
    entry({ os: 'linux', architecture: 'arm', variant: 'v7' }, 'armv7'),
  ],
};

test('normalised matching: arm64 ≡ arm64/v8, arm ≡ arm/v7', () => {
  assert.equal(selectPlatform(index, parsePlatform('linux/arm64'), 'x').descriptor.digest, sha256('arm64'));
  assert.equal(selectPlatform(index, parsePlatform('linux/arm'), 'x').descriptor.digest, sha256('armv7'));
  assert.equal(selectPlatform(index, parsePlatform('amd64'), 'x').descriptor.digest, sha256('amd64'));
});

test('a missing platform lists what the index has, without attestation entries', () => {
  assert.throws(
    () => selectPlatform(index, parsePlatform('linux/riscv64'), 'alpine:3.20'),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'OCIBAKE_PLATFORM_NOT_FOUND');
      assert.equal(e.message, 'alpine:3.20 has no image for linux/riscv64; it has linux/amd64, linux/arm64, linux/arm/v7');
      return true;
    },
  );
});
