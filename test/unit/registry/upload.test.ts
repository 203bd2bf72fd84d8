import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { chunks, withDigest } from '../../../registry/upload.js';
import { sha256 } from '../../../lib/oci/digest.js';

test('withDigest appends with & when the Location already has a query (docs/registry-client.md, rule 4)', () => {
  const d = { mediaType: 'x', digest: sha256('x'), size: 1 };
  assert.equal(withDigest(new URL('http://r/v2/a/blobs/uploads/u1'), d).href, `http://r/v2/a/blobs/uploads/u1?digest=${encodeURIComponent(d.digest)}`);
  assert.equal(
    withDigest(new URL('http://r/v2/a/blobs/uploads/u1?_state=abc'), d).href,
    `http://r/v2/a/blobs/uploads/u1?_state=abc&digest=${encodeURIComponent(d.digest)}`,
  );
});

test('chunks regroups a stream into exact sizes, whatever the input chunking', async () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  const pieces = [data.subarray(0, 7), data.subarray(7, 500), data.subarray(500, 501), data.subarray(501)];
  const out: Buffer[] = [];
  for await (const c of chunks(Readable.from(pieces), 300)) out.push(c);
  assert.deepEqual(
    out.map((c) => c.length),
    [300, 300, 300, 100],
  );
  assert.deepEqual(Buffer.concat(out), data);
  const fromBytes: Buffer[] = [];
  for await (const c of chunks(data, 400)) fromBytes.push(c);
  assert.deepEqual(
    fromBytes.map((c) => c.length),
    [400, 400, 200],
  );
});
