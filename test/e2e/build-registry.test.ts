// `ocibake build` end to end against the real registry: examples/go for three platforms. Its
// build stage runs natively in a Debian image with Debian's golang-go (made with mmdebstrap,
// standing in for golang:1.22-bookworm, which needs Docker Hub) and cross-compiles; the final
// stage RUNs adduser in the real multi-arch Alpine (seeded with skopeo), arm64 and arm/v7 under
// emulation. Pushed, read back with skopeo, unpacked with umoci and run (chroot: natively for
// amd64, through binfmt_misc for the others).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { seedAlpine } from '../harness/alpine-index.js';
import { debianImage } from '../harness/debian-image.js';
import { pathWithout } from '../harness/path-without.js';
import { inspectRaw, skopeo, skopeoArgs } from '../harness/skopeo.js';
import { runChroot, unpackPlatform } from '../harness/run-image.js';
import { cleanFailure, ocibake, repoRoot } from '../harness/cli.js';
import type { Index } from '../../lib/oci/manifest.js';

const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7'];
let reg: TestRegistry;
let work: string;
let cache: string;
let baseDigests: Record<string, string>;
const goExample = join(repoRoot, 'examples', 'go');

before(async () => {
  reg = await startRegistry('anonymous');
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-build-'));
  cache = join(work, 'cache');
  await seedAlpine(reg.host, 'library/alpine', '3.20.3');
  await debianImage({ registry: reg, repo: 'library/golang', tag: '1.22-bookworm', platforms: [{ arch: 'amd64', include: ['golang-go'] }] });
  const index = JSON.parse((await inspectRaw(reg, 'library/alpine:3.20.3')).toString()) as Index;
  baseDigests = Object.fromEntries(
    index.manifests.map((m) => [`${m.platform!.os}/${m.platform!.architecture}${m.platform!.variant ? `/${m.platform!.variant}` : ''}`, m.digest]),
  );
});

after(async () => {
  await reg?.stop().catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

const bases = (host: string) => ['--base', `alpine=${host}/library/alpine:3.20.3`, '--base', `golang:1.22-bookworm=${host}/library/golang:1.22-bookworm`];
const buildArgs = (tag: string, extra: string[] = []) => [
  'build',
  goExample,
  '--platform',
  PLATFORMS.join(','),
  ...bases(reg.host),
  '-t',
  `${reg.host}/app:${tag}`,
  '--push',
  ...extra,
];

test('the Go example builds for amd64, arm64, arm/v7 with the image’s go, pushes an index, and each image runs', async () => {
  // The host's go is not on ocibake's PATH: the build stage can only use the go of its image.
  const PATH = pathWithout(join(work, 'path'), ['go', 'gofmt']);
  const which = spawnSync('sh', ['-c', 'command -v go'], { env: { PATH }, encoding: 'utf8' });
  assert.ok(which.status !== 0 && which.stdout === '', `go is really off PATH (${which.stdout})`);
  const run = await ocibake([...buildArgs('1.0'), '--progress', 'plain', '--metadata-file', join(work, 'meta.json')], { env: { OCIBAKE_CACHE: cache, PATH } });
  assert.equal(run.code, 0, run.stderr);

  const raw = await inspectRaw(reg, 'app:1.0');
  const index = JSON.parse(raw.toString()) as Index;
  const meta = JSON.parse(readFileSync(join(work, 'meta.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(meta['containerimage.digest'], `sha256:${createHash('sha256').update(raw).digest('hex')}`, 'metadata names the pushed index');
  assert.equal(meta['image.name'], `${reg.host}/app:1.0`);
  assert.deepEqual(Object.keys(meta['ocibake.platforms'] as object), PLATFORMS);
  const facts = meta['ocibake.build'] as { executor: string; sandbox: { mode: string; copyOnWrite: string }; emulated: { platforms: string[] } };
  assert.equal(facts.executor, 'image');
  assert.deepEqual([facts.sandbox.mode, facts.sandbox.copyOnWrite], ['root', 'overlay'], 'the metadata file says how RUN was isolated');
  assert.deepEqual(facts.emulated.platforms, ['linux/arm64', 'linux/arm/v7']);
  assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
  const platforms = index.manifests.map((m) => `${m.platform!.os}/${m.platform!.architecture}${m.platform!.variant ? `/${m.platform!.variant}` : ''}`);
  assert.deepEqual(platforms, PLATFORMS, 'exactly the requested platforms, in order');

  // Each per-platform manifest records its own base digest (rebase tools read these).
  for (const m of index.manifests) {
    const manifest = JSON.parse(await skopeo(['inspect', '--raw', ...skopeoArgs(reg), `docker://${reg.host}/app@${m.digest}`])) as {
      annotations?: Record<string, string>;
    };
    const p = `${m.platform!.os}/${m.platform!.architecture}${m.platform!.variant ? `/${m.platform!.variant}` : ''}`;
    assert.equal(manifest.annotations?.['org.opencontainers.image.base.digest'], baseDigests[p], `base digest of ${p}`);
    assert.match(manifest.annotations?.['org.opencontainers.image.base.name'] ?? '', /library\/alpine:3\.20\.3$/);
  }

  const layout = join(work, 'pulled');
  await skopeo(['copy', '--all', ...skopeoArgs(reg, 'src'), `docker://${reg.host}/app:1.0`, `oci:${layout}:1.0`]);
  for (const [p, machine] of [
    ['linux/amd64', 'x86_64'],
    ['linux/arm64', 'aarch64'],
    ['linux/arm/v7', 'armv7l'],
  ] as const) {
    const [os, architecture, variant] = p.split('/') as [string, string, string | undefined];
    const rootfs = await unpackPlatform(layout, '1.0', { os, architecture, ...(variant ? { variant } : {}) }, join(work, `u-${architecture}${variant ?? ''}`));
    const hello = runChroot(rootfs, ['/usr/local/bin/hello']);
    assert.equal(hello.stdout.trim(), `hello from ${p}`, hello.stderr);
    assert.equal(runChroot(rootfs, ['/bin/uname', '-m']).stdout.trim(), machine, 'chroot ran the image for its own CPU');
    assert.equal(runChroot(rootfs, ['/bin/cat', '/etc/alpine-release']).stdout.trim(), '3.20.3', 'the base layers are really there');
    assert.match(readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8'), /^app:x:10001:/m, `RUN adduser ran in the ${p} image`);
    assert.equal(statSync(join(rootfs, 'data')).uid, 10001, 'umoci unpacks /data owned by the app user');
  }
  const config = JSON.parse(await skopeo(['inspect', '--config', ...skopeoArgs(reg), `docker://${reg.host}/app@${index.manifests[1]!.digest}`])) as {
    config: { User?: string; WorkingDir?: string };
  };
  assert.equal(config.config.User, 'app');
  assert.equal(config.config.WorkingDir, '/data');
  assert.match(run.stderr, /emulated: 2 RUN step\(s\) for linux\/arm64, linux\/arm\/v7 under qemu/, 'the summary says what was emulated and how to avoid it');
});

test('a rebuild with no change runs no RUN and uploads zero blob bytes', async () => {
  const run = await ocibake([...buildArgs('1.0'), '--progress', 'json'], { env: { OCIBAKE_CACHE: cache } });
  assert.equal(run.code, 0, run.stderr);
  const events = run.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; cached?: boolean; text?: string });
  const runs = events.filter((e) => e.type === 'step' && e.cached !== undefined && e.text?.startsWith('RUN'));
  assert.equal(runs.length, 6, 'three build-stage RUNs and three final-stage RUNs');
  assert.ok(
    runs.every((e) => e.cached),
    'every RUN came from the cache',
  );
  const summary = JSON.parse(run.stdout) as { stats: { stepsRun: number; layersWritten: number }; outputs: { blobs: { bytes: number; copied: number } }[] };
  assert.equal(summary.stats.stepsRun, 0);
  assert.equal(summary.stats.layersWritten, 0);
  assert.equal(summary.outputs[0]!.blobs.bytes, 0);
  assert.equal(summary.outputs[0]!.blobs.copied, 0);
});

test('two clean builds (fresh caches) give the same index digest', async () => {
  const a = await ocibake([...buildArgs('repro-a'), '-q'], { env: { OCIBAKE_CACHE: join(work, 'cache-a') } });
  const b = await ocibake([...buildArgs('repro-b'), '-q'], { env: { OCIBAKE_CACHE: join(work, 'cache-b') } });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.match(a.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  assert.equal(a.stdout, b.stdout);
  const c = await ocibake([...buildArgs('repro-c'), '-q'], { env: { OCIBAKE_CACHE: join(work, 'cache-a'), SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(c.code, 0, c.stderr);
  assert.notEqual(c.stdout, a.stdout, 'SOURCE_DATE_EPOCH changes the digest');
});

test('--format docker pushes a Docker manifest list that skopeo copies', async () => {
  const run = await ocibake([...buildArgs('docker'), '--format', 'docker', '-q'], { env: { OCIBAKE_CACHE: cache } });
  assert.equal(run.code, 0, run.stderr);
  const list = JSON.parse((await inspectRaw(reg, 'app:docker')).toString()) as Index;
  assert.equal(list.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
  assert.ok(
    list.manifests.every((m) => m.mediaType === 'application/vnd.docker.distribution.manifest.v2+json'),
    'never mixed with OCI types',
  );
  await skopeo(['copy', '--all', ...skopeoArgs(reg, 'src'), `docker://${reg.host}/app:docker`, `dir:${join(work, 'docker-dir')}`]);
});

test('a base without a requested platform fails clearly and pushes no tag', async () => {
  const run = await ocibake(['build', goExample, '--platform', 'linux/amd64,linux/riscv64', ...bases(reg.host), '-t', `${reg.host}/app:no-riscv`, '--push'], {
    env: { OCIBAKE_CACHE: cache },
  });
  assert.equal(cleanFailure(run), undefined);
  assert.match(run.stderr, /linux\/riscv64/);
  assert.match(run.stderr, /linux\/amd64, linux\/arm64, linux\/arm\/v7/, 'the error lists what the base has');
  await assert.rejects(inspectRaw(reg, 'app:no-riscv'), /manifest unknown|not found|404/i);
});

test('an unreachable registry fails with its name and a hint, no stack trace', async () => {
  const run = await ocibake(['build', goExample, '--platform', 'linux/amd64', ...bases('127.0.0.1:1'), '-t', '127.0.0.1:1/app:x', '--push'], {
    env: { OCIBAKE_CACHE: cache },
  });
  assert.equal(cleanFailure(run), undefined);
  assert.match(run.stderr, /127\.0\.0\.1:1/);
  assert.match(run.stderr, /^hint: /m);
});

test('--offline builds from the cache once the registry is gone', async () => {
  await reg.stop();
  const out = join(work, 'offline-out');
  const run = await ocibake(
    ['build', goExample, '--platform', PLATFORMS.join(','), ...bases(reg.host), '-t', 'app:offline', '-o', `type=oci,dest=${out}`, '--offline', '-q'],
    { env: { OCIBAKE_CACHE: cache } },
  );
  assert.equal(run.code, 0, run.stderr);
  const amd64 = await unpackPlatform(out, 'offline', { os: 'linux', architecture: 'amd64' }, join(work, 'u-offline'));
  assert.equal(runChroot(amd64, ['/usr/local/bin/hello']).stdout.trim(), 'hello from linux/amd64');
  assert.equal(runChroot(amd64, ['/bin/cat', '/etc/alpine-release']).stdout.trim(), '3.20.3');
  const fresh = await ocibake(
    ['build', goExample, '--platform', 'linux/amd64', ...bases(reg.host), '-o', `type=oci,dest=${join(work, 'offline-2')}`, '--offline'],
    { env: { OCIBAKE_CACHE: join(work, 'empty-cache') } },
  );
  assert.equal(cleanFailure(fresh), undefined);
  assert.match(fresh.stderr, /not in the cache and --offline/);
});
