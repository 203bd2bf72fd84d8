import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tarStream } from '../../../../lib/layer/tar-writer.js';
import type { LayerEntry } from '../../../../lib/layer/entry.js';
import { isOcibakeError } from '../../../../lib/errors.js';
import { collectBytes, tempDir } from '../../../harness/tmp.js';

const entries = (): LayerEntry[] => [
  { path: '/app', type: 'dir', mode: 0o755 },
  { path: '/app/hello.txt', type: 'file', mode: 0o644, data: Buffer.from('hello\n') },
  { path: '/app/run', type: 'file', mode: 0o4755, data: Buffer.from('#!/bin/sh\n'), uid: 1000, gid: 1000 },
  { path: '/app/link', type: 'symlink', mode: 0o777, linkname: 'hello.txt' },
  { path: '/app/hard', type: 'hardlink', mode: 0o644, linkname: '/app/hello.txt' },
  { path: `/app/${'long-'.repeat(30)}`, type: 'file', mode: 0, data: Buffer.alloc(0) },
];

test('tarStream: byte-exact golden (the same entries always give these bytes)', async () => {
  const tar = await collectBytes(tarStream(entries(), { sourceDateEpoch: 1700000000 }));
  assert.equal(tar.length % 512, 0);
  assert.equal(createHash('sha256').update(tar).digest('hex'), GOLDEN);
});

test('tarStream: GNU tar reads it back with modes, owners, links and the epoch', async () => {
  const dir = tempDir();
  const file = join(dir, 'l.tar');
  writeFileSync(file, await collectBytes(tarStream(entries(), { sourceDateEpoch: 1700000000 })));
  const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } })
    .trim()
    .split('\n');
  assert.equal(listing.length, 6);
  assert.match(listing[0]!, /^drwxr-xr-x 0\/0 +0 2023-11-14 22:13:20 app\/$/);
  assert.match(listing[2]!, /^-rwsr-xr-x 1000\/1000 +10 .* app\/run$/);
  assert.match(listing[3]!, /app\/link -> hello\.txt$/);
  assert.match(listing[4]!, /app\/hard link to app\/hello\.txt$/);
  assert.match(listing[5]!, /^---------- .* app\/(long-){30}$/, 'mode 0 kept, long name via PAX');
  execFileSync('tar', ['-xf', file, '-C', dir]);
});

test('tarStream: a host file whose size changed fails with LAYER_WRITE', async () => {
  const dir = tempDir();
  const src = join(dir, 'f');
  writeFileSync(src, 'abc');
  await assert.rejects(
    collectBytes(tarStream([{ path: 'f', type: 'file', mode: 0o644, size: 10, source: src }])),
    (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_LAYER_WRITE' && /changed/.test(e.message),
  );
  await assert.rejects(collectBytes(tarStream([{ path: '../x', type: 'dir', mode: 0o755 }])), /contains "\.\."/);
});

// Recorded once and checked by GNU tar in the next test; a change here means layer digests changed.
const GOLDEN = '6575766ad73a6db51d7e401457869d6ed489ec20c7dcfe1da9fbdc38fe4d7928';

test('tarStream: FIFOs and device nodes, read back by GNU tar', async () => {
  const dir = tempDir();
  const file = join(dir, 'd.tar');
  writeFileSync(
    file,
    await collectBytes(
      tarStream([
        { path: '/dev/zero', type: 'char-device', mode: 0o666, devmajor: 1, devminor: 5 },
        { path: '/dev/sda1', type: 'block-device', mode: 0o660, devmajor: 8, devminor: 1, gid: 6 },
        { path: '/run/ctl', type: 'fifo', mode: 0o600 },
      ]),
    ),
  );
  const listing = execFileSync('tar', ['--numeric-owner', '-tvf', file], { encoding: 'utf8' }).trim().split('\n');
  assert.match(listing[0]!, /^crw-rw-rw- 0\/0 +1,5 .* dev\/zero$/);
  assert.match(listing[1]!, /^brw-rw---- 0\/6 +8,1 .* dev\/sda1$/);
  assert.match(listing[2]!, /^prw------- 0\/0 +0 .* run\/ctl$/);
});
