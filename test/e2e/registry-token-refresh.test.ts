// Bearer tokens are cached per scope and refreshed when the registry answers 401: the token
// server here issues JWTs valid for 3 s while advertising 300 s, so the cached token goes stale.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryClient, RegistryStore } from '../../registry/index.js';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { testImage } from '../harness/images.js';

let reg: TestRegistry;
before(async () => {
  reg = await startRegistry('token', { jwtLifetimeSeconds: 3 });
});
after(async () => reg?.stop());

test('token reuse per scope, and refresh on 401 after the token expired', async () => {
  const c = new RegistryClient({ credentials: { [reg.host]: { username: reg.user, password: reg.password } } });
  try {
    const img = testImage(['amd64'], 32 * 1024);
    const store = new RegistryStore(c, { registry: reg.host, repository: 'refresh/app' }, { access: 'push' });
    for (const b of img.blobs) await store.push(b.descriptor, b.bytes);
    const afterPush = c.transport.auth.tokenRequests;
    const requests = Object.values(c.transport.stats.requests).reduce((a, b) => a + b, 0);
    // One token for the pull,push scope serves the push (a second only if a slow machine let it expire).
    assert.ok(afterPush <= 2 && requests >= 8, `${afterPush} tokens for ${requests} requests`);
    await new Promise((r) => setTimeout(r, 4100));
    await store.tag(img.root, 'v1');
    assert.equal(c.transport.auth.tokenRequests, afterPush + 1, 'the stale token was replaced once');
    assert.ok(c.transport.stats.authRetries >= 2, `auth retries: ${c.transport.stats.authRetries}`);
    const scopes = reg.token!.requests.map((r) => r.scopes.join(' '));
    assert.deepEqual([...new Set(scopes)], ['repository:refresh/app:pull,push']);
  } finally {
    await c.close();
  }
});
