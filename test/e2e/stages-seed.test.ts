// The seed document's two C Dockerfiles, which failed before every stage ran in its own image.
// Ubuntu's archive is not reachable here, so `ubuntu` is a Debian bookworm image made with
// mmdebstrap (amd64 and arm64) given with --base; apt-get really installs build-essential from
// Debian's mirror inside that image: natively for amd64, under qemu (binfmt_misc) for arm64.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextDir } from '../harness/context-dir.js';
import { alpineBaseFlag } from '../harness/alpine-index.js';
import { tempDebianLayout, type DebianLayout } from '../harness/debian-image.js';
import { ocibake, repoRoot } from '../harness/cli.js';
import { runChroot, unpackPlatform } from '../harness/run-image.js';
import { skopeoInspectConfig } from '../harness/verify.js';

let work: string;
let alpine: string;
let debian: DebianLayout;
// One cache for both tests, as on a developer's machine: the multi-stage build finds the apt
// step the single-stage one ran (same base, same instruction) and does not install again.
let cache: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-seed-'));
  cache = join(work, 'cache');
  alpine = await alpineBaseFlag();
  debian = await tempDebianLayout([{ arch: 'amd64' }, { arch: 'arm64' }]);
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const context = (name: string, dockerfile: string): string =>
  contextDir(work, name, dockerfile, { 'main.c': readFileSync(join(repoRoot, 'examples', 'c-alpine', 'main.c')) });

const dpkgHas = (rootfs: string, pkg: string, arch: string): boolean =>
  readFileSync(join(rootfs, 'var', 'lib', 'dpkg', 'status'), 'utf8')
    .split('\n\n')
    .some(
      (p) =>
        p.startsWith(`Package: ${pkg}\n`) &&
        p.includes('Status: install ok installed') &&
        (p.includes(`Architecture: ${arch}`) || p.includes('Architecture: all')),
    );

test('seed single-stage C: FROM ubuntu, apt-get install build-essential and gcc run in the image, amd64 natively and arm64 emulated', async () => {
  const ctx = context(
    'single',
    [
      'FROM ubuntu',
      'RUN apt-get update && apt-get install -y build-essential',
      'COPY main.c /src/main.c',
      'RUN gcc /src/main.c -o /app',
      'CMD ["/app"]',
      '',
    ].join('\n'),
  );
  const out = join(work, 'single-out');
  const run = await ocibake(
    [
      'build',
      ctx,
      '--platform',
      'linux/amd64,linux/arm64',
      '--base',
      `ubuntu=oci-layout://${debian.dir}:${debian.tag}`,
      '-t',
      'seed:1',
      '-o',
      `type=oci,dest=${out}`,
      '--progress',
      'plain',
    ],
    { env: { OCIBAKE_CACHE: cache } },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /RUN apt-get update .*: emulated through qemu-aarch64/, 'the arm64 RUN says it is emulated');
  assert.match(
    run.stderr,
    /emulated: 2 RUN step\(s\) for linux\/arm64 under qemu .*FROM --platform=\$BUILDPLATFORM/,
    'the summary says what it cost and how to avoid it',
  );
  for (const [arch, machine] of [
    ['amd64', 'x86_64'],
    ['arm64', 'aarch64'],
  ] as const) {
    const rootfs = await unpackPlatform(out, '1', { os: 'linux', architecture: arch }, join(work, `single-${arch}`));
    assert.ok(dpkgHas(rootfs, 'build-essential', arch), `build-essential is installed in the ${arch} image`);
    assert.ok(dpkgHas(rootfs, 'gcc', arch), `with the ${arch} gcc`);
    // chroot runs the arm64 image's dynamic /app through binfmt_misc, as the build ran its gcc.
    const app = runChroot(rootfs, ['/app']);
    assert.equal(app.stdout.trim(), `hello from linux/${arch}`, app.stderr);
    assert.equal(runChroot(rootfs, ['/usr/bin/uname', '-m']).stdout.trim(), machine);
  }
  const config = await skopeoInspectConfig(`oci:${out}:1`, ['--override-arch', 'arm64']);
  assert.deepEqual((config['config'] as { Cmd?: string[] }).Cmd, ['/app']);
});

test('seed multi-stage C: stage1 uses the Debian image’s apt and gcc, the final stage is Alpine', async () => {
  const ctx = context(
    'multi',
    [
      'FROM ubuntu:latest AS stage1',
      'RUN apt-get update && apt-get install -y build-essential',
      'COPY main.c /src/main.c',
      // -static: the seed copies a glibc binary onto musl Alpine, which would not start there.
      'RUN gcc -static /src/main.c -o /app',
      'FROM alpine',
      'COPY --from=stage1 /app /app',
      'CMD ["/app"]',
      '',
    ].join('\n'),
  );
  const out = join(work, 'multi-out');
  const run = await ocibake(
    [
      'build',
      ctx,
      '--platform',
      'linux/amd64,linux/arm64',
      '--base',
      `ubuntu:latest=oci-layout://${debian.dir}:${debian.tag}`,
      '--base',
      alpine,
      '-t',
      'seed:2',
      '-o',
      `type=oci,dest=${out}`,
      '--progress',
      'plain',
    ],
    { env: { OCIBAKE_CACHE: cache } },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /CACHED RUN apt-get update/, 'the apt step the first build ran is reused');
  for (const arch of ['amd64', 'arm64']) {
    const rootfs = await unpackPlatform(out, '2', { os: 'linux', architecture: arch }, join(work, `multi-${arch}`));
    assert.equal(readFileSync(join(rootfs, 'etc', 'alpine-release'), 'utf8').trim(), '3.20.3', 'the final image is Alpine');
    const app = runChroot(rootfs, ['/app']);
    assert.equal(app.stdout.trim(), `hello from linux/${arch}`, app.stderr);
  }
});
