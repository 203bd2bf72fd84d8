import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { decompress } from '../../../../lib/layer/decompress.js';
import { UnsafeArchiveError } from '../../../../lib/layer/errors.js';
import { collectBytes } from '../../../harness/tmp.js';

const tar = Buffer.from('plain tar bytes '.repeat(100));

test('decompress auto-detects gzip and plain input, even split into 1-byte chunks', async () => {
  const bytes = (b: Buffer) => Readable.from([...b].map((x) => Buffer.from([x])));
  assert.deepEqual(await collectBytes(decompress(bytes(gzipSync(tar)))), tar);
  assert.deepEqual(await collectBytes(decompress(bytes(tar))), tar);
  assert.deepEqual(await collectBytes(decompress(Readable.from([gzipSync(tar)]), 'gzip')), tar);
  assert.deepEqual(await collectBytes(decompress(Readable.from([]))), Buffer.alloc(0));
});

test('decompress refuses zstd clearly', async () => {
  const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0]);
  await assert.rejects(collectBytes(decompress(Readable.from([zstd]))), (e: unknown) => e instanceof UnsafeArchiveError && /zstd/.test(e.message));
});
