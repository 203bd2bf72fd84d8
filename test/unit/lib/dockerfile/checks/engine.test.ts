import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFailure, lintDockerfile, runChecks } from '../../../../../lib/dockerfile/checks/index.js';
import { parseDockerfile } from '../../../../../lib/dockerfile/parser.js';
import { DockerfileError } from '../../../../../lib/dockerfile/errors.js';

const rules = (text: string, opts = {}): string[] => lintDockerfile(text, 'Dockerfile', opts).results.map((r) => r.rule);

test('# check=skip= drops rules; skip=all drops every rule', () => {
  const text = '# check=skip=JSONArgsRecommended,MaintainerDeprecated\nFROM alpine\nMAINTAINER me\nCMD run\nENV A 1\n';
  assert.deepEqual(rules(text), ['LegacyKeyValueFormat']);
  assert.deepEqual(rules('# check=skip=all\nFROM alpine\nCMD run\n'), []);
});

test('# check=error=true makes every finding an error and checkFailure names the rules', () => {
  const { results } = lintDockerfile('# check=error=true\nFROM alpine\nCMD run\nCMD run\n', 'Dockerfile');
  assert.deepEqual([...new Set(results.map((r) => r.level))], ['error']);
  const failure = checkFailure(results);
  assert.match(
    failure?.message ?? '',
    /^lint violation found for rules: (JSONArgsRecommended, MultipleInstructionsDisallowed|MultipleInstructionsDisallowed, JSONArgsRecommended)$/,
  );
  assert.equal(checkFailure(lintDockerfile('# check=error=true\nFROM alpine\nCMD ["run"]\n', 'Dockerfile').results), undefined);
  assert.equal(checkFailure(lintDockerfile('FROM alpine\nCMD run\n', 'Dockerfile').results), undefined, 'warnings alone never fail');
});

test('the BUILDKIT_DOCKERFILE_CHECK build arg and options.config win over the directive', () => {
  const text = '# check=skip=all\nFROM alpine\nCMD run\n';
  assert.deepEqual(rules(text, { buildArgs: { BUILDKIT_DOCKERFILE_CHECK: 'skip=MaintainerDeprecated' } }), ['JSONArgsRecommended']);
  assert.deepEqual(rules(text, { config: '' }), ['JSONArgsRecommended']);
});

test('a bad # check= directive is an error at its line', () => {
  assert.throws(
    () => lintDockerfile('# check=skip=all;oops\nFROM alpine\n', 'Dockerfile'),
    (e: unknown) => e instanceof DockerfileError && e.line === 1 && /invalid check option "oops"/.test(e.message),
  );
  assert.throws(() => lintDockerfile('# check=error=maybe\nFROM alpine\n', 'Dockerfile'), /failed to parse check option/);
});

test('a build checks only the stages the target needs; allStages checks them all', () => {
  const text = 'FROM alpine AS unused\nCMD run\nFROM alpine AS base\nWORKDIR rel\nFROM base AS app\nCMD ["app"]\n';
  assert.deepEqual(rules(text), ['WorkdirRelativePath']);
  assert.deepEqual(rules(text, { allStages: true }), ['JSONArgsRecommended', 'WorkdirRelativePath']);
  assert.deepEqual(rules(text, { targetStage: 'unused' }), ['JSONArgsRecommended']);
});

test('stage state is inherited from the base stage: ENV, ARG names, SHELL and WORKDIR', () => {
  const text = 'FROM alpine AS base\nARG V\nENV HOME_DIR=/h\nSHELL ["/bin/bash", "-c"]\nWORKDIR /w\nFROM base\nCOPY $V $HOME_DIR/x\nWORKDIR rel\nCMD run\n';
  assert.deepEqual(rules(text), []);
});

test('ARG values: build args, defaults, global values; ENV pairs do not see each other', () => {
  assert.deepEqual(rules('ARG G=1\nFROM alpine\nARG G\nCOPY $G /\n'), []);
  assert.deepEqual(rules('FROM alpine\nENV A=1 B=$A\n'), ['UndefinedVar'], 'BuildKit expands a whole ENV line before setting any of it');
  assert.deepEqual(rules('FROM alpine\nARG X\nARG Y=$X\nCOPY $Y /\n'), []);
});

test('UndefinedVar knows the base image environment when given, and PATH always', () => {
  const text = 'FROM golang:1.22\nENV PATH=$GOPATH/bin:$PATH\n';
  assert.deepEqual(rules(text), ['UndefinedVar']);
  assert.deepEqual(rules(text, { baseImage: ({ ref }: { ref: string }) => (ref === 'golang:1.22' ? { Env: ['GOPATH=/go'] } : undefined) }), []);
});

test('UndefinedVar in an unquoted COPY heredoc, not in a quoted one or in RUN', () => {
  assert.deepEqual(rules('FROM alpine\nCOPY <<EOF /x\n$NOPE\nEOF\n'), ['UndefinedVar']);
  assert.deepEqual(rules("FROM alpine\nCOPY <<'EOF' /x\n$NOPE\nEOF\nRUN <<EOF\necho $NOPE\nEOF\n"), []);
});

test('UndefinedArgInFrom and RedundantTargetPlatform read the automatic args and build args', () => {
  assert.deepEqual(rules('FROM --platform=$BUILDPLATFORM alpine:$TARGETARCH\n'), []);
  // The build arg declares nothing new; the default (empty) is still reported by InvalidDefaultArgInFrom.
  assert.deepEqual(rules('ARG TAG\nFROM alpine:$TAG\n', { buildArgs: { TAG: '3.20' } }), ['InvalidDefaultArgInFrom']);
  assert.deepEqual(
    rules('FROM alpine:$TAG\n', { buildArgs: { TAG: '3.20' } }),
    ['InvalidDefaultArgInFrom', 'UndefinedArgInFrom'],
    'a build arg is not a declaration',
  );
  assert.deepEqual(rules('FROM --platform=$TARGETOS/$TARGETARCH alpine\n'), []);
});

test('runChecks takes a strict parse too; lenient parsing lets stage-name rules run', () => {
  assert.deepEqual(
    runChecks(parseDockerfile('FROM alpine\nCMD run\n')).map((r) => r.rule),
    ['JSONArgsRecommended'],
  );
  assert.throws(() => parseDockerfile('FROM a AS x\nFROM b AS x\n'), /duplicate stage name/);
  assert.deepEqual(rules('FROM a AS x\nFROM b AS x\n'), ['DuplicateStageName']);
});

test('findings carry file, location, description and URL', () => {
  const [r] = lintDockerfile('FROM alpine\nWORKDIR \\\n  rel\n', 'app/Dockerfile').results;
  assert.deepEqual(r, {
    rule: 'WorkdirRelativePath',
    description: 'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
    message: 'Relative workdir "rel" can have unexpected results if the base image changes',
    url: 'https://docs.docker.com/go/dockerfile/rule/workdir-relative-path/',
    file: 'app/Dockerfile',
    range: { startLine: 2, endLine: 3 },
    level: 'warning',
  });
});

test('a syntax error: the report carries it with the findings of the lines before it', () => {
  const { results, error } = lintDockerfile('FROM alpine AS Web\nMAINTAINER ops\nCPOY . /\nFROM x as y\n', 'Dockerfile');
  assert.match(error?.message ?? '', /unknown instruction: CPOY/);
  assert.deepEqual(
    results.map((r) => [r.rule, r.range.startLine]),
    [
      ['StageNameCasing', 1],
      ['MaintainerDeprecated', 2],
    ],
  );
});

test('secrets: a secret word at either end of the name, unless it is also marked public, file or version', () => {
  const text = 'FROM alpine\nARG DB_PASSPHRASE_X NPM_TOKEN\nENV Api_Secret=1 auth=2 git_key=\nENV PUBLIC_KEY=3 SECRET_FILE=/s TOKEN_VERSION=2 SUNKEY=4\n';
  const found = lintDockerfile(text, 'Dockerfile').results.filter((r) => r.rule === 'SecretsUsedInArgOrEnv');
  assert.deepEqual(
    found.map((r) => r.message.replace(/.*\((.*)\)$/, '$1')),
    ['ARG "NPM_TOKEN"', 'ENV "Api_Secret"', 'ENV "auth"', 'ENV "git_key"'],
  );
});

test('single-use instructions: the earlier one is reported, per stage, even with other lines between', () => {
  const text = 'FROM alpine AS a\nCMD ["a"]\nHEALTHCHECK CMD ["x"]\nRUN true\nCMD ["b"]\nHEALTHCHECK NONE\nFROM a\nCMD ["c"]\n';
  assert.deepEqual(
    lintDockerfile(text, 'Dockerfile').results.map((r) => [r.rule, r.range.startLine, r.message.split(' ')[1]]),
    [
      ['MultipleInstructionsDisallowed', 2, 'CMD'],
      ['MultipleInstructionsDisallowed', 3, 'HEALTHCHECK'],
    ],
  );
});

test('suggestions: the nearest declared name within two edits', () => {
  const undef = lintDockerfile('FROM alpine\nARG DIR_BIN=b/ DIR_ASSETS=a/ DIR_CONF=c/\nCOPY $DIR_ASSET .\n', 'Dockerfile').results;
  assert.deepEqual(
    undef.map((r) => r.message),
    ["Usage of undefined variable '$DIR_ASSET' (did you mean $DIR_ASSETS?)"],
  );
  const from = lintDockerfile('FROM --platform=$BULIDPLATFORM alpine\n', 'Dockerfile').results;
  assert.deepEqual(
    from.map((r) => r.message),
    ["FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)"],
  );
});

test('a platform from an ARG is not a constant, even when the ARG has a constant default', () => {
  assert.deepEqual(rules('ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM alpine\n'), []);
  assert.deepEqual(rules('FROM --platform=linux/arm64 alpine AS linux-tools\n'), []);
});
