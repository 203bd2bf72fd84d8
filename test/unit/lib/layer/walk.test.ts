import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { walkDirectory } from '../../../../lib/layer/walk.js';
import type { LayerEntry } from '../../../../lib/layer/entry.js';
import { tempDir } from '../../../harness/tmp.js';

async function all(it: AsyncIterable<LayerEntry>): Promise<LayerEntry[]> {
  const out: LayerEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

test('walkDirectory: parents first, byte-sorted siblings, hardlinks by inode, symlinks kept', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'b/sub'), { recursive: true });
  writeFileSync(join(dir, 'b/sub/z'), 'z');
  writeFileSync(join(dir, 'a'), 'a');
  writeFileSync(join(dir, 'B'), 'B');
  linkSync(join(dir, 'a'), join(dir, 'c-hard'));
  symlinkSync('/nowhere', join(dir, 'dangling'));
  const entries = await all(walkDirectory(dir, { prefix: '/opt/app', uid: 10, gid: 20 }));
  assert.deepEqual(
    entries.map((e) => `${e.type} ${e.path}${e.linkname ? ` -> ${e.linkname}` : ''}`),
    [
      'dir /opt',
      'dir /opt/app',
      'file /opt/app/B',
      'file /opt/app/a',
      'dir /opt/app/b',
      'dir /opt/app/b/sub',
      'file /opt/app/b/sub/z',
      'hardlink /opt/app/c-hard -> /opt/app/a',
      'symlink /opt/app/dangling -> /nowhere',
    ],
  );
  assert.equal(entries[3]!.uid, 10);
  assert.equal(entries[3]!.size, 1);
});

test('walkDirectory: filter skips whole directories; parents:false emits only contents', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'node_modules/x'), { recursive: true });
  writeFileSync(join(dir, 'node_modules/x/i.js'), '');
  writeFileSync(join(dir, 'main.js'), '');
  const entries = await all(walkDirectory(dir, { prefix: '/app', parents: false, filter: (p) => !p.startsWith('node_modules') }));
  assert.deepEqual(
    entries.map((e) => e.path),
    ['/app/main.js'],
  );
});
