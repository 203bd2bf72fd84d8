// `ocibake build` to files (OCI layout, OCI archive, docker-load tarball) checked by
// oci-image-tool, skopeo and umoci; the multi-runner fan-in (--push-by-digest + index create)
// against a token-auth registry; and the bad-input cases a user hits first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alpineBaseFlag, seedAlpine } from '../harness/alpine-index.js';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { inspectRaw, skopeo } from '../harness/skopeo.js';
import { runChroot, unpackPlatform } from '../harness/run-image.js';
import { ociImageToolValidate, skopeoCopy } from '../harness/verify.js';
import { cleanFailure, ocibake } from '../harness/cli.js';
import type { Index } from '../../lib/oci/manifest.js';

let work: string;
let ctx: string;
let alpine: string;
let cache: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-outputs-'));
  cache = join(work, 'cache');
  ctx = join(work, 'ctx');
  mkdirSync(join(ctx, 'site'), { recursive: true });
  writeFileSync(join(ctx, 'hello.txt'), 'hello from a COPY layer\n');
  writeFileSync(join(ctx, 'site', 'index.html'), '<h1>ocibake</h1>\n');
  writeFileSync(join(ctx, 'secret.env'), 'TOKEN=do-not-ship\n');
  writeFileSync(join(ctx, '.dockerignore'), '*.env\n');
  writeFileSync(
    join(ctx, 'Dockerfile'),
    [
      'FROM alpine:3.20',
      'LABEL org.opencontainers.image.title=outputs-test',
      'ENV GREETING=hi',
      'ENV PATH=/srv/bin:$PATH',
      'WORKDIR /srv',
      'COPY hello.txt site/ ./',
      'COPY --chown=nobody:nobody hello.txt /home/hello.txt',
      'EXPOSE 8080',
      'CMD ["cat", "/srv/hello.txt"]',
      '',
    ].join('\n'),
  );
  alpine = await alpineBaseFlag();
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('type=oci passes oci-image-tool, skopeo and umoci; the image runs and has Docker config semantics', async () => {
  const out = join(work, 'layout');
  const run = await ocibake(
    ['build', ctx, '--platform', 'linux/amd64,linux/arm64', '--base', alpine, '-t', 'app:1.0', '-o', `type=oci,dest=${out}`, '--progress', 'plain'],
    { env: { OCIBAKE_CACHE: cache } },
  );
  assert.equal(run.code, 0, run.stderr);
  await ociImageToolValidate(out, '1.0');
  const idx = JSON.parse(await skopeo(['inspect', '--raw', `oci:${out}:1.0`])) as Index;
  assert.equal(idx.manifests.length, 2);
  await skopeoCopy(`oci:${out}:1.0`, `oci:${join(work, 'copy')}:1.0`, { all: true });
  const rootfs = await unpackPlatform(out, '1.0', { os: 'linux', architecture: 'amd64' }, join(work, 'u'));
  assert.equal(runChroot(rootfs, ['/bin/cat', '/srv/hello.txt']).stdout, 'hello from a COPY layer\n');
  assert.equal(runChroot(rootfs, ['/bin/cat', '/srv/index.html']).stdout, '<h1>ocibake</h1>\n', 'a directory source copies its contents');
  assert.equal(
    runChroot(rootfs, ['/bin/sh', '-c', 'stat -c %U:%G /home/hello.txt']).stdout.trim(),
    'nobody:nobody',
    '--chown by name reads the base /etc/passwd',
  );
  assert.equal(runChroot(rootfs, ['/bin/sh', '-c', 'ls /srv']).stdout.includes('secret.env'), false, '.dockerignore keeps secret.env out');
  const config = JSON.parse(await skopeo(['inspect', '--config', '--override-arch', 'arm64', `oci:${out}:1.0`])) as {
    architecture: string;
    config: Record<string, unknown>;
  };
  assert.equal(config.architecture, 'arm64');
  assert.equal(config.config['WorkingDir'], '/srv');
  assert.deepEqual(config.config['Cmd'], ['cat', '/srv/hello.txt']);
  assert.deepEqual(config.config['ExposedPorts'], { '8080/tcp': {} });
  assert.ok((config.config['Env'] as string[]).includes('GREETING=hi'));
  assert.ok(
    (config.config['Env'] as string[]).includes('PATH=/srv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'),
    '$PATH expands against the base image',
  );
  assert.equal((config.config['Labels'] as Record<string, string>)['org.opencontainers.image.title'], 'outputs-test');
});

test('type=oci-archive and type=docker load with skopeo', async () => {
  const archive = join(work, 'app.oci.tar');
  const docker = join(work, 'app.docker.tar');
  const run = await ocibake(
    [
      'build',
      ctx,
      '--platform',
      'linux/amd64,linux/arm64',
      '--base',
      alpine,
      '-t',
      'app:1.0',
      '-o',
      `type=oci-archive,dest=${archive}`,
      '-o',
      `type=docker,dest=${docker},platform=linux/arm64`,
      '-q',
    ],
    { env: { OCIBAKE_CACHE: cache } },
  );
  assert.equal(run.code, 0, run.stderr);
  await skopeoCopy(`oci-archive:${archive}:1.0`, `oci:${join(work, 'from-archive')}:1.0`, { all: true });
  await skopeoCopy(`docker-archive:${docker}`, `oci:${join(work, 'from-docker')}:x`);
  const cfg = JSON.parse(await skopeo(['inspect', '--config', `oci:${join(work, 'from-docker')}:x`])) as { architecture: string };
  assert.equal(cfg.architecture, 'arm64');
});

test('the same inputs give the same digest', async () => {
  const a = await ocibake(['build', ctx, '--platform', 'linux/amd64,linux/arm64', '--base', alpine, '-o', `type=oci,dest=${join(work, 'r1')}`, '-q'], {
    env: { OCIBAKE_CACHE: join(work, 'c1') },
  });
  const b = await ocibake(['build', ctx, '--platform', 'linux/amd64,linux/arm64', '--base', alpine, '-o', `type=oci,dest=${join(work, 'r2')}`, '-q'], {
    env: { OCIBAKE_CACHE: join(work, 'c2') },
  });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
});

test('COPY --from=<image> reads only the named files out of that image, for each platform', async () => {
  const dir = join(work, 'from-image');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY --from=alpine:3.20 /etc/alpine-release /etc/apk/arch /info/\n');
  const out = join(work, 'from-image-out');
  const run = await ocibake(['build', dir, '--platform', 'linux/amd64,linux/arm64', '--base', alpine, '-t', 'x:1', '-o', `type=oci,dest=${out}`, '-q'], {
    env: { OCIBAKE_CACHE: cache },
  });
  assert.equal(run.code, 0, run.stderr);
  const rootfs = await unpackPlatform(out, '1', { os: 'linux', architecture: 'arm64' }, join(work, 'u-from-image'));
  const { readFileSync, readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(join(rootfs, 'info')).sort(), ['alpine-release', 'arch']);
  assert.equal(readFileSync(join(rootfs, 'info', 'arch'), 'utf8').trim(), 'aarch64', 'the arm64 image got the arm64 base files');
});

test('--dry-run prints the plan and writes nothing (--no-cache is a flag of its own)', async () => {
  const out = join(work, 'dry-out');
  const run = await ocibake(
    ['build', ctx, '--platform', 'linux/amd64,linux/arm64', '--base', alpine, '-o', `type=oci,dest=${out}`, '--dry-run', '--no-cache'],
    { env: { OCIBAKE_CACHE: cache } },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /0@linux\/amd64 {2}\[target\]/);
  assert.match(run.stdout, /0@linux\/arm64 {2}\[target\]/);
  assert.match(run.stdout, /linux\/arm64: alpine:3\.20 → oci-layout:.*@sha256:[0-9a-f]{64}/);
  const { existsSync } = await import('node:fs');
  assert.equal(existsSync(out), false);
});

test('--secret reaches RUN --mount=type=secret and is found nowhere in the cache, the output or the logs', async () => {
  const dir = join(work, 'secret-ctx');
  mkdirSync(dir, { recursive: true });
  const value = `s3cr3t-${process.pid}-value`;
  writeFileSync(join(work, 'token.txt'), value);
  // The Dockerfile holds only the secret's hash: the value itself must come through --secret.
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256').update(value).digest('hex');
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'FROM --platform=$BUILDPLATFORM alpine:3.20 AS check',
      `RUN --mount=type=secret,id=tok test "$(sha256sum < /run/secrets/tok | cut -d' ' -f1)" = "${hash}" && mkdir -p /out && echo verified > /out/ok`,
      'FROM scratch',
      'COPY --from=check /out/ok /ok',
      '',
    ].join('\n'),
  );
  const secretCache = join(work, 'secret-cache');
  const out = join(work, 'secret-out');
  const run = await ocibake(
    [
      'build',
      dir,
      '--platform',
      'linux/amd64,linux/arm64',
      '--base',
      alpine,
      '--secret',
      `id=tok,src=${join(work, 'token.txt')}`,
      '-o',
      `type=oci,dest=${out}`,
      '-t',
      's:1',
      '--progress',
      'plain',
      '--metadata-file',
      join(work, 'secret-meta.json'),
    ],
    { env: { OCIBAKE_CACHE: secretCache } },
  );
  assert.equal(run.code, 0, run.stderr);
  const { execFileSync } = await import('node:child_process');
  for (const where of [secretCache, out, join(work, 'secret-meta.json')]) {
    const hits = execFileSync('sh', ['-c', `grep -rlaF -- "$0" "$1" || true`, value, where], { encoding: 'utf8' }).trim();
    assert.equal(hits, '', `secret found in ${hits}`);
  }
  assert.doesNotMatch(run.stdout + run.stderr, new RegExp(value));
});

test('bad input fails with one clear message and no stack trace', async (t) => {
  const bad = join(work, 'bad');
  mkdirSync(bad, { recursive: true });
  const cases: { name: string; dockerfile: string; args?: string[]; expect: RegExp }[] = [
    { name: 'missing context file', dockerfile: 'FROM scratch\nCOPY nope.txt /\n', expect: /Dockerfile:2.*nope\.txt|nope\.txt.*Dockerfile:2/s },
    {
      name: 'RUN in the final stage with --executor=host',
      dockerfile: 'FROM alpine:3.20\nRUN apk add curl\n',
      args: ['--executor', 'host'],
      expect: /Dockerfile:2.*RUN[\s\S]*hint: .*BUILDPLATFORM/,
    },
    {
      name: 'a failing RUN',
      dockerfile: 'FROM alpine:3.20\nRUN cat /nope\n',
      expect: /Dockerfile:2.*RUN cat \/nope[\s\S]*exit(ed with)? code 1[\s\S]*No such file/,
    },
    { name: 'unknown --platform', dockerfile: 'FROM scratch\n', args: ['--platform', 'linux/sparc64'], expect: /invalid platform "linux\/sparc64"/ },
    { name: 'unknown instruction', dockerfile: 'FROM scratch\nCOPPY a b\n', expect: /Dockerfile:2.*COPPY/ },
    { name: 'bad --output', dockerfile: 'FROM scratch\n', args: ['-o', 'type=tarball'], expect: /invalid --output/ },
    { name: '--push without -t', dockerfile: 'FROM scratch\nCOPY nope.txt /\n', args: ['--push'], expect: /--push needs at least one -t/ },
    // Outputs are validated before anything builds: the unreachable base is never contacted.
    {
      name: 'docker archive of two platforms',
      dockerfile: 'FROM 127.0.0.1:9/none:1\n',
      args: ['--platform', 'linux/amd64,linux/arm64', '-o', `type=docker,dest=${join(work, 'two.tar')}`],
      expect: /type=docker holds one platform, but this build makes 2/,
    },
    {
      name: 'no Dockerfile',
      dockerfile: '',
      args: ['-f', join(work, 'missing', 'Dockerfile')],
      expect: /cannot read Dockerfile .*missing\/Dockerfile: ENOENT/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      writeFileSync(join(bad, 'Dockerfile'), c.dockerfile);
      const run = await ocibake(['build', bad, '--base', alpine, '-o', `type=oci,dest=${join(work, 'bad-out')}`, ...(c.args ?? [])], {
        env: { OCIBAKE_CACHE: cache },
      });
      assert.equal(cleanFailure(run), undefined);
      assert.match(run.stderr, c.expect);
    });
  }
});

test('two runners push by digest, index create joins them (token-auth registry, credentials from config.json)', async () => {
  const reg: TestRegistry = await startRegistry('token');
  try {
    await seedAlpine(reg.host, 'library/alpine', '3.20.3', ['--dest-tls-verify=false', `--dest-creds=${reg.user}:${reg.password}`]);
    const dockerConfig = join(work, 'docker-config');
    mkdirSync(dockerConfig, { recursive: true });
    writeFileSync(
      join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${reg.user}:${reg.password}`).toString('base64') } } }),
    );
    const env = { OCIBAKE_CACHE: cache, DOCKER_CONFIG: dockerConfig };
    const base = `alpine=${reg.host}/library/alpine:3.20.3`;
    const digests: string[] = [];
    for (const p of ['linux/amd64', 'linux/arm64']) {
      const run = await ocibake(['build', ctx, '--platform', p, '--base', base, '-t', `${reg.host}/app`, '--push-by-digest', '-q'], { env });
      assert.equal(run.code, 0, run.stderr);
      digests.push(run.stdout.trim());
    }
    const idx = await ocibake(['index', 'create', '-t', `${reg.host}/app:1.0`, ...digests.map((d) => `${reg.host}/app@${d}`)], { env });
    assert.equal(idx.code, 0, idx.stderr);
    const raw = JSON.parse((await inspectRaw(reg, 'app:1.0')).toString()) as Index;
    assert.deepEqual(
      raw.manifests.map((m) => m.digest),
      digests,
    );
    assert.deepEqual(
      raw.manifests.map((m) => m.platform?.architecture),
      ['amd64', 'arm64'],
    );

    const wrong = join(work, 'wrong-config');
    mkdirSync(wrong, { recursive: true });
    writeFileSync(
      join(wrong, 'config.json'),
      JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${reg.user}:not-the-password-xyz`).toString('base64') } } }),
    );
    const denied = await ocibake(['build', ctx, '--platform', 'linux/amd64', '--base', base, '-t', `${reg.host}/app:denied`, '--push'], {
      env: { OCIBAKE_CACHE: cache, DOCKER_CONFIG: wrong },
    });
    assert.equal(cleanFailure(denied), undefined);
    assert.match(denied.stderr, new RegExp(reg.host.replace(/\./g, '\\.')));
    assert.match(denied.stderr, /unauthorized/i);
    assert.doesNotMatch(denied.stderr + denied.stdout, /not-the-password-xyz/);
    await assert.rejects(inspectRaw(reg, 'app:denied'));
  } finally {
    await reg.stop();
  }
});
