import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../../lib/dockerfile/parser.js';
import { DockerfileError } from '../../../../lib/dockerfile/errors.js';
import { planBuild } from '../../../../lib/plan/plan.js';
import { checkNoRunInTargetStages, RUN_IN_TARGET_HINT } from '../../../../lib/plan/check.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64' };

test('checkNoRunInTargetStages points at the RUN line of the target stage with the fix as hint', () => {
  const text = 'FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build\nFROM alpine\nCOPY --from=build /x /x\nRUN apk add --no-cache ca-certificates\n';
  const plan = planBuild(parseDockerfile(text, 'app/Dockerfile'), { platforms: [arm64], buildPlatform: amd64, env: {} });
  assert.throws(
    () => checkNoRunInTargetStages(plan),
    (e: unknown) => {
      assert.ok(e instanceof DockerfileError);
      assert.equal(e.code, 'OCIBAKE_RUN_IN_TARGET_STAGE');
      assert.equal(e.file, 'app/Dockerfile');
      assert.equal(e.line, 5);
      assert.equal(e.instruction, 'RUN');
      assert.equal(e.hint, RUN_IN_TARGET_HINT);
      assert.match(e.message, /^app\/Dockerfile:5:1: RUN: RUN in target-platform stage 1@linux\/arm64 \(linux\/arm64\) cannot execute/);
      assert.match(e.message, /\n {2}5 \| RUN apk add --no-cache ca-certificates$/);
      return true;
    },
  );
});

test('checkNoRunInTargetStages accepts plans whose RUNs are all on host stages', () => {
  const plan = planBuild(parseDockerfile('FROM --platform=$BUILDPLATFORM alpine\nRUN true\n'), { platforms: [arm64], buildPlatform: amd64, env: {} });
  checkNoRunInTargetStages(plan);
});
