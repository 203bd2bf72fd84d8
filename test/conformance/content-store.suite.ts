// One conformance suite for every ContentStore/Target (docs/architecture.md, "Tests"): memory, cache,
// OCI layout, and RegistryStore on the real registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { ContentStore, Target } from '../../lib/oci/content-store.js';
import { descriptorOf } from '../../lib/oci/descriptor.js';
import { collect } from '../../lib/store/read-blob.js';
import { isOcibakeError } from '../../lib/errors.js';

/** `contentStoreSuite` registers the shared ContentStore tests under `name`. */
export function contentStoreSuite(name: string, make: () => Promise<ContentStore>): void {
  test(`${name}: push then fetch returns the same bytes`, async () => {
    const store = await make();
    const bytes = Buffer.from(`hello ${name}`);
    const desc = descriptorOf(bytes, 'application/octet-stream');
    assert.equal(await store.exists(desc), false);
    await store.push(desc, bytes);
    assert.equal(await store.exists(desc), true);
    assert.deepEqual(await collect(await store.fetch(desc)), bytes);
  });

  test(`${name}: push of a stream is verified (bad digest rejected, nothing stored)`, async () => {
    const store = await make();
    const good = descriptorOf(Buffer.from('good'), 'application/octet-stream');
    await assert.rejects(store.push(good, Readable.from([Buffer.from('evil')])), (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_DIGEST_MISMATCH');
    assert.equal(await store.exists(good), false);
    const short = { ...good, size: 99 };
    await assert.rejects(store.push(short, Buffer.from('good')), (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_SIZE_MISMATCH');
    assert.equal(await store.exists(short), false);
  });

  test(`${name}: fetch of a missing blob is BLOB_NOT_FOUND`, async () => {
    const store = await make();
    const desc = descriptorOf(Buffer.from('absent'), 'application/octet-stream');
    await assert.rejects(store.fetch(desc), (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_BLOB_NOT_FOUND');
  });

  test(`${name}: pushing the same blob twice is harmless`, async () => {
    const store = await make();
    const bytes = Buffer.from('twice');
    const desc = descriptorOf(bytes, 'application/octet-stream');
    await Promise.all([store.push(desc, bytes), store.push(desc, Readable.from([bytes]))]);
    assert.deepEqual(await collect(await store.fetch(desc)), bytes);
  });
}

/** `targetSuite` adds the tag/resolve tests for stores that are Targets. */
export function targetSuite(name: string, make: () => Promise<Target>): void {
  test(`${name}: tag then resolve, retag replaces`, async () => {
    const store = await make();
    const a = Buffer.from('{"schemaVersion":2,"manifests":[]}');
    const b = Buffer.from('{"schemaVersion":2,"manifests":[ ]}');
    const da = descriptorOf(a, 'application/vnd.oci.image.index.v1+json');
    const db = descriptorOf(b, 'application/vnd.oci.image.index.v1+json');
    await store.push(da, a);
    await store.push(db, b);
    await store.tag(da, 'v1');
    assert.equal((await store.resolve('v1')).digest, da.digest);
    await store.tag(db, 'v1');
    assert.equal((await store.resolve('v1')).digest, db.digest);
    await assert.rejects(store.resolve('nope'), (e: unknown) => isOcibakeError(e));
  });
}
