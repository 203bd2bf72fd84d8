import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parallelGzip } from '../../../../lib/layer/parallel-gzip.js';
import { collectBytes, tempDir } from '../../../harness/tmp.js';

// Mixed data: random (incompressible), text and long runs, cut into odd-sized chunks.
function input(): Buffer {
  const text = Buffer.from(Array.from({ length: 20000 }, (_, i) => `line ${i} ${i % 7 === 0 ? 'lorem ipsum' : ''}\n`).join(''));
  return Buffer.concat([randomBytes(300_000), text, Buffer.alloc(200_000, 0x61), randomBytes(77)]);
}

async function* chunks(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

test('parallelGzip: one valid gzip stream, round-trips, bytes independent of thread count', async () => {
  const data = input();
  const outs: Buffer[] = [];
  for (const threads of [1, 2, 3]) outs.push(await collectBytes(parallelGzip(chunks(data, 10_007 * threads), { threads, level: 6 })));
  assert.deepEqual(gunzipSync(outs[0]!), data);
  assert.ok(outs[1]!.equals(outs[0]!) && outs[2]!.equals(outs[0]!), 'output differs with the thread count');
  const dir = tempDir();
  writeFileSync(join(dir, 'x.gz'), outs[0]!);
  execFileSync('gzip', ['-t', join(dir, 'x.gz')]);
  assert.ok(outs[0]!.length < data.length, 'compresses');
});

test('parallelGzip: empty input and levels 1 and 9', async () => {
  const empty = await collectBytes(parallelGzip(chunks(Buffer.alloc(0), 1)));
  assert.deepEqual(gunzipSync(empty), Buffer.alloc(0));
  const data = input();
  const l1 = await collectBytes(parallelGzip(chunks(data, 65536), { level: 1 }));
  const l9 = await collectBytes(parallelGzip(chunks(data, 65536), { level: 9 }));
  assert.deepEqual(gunzipSync(l1), data);
  assert.deepEqual(gunzipSync(l9), data);
  assert.notDeepEqual(l1, l9);
});

test('parallelGzip: incompressible blocks are stored, compressible ones still deflated, in one valid stream', async () => {
  const { looksIncompressible } = await import('../../../../lib/layer/parallel-gzip.js');
  const random = randomBytes(128 * 1024);
  const text = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(3000)).subarray(0, 128 * 1024);
  assert.equal(looksIncompressible(random), true);
  assert.equal(looksIncompressible(text), false);
  const data = Buffer.concat([random, text, random]);
  const out = await collectBytes(parallelGzip(chunks(data, 50_000), { level: 6 }));
  assert.deepEqual(gunzipSync(out), data);
  // Two stored random blocks (≈ their size plus 5 bytes per 64 KiB) plus a text block that deflates to almost nothing.
  assert.ok(out.length < 2 * random.length + 2048, `output ${out.length} bytes`);
  assert.ok(out.length > 2 * random.length, 'random data is not magically smaller');
});
