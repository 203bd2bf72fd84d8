// End to end: a linux/amd64 + linux/arm64 image on real Alpine data, written to every output
// type and checked with tools nobody here wrote (oci-image-tool, skopeo, umoci), then run:
// amd64 under chroot, arm64's busybox under qemu-aarch64-static.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CacheStore } from '../../lib/store/cache-store.js';
import { OciLayout } from '../../lib/store/oci-layout.js';
import { validateArtifact } from '../../lib/image/validate.js';
import type { ImageIndex } from '../../lib/image/types.js';
import { OciLayoutPublisher } from '../../lib/output/oci-layout-publisher.js';
import { OciArchivePublisher } from '../../lib/output/oci-archive-publisher.js';
import { DockerArchivePublisher } from '../../lib/output/docker-archive-publisher.js';
import { isOcibakeError } from '../../lib/errors.js';
import { tempDir } from '../harness/tmp.js';
import { ociImageToolValidate, skopeoCopy, skopeoInspectConfig, skopeoInspectRaw } from '../harness/verify.js';
import { runChroot, runQemu, unpackPlatform } from '../harness/run-image.js';
import { buildTestIndex } from './outputs-build.js';

const EPOCH = 1700000000;
const work = tempDir('ocibake-e2e-outputs-');
let store: CacheStore;
let index: ImageIndex;
let layout: string;

/** Every file of a directory with its sha256, for byte-identity checks. */
function treeHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

before(async () => {
  store = new CacheStore({ dir: join(work, 'cache') });
  index = await buildTestIndex(store, join(work, 'build1'), EPOCH);
  layout = join(work, 'layout');
  await new OciLayoutPublisher(layout).publish({ root: index, store }, ['1.0', 'latest']);
});

test('our own conformance check passes, diff_ids included', async () => {
  assert.deepEqual(await validateArtifact(store, index, { deep: true }), []);
});

test('oci-image-tool validate --type image accepts the layout', async () => {
  await ociImageToolValidate(layout, '1.0');
});

test('skopeo inspect --raw oci:DIR:tag returns our index bytes', async () => {
  const { raw, json } = await skopeoInspectRaw(`oci:${layout}:1.0`);
  assert.equal(raw, Buffer.from(index.bytes).toString('utf8'));
  assert.equal((json['manifests'] as unknown[]).length, 2);
  const cfg = await skopeoInspectConfig(`oci:${layout}:latest`, ['--override-arch', 'arm64']);
  assert.equal(cfg['architecture'], 'arm64');
  assert.deepEqual((cfg['config'] as Record<string, unknown>)['Entrypoint'], ['/app/bin/hello.sh']);
});

test('skopeo copy --all oci:DIR:tag oci:OTHER:tag keeps the index digest', async () => {
  const other = join(work, 'other');
  await skopeoCopy(`oci:${layout}:1.0`, `oci:${other}:1.0`, { all: true });
  const copied = await OciLayout.open(other, { create: false });
  assert.equal((await copied.resolve('1.0')).digest, index.descriptor.digest);
  await ociImageToolValidate(other);
});

test('amd64: umoci unpacks it (diff_ids checked) and it runs under chroot', async () => {
  const rootfs = await unpackPlatform(layout, '1.0', { os: 'linux', architecture: 'amd64' }, join(work, 'run-amd64'));
  const release = runChroot(rootfs, ['/bin/sh', '-c', 'cat /etc/alpine-release']);
  assert.equal(release.status, 0, release.stderr);
  assert.equal(release.stdout.trim(), '3.20.3');
  const hello = runChroot(rootfs, ['/app/bin/hello.sh']);
  assert.equal(hello.stdout.trim(), 'hello from amd64 on alpine 3.20.3', hello.stderr);
  assert.equal(readFileSync(join(rootfs, 'etc/motd'), 'utf8'), 'replaced by a later layer\n');
});

test('arm64: umoci unpacks it and its busybox runs under qemu-aarch64-static', async () => {
  const rootfs = await unpackPlatform(layout, '1.0', { os: 'linux', architecture: 'arm64' }, join(work, 'run-arm64'));
  const uname = runQemu(rootfs, 'arm64', 'bin/busybox', ['uname', '-m']);
  assert.equal(uname.status, 0, uname.stderr);
  assert.equal(uname.stdout.trim(), 'aarch64');
  const cat = runQemu(rootfs, 'arm64', 'bin/busybox', ['cat', join(rootfs, 'etc/alpine-release'), join(rootfs, 'etc/ocibake-release')]);
  assert.equal(cat.stdout, '3.20.3\narm64\n');
  // Ownership from the minirootfs survived our extract + rewrite (shadow is root:shadow 0640).
  const st = statSync(join(rootfs, 'etc/shadow'));
  assert.equal(st.mode & 0o777, 0o640);
  assert.equal(st.gid, 42);
});

test('same inputs twice → byte-identical layouts; another SOURCE_DATE_EPOCH → another digest', async () => {
  const store2 = new CacheStore({ dir: join(work, 'cache2') });
  const again = await buildTestIndex(store2, join(work, 'build2'), EPOCH);
  assert.equal(again.descriptor.digest, index.descriptor.digest);
  const layout2 = join(work, 'layout2');
  await new OciLayoutPublisher(layout2).publish({ root: again, store: store2 }, ['1.0', 'latest']);
  assert.deepEqual(treeHash(layout2), treeHash(layout));
  const later = await buildTestIndex(store2, join(work, 'build3'), EPOCH + 1);
  assert.notEqual(later.descriptor.digest, index.descriptor.digest);
  // Several images and tags in one layout.
  await new OciLayoutPublisher(layout2).publish({ root: later, store: store2 }, ['later']);
  assert.equal((await skopeoInspectRaw(`oci:${layout2}:later`)).raw, Buffer.from(later.bytes).toString('utf8'));
  assert.equal((await skopeoInspectRaw(`oci:${layout2}:1.0`)).raw, Buffer.from(index.bytes).toString('utf8'));
  await ociImageToolValidate(layout2);
});

test('OCI archive: skopeo reads oci-archive:FILE:tag, and the archive is reproducible', async () => {
  const a = join(work, 'app-oci.tar');
  const b = join(work, 'app-oci-2.tar');
  await new OciArchivePublisher(a).publish({ root: index, store }, ['1.0']);
  await new OciArchivePublisher(b).publish({ root: index.descriptor, store }, ['1.0']);
  assert.ok(readFileSync(a).equals(readFileSync(b)));
  assert.equal((await skopeoInspectRaw(`oci-archive:${a}:1.0`)).raw, Buffer.from(index.bytes).toString('utf8'));
  await skopeoCopy(`oci-archive:${a}:1.0`, `oci:${join(work, 'from-archive')}:x`, { all: true });
  assert.equal((await (await OciLayout.open(join(work, 'from-archive'))).resolve('x')).digest, index.descriptor.digest);
});

test('docker archive: one platform, loaded by skopeo docker-archive with matching diff_ids', async () => {
  const file = join(work, 'app-docker.tar');
  await assert.rejects(
    new DockerArchivePublisher(file).publish({ root: index, store }, ['app:1.0']),
    (e: unknown) => isOcibakeError(e) && /one platform/.test(e.message),
  );
  const [pub] = await new DockerArchivePublisher(file, { platform: { os: 'linux', architecture: 'arm64' } }).publish({ root: index, store }, [
    'example.com/app:1.0',
  ]);
  const arm = [...index.children.values()].find((c) => c.kind === 'image' && c.config.architecture === 'arm64');
  assert.equal(pub!.digest, arm!.descriptor.digest);
  const cfg = await skopeoInspectConfig(`docker-archive:${file}`);
  assert.equal(cfg['architecture'], 'arm64');
  assert.deepEqual((cfg['rootfs'] as { diff_ids: string[] }).diff_ids, arm!.kind === 'image' ? arm!.config.rootfs.diff_ids : []);
  const loaded = join(work, 'from-docker');
  await skopeoCopy(`docker-archive:${file}:example.com/app:1.0`, `oci:${loaded}:x`);
  const bundleRoot = await unpackPlatform(loaded, 'x', { os: 'linux', architecture: 'arm64' }, join(work, 'run-docker'));
  assert.equal(readFileSync(join(bundleRoot, 'etc/alpine-release'), 'utf8').trim(), '3.20.3');
});
