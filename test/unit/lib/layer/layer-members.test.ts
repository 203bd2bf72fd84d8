import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { UnsafeArchiveError } from '../../../../lib/layer/errors.js';
import { forEachMember } from '../../../../lib/layer/layer-members.js';
import { tarStream } from '../../../../lib/layer/tar-writer.js';
import { collectBytes } from '../../../harness/tmp.js';

test('forEachMember: members in order; any failure is an UnsafeArchiveError and the body is destroyed', async () => {
  const tar = await collectBytes(
    tarStream([
      { path: 'a', type: 'dir', mode: 0o755 },
      { path: 'a/f', type: 'file', mode: 0o644, data: Buffer.from('x') },
    ]),
  );
  const names: string[] = [];
  await forEachMember(Readable.from([gzipSync(tar)]), 'auto', async (m) => void names.push(m.header.name));
  assert.deepEqual(names, ['a/', 'a/f']);
  const body = Readable.from([gzipSync(tar).subarray(0, 40)]);
  await assert.rejects(
    forEachMember(body, 'gzip', async () => {}),
    (e: unknown) => e instanceof UnsafeArchiveError && /malformed layer/.test(e.message),
  );
  assert.equal(body.destroyed, true);
  await assert.rejects(
    forEachMember(Readable.from([tar]), 'none', async () => {
      throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    }),
    /extracting failed: disk full/,
  );
});
