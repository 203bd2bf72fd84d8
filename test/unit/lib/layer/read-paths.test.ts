import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImagePaths } from '../../../../lib/layer/read-paths.js';
import { writeLayer } from '../../../../lib/layer/write-layer.js';
import type { LayerEntry } from '../../../../lib/layer/entry.js';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { tempDir } from '../../../harness/tmp.js';

const file = (path: string, text: string): LayerEntry => ({ path, type: 'file', mode: 0o644, data: Buffer.from(text) });
const dir = (path: string): LayerEntry => ({ path, type: 'dir', mode: 0o755 });

test('readImagePaths: selected paths across layers, later layers and whiteouts win', async () => {
  const store = new MemoryStore();
  const l1 = await writeLayer(
    [dir('/etc'), dir('/etc/ssl'), file('/etc/ssl/a.pem', 'A1'), file('/etc/ssl/b.pem', 'B1'), file('/etc/passwd', 'root'), dir('/usr'), file('/usr/big', 'x')],
    {},
    store,
  );
  const l2 = await writeLayer([dir('/etc'), dir('/etc/ssl'), file('/etc/ssl/a.pem', 'A2'), file('/etc/ssl/.wh.b.pem', '')], {}, store);
  const dest = tempDir();
  await readImagePaths(store, [l1.descriptor, l2.descriptor], ['/etc/ssl'], dest);
  assert.deepEqual(readdirSync(join(dest, 'etc', 'ssl')), ['a.pem']);
  assert.equal(readFileSync(join(dest, 'etc/ssl/a.pem'), 'utf8'), 'A2');
  assert.equal(existsSync(join(dest, 'etc/passwd')), false);
  assert.equal(existsSync(join(dest, 'usr')), false);
});
