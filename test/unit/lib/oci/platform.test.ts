import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlatform, formatPlatform, parsePlatformList, platformMatches, platformArgs } from '../../../../lib/oci/platform.js';
import { OcibakeError } from '../../../../lib/errors.js';

const cases: [string, string][] = [
  ['linux/amd64', 'linux/amd64'],
  ['linux/x86_64', 'linux/amd64'],
  ['linux/arm64', 'linux/arm64'],
  ['linux/arm64/v8', 'linux/arm64'],
  ['linux/aarch64', 'linux/arm64'],
  ['linux/arm', 'linux/arm/v7'],
  ['linux/arm/7', 'linux/arm/v7'],
  ['linux/arm/v6', 'linux/arm/v6'],
  ['linux/armhf', 'linux/arm/v6'],
  ['linux/386', 'linux/386'],
  ['linux/i386', 'linux/386'],
  ['linux/ppc64le', 'linux/ppc64le'],
  ['linux/s390x', 'linux/s390x'],
  ['linux/riscv64', 'linux/riscv64'],
  ['arm64', 'linux/arm64'],
  ['Linux/AMD64', 'linux/amd64'],
];
for (const [input, want] of cases) {
  test(`parsePlatform ${input} → ${want}`, () => {
    assert.equal(formatPlatform(parsePlatform(input)), want);
  });
}

for (const bad of ['', 'linux/', 'linux/amd64/v2/x', 'plan9/amd64', 'linux/sparc', 'linux amd64', '../etc']) {
  test(`parsePlatform rejects ${JSON.stringify(bad)}`, () => {
    assert.throws(
      () => parsePlatform(bad),
      (e: unknown) => e instanceof OcibakeError && e.code === 'OCIBAKE_INVALID_PLATFORM' && e.hint !== undefined,
    );
  });
}

test('parsePlatformList keeps order and drops duplicates', () => {
  assert.deepEqual(parsePlatformList('linux/arm64,linux/amd64,linux/arm64/v8').map(formatPlatform), ['linux/arm64', 'linux/amd64']);
});

test('platformMatches skips attestation entries and compares variants', () => {
  assert.equal(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' }), true);
  assert.equal(platformMatches(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' }), false);
  assert.equal(platformMatches(parsePlatform('linux/amd64'), { os: 'unknown', architecture: 'unknown' }), false);
});

test('platformArgs gives BuildKit automatic args', () => {
  assert.deepEqual(platformArgs('TARGET', parsePlatform('linux/arm/v7')), {
    TARGETPLATFORM: 'linux/arm/v7',
    TARGETOS: 'linux',
    TARGETARCH: 'arm',
    TARGETVARIANT: 'v7',
  });
});
