import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../../lib/dockerfile/parser.js';
import { DockerfileError } from '../../../../lib/dockerfile/errors.js';
import { planBuild, type PlanOptions } from '../../../../lib/plan/plan.js';
import { checkNoRunInTargetStages, RUN_IN_TARGET_HINT } from '../../../../lib/plan/check.js';
import type { BuildPlan, StageInstance, Step } from '../../../../lib/plan/types.js';
import { OcibakeError } from '../../../../lib/errors.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64' };
const armv7 = { os: 'linux', architecture: 'arm', variant: 'v7' };
const both: PlanOptions = { platforms: [amd64, arm64], buildPlatform: amd64, env: {} };

const plan = (text: string, opts: PlanOptions = both): BuildPlan => planBuild(parseDockerfile(text, 'Dockerfile'), { env: {}, ...opts });
const inst = (p: BuildPlan, key: string): StageInstance => {
  const i = p.instances.find((x) => x.key === key);
  assert.ok(i, `no instance ${key}; have ${p.instances.map((x) => x.key).join(', ')}`);
  return i;
};
const runs = (i: StageInstance): Step[] => i.steps.filter((s) => s.instruction.kind === 'RUN');

const SEED_SINGLE = 'FROM gcc\nCOPY . /src\nRUN gcc /src/main.c -o /app\nCMD ["/app"]\n';
const SEED_MULTI =
  'FROM --platform=$BUILDPLATFORM gcc AS build\nCOPY . /src\nRUN gcc /src/main.c -o /app\nFROM alpine\nCOPY --from=build /app /app\nCMD ["/app"]\n';
const SEED_GO = [
  'FROM --platform=$BUILDPLATFORM golang AS build',
  'ARG TARGETOS TARGETARCH',
  'WORKDIR /src',
  'COPY . .',
  'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/main .',
  'FROM alpine',
  'COPY --from=build /out/main /main',
  'ENTRYPOINT ["/main"]',
  '',
].join('\n');

test('seed 1: single-stage gcc is the image itself: the host executor refuses its RUN for every platform, the build platform too', () => {
  const p = plan(SEED_SINGLE);
  assert.deepEqual(
    p.instances.map((i) => [i.key, i.kind]),
    [
      ['0@linux/amd64', 'target'],
      ['0@linux/arm64', 'target'],
    ],
  );
  assert.deepEqual(
    p.targets.map((t) => t.final),
    ['0@linux/amd64', '0@linux/arm64'],
  );
  assert.deepEqual(inst(p, '0@linux/arm64').base, { type: 'image', ref: 'gcc', platform: arm64 });
  assert.match(inst(p, '0@linux/amd64').reason, /becomes part of the linux\/amd64 image/);
  assert.throws(
    () => checkNoRunInTargetStages(p),
    (e: unknown) =>
      e instanceof DockerfileError && e.code === 'OCIBAKE_RUN_IN_TARGET_STAGE' && e.line === 3 && e.instruction === 'RUN' && e.hint === RUN_IN_TARGET_HINT,
  );
  assert.ok(!p.warnings.some((w) => /RUN in target-platform stage/.test(w.message)), 'the plan does not warn: the image executor runs it');
  assert.throws(() => checkNoRunInTargetStages(plan(SEED_SINGLE, { platforms: [amd64], buildPlatform: amd64 })), DockerfileError);
});

test('seed 2: gcc → alpine shares the host build stage between platforms', () => {
  const p = plan(SEED_MULTI);
  assert.deepEqual(
    p.instances.map((i) => [i.key, i.kind, i.deps]),
    [
      ['build', 'host', []],
      ['1@linux/amd64', 'target', ['build']],
      ['1@linux/arm64', 'target', ['build']],
    ],
  );
  const build = inst(p, 'build');
  assert.equal(build.targetPlatform, undefined);
  assert.deepEqual(build.platform, amd64);
  assert.deepEqual(build.targetArgsUsed, []);
  assert.match(build.reason, /--platform=\$BUILDPLATFORM resolves to the build platform linux\/amd64/);
  assert.deepEqual(inst(p, '1@linux/arm64').base, { type: 'image', ref: 'alpine', platform: arm64 });
  assert.equal(inst(p, '1@linux/arm64').steps[0]!.fromKey, 'build');
  checkNoRunInTargetStages(p);
});

test('seed 3: Go cross-compile gets one host instance per target with its TARGETOS/TARGETARCH', () => {
  const p = plan(SEED_GO);
  assert.deepEqual(
    p.instances.map((i) => i.key),
    ['build@linux/amd64', 'build@linux/arm64', '1@linux/amd64', '1@linux/arm64'],
  );
  for (const [t, arch] of [
    ['linux/amd64', 'amd64'],
    ['linux/arm64', 'arm64'],
  ] as const) {
    const b = inst(p, `build@${t}`);
    assert.equal(b.kind, 'host');
    assert.deepEqual(b.platform, amd64, 'host stages run on the build platform');
    assert.deepEqual(b.targetArgsUsed, ['TARGETARCH', 'TARGETOS']);
    const [run] = runs(b);
    assert.deepEqual(run!.env, { TARGETOS: 'linux', TARGETARCH: arch });
    assert.equal(run!.workdir, '/src');
    assert.deepEqual(run!.shell, ['/bin/sh', '-c']);
    const final = inst(p, `1@${t}`);
    assert.deepEqual(final.deps, [`build@${t}`]);
    assert.equal(final.steps[0]!.fromKey, `build@${t}`);
  }
  assert.deepEqual(
    p.targets.map((t) => t.final),
    ['1@linux/amd64', '1@linux/arm64'],
  );
  checkNoRunInTargetStages(p);
});

test('automatic args: all eight, variant empty when none, visible only after ARG', () => {
  const p = plan(
    'FROM --platform=$BUILDPLATFORM alpine\nRUN echo early\nARG TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT BUILDPLATFORM BUILDOS BUILDARCH BUILDVARIANT\nRUN echo late\n',
    {
      platforms: [armv7],
      buildPlatform: amd64,
    },
  );
  const [early, late] = runs(p.instances[0]!);
  assert.deepEqual(early!.env, {});
  assert.deepEqual(late!.env, {
    TARGETPLATFORM: 'linux/arm/v7',
    TARGETOS: 'linux',
    TARGETARCH: 'arm',
    TARGETVARIANT: 'v7',
    BUILDPLATFORM: 'linux/amd64',
    BUILDOS: 'linux',
    BUILDARCH: 'amd64',
    BUILDVARIANT: '',
  });
});

test('global ARGs: usable in FROM, invisible in a stage until re-declared, overridden by --build-arg', () => {
  const text = 'ARG VERSION=3.19\nARG BASE=alpine:${VERSION}\nFROM $BASE\nRUN echo $VERSION\nARG VERSION\nRUN echo $VERSION\n';
  const p = plan(text, { platforms: [amd64], buildPlatform: amd64 });
  assert.deepEqual(p.instances[0]!.base, { type: 'image', ref: 'alpine:3.19', platform: amd64 });
  const [a, b] = runs(p.instances[0]!);
  assert.deepEqual(a!.env, {});
  assert.deepEqual(b!.env, { VERSION: '3.19' });
  const o = plan(text, { platforms: [amd64], buildPlatform: amd64, buildArgs: { VERSION: '3.20' } });
  assert.deepEqual(o.instances[0]!.base, { type: 'image', ref: 'alpine:3.20', platform: amd64 });
  assert.deepEqual(runs(o.instances[0]!)[1]!.env, { VERSION: '3.20' });
});

test('--build-arg NAME without value reads the environment; absent in env means unset', () => {
  const text = 'FROM --platform=$BUILDPLATFORM alpine\nARG TOKEN_NAME=dflt\nRUN echo $TOKEN_NAME\n';
  const fromEnv = planBuild(parseDockerfile(text), {
    platforms: [amd64],
    buildPlatform: amd64,
    buildArgs: { TOKEN_NAME: undefined },
    env: { TOKEN_NAME: 'from-env' },
  });
  assert.deepEqual(runs(fromEnv.instances[0]!)[0]!.env, { TOKEN_NAME: 'from-env' });
  const missing = planBuild(parseDockerfile(text), { platforms: [amd64], buildPlatform: amd64, buildArgs: { TOKEN_NAME: undefined }, env: {} });
  assert.deepEqual(runs(missing.instances[0]!)[0]!.env, { TOKEN_NAME: 'dflt' });
});

test('unused build args are warnings; predefined proxy args are not, and reach RUN without ARG', () => {
  const p = plan('FROM --platform=$BUILDPLATFORM alpine\nARG USED\nRUN apk add curl\n', {
    platforms: [amd64],
    buildPlatform: amd64,
    buildArgs: { USED: '1', USD: '2', HTTPS_PROXY: 'http://proxy:3128' },
  });
  assert.deepEqual(
    p.warnings.map((w) => w.message),
    ['build arg USD was not consumed by any ARG instruction (did you mean USED?)'],
  );
  assert.deepEqual(runs(p.instances[0]!)[0]!.env, { USED: '1', HTTPS_PROXY: 'http://proxy:3128' });
});

test('ENV overrides ARG of the same name, before and after; ENV expands with the previous values', () => {
  const p = plan('FROM --platform=$BUILDPLATFORM alpine\nARG A=arg\nENV A=env B=$A\nARG A=again\nENV C=$A\nRUN true\n', {
    platforms: [amd64],
    buildPlatform: amd64,
  });
  const run = runs(p.instances[0]!)[0]!;
  assert.deepEqual(run.env, { A: 'env', B: 'arg', C: 'env' });
  assert.deepEqual(run.imageEnv, { A: 'env', B: 'arg', C: 'env' }, 'imageEnv holds ENV only');
  const q = plan('FROM --platform=$BUILDPLATFORM alpine\nARG ONLYARG=1\nENV E=2\nRUN true\n', { platforms: [amd64], buildPlatform: amd64 });
  assert.deepEqual(runs(q.instances[0]!)[0]!.imageEnv, { E: '2' }, 'ARG values never reach the image env');
});

test('SOURCE_DATE_EPOCH: recorded in the plan, exposed after ARG, never reported unused', () => {
  const p = plan('FROM --platform=$BUILDPLATFORM alpine\nARG SOURCE_DATE_EPOCH\nRUN touch -d @$SOURCE_DATE_EPOCH /x\n', {
    platforms: [amd64],
    buildPlatform: amd64,
    buildArgs: { SOURCE_DATE_EPOCH: '1700000000' },
  });
  assert.equal(p.sourceDateEpoch, 1700000000);
  assert.deepEqual(runs(p.instances[0]!)[0]!.env, { SOURCE_DATE_EPOCH: '1700000000' });
  const q = plan('FROM alpine\n', { platforms: [amd64], buildPlatform: amd64, sourceDateEpoch: 42 });
  assert.equal(q.sourceDateEpoch, 42);
  assert.deepEqual(q.warnings, []);
  assert.throws(
    () => plan('FROM alpine\n', { platforms: [amd64], buildPlatform: amd64, buildArgs: { SOURCE_DATE_EPOCH: 'yesterday' } }),
    (e: unknown) => e instanceof OcibakeError && e.code === 'OCIBAKE_INVALID_ARGUMENT',
  );
});

test('WORKDIR resolves relative to the previous one; USER and SHELL carry into steps', () => {
  const p = plan('FROM --platform=$BUILDPLATFORM alpine\nWORKDIR /a\nWORKDIR b/../c\nENV D=d\nWORKDIR $D\nUSER nobody\nSHELL ["/bin/bash", "-c"]\nRUN pwd\n', {
    platforms: [amd64],
    buildPlatform: amd64,
  });
  const run = runs(p.instances[0]!)[0]!;
  assert.equal(run.workdir, '/a/c/d');
  assert.equal(run.user, 'nobody');
  assert.deepEqual(run.shell, ['/bin/bash', '-c']);
  const wd = p.instances[0]!.steps.filter((s) => s.instruction.kind === 'WORKDIR').map((s) => s.workdir);
  assert.deepEqual(wd, ['/a', '/a/c', '/a/c/d']);
});

test('expanded words: COPY/ADD/ENV/LABEL/EXPOSE/VOLUME/USER/STOPSIGNAL expand; RUN/CMD do not', () => {
  const p = plan(
    [
      'FROM --platform=$BUILDPLATFORM alpine',
      'ARG APP=web PORT=8080 SIG=SIGINT',
      'ENV HOME_DIR=/srv/$APP',
      'COPY --chown=$APP:$APP ${APP}.conf $HOME_DIR/',
      'LABEL name="$APP server"',
      'EXPOSE $PORT $PORT/udp',
      'VOLUME $HOME_DIR/data',
      'USER $APP',
      'STOPSIGNAL $SIG',
      'RUN echo $APP',
      'CMD echo $APP',
      '',
    ].join('\n'),
    { platforms: [amd64], buildPlatform: amd64 },
  );
  const by = (k: string) => p.instances[0]!.steps.find((s) => s.instruction.kind === k)!.instruction as unknown as Record<string, unknown>;
  assert.deepEqual([by('COPY')['sources'], by('COPY')['dest'], by('COPY')['chown']], [['web.conf'], '/srv/web/', 'web:web']);
  assert.deepEqual(by('LABEL')['pairs'], [{ key: 'name', value: 'web server' }]);
  assert.deepEqual(by('EXPOSE')['ports'], ['8080', '8080/udp']);
  assert.deepEqual(by('VOLUME')['paths'], ['/srv/web/data']);
  assert.equal(by('USER')['user'], 'web');
  assert.equal(by('STOPSIGNAL')['signal'], 'SIGINT');
  assert.deepEqual(by('RUN')['command'], { form: 'shell', text: 'echo $APP' });
  assert.deepEqual(by('CMD')['command'], { form: 'shell', text: 'echo $APP' });
});

test('COPY heredoc bodies expand unless the delimiter is quoted; RUN heredocs are left to the shell', () => {
  const p = plan(
    "FROM --platform=$BUILDPLATFORM alpine\nARG NAME=world\nCOPY <<EOF <<'RAW' /etc/\nhello $NAME\nEOF\nhello $NAME\nRAW\nRUN <<EOF\necho $NAME\nEOF\n",
    { platforms: [amd64], buildPlatform: amd64 },
  );
  const copy = p.instances[0]!.steps[1]!.instruction;
  assert.ok(copy.kind === 'COPY');
  if (copy.kind === 'COPY')
    assert.deepEqual(
      copy.heredocs.map((h) => h.content),
      ['hello world\n', 'hello $NAME\n'],
    );
  const run = p.instances[0]!.steps[2]!.instruction;
  assert.ok(run.kind === 'RUN' && run.heredocs[0]!.content === 'echo $NAME\n');
});

test('FROM <stage> inherits ENV, ARGs, WORKDIR and platform; base points at the instance key', () => {
  const p = plan('FROM --platform=$BUILDPLATFORM golang AS base\nARG TARGETARCH\nENV CGO_ENABLED=0\nWORKDIR /src\nFROM base AS build\nRUN go build\n');
  const build = inst(p, 'build@linux/arm64');
  assert.deepEqual(build.base, { type: 'stage', key: 'base@linux/arm64' });
  assert.equal(build.kind, 'host');
  assert.deepEqual(build.targetArgsUsed, ['TARGETARCH'], 'inherited from the parent');
  const run = runs(build)[0]!;
  assert.deepEqual(run.env, { TARGETARCH: 'arm64', CGO_ENABLED: '0' });
  assert.equal(run.workdir, '/src');
});

test('dedupe: a host stage that reads TARGET* only through a dependency is per-target too', () => {
  const p = plan(
    [
      'FROM --platform=$BUILDPLATFORM alpine AS gen',
      'ARG TARGETARCH',
      'RUN echo $TARGETARCH > /arch',
      'FROM --platform=$BUILDPLATFORM alpine AS tools',
      'RUN echo tools > /t',
      'FROM --platform=$BUILDPLATFORM alpine AS pack',
      'COPY --from=gen /arch /arch',
      'COPY --from=tools /t /t',
      'RUN cat /arch /t',
      'FROM scratch',
      'COPY --from=pack /arch /',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    p.instances.map((i) => i.key),
    ['gen@linux/amd64', 'gen@linux/arm64', 'tools', 'pack@linux/amd64', 'pack@linux/arm64', '3@linux/amd64', '3@linux/arm64'],
  );
  assert.deepEqual(inst(p, 'pack@linux/arm64').deps, ['gen@linux/arm64', 'tools']);
  assert.deepEqual(inst(p, '3@linux/amd64').base, { type: 'scratch' });
});

test('dedupe: TARGET* in a host stage FROM line makes it per-target', () => {
  const p = plan('FROM --platform=$BUILDPLATFORM tonistiigi/xx:$TARGETARCH AS xx\nRUN true\nFROM alpine\nCOPY --from=xx / /\n');
  assert.deepEqual(inst(p, 'xx@linux/arm64').base, { type: 'image', ref: 'tonistiigi/xx:arm64', platform: amd64 });
  assert.deepEqual(inst(p, 'xx@linux/arm64').targetArgsUsed, ['TARGETARCH']);
});

test('--platform=$TARGETPLATFORM stages follow the target; a literal foreign platform is a shared target stage', () => {
  const p = plan(
    'FROM --platform=$TARGETPLATFORM alpine AS a\nFROM --platform=linux/riscv64 busybox AS b\nFROM scratch\nCOPY --from=a / /a\nCOPY --from=b / /b\n',
  );
  assert.deepEqual(
    p.instances.map((i) => [i.key, i.kind]),
    [
      ['a@linux/amd64', 'target'],
      ['a@linux/arm64', 'target'],
      ['b', 'target'],
      ['2@linux/amd64', 'target'],
      ['2@linux/arm64', 'target'],
    ],
  );
  assert.deepEqual(inst(p, 'b').platform, { os: 'linux', architecture: 'riscv64' });
});

test('--target prunes unreachable stages; default target is the last stage', () => {
  const text = 'FROM alpine AS a\nFROM alpine AS b\nFROM alpine AS c\nCOPY --from=a / /\n';
  assert.deepEqual(
    plan(text, { platforms: [amd64], buildPlatform: amd64 }).instances.map((i) => i.key),
    ['a@linux/amd64', 'c@linux/amd64'],
  );
  assert.deepEqual(
    plan(text, { platforms: [amd64], buildPlatform: amd64, target: 'B' }).instances.map((i) => i.key),
    ['b@linux/amd64'],
  );
  assert.throws(
    () => plan(text, { target: 'cc' }),
    (e: unknown) => e instanceof OcibakeError && /target stage "cc" could not be found \(did you mean c\?\)/.test(e.message),
  );
});

test('COPY --from an index, a later stage, or an image reference', () => {
  const p = plan(
    'FROM alpine AS first\nFROM scratch\nCOPY --from=0 /etc/os-release /a\nCOPY --from=later /x /b\nCOPY --from=nginx:1.27 /etc/nginx /c\nFROM busybox AS later\n',
    { platforms: [amd64], buildPlatform: amd64, target: '1' },
  );
  const steps = inst(p, '1@linux/amd64').steps;
  assert.equal(steps[0]!.fromKey, 'first@linux/amd64');
  assert.equal(steps[1]!.fromKey, 'later@linux/amd64');
  assert.equal(steps[2]!.fromImage, 'nginx:1.27');
  assert.deepEqual(
    p.instances.map((i) => i.key),
    ['first@linux/amd64', 'later@linux/amd64', '1@linux/amd64'],
    'dependencies come first',
  );
});

test('RUN --mount from= a stage becomes a dependency and a mount key', () => {
  const p = plan(
    'FROM --platform=$BUILDPLATFORM alpine AS deps\nRUN echo > /x\nFROM --platform=$BUILDPLATFORM alpine AS build\nRUN --mount=type=bind,from=deps,target=/deps --mount=type=cache,target=/c cat /deps/x\n',
    { platforms: [amd64], buildPlatform: amd64 },
  );
  const run = runs(inst(p, 'build'))[0]!;
  assert.deepEqual(run.mounts, [{ index: 0, fromKey: 'deps' }]);
  assert.equal(run.fromKey, 'deps');
  assert.deepEqual(inst(p, 'build').deps, ['deps']);
});

const semantic: [string, string, number, RegExp, PlanOptions?][] = [
  [
    'cycle through COPY --from',
    'FROM alpine AS a\nCOPY --from=b /x /x\nFROM alpine AS b\nCOPY --from=a /y /y\n',
    2,
    /circular dependency detected on stage a: b → a → b/,
  ],
  ['self reference', 'FROM alpine AS a\nCOPY --from=a /x /y\n', 2, /circular dependency/],
  ['stage index out of range', 'FROM alpine\nCOPY --from=3 /x /y\n', 2, /undefined stage: --from=3/],
  ['empty base after expansion', 'ARG BASE\nFROM $BASE\n', 2, /expands to an empty string/],
  ['platform that expands to garbage', 'ARG P=linux/nope\nFROM --platform=$P alpine\n', 2, /invalid platform/],
  ['bad expansion in COPY', 'FROM alpine\nCOPY ${A /x\n', 2, /missing '}'/],
  ['required arg missing', 'FROM alpine\nARG VERSION\nCOPY app-${VERSION:?required} /app\n', 3, /VERSION: required/],
  ['bad EXPOSE after expansion', 'FROM alpine\nARG P=http\nEXPOSE $P\n', 3, /invalid port "http"/],
];
for (const [name, text, line, re, opts] of semantic) {
  test(`planBuild rejects: ${name}`, () => {
    assert.throws(
      () => plan(text, opts ?? { platforms: [amd64], buildPlatform: amd64 }),
      (e: unknown) => {
        assert.ok(e instanceof DockerfileError, `not a DockerfileError: ${String(e)}`);
        assert.equal(e.line, line);
        assert.match(e.message, re);
        return true;
      },
    );
  });
}

test('a typo in --from that is not a stage warns and is treated as an image, like BuildKit', () => {
  const p = plan('FROM --platform=$BUILDPLATFORM alpine AS builder\nFROM alpine\nCOPY --from=buidler /x /x\n', { platforms: [amd64], buildPlatform: amd64 });
  assert.equal(inst(p, '1@linux/amd64').steps[0]!.fromImage, 'buidler');
  assert.ok(p.warnings.some((w) => w.line === 3 && /did you mean builder/.test(w.message)));
});

test('planBuild is deterministic: same input, same JSON', () => {
  assert.equal(JSON.stringify(plan(SEED_GO)), JSON.stringify(plan(SEED_GO)));
});

test('baseImageConfig: image Env, WorkingDir and User seed the stage like BuildKit', () => {
  const seen: string[] = [];
  const p = planBuild(parseDockerfile('FROM golang:1.22\nENV PATH=/app/bin:$PATH\nWORKDIR src\nRUN go env\n'), {
    platforms: [amd64],
    buildPlatform: amd64,
    env: {},
    baseImageConfig: (ref, platform) => {
      seen.push(`${ref} ${platform.architecture}`);
      return ref === 'golang:1.22' ? { Env: ['PATH=/go/bin:/usr/bin', 'GOPATH=/go'], WorkingDir: '/go', User: 'gopher', OnBuild: ['RUN x'] } : undefined;
    },
  });
  const run = runs(p.instances[0]!)[0]!;
  assert.deepEqual(seen, ['golang:1.22 amd64']);
  assert.deepEqual(run.env, { PATH: '/app/bin:/go/bin:/usr/bin', GOPATH: '/go' });
  assert.deepEqual(run.imageEnv, { PATH: '/app/bin:/go/bin:/usr/bin', GOPATH: '/go' });
  assert.equal(run.workdir, '/go/src');
  assert.equal(run.user, 'gopher');
  assert.ok(p.warnings.some((w) => /ONBUILD trigger/.test(w.message)));
});

test('--offline rejects ADD of a URL or git repository at its line; local ADD is fine', () => {
  const text = 'FROM alpine\nADD rootfs.tar.gz /\nARG URL=https://example.com/x.tgz\nADD $URL /opt/\n';
  plan(text, { platforms: [amd64], buildPlatform: amd64 });
  assert.throws(
    () => plan(text, { platforms: [amd64], buildPlatform: amd64, offline: true }),
    (e: unknown) => {
      assert.ok(e instanceof DockerfileError);
      assert.equal(e.line, 4);
      assert.match(e.message, /ADD https:\/\/example\.com\/x\.tgz needs the network, but the build is --offline/);
      return true;
    },
  );
  assert.throws(
    () => plan('FROM alpine\nADD git@github.com:o/r.git /src\n', { platforms: [amd64], buildPlatform: amd64, offline: true }),
    (e: unknown) => e instanceof DockerfileError && e.line === 2,
  );
});

test("default PATH: a scratch stage, or an image whose resolved config has no PATH, gets BuildKit's default", () => {
  const p = plan('FROM scratch\nENV PATH=/app/bin:$PATH\n', { platforms: [amd64], buildPlatform: amd64 });
  assert.deepEqual(p.instances[0]!.steps[0]!.imageEnv, { PATH: '/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' });
  const q = plan('FROM busybox\nENV X=$PATH\n', { platforms: [amd64], buildPlatform: amd64, baseImageConfig: () => ({ Env: ['HOME=/root'] }) });
  assert.equal(q.instances[0]!.steps[0]!.imageEnv!['X'], '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  const r = plan('FROM busybox\nENV X=$PATH\n', { platforms: [amd64], buildPlatform: amd64 });
  assert.equal(r.instances[0]!.steps[0]!.imageEnv!['X'], '', 'unknown base config: nothing is guessed');
});

test('platforms that normalise to the same one are planned once', () => {
  const p = plan(SEED_GO, {
    platforms: [arm64, { os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'aarch64' }],
    buildPlatform: amd64,
  });
  assert.deepEqual(
    p.targets.map((t) => t.final),
    ['1@linux/arm64'],
  );
  assert.equal(new Set(p.instances.map((i) => i.key)).size, p.instances.length);
});

test('expanding $PATH against an image whose config the planner has not seen is a warning, once per stage', () => {
  const text = 'FROM python:3.12\nENV PATH=/venv/bin:$PATH\nENV OTHER=$PATH X=$UNRELATED\nFROM scratch\nENV PATH=/bin:$PATH\n';
  const p = plan(text, { platforms: [amd64], buildPlatform: amd64, target: '0' });
  assert.deepEqual(
    p.warnings.map((w) => [w.line, w.message]),
    [[2, '$PATH is not set by this Dockerfile and expands to "" because the config of python:3.12 was not given to the planner (PlanOptions.baseImageConfig)']],
  );
  const q = plan(text, { platforms: [amd64], buildPlatform: amd64, target: '0', baseImageConfig: () => ({ Env: ['PATH=/usr/bin'] }) });
  assert.deepEqual(q.warnings, []);
  assert.deepEqual(plan(text, { platforms: [amd64], buildPlatform: amd64 }).warnings, [], 'scratch has a known (default) PATH');
});
