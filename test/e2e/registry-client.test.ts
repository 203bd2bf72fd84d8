// The registry client against the real distribution registry, three ways (anonymous, Basic over
// TLS, token auth), checked with skopeo.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { RegistryClient, RegistryStore, parseReference } from '../../registry/index.js';
import { type TestRegistry, type RegistryVariant, startRegistry } from '../harness/registry.js';
import { testImage } from '../harness/images.js';
import { inspectRaw } from '../harness/skopeo.js';
import { sha256 } from '../../lib/oci/digest.js';

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

for (const variant of ['anonymous', 'basic-tls', 'token'] as RegistryVariant[]) {
  describe(`registry client (${variant})`, () => {
    let reg: TestRegistry;
    let client: RegistryClient;
    before(async () => {
      reg = await startRegistry(variant);
      client = new RegistryClient({
        credentials: variant === 'anonymous' ? {} : { [reg.host]: { username: reg.user, password: reg.password } },
        caCerts: reg.caCert ? [reg.caCert] : [],
        keychain: undefined,
      });
    });
    after(async () => {
      await client?.close();
      await reg?.stop();
    });

    test('pushes an index with children first, tags it, and skopeo reads the same bytes', async () => {
      const img = testImage(['amd64', 'arm64']);
      const store = new RegistryStore(client, { registry: reg.host, repository: 'team/app' });
      for (const b of img.blobs) await store.push(b.descriptor, b.bytes);
      await store.tag(img.root, 'v1');
      const raw = await inspectRaw(reg, 'team/app:v1');
      assert.equal(sha256(raw), img.root.digest);
      const resolved = await store.resolve('v1');
      assert.equal(resolved.digest, img.root.digest);
      assert.equal(resolved.mediaType, img.root.mediaType);
      for (const b of img.blobs) {
        assert.equal(await store.exists(b.descriptor), true);
        const back = await readAll(await store.fetch(b.descriptor));
        assert.equal(sha256(back), b.descriptor.digest);
      }
      assert.deepEqual(store.record.pushed.length, img.blobs.length);
    });

    test('a streamed blob upload and a second push that only HEADs', async () => {
      const img = testImage(['amd64'], 512 * 1024);
      const store = new RegistryStore(client, { registry: reg.host, repository: 'stream' });
      for (const b of img.blobs) await store.push(b.descriptor, Readable.from([Buffer.from(b.bytes)]));
      const again = new RegistryStore(client, { registry: reg.host, repository: 'stream' });
      const before = client.transport.stats.uploadedBytes;
      for (const b of img.blobs) await again.push(b.descriptor, b.bytes);
      assert.equal(client.transport.stats.uploadedBytes, before);
      assert.equal(again.record.existing.length, img.blobs.length);
    });

    test('cross-repository mount links a blob without uploading it', async () => {
      const img = testImage(['amd64'], 256 * 1024);
      const a = new RegistryStore(client, { registry: reg.host, repository: 'mount/src' });
      for (const b of img.blobs) await a.push(b.descriptor, b.bytes);
      const b2 = new RegistryStore(client, { registry: reg.host, repository: 'mount/dst' });
      const layer = img.blobs[0]!.descriptor;
      assert.equal(await b2.mount(layer, 'mount/src'), true);
      assert.equal(await b2.exists(layer), true);
      assert.equal(await b2.mount(img.blobs[1]!.descriptor, 'mount/nothing-here'), false);
      if (reg.token) {
        // The mount's token also asks for pull on the source repository (docs/registry-client.md, rule 9).
        assert.ok(reg.token.requests.some((r) => r.scopes.includes('repository:mount/dst:pull,push') && r.scopes.includes('repository:mount/src:pull')));
      }
    });

    test('chunked PATCH upload is accepted by distribution', async () => {
      const chunky = new RegistryClient({
        credentials: variant === 'anonymous' ? {} : { [reg.host]: { username: reg.user, password: reg.password } },
        caCerts: reg.caCert ? [reg.caCert] : [],
        upload: { chunked: true, chunkSize: 100_000 },
      });
      try {
        const img = testImage(['amd64'], 400 * 1024);
        const store = new RegistryStore(chunky, { registry: reg.host, repository: 'chunked' });
        for (const b of img.blobs) await store.push(b.descriptor, Readable.from([Buffer.from(b.bytes)]));
        assert.ok((chunky.transport.stats.requests['PATCH'] ?? 0) >= 4);
        const m = await chunky.getManifest(parseReference(`${reg.host}/chunked@${img.root.digest}`));
        assert.equal(m.descriptor.digest, img.root.digest);
      } finally {
        await chunky.close();
      }
    });

    test('a missing manifest is a typed not-found error', async () => {
      await assert.rejects(client.getManifest(parseReference(`${reg.host}/team/app:nope`)), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'OCIBAKE_NOT_FOUND');
        assert.match(err.message, /team\/app:nope/);
        return true;
      });
    });
  });
}
