import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../../lib/dockerfile/parser.js';
import { planBuild } from '../../../../lib/plan/plan.js';
import { formatPlan } from '../../../../lib/plan/format.js';

test('formatPlan lists instances in build order with kind, reason and why they are per target', () => {
  const text = 'FROM --platform=$BUILDPLATFORM golang AS build\nARG TARGETARCH\nRUN go build\nFROM alpine\nCOPY --from=build /out /out\n';
  const plan = planBuild(parseDockerfile(text), {
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    buildPlatform: { os: 'linux', architecture: 'amd64' },
    buildArgs: { EXTRA: '1' },
    env: {},
  });
  const out = formatPlan(plan);
  const lines = out.split('\n');
  assert.equal(lines[0], 'build platform linux/amd64');
  assert.equal(lines[1], 'targets: linux/amd64 ← 1@linux/amd64, linux/arm64 ← 1@linux/arm64');
  assert.match(lines[2]!, /^build@linux\/amd64\s+host\s+linux\/amd64 for linux\/amd64\s+image golang$/);
  assert.match(out, /per target because it reads TARGETARCH/);
  assert.match(out, /1@linux\/arm64\s+target\s+linux\/arm64 for linux\/arm64\s+image alpine/);
  assert.match(out, /reads build@linux\/arm64/);
  assert.match(out, /warning: Dockerfile: build arg EXTRA was not consumed/);
  const body = lines.slice(2).join('\n');
  assert.ok(body.indexOf('build@linux/arm64  ') < body.indexOf('1@linux/arm64  '), 'build order');
});
