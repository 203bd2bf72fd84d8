// Blob GETs follow redirects to storage on another host (S3-style), and the Authorization
// header never goes along (docs/registry-client.md, rule 6). Token-auth registry behind our proxy; "storage" is a
// server of ours on another port that records the headers it receives.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient, RegistryStore } from '../../registry/index.js';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { testImage } from '../harness/images.js';
import { sha256 } from '../../lib/oci/digest.js';

let reg: TestRegistry;
let proxy: FaultProxy;
let storage: Server;
let storageHost: string;
const seen: (string | undefined)[] = [];
const img = testImage(['amd64'], 128 * 1024);

before(async () => {
  reg = await startRegistry('token');
  proxy = await startFaultProxy(reg.host);
  const bytes = new Map(img.blobs.map((b) => [b.descriptor.digest as string, b.bytes]));
  storage = createServer((req, res) => {
    seen.push(req.headers.authorization);
    const digest = /sha256:[a-f0-9]{64}/.exec(req.url ?? '')?.[0];
    const body = digest ? bytes.get(digest) : undefined;
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'content-length': String(body.byteLength) }).end(body);
  });
  await new Promise<void>((r) => storage.listen(0, '127.0.0.1', r));
  storageHost = `127.0.0.1:${(storage.address() as AddressInfo).port}`;
});
after(async () => {
  await proxy?.stop();
  await reg?.stop();
  await new Promise((r) => storage?.close(r));
});

test('a redirected blob GET is followed without forwarding Authorization', async () => {
  const c = new RegistryClient({ credentials: { [proxy.host]: { username: reg.user, password: reg.password } } });
  try {
    const store = new RegistryStore(c, { registry: proxy.host, repository: 'redirect/app' }, { access: 'push' });
    for (const b of img.blobs) await store.push(b.descriptor, b.bytes);
    proxy.reset();
    proxy.rules.push({
      match: (m, p) => m === 'GET' && p.includes('/blobs/sha256:'),
      fault: { kind: 'redirect', location: (p) => `http://${storageHost}/storage${p}?X-Amz-Signature=abc` },
      times: 10,
    });
    const layer = img.blobs[0]!.descriptor;
    const parts: Buffer[] = [];
    for await (const chunk of await store.fetch(layer)) parts.push(chunk as Buffer);
    assert.equal(sha256(Buffer.concat(parts)), layer.digest);
    assert.equal(proxy.injected(), 1);
    assert.ok(proxy.stats.withAuthorization >= 1, 'the registry itself got the token');
    assert.deepEqual(seen, [undefined], 'storage on another host got no Authorization');
  } finally {
    await c.close();
  }
});
