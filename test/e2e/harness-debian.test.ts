// The Debian image harness end to end, with tools only: mmdebstrap (cached per UTC day) → umoci
// → plain-JSON index → `skopeo copy --all` into a fresh registry; then skopeo reads the index
// back and the pulled image's rootfs runs apt under chroot.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { debianImage, debianRootfs, type DebianImage } from '../harness/debian-image.js';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { inspectRaw, skopeo } from '../harness/skopeo.js';
import { tempDir } from '../harness/tmp.js';

const run = promisify(execFile);

describe('Debian image harness', () => {
  let reg: TestRegistry;
  let img: DebianImage;

  before(async () => {
    reg = await startRegistry('anonymous');
    img = await debianImage({ registry: reg, repo: 'library/debian', tag: 'bookworm', platforms: [{ arch: 'amd64' }] });
  });
  after(async () => {
    await reg?.stop();
  });

  test('the pushed index lists linux/amd64 with the manifest the layout made', async () => {
    const index = JSON.parse((await inspectRaw(reg, 'library/debian:bookworm')).toString('utf8')) as {
      mediaType: string;
      manifests: { digest: string; platform: { os: string; architecture: string } }[];
    };
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(
      index.manifests.map((m) => m.platform),
      [{ architecture: 'amd64', os: 'linux' }],
    );
    assert.equal(index.manifests[0]?.digest, img.manifests['linux/amd64']);
    assert.equal(img.ref, `${reg.host}/library/debian:bookworm`);
  });

  test('the image pulled back from the registry unpacks and apt runs in its rootfs', async () => {
    const dir = tempDir('ocibake-debian-unpack-');
    await skopeo([
      'copy',
      '--src-tls-verify=false',
      '--override-arch',
      'amd64',
      '--override-os',
      'linux',
      `docker://${img.ref}`,
      `oci:${join(dir, 'layout')}:img`,
    ]);
    await run('umoci', ['unpack', '--image', `${join(dir, 'layout')}:img`, join(dir, 'bundle')]);
    const rootfs = join(dir, 'bundle', 'rootfs');
    const { stdout } = await run(
      'chroot',
      [rootfs, '/bin/sh', '-c', 'apt-get --version | head -1; cat /etc/debian_version; test -e /etc/resolv.conf || echo no-resolv.conf'],
      { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } },
    );
    assert.match(stdout, /^apt 2\.6\.\d+/m);
    assert.match(stdout, /^12\.\d+$/m);
    assert.match(stdout, /^no-resolv\.conf$/m, 'the host resolv.conf mmdebstrap copies in is removed');
    const cfg = JSON.parse(
      await skopeo(['inspect', '--config', '--tls-verify=false', '--override-arch', 'amd64', '--override-os', 'linux', `docker://${img.ref}`]),
    ) as { architecture: string; config: { Env: string[]; Cmd: string[] } };
    assert.equal(cfg.architecture, 'amd64');
    assert.deepEqual(cfg.config.Cmd, ['/bin/bash']);
    assert.ok(cfg.config.Env.some((e) => e.startsWith('PATH=/usr/local/sbin:')));
  });

  test('the rootfs tarball comes from the cache the second time', async () => {
    const again = await debianRootfs({ arch: 'amd64' });
    assert.equal(again.cached, true);
    assert.equal(again.path, img.rootfs[0]?.path);
    assert.ok(again.ms < 1000, `cache hit took ${again.ms} ms`);
  });
});
