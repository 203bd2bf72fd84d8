// The bundled examples, built with the CLI as a user would and run: examples/hello (the
// offline two-stage example `npm run example` builds), examples/c-alpine (gcc from Debian's
// packages in a native build stage, zig for the other target via --cross-env) and examples/zig-c
// (zig onto scratch). Every RUN runs in its stage's own image; arm64's final stage is emulated.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alpineBaseFlag } from '../harness/alpine-index.js';
import { tempDebianLayout } from '../harness/debian-image.js';
import { runChroot, runQemu, unpackPlatform } from '../harness/run-image.js';
import { ocibake, repoRoot } from '../harness/cli.js';
import { toolCacheDir } from './exec-helpers.js';

let work: string;
let alpine: string;
const env = (): NodeJS.ProcessEnv => ({ OCIBAKE_CACHE: join(work, 'cache'), OCIBAKE_TOOL_CACHE: toolCacheDir });

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-examples-'));
  alpine = await alpineBaseFlag();
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('examples/hello: both stages RUN in their own Alpine image, arm64 under emulation, and each image runs as its user', async () => {
  const out = join(work, 'hello');
  const run = await ocibake(
    [
      'build',
      join(repoRoot, 'examples', 'hello'),
      '--platform',
      'linux/amd64,linux/arm64',
      '--base',
      alpine,
      '-t',
      'hello:1',
      '-o',
      `type=oci,dest=${out}`,
      '--progress',
      'plain',
    ],
    { env: env() },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /emulat/i, 'the arm64 RUN is reported as emulated');
  for (const [arch, machine] of [
    ['amd64', 'x86_64'],
    ['arm64', 'aarch64'],
  ] as const) {
    const rootfs = await unpackPlatform(out, '1', { os: 'linux', architecture: arch }, join(work, `hello-${arch}`));
    // chroot runs arm64's busybox through binfmt_misc, as the build did.
    const res = runChroot(rootfs, ['/usr/local/bin/hello']);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`Built for linux/${arch} on linux/amd64 by ocibake`));
    assert.match(res.stdout, new RegExp(`on ${machine}`));
    assert.match(readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8'), /^app:x:10001:10001:/m, 'RUN adduser ran in this image');
    assert.equal(statSync(join(rootfs, 'data')).uid, 10001, 'RUN chown reached the layer');
  }
});

test('examples/c-alpine: gcc from apt in a native Debian build stage, a static C binary per platform on Alpine', async () => {
  const debian = await tempDebianLayout([{ arch: 'amd64' }]);
  const out = join(work, 'c');
  const run = await ocibake(
    [
      'build',
      join(repoRoot, 'examples', 'c-alpine'),
      '--platform',
      'linux/amd64,linux/arm64',
      '--base',
      alpine,
      '--base',
      `debian:bookworm-slim=oci-layout://${debian.dir}:${debian.tag}`,
      '--cross-env',
      '-t',
      'c:1',
      '-o',
      `type=oci,dest=${out}`,
      '--progress',
      'plain',
    ],
    { env: env() },
  );
  assert.equal(run.code, 0, run.stderr);
  const amd64 = await unpackPlatform(out, '1', { os: 'linux', architecture: 'amd64' }, join(work, 'c-amd64'));
  assert.equal(runChroot(amd64, ['/usr/local/bin/hello']).stdout.trim(), 'hello from linux/amd64');
  const arm64 = await unpackPlatform(out, '1', { os: 'linux', architecture: 'arm64' }, join(work, 'c-arm64'));
  assert.equal(runQemu(arm64, 'arm64', '/usr/local/bin/hello', []).stdout.trim(), 'hello from linux/arm64');
});

test('examples/zig-c: zig cross-compiles onto scratch for arm64 and riscv64', async () => {
  const out = join(work, 'zig');
  const run = await ocibake(
    [
      'build',
      join(repoRoot, 'examples', 'zig-c'),
      '--platform',
      'linux/arm64,linux/riscv64',
      '--base',
      alpine,
      '--cross-env',
      '-t',
      'z:1',
      '-o',
      `type=oci,dest=${out}`,
      '--progress',
      'plain',
    ],
    {
      env: env(),
    },
  );
  assert.equal(run.code, 0, run.stderr);
  const arm64 = await unpackPlatform(out, '1', { os: 'linux', architecture: 'arm64' }, join(work, 'z-arm64'));
  assert.equal(runQemu(arm64, 'arm64', '/hello', []).stdout.trim(), 'built for aarch64-linux-musl, running on aarch64');
  const riscv = await unpackPlatform(out, '1', { os: 'linux', architecture: 'riscv64' }, join(work, 'z-riscv64'));
  assert.equal(runQemu(riscv, 'riscv64', '/hello', []).stdout.trim(), 'built for riscv64-linux-musl, running on riscv64');
});
