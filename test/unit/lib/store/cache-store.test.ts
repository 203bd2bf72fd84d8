import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheStore } from '../../../../lib/store/cache-store.js';
import { defaultCacheDir } from '../../../../lib/cache/layout.js';
import { descriptorOf } from '../../../../lib/oci/descriptor.js';
import { collect } from '../../../../lib/store/read-blob.js';
import { isOcibakeError } from '../../../../lib/errors.js';
import { contentStoreSuite } from '../../../conformance/content-store.suite.js';

const root = mkdtempSync(join(tmpdir(), 'ocibake-cache-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `c${n++}`);

contentStoreSuite('CacheStore', async () => new CacheStore({ dir: fresh() }));

test('defaultCacheDir: $OCIBAKE_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
  assert.equal(defaultCacheDir({ OCIBAKE_CACHE: '/x/y' }), '/x/y');
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }), '/xdg/ocibake');
  assert.match(defaultCacheDir({}), /\/\.cache\/ocibake$/);
  // A relative XDG_CACHE_HOME is invalid per the XDG spec and ignored.
  assert.match(defaultCacheDir({ XDG_CACHE_HOME: 'rel' }), /\/\.cache\/ocibake$/);
});

test('CacheStore: blobs land in blobs/sha256/<hex>, no temp files remain', async () => {
  const dir = fresh();
  const store = new CacheStore({ dir });
  const bytes = Buffer.from('layout check');
  const desc = descriptorOf(bytes, 'application/octet-stream');
  await store.push(desc, bytes);
  assert.deepEqual(readdirSync(join(dir, 'blobs', 'sha256')), [desc.digest.slice(7)]);
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  assert.deepEqual(await store.list(), [desc.digest]);
});

test('CacheStore: a blob corrupted on disk is dropped and reported on read', async () => {
  const dir = fresh();
  const reports: string[] = [];
  const store = new CacheStore({ dir, onCorrupt: (d) => reports.push(d) });
  const bytes = Buffer.from('pristine content');
  const desc = descriptorOf(bytes, 'application/octet-stream');
  await store.push(desc, bytes);
  writeFileSync(store.blobPath(desc.digest), Buffer.from('tampered content'));
  await assert.rejects(
    collect(await store.fetch(desc)),
    (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_DIGEST_MISMATCH' && /removed/.test(e.message),
  );
  assert.deepEqual(reports, [desc.digest]);
  assert.equal(await store.exists(desc), false);
});

test('CacheStore: ingest names a blob by the digest of what was written', async () => {
  const store = new CacheStore({ dir: fresh() });
  const { Readable } = await import('node:stream');
  const desc = await store.ingest('application/x-test', Readable.from([Buffer.from('a'), Buffer.from('b')]));
  assert.deepEqual(desc, descriptorOf(Buffer.from('ab'), 'application/x-test'));
  assert.equal(await store.exists(desc), true);
});

test('CacheStore: a corrupt blob is dropped only if no good copy replaced it meanwhile (two builds, one cache)', async () => {
  const dir = fresh();
  const store = new CacheStore({ dir });
  const bytes = Buffer.from('pristine content');
  const desc = descriptorOf(bytes, 'application/octet-stream');
  await store.push(desc, bytes);
  writeFileSync(store.blobPath(desc.digest), Buffer.from('tampered content'));
  const reading = await store.fetch(desc);
  // Another process writes the good copy (temp file + rename) while this one reads the bad one.
  writeFileSync(join(dir, 'good'), bytes);
  renameSync(join(dir, 'good'), store.blobPath(desc.digest));
  await assert.rejects(collect(reading), (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_DIGEST_MISMATCH');
  assert.equal(await store.exists(desc), true, 'the good copy stays');
  assert.deepEqual(await collect(await store.fetch(desc)), bytes);
});
