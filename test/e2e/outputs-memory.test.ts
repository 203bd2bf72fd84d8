// The 1 GiB case: writing a 1 GiB layer (generated, streamed) keeps the peak RSS of the writing
// process under 200 MB. Measured in a child process so the test runner's own memory is not counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../harness/tmp.js';

const child = fileURLToPath(new URL('./outputs-child.js', import.meta.url));

test('a 1 GiB layer is written with peak RSS < 200 MB', async (t) => {
  const dir = tempDir('ocibake-e2e-mem-');
  const GiB = 1024 ** 3;
  const { stdout } = await promisify(execFile)(process.execPath, [child, 'layer', dir, String(GiB)], { timeout: 180_000 });
  const res = JSON.parse(stdout) as { descriptor: { digest: string; size: number }; uncompressedSize: number; maxRssBytes: number };
  assert.ok(res.uncompressedSize > GiB, `tar is ${res.uncompressedSize} bytes`);
  assert.equal(statSync(join(dir, 'blobs', 'sha256', res.descriptor.digest.slice(7))).size, res.descriptor.size);
  t.diagnostic(`1 GiB layer: peak RSS ${(res.maxRssBytes / 1e6).toFixed(1)} MB, blob ${(res.descriptor.size / 1e6).toFixed(1)} MB`);
  assert.ok(res.maxRssBytes < 200 * 1e6, `peak RSS ${res.maxRssBytes} bytes`);
});
