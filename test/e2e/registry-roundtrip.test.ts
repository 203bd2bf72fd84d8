// Round trips checked by tools nobody here wrote: Alpine seeded with `skopeo copy --all` is
// pulled by `ocibake pull`; what `ocibake push` sends, skopeo reads back digest-identical.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { RegistryClient, RegistryStore } from '../../registry/index.js';
import { resolveRegistryBase } from '../../lib/bases/registry-base.js';
import { publishToRegistry } from '../../lib/output/registry-publisher.js';
import { parsePlatform } from '../../lib/oci/platform.js';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { seedAlpine, sharedAlpineLayout, type AlpineLayout } from '../harness/alpine-index.js';
import { skopeo, inspectRaw, skopeoArgs } from '../harness/skopeo.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { ocibake } from '../harness/cli.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('registry round trips with skopeo', () => {
  let reg: TestRegistry;
  let tokenReg: TestRegistry;
  let proxy: FaultProxy;
  let alpine: AlpineLayout;
  let seeded: string;
  let tmp: string;
  const anon = () => new RegistryClient({ keychain: { resolve: async () => undefined } });

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ocibake-roundtrip-'));
    [reg, tokenReg, alpine] = await Promise.all([startRegistry('anonymous'), startRegistry('token'), sharedAlpineLayout()]);
    seeded = await seedAlpine(reg.host, 'library/alpine', '3.20');
    proxy = await startFaultProxy(reg.host);
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    await tokenReg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('ocibake pull fetches what skopeo pushed, digest-identical, and skopeo reads the layout', async () => {
    assert.equal(seeded, alpine.indexDigest);
    const dest = join(tmp, 'pulled');
    const r = await ocibake(['pull', `${reg.host}/library/alpine:3.20`, '--output', `type=oci,dest=${dest}`, '--progress', 'quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), seeded);
    const raw = await skopeo(['inspect', '--raw', `oci:${dest}:3.20`]);
    assert.equal(sha(raw), seeded);
    // skopeo re-reads every blob of every platform from our layout and checks the digests.
    await skopeo(['copy', '--all', `oci:${dest}:3.20`, `oci:${join(tmp, 'reread')}:x`]);
  });

  test('ocibake pull --platform narrows to exactly the original entries', async () => {
    const dest = join(tmp, 'narrow');
    const r = await ocibake([
      'pull',
      `${reg.host}/library/alpine:3.20`,
      '--platform',
      'linux/arm64,linux/arm/v7',
      '-o',
      `type=oci,dest=${dest}`,
      '--progress',
      'quiet',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const index = JSON.parse(await skopeo(['inspect', '--raw', `oci:${dest}:3.20`])) as { manifests: { digest: string }[] };
    assert.deepEqual(
      index.manifests.map((m) => m.digest),
      [alpine.manifests['linux/arm64'], alpine.manifests['linux/arm/v7']],
    );
    const missing = await ocibake(['pull', `${reg.host}/library/alpine:3.20`, '--platform', 'linux/riscv64', '-o', `type=oci,dest=${join(tmp, 'none')}`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no image for linux\/riscv64; it has linux\/amd64, linux\/arm64, linux\/arm\/v7/);
  });

  test('resolveRegistryBase picks each platform without downloading layers', async () => {
    const c = anon();
    try {
      for (const [p, digest] of Object.entries(alpine.manifests)) {
        const base = await resolveRegistryBase(c, `${reg.host}/library/alpine:3.20`, parsePlatform(p));
        assert.equal(base.image.descriptor.digest, digest);
        assert.equal(base.root.digest, seeded);
        assert.equal(base.image.config.architecture, parsePlatform(p).architecture);
        assert.equal(base.image.manifest.layers.length, 1);
      }
      assert.equal(c.transport.stats.uploadedBytes, 0);
    } finally {
      await c.close();
    }
  });

  test('ocibake push of a layout: skopeo inspect --raw and skopeo copy --all read it back digest-identical', async () => {
    const r = await ocibake(['push', `${alpine.dir}:latest`, `${reg.host}/pushed/alpine:1.0`, '--progress', 'quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${reg.host}/pushed/alpine:1.0@${alpine.indexDigest}`);
    assert.equal(sha(await inspectRaw(reg, 'pushed/alpine:1.0')), alpine.indexDigest);
    const back = join(tmp, 'skopeo-back');
    await skopeo(['copy', '--all', '--preserve-digests', ...skopeoArgs(reg, 'src'), `docker://${reg.host}/pushed/alpine:1.0`, `oci:${back}:b`]);
    assert.equal(sha(await skopeo(['inspect', '--raw', `oci:${back}:b`])), alpine.indexDigest);
    for (const d of Object.values(alpine.manifests)) {
      const bytes = readFileSync(join(back, 'blobs', 'sha256', d.slice(7)));
      assert.equal(sha(bytes), d);
    }
  });

  test('a second push of the same image sends only HEADs and zero blob bytes (counted at the proxy)', async () => {
    const first = await ocibake(['push', `${alpine.dir}:latest`, `${proxy.host}/again/alpine:1`, '--progress', 'quiet']);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(proxy.stats.uploadBytes > 3_000_000, `first push uploaded ${proxy.stats.uploadBytes} bytes`);
    proxy.reset();
    const second = await ocibake(['push', `${alpine.dir}:latest`, `${proxy.host}/again/alpine:2`, '--progress', 'quiet']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(proxy.stats.uploadBytes, 0);
    assert.equal(proxy.stats.byKind['POST uploads'] ?? 0, 0);
    assert.equal(proxy.stats.byKind['PATCH uploads'] ?? 0, 0);
    assert.equal(proxy.stats.byKind['GET blobs'] ?? 0, 0);
    // The index exists, so copyGraph stops at one HEAD; the new tag is the only write.
    assert.deepEqual(Object.keys(proxy.stats.byKind).sort(), ['GET other', 'HEAD manifests', 'PUT manifests'].filter((k) => proxy.stats.byKind[k]).sort());
    assert.equal(proxy.stats.byKind['PUT manifests'], 1);
  });

  test('registry to registry copy streams blobs (anonymous source, token-auth destination)', async () => {
    const c = new RegistryClient({ credentials: { [tokenReg.host]: { username: tokenReg.user, password: tokenReg.password } } });
    try {
      const src = new RegistryStore(c, { registry: reg.host, repository: 'library/alpine' });
      const out = await publishToRegistry(
        c,
        { root: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: seeded as never, size: (await src.resolve('3.20')).size }, store: src },
        [`${tokenReg.host}/mirror/alpine:3.20`],
      );
      assert.equal(out[0]!.digest, seeded);
      assert.equal(sha(await inspectRaw(tokenReg, 'mirror/alpine:3.20')), seeded);
      // Token reuse: one token per scope set, not one per request.
      assert.ok(c.transport.auth.tokenRequests <= 3, `token requests: ${c.transport.auth.tokenRequests}`);
      assert.ok((c.transport.stats.requests['HEAD'] ?? 0) + (c.transport.stats.requests['PUT'] ?? 0) > 10);
    } finally {
      await c.close();
    }
  });

  test('within one registry, blobs are mounted from the source repository instead of uploaded', async () => {
    const c = anon();
    try {
      const src = new RegistryStore(c, { registry: reg.host, repository: 'library/alpine' });
      const root = await src.resolve('3.20');
      // The source store locates its blobs in library/alpine, so copyGraph mounts them.
      const [out] = await publishToRegistry(c, { root, store: src }, [`${reg.host}/mounted/alpine:1`]);
      assert.equal(out!.blobs!.mounted, 6, JSON.stringify(out!.blobs));
      assert.equal(c.transport.stats.uploadedBytes, 0);
      assert.equal(sha(await inspectRaw(reg, 'mounted/alpine:1')), seeded);
      // A refused mount (the located repository does not exist) falls back to uploading.
      const misplaced = { exists: src.exists.bind(src), fetch: src.fetch.bind(src), locate: () => ({ registry: reg.host, repository: 'no/such/repo' }) };
      const [fallback] = await publishToRegistry(c, { root, store: misplaced }, [`${reg.host}/mounted/other:1`]);
      assert.deepEqual([fallback!.blobs!.mounted, fallback!.blobs!.copied], [0, 10]);
    } finally {
      await c.close();
    }
  });

  test('ocibake inspect --raw prints the exact bytes; --platform the platform manifest', async () => {
    const raw = await ocibake(['inspect', `${reg.host}/library/alpine:3.20`, '--raw']);
    assert.equal(raw.code, 0, raw.stderr);
    assert.equal(sha(raw.stdout), seeded);
    const arm = await ocibake(['inspect', `${reg.host}/library/alpine:3.20`, '--raw', '--platform', 'linux/arm64/v8']);
    assert.equal(sha(arm.stdout), alpine.manifests['linux/arm64']);
    const bad = await ocibake(['inspect', 'Not A Ref']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: invalid image reference/);
    assert.doesNotMatch(bad.stderr, /at .*\.js/);
  });

  test('a pull that receives a corrupt layer fails clearly and leaves neither the blob nor a tag', async () => {
    const layer = (
      JSON.parse(readFileSync(join(alpine.dir, 'blobs', 'sha256', alpine.manifests['linux/amd64']!.slice(7)), 'utf8')) as { layers: { digest: string }[] }
    ).layers[0]!.digest;
    proxy.reset();
    proxy.rules.push({ match: (m, p) => m === 'GET' && p.includes(`/blobs/${layer}`), fault: { kind: 'wrong-body' }, times: 1 });
    const dest = join(tmp, 'corrupt-pull');
    const r = await ocibake(['pull', `${proxy.host}/library/alpine:3.20`, '-o', `type=oci,dest=${dest}`, '--progress', 'quiet']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /digest mismatch/);
    assert.equal(proxy.injected(), 1);
    assert.equal(existsSync(join(dest, 'blobs', 'sha256', layer.slice(7))), false);
    const index = JSON.parse(readFileSync(join(dest, 'index.json'), 'utf8')) as { manifests: unknown[] };
    assert.deepEqual(index.manifests, []);
    proxy.reset();
  });

  test('a push that fails midway publishes no tag', async () => {
    const layerDigest = (
      JSON.parse(readFileSync(join(alpine.dir, 'blobs', 'sha256', alpine.manifests['linux/arm64']!.slice(7)), 'utf8')) as { layers: { digest: string }[] }
    ).layers[0]!.digest;
    proxy.reset();
    // Every upload of the arm64 layer fails; all other blobs go through.
    proxy.rules.push({ match: (m, p) => m === 'PUT' && p.includes(encodeURIComponent(layerDigest)), fault: { kind: 'status', status: 500 }, times: 1000 });
    const r = await ocibake(['push', `${alpine.dir}:latest`, `${proxy.host}/broken/alpine:1`, '--progress', 'quiet']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /500/);
    assert.match(r.stderr, new RegExp(`${proxy.host}/broken/alpine`));
    const c = anon();
    try {
      const store = new RegistryStore(c, { registry: reg.host, repository: 'broken/alpine' });
      await assert.rejects(store.resolve('1'), (e: Error & { code?: string }) => e.code === 'OCIBAKE_NOT_FOUND');
      assert.equal(await store.exists({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: alpine.indexDigest as never, size: 1 }), false);
    } finally {
      await c.close();
    }
    console.log(`registry-roundtrip: failed-push test injected ${proxy.injected()} faults`);
  });
});
