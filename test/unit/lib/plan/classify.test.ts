import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyStage, type ClassifyInput } from '../../../../lib/plan/classify.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64' };

const cases: [string, ClassifyInput, 'host' | 'target', RegExp][] = [
  [
    '$BUILDPLATFORM stage',
    { platform: amd64, buildPlatform: amd64, explicitPlatform: '$BUILDPLATFORM', hasRun: false },
    'host',
    /resolves to the build platform linux\/amd64/,
  ],
  [
    '$TARGETPLATFORM = build platform, no RUN',
    { platform: amd64, buildPlatform: amd64, explicitPlatform: '$TARGETPLATFORM', followsTarget: true, hasRun: false },
    'target',
    /the build platform\) without RUN/,
  ],
  [
    '$TARGETPLATFORM = build platform, RUN',
    { platform: amd64, buildPlatform: amd64, explicitPlatform: '$TARGETPLATFORM', followsTarget: true, hasRun: true },
    'host',
    /has RUN/,
  ],
  ['no --platform, target = build, RUN', { platform: amd64, buildPlatform: amd64, hasRun: true }, 'host', /has RUN: runs natively/],
  ['no --platform, target = build, no RUN', { platform: amd64, buildPlatform: amd64, hasRun: false }, 'target', /assembled from layers/],
  ['no --platform, foreign target', { platform: arm64, buildPlatform: amd64, hasRun: true }, 'target', /built for the target platform linux\/arm64/],
  ['literal foreign --platform', { platform: arm64, buildPlatform: amd64, explicitPlatform: 'linux/arm64', hasRun: false }, 'target', /not the build platform/],
  [
    'child of a host stage',
    { platform: amd64, buildPlatform: amd64, parent: { label: '"build"', kind: 'host' }, hasRun: false },
    'host',
    /based on stage "build"/,
  ],
  [
    'child of a foreign target stage',
    { platform: arm64, buildPlatform: amd64, parent: { label: '#0', kind: 'target' }, hasRun: false },
    'target',
    /based on stage #0/,
  ],
];
for (const [name, input, kind, reason] of cases) {
  test(`classifyStage: ${name} → ${kind}`, () => {
    const r = classifyStage(input);
    assert.equal(r.kind, kind);
    assert.match(r.reason, reason);
  });
}
