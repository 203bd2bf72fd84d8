// Fault injection between our client and the real registry: a proxy of ours injects resets,
// 5xx, 429 + Retry-After, hangs, corrupt bodies (small blobs too), stalled bodies, a fake 201
// for manifest PUTs and body-size refusals. Every operation either
// completes with verified content or fails with a typed error; counts are asserted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { RegistryClient, RegistryStore, parseReference } from '../../registry/index.js';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { testImage, type TestImage } from '../harness/images.js';
import { sha256 } from '../../lib/oci/digest.js';

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('registry faults', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let img: TestImage;
  let totalInjected = 0;
  const client = () => new RegistryClient({ keychain: { resolve: async () => undefined }, timeoutMs: 800, retry: { baseDelayMs: 20, maxDelayMs: 200 } });

  before(async () => {
    reg = await startRegistry('anonymous');
    proxy = await startFaultProxy(reg.host);
    img = testImage(['amd64', 'arm64'], 2 * 1024 * 1024);
    const c = client();
    const store = new RegistryStore(c, { registry: reg.host, repository: 'faults/base' });
    for (const b of img.blobs) await store.push(b.descriptor, b.bytes);
    await store.tag(img.root, 'v1');
    await c.close();
  });
  after(async () => {
    console.log(`registry-faults: ${totalInjected} faults injected in total`);
    await proxy?.stop();
    await reg?.stop();
  });
  const tally = () => {
    totalInjected += proxy.injected();
    proxy.reset();
  };

  test('resets, 500/502/503 and a hang on manifest requests are retried', async () => {
    const c = client();
    proxy.rules.push(
      { match: (m, p) => m === 'GET' && p.includes('/manifests/'), fault: { kind: 'reset' }, times: 1 },
      { match: (m, p) => m === 'GET' && p.includes('/manifests/'), fault: { kind: 'status', status: 500 }, times: 1 },
      { match: (m, p) => m === 'GET' && p.includes('/manifests/'), fault: { kind: 'status', status: 502 }, times: 1 },
      { match: (m, p) => m === 'GET' && p.includes('/manifests/'), fault: { kind: 'status', status: 503 }, times: 1 },
    );
    const m = await c.getManifest(parseReference(`${proxy.host}/faults/base:v1`));
    assert.equal(m.descriptor.digest, img.root.digest);
    assert.equal(proxy.injected(), 4);
    proxy.rules.push({ match: (m2, p) => m2 === 'HEAD' && p.includes('/manifests/'), fault: { kind: 'hang' }, times: 1 });
    const head = await c.headManifest(parseReference(`${proxy.host}/faults/base:v1`));
    assert.equal(head?.digest, img.root.digest);
    assert.equal(proxy.injected(), 5);
    assert.ok(c.transport.stats.retries >= 5);
    tally();
    await c.close();
  });

  test('429 with Retry-After is waited out', async () => {
    const c = client();
    proxy.rules.push({ match: (m, p) => m === 'HEAD' && p.includes('/blobs/'), fault: { kind: '429', retryAfterSeconds: 1 }, times: 1 });
    const t0 = Date.now();
    assert.equal(await c.hasBlob(proxy.host, 'faults/base', img.blobs[0]!.descriptor.digest), true);
    assert.ok(Date.now() - t0 >= 900, 'Retry-After: 1 was honoured');
    assert.equal(proxy.injected(), 1);
    tally();
    await c.close();
  });

  test('a blob download cut mid-body resumes and still verifies', async () => {
    const c = client();
    const layer = img.blobs[0]!.descriptor;
    proxy.rules.push({
      match: (m, p) => m === 'GET' && p.includes(`/blobs/${layer.digest}`),
      fault: { kind: 'reset-mid-body', afterBytes: 300_000 },
      times: 2,
    });
    const store = new RegistryStore(c, { registry: proxy.host, repository: 'faults/base' });
    const bytes = await readAll(await store.fetch(layer));
    assert.equal(sha256(bytes), layer.digest);
    assert.equal(proxy.injected(), 2);
    tally();
    await c.close();
  });

  test('a corrupt blob body fails with a digest mismatch, never delivered as good', async () => {
    const c = client();
    const layer = img.blobs[0]!.descriptor;
    proxy.rules.push({ match: (m, p) => m === 'GET' && p.includes(`/blobs/${layer.digest}`), fault: { kind: 'wrong-body' }, times: 1 });
    const store = new RegistryStore(c, { registry: proxy.host, repository: 'faults/base' });
    await assert.rejects(readAll(await store.fetch(layer)), (err: Error & { code?: string }) => err.code === 'OCIBAKE_DIGEST_MISMATCH');
    assert.equal(proxy.injected(), 1);
    tally();
    await c.close();
  });

  test('wrong bytes for a small blob fail with a digest mismatch naming the registry, read late or not', async () => {
    const c = client();
    // A config is a few hundred bytes: it is read and verified before the caller starts reading.
    const config = img.blobs.find((b) => b.descriptor.mediaType === 'application/vnd.oci.image.config.v1+json')!.descriptor;
    proxy.rules.push({ match: (m, p) => m === 'GET' && p.includes(`/blobs/${config.digest}`), fault: { kind: 'wrong-body' }, times: 1 });
    const store = new RegistryStore(c, { registry: proxy.host, repository: 'faults/base' });
    const body = await store.fetch(config);
    await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(readAll(body), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'OCIBAKE_DIGEST_MISMATCH');
      assert.match(err.message, new RegExp(`from ${proxy.host}/faults/base`));
      return true;
    });
    assert.equal(proxy.injected(), 1);
    tally();
    await c.close();
  });

  test('a 201 to a manifest PUT that stored nothing fails the push, naming the registry', async () => {
    const c = client();
    const fresh = testImage(['amd64'], 32 * 1024);
    const manifest = fresh.blobs.find((b) => b.descriptor.mediaType === 'application/vnd.oci.image.manifest.v1+json')!;
    const store = new RegistryStore(
      c,
      { registry: proxy.host, repository: 'faults/liar' },
      { replay: async () => Readable.from([Buffer.from(manifest.bytes)]) },
    );
    for (const b of fresh.blobs.filter((x) => !x.descriptor.mediaType.includes('manifest') && !x.descriptor.mediaType.includes('index')))
      await store.push(b.descriptor, b.bytes);
    proxy.rules.push({ match: (m, p) => m === 'PUT' && p.includes('/manifests/'), fault: { kind: 'fake-201' }, times: 2 });
    const named = (err: Error & { code?: string; registry?: string }) => {
      assert.equal(err.code, 'OCIBAKE_REGISTRY');
      assert.equal(err.registry, proxy.host);
      assert.match(err.message, new RegExp(`${proxy.host} answered 201 to the PUT, but then serves nothing there`));
      return true;
    };
    await assert.rejects(store.push(manifest.descriptor, manifest.bytes), named);
    await assert.rejects(store.tag(manifest.descriptor, 'v1'), named);
    assert.equal(proxy.injected(), 2);
    const direct = client();
    assert.equal(await direct.headManifest(parseReference(`${reg.host}/faults/liar:v1`)), undefined, 'the registry really has no such tag');
    tally();
    await c.close();
    await direct.close();
  });

  test('a body that stalls mid-download is given up after the timeout and resumed', { timeout: 30_000 }, async () => {
    // client() has timeoutMs 800: the stalled body must be abandoned after that, not after 60 s.
    const c = client();
    const layer = img.blobs[0]!.descriptor;
    proxy.rules.push({
      match: (m, p) => m === 'GET' && p.includes(`/blobs/${layer.digest}`),
      fault: { kind: 'stall-mid-body', afterBytes: 200_000 },
      times: 2,
    });
    const store = new RegistryStore(c, { registry: proxy.host, repository: 'faults/base' });
    const bytes = await readAll(await store.fetch(layer));
    assert.equal(sha256(bytes), layer.digest);
    assert.equal(proxy.injected(), 2);
    assert.ok(c.transport.stats.retries >= 2, `resumed twice (retries: ${c.transport.stats.retries})`);
    tally();
    await c.close();
  });

  test('a reset during a streamed upload re-opens the source and completes', async () => {
    const c = client();
    const fresh = testImage(['amd64'], 1024 * 1024);
    const byDigest = new Map(fresh.blobs.map((b) => [b.descriptor.digest, b.bytes]));
    const store = new RegistryStore(
      c,
      { registry: proxy.host, repository: 'faults/upload' },
      {
        replay: async (d) => Readable.from([Buffer.from(byDigest.get(d.digest)!)]),
      },
    );
    proxy.rules.push({ match: (m, p) => m === 'PUT' && p.includes('/blobs/uploads/'), fault: { kind: 'reset' }, times: 2 });
    for (const b of fresh.blobs) await store.push(b.descriptor, Readable.from([Buffer.from(b.bytes)]));
    assert.equal(proxy.injected(), 2);
    const direct = client();
    for (const b of fresh.blobs) assert.equal(await new RegistryStore(direct, { registry: reg.host, repository: 'faults/upload' }).exists(b.descriptor), true);
    tally();
    await c.close();
    await direct.close();
  });

  test('413 on a monolithic PUT falls back to chunked PATCH', async () => {
    const c = new RegistryClient({ keychain: { resolve: async () => undefined }, upload: { chunkSize: 512 * 1024 } });
    const fresh = testImage(['amd64'], 1536 * 1024);
    proxy.rules.push({
      match: (m, p) => m === 'PUT' && p.includes('/blobs/uploads/') && p.includes('digest='),
      fault: { kind: 'status', status: 413 },
      times: 1,
    });
    const store = new RegistryStore(c, { registry: proxy.host, repository: 'faults/chunked' });
    for (const b of fresh.blobs) await store.push(b.descriptor, b.bytes);
    assert.equal(proxy.injected(), 1);
    assert.ok((proxy.stats.requests['PATCH'] ?? 0) >= 3, `PATCH requests: ${proxy.stats.requests['PATCH'] ?? 0}`);
    tally();
    await c.close();
  });

  test('a 416 on a PATCH resumes from the Range the registry reports', async () => {
    const c = new RegistryClient({ keychain: { resolve: async () => undefined }, upload: { chunked: true, chunkSize: 256 * 1024 } });
    const fresh = testImage(['amd64'], 1024 * 1024);
    let patches = 0;
    // The second PATCH is answered 416 without reaching the registry, which therefore holds one chunk.
    proxy.rules.push({ match: (m) => m === 'PATCH' && ++patches === 2, fault: { kind: 'status', status: 416 }, times: 1 });
    const store = new RegistryStore(c, { registry: proxy.host, repository: 'faults/resume' });
    for (const b of fresh.blobs) await store.push(b.descriptor, b.bytes);
    assert.equal(proxy.injected(), 1);
    assert.ok((proxy.stats.byKind['GET uploads'] ?? 0) >= 1, 'asked the registry for the upload offset');
    const direct = client();
    const layer = fresh.blobs[0]!.descriptor;
    const bytes = await readAll(await new RegistryStore(direct, { registry: reg.host, repository: 'faults/resume' }).fetch(layer));
    assert.equal(sha256(bytes), layer.digest);
    tally();
    await c.close();
    await direct.close();
  });

  test('a permanent 503 on uploads fails with a clear error naming the registry', async () => {
    const c = client();
    const fresh = testImage(['amd64'], 64 * 1024);
    proxy.rules.push({ match: (m, p) => p.includes('/blobs/uploads/'), fault: { kind: 'status', status: 503 }, times: 50 });
    const store = new RegistryStore(c, { registry: proxy.host, repository: 'faults/down' });
    await assert.rejects(store.push(fresh.blobs[0]!.descriptor, fresh.blobs[0]!.bytes), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'OCIBAKE_REGISTRY');
      assert.match(err.message, new RegExp(`${proxy.host}/faults/down`));
      assert.match(err.message, /503/);
      return true;
    });
    tally();
    await c.close();
  });
});
