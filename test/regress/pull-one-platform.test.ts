// `ocibake pull REF --platform P` wrote a one-entry index; crane, `skopeo --override-arch` and regctl
// write that platform's image manifest itself, which `skopeo inspect oci:D` and `umoci unpack` read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { seedAlpine, sharedAlpineLayout, type AlpineLayout } from '../harness/alpine-index.js';
import { skopeo } from '../harness/skopeo.js';
import { ocibake } from '../harness/cli.js';

let reg: TestRegistry;
let alpine: AlpineLayout;
let tmp: string;
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ocibake-pull1-'));
  [reg, alpine] = await Promise.all([startRegistry('anonymous'), sharedAlpineLayout()]);
  await seedAlpine(reg.host, 'library/alpine', '3.20');
});
after(async () => {
  await reg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('pull --platform with one platform writes that platform manifest, usable by skopeo and umoci', async () => {
  const dest = join(tmp, 'arm64');
  const r = await ocibake(['pull', `${reg.host}/library/alpine:3.20`, '--platform', 'linux/arm64', '-o', `type=oci,dest=${dest}`, '--progress', 'quiet']);
  assert.equal(r.code, 0, r.stderr);
  const raw = await skopeo(['inspect', '--raw', `oci:${dest}:3.20`]);
  assert.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, alpine.manifests['linux/arm64']);
  const doc = JSON.parse(raw) as { config?: unknown; manifests?: unknown };
  assert.ok(doc.config && !doc.manifests, 'an image manifest, not an index');
  const index = JSON.parse(readFileSync(join(dest, 'index.json'), 'utf8')) as { manifests: { platform?: { architecture: string } }[] };
  assert.equal(index.manifests[0]!.platform?.architecture, 'arm64', 'the layout entry keeps the platform');
  execFileSync('umoci', ['unpack', '--image', `${dest}:3.20`, join(tmp, 'bundle')], { stdio: 'pipe' });
  assert.match(readFileSync(join(tmp, 'bundle', 'rootfs', 'etc', 'alpine-release'), 'utf8'), /^3\.20\.3/);
});
