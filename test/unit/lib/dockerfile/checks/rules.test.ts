// One case per build check: a Dockerfile that triggers it (message and line as BuildKit reports
// them) and one that does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDockerfile, type CheckOptions } from '../../../../../lib/dockerfile/checks/index.js';
import type { RuleName } from '../../../../../lib/dockerfile/checks/rules.js';
import { parseDockerignore } from '../../../../../lib/dockerfile/dockerignore.js';

interface RuleCase {
  rule: RuleName;
  bad: string;
  message: string;
  line: number;
  good: string;
  options?: CheckOptions;
}

const ignore = parseDockerignore('node_modules\n*.log\n');

const CASES: RuleCase[] = [
  { rule: 'StageNameCasing', bad: 'FROM alpine AS Builder\n', message: "Stage name 'Builder' should be lowercase", line: 1, good: 'FROM alpine AS builder\n' },
  { rule: 'FromAsCasing', bad: 'FROM alpine as build\n', message: "'as' and 'FROM' keywords' casing do not match", line: 1, good: 'from alpine as build\n' },
  {
    rule: 'ConsistentInstructionCasing',
    bad: 'FROM alpine\nRUN true\nrun false\n',
    message: "Command 'run' should match the case of the command majority (uppercase)",
    line: 3,
    good: 'from alpine\nrun true\n',
  },
  {
    rule: 'DuplicateStageName',
    bad: 'FROM alpine AS a\nFROM alpine AS a\n',
    message: 'Duplicate stage name "a", stage names should be unique',
    line: 2,
    good: 'FROM alpine AS a\nFROM alpine AS b\n',
  },
  {
    rule: 'ReservedStageName',
    bad: 'FROM alpine AS scratch\n',
    message: 'Stage name should not use the same name as reserved stage "scratch"',
    line: 1,
    good: 'FROM alpine AS scratch-base\n',
  },
  {
    rule: 'JSONArgsRecommended',
    bad: 'FROM alpine\nENTRYPOINT my-app --serve\n',
    message: 'JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals',
    line: 2,
    good: 'FROM alpine\nENTRYPOINT ["my-app", "--serve"]\nFROM alpine\nSHELL ["/bin/sh", "-c"]\nCMD my-app\n',
  },
  {
    rule: 'MaintainerDeprecated',
    bad: 'FROM alpine\nMAINTAINER me@example.com\n',
    message: 'Maintainer instruction is deprecated in favor of using label',
    line: 2,
    good: 'FROM alpine\nLABEL org.opencontainers.image.authors=me@example.com\n',
  },
  {
    rule: 'UndefinedArgInFrom',
    bad: 'ARG VERSION=3.20\nFROM alpine:${VERSOIN}\n',
    message: "FROM argument 'VERSOIN' is not declared (did you mean VERSION?)",
    line: 2,
    good: 'ARG VERSION=3.20\nFROM --platform=$BUILDPLATFORM alpine:${VERSION}\n',
  },
  {
    rule: 'WorkdirRelativePath',
    bad: 'FROM alpine\nWORKDIR app\n',
    message: 'Relative workdir "app" can have unexpected results if the base image changes',
    line: 2,
    good: 'FROM alpine\nWORKDIR /app\nWORKDIR sub\n',
  },
  {
    // A real-world mistake: TARGETARCH is an automatic arg, but a stage only sees it after `ARG TARGETARCH`.
    rule: 'UndefinedVar',
    bad: 'FROM alpine\nCOPY bin/app-${TARGETARCH} /usr/local/bin/app\n',
    message: "Usage of undefined variable '$TARGETARCH'",
    line: 2,
    good: 'FROM alpine\nARG TARGETARCH\nCOPY bin/app-${TARGETARCH} /usr/local/bin/app\nRUN echo $UNDEFINED_IN_SHELL\n',
  },
  {
    rule: 'MultipleInstructionsDisallowed',
    bad: 'FROM alpine\nCMD ["a"]\nCMD ["b"]\n',
    message: 'Multiple CMD instructions should not be used in the same stage because only the last one will be used',
    line: 2,
    good: 'FROM alpine\nCMD ["a"]\nFROM alpine\nCMD ["b"]\n',
  },
  {
    rule: 'LegacyKeyValueFormat',
    bad: 'FROM alpine\nENV GOPATH /go\n',
    message: '"ENV key=value" should be used instead of legacy "ENV key value" format',
    line: 2,
    good: 'FROM alpine\nENV GOPATH=/go\n',
  },
  {
    rule: 'InvalidDefaultArgInFrom',
    bad: 'ARG TAG\nFROM busybox:${TAG}\n',
    message: 'Default value for ARG busybox:${TAG} results in empty or invalid base image name',
    line: 2,
    good: 'ARG TAG=latest\nFROM busybox:${TAG}\n',
  },
  {
    rule: 'FromPlatformFlagConstDisallowed',
    bad: 'FROM --platform=linux/amd64 alpine AS build\n',
    message: 'FROM --platform flag should not use constant value "linux/amd64"',
    line: 1,
    good: 'FROM --platform=linux/amd64 alpine AS build-amd64\nFROM --platform=$BUILDPLATFORM alpine AS build\n',
  },
  {
    rule: 'RedundantTargetPlatform',
    bad: 'FROM --platform=${TARGETPLATFORM} alpine\n',
    message: 'Setting platform to predefined ${TARGETPLATFORM} in FROM is redundant as this is the default behavior',
    line: 1,
    good: 'FROM --platform=$BUILDPLATFORM alpine\n',
  },
  {
    rule: 'SecretsUsedInArgOrEnv',
    bad: 'FROM alpine\nARG GITHUB_TOKEN\n',
    message: 'Do not use ARG or ENV instructions for sensitive data (ARG "GITHUB_TOKEN")',
    line: 2,
    good: 'FROM alpine\nARG PUBLIC_KEY\nENV TOKEN_FILE=/run/secrets/token\n',
  },
  {
    rule: 'CopyIgnoredFile',
    bad: '# check=experimental=CopyIgnoredFile\nFROM alpine\nCOPY ./node_modules/x /app/\n',
    message: 'Attempting to Copy file "node_modules/x" that is excluded by .dockerignore',
    line: 3,
    good: '# check=experimental=CopyIgnoredFile\nFROM alpine AS b\nCOPY src /app/\nCOPY --from=b /node_modules /x\n',
    options: { ignore },
  },
  {
    rule: 'NoEmptyContinuation',
    bad: 'FROM alpine\nRUN apk add \\\n\n    curl\n',
    message: 'Empty continuation line',
    line: 4,
    good: 'FROM alpine\nRUN apk add \\\n    curl\n',
  },
];

for (const c of CASES) {
  test(`${c.rule} reports ${JSON.stringify(c.message)}`, () => {
    const found = lintDockerfile(c.bad, 'Dockerfile', { allStages: true, ...c.options }).results.filter((r) => r.rule === c.rule);
    assert.deepEqual(
      found.map((r) => [r.message, r.range.startLine]),
      [[c.message, c.line]],
    );
    assert.equal(found[0]!.url, `https://docs.docker.com/go/dockerfile/rule/${c.rule.replace(/(.)([A-Z])(?=[a-z])/g, '$1-$2').toLowerCase()}/`);
    assert.equal(found[0]!.level, 'warning');
  });
  test(`${c.rule} stays quiet when the Dockerfile is right`, () => {
    const found = lintDockerfile(c.good, 'Dockerfile', { allStages: true, ...c.options }).results.filter((r) => r.rule === c.rule);
    assert.deepEqual(found, []);
  });
}

test('CopyIgnoredFile is experimental: off unless enabled', () => {
  const text = 'FROM alpine\nCOPY app.log /\n';
  assert.deepEqual(
    lintDockerfile(text, 'Dockerfile', { ignore }).results.map((r) => r.rule),
    [],
  );
  assert.deepEqual(
    lintDockerfile(text, 'Dockerfile', { ignore, config: 'experimental=all' }).results.map((r) => r.rule),
    ['CopyIgnoredFile'],
  );
  assert.deepEqual(
    lintDockerfile(text, 'Dockerfile', { ignore: parseDockerignore('*.log\n!keep.log\n'), config: 'experimental=all' }).results,
    [],
    'exceptions make it unknowable',
  );
});
