import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ConfinedTree, tarPath } from '../../../../lib/layer/confined-tree.js';
import { UnsafeArchiveError } from '../../../../lib/layer/errors.js';
import type { TarHeader } from '../../../../lib/layer/tar-reader.js';
import { tempDir } from '../../../harness/tmp.js';

const header = (name: string, type: TarHeader['type'], extra: Partial<TarHeader> = {}): TarHeader => ({
  name,
  type,
  typeflag: '0',
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: 0,
  mtime: new Date(0),
  linkname: '',
  devmajor: 0,
  devminor: 0,
  pax: {},
  xattrs: {},
  ...extra,
});
const none = (async function* () {})();

test('tarPath cleans names and refuses escapes', () => {
  const ok: [string, string][] = [
    ['./etc/', 'etc'],
    ['a//b/./c', 'a/b/c'],
    ['./', ''],
    ['.wh.x', '.wh.x'],
  ];
  for (const [name, rel] of ok) assert.equal(tarPath(name), rel);
  for (const bad of ['/etc/passwd', 'a/../../b', '..', 'a/\0b']) assert.throws(() => tarPath(bad), UnsafeArchiveError, bad);
});

test('ConfinedTree: verifyParents sees a parent replaced after the fact; device policy skip', async () => {
  const dest = join(tempDir(), 'fs');
  mkdirSync(dest);
  const tree = new ConfinedTree(dest, { owner: true, devices: 'skip' });
  await tree.write('d', header('d/', 'directory', { mode: 0o755 }), none);
  await tree.write('d/f', header('d/f', 'file'), none);
  await tree.verifyParents(['d/f', 'd/missing-leaf-is-fine']);
  rmSync(join(dest, 'd'), { recursive: true });
  symlinkSync('/', join(dest, 'd'));
  await assert.rejects(tree.verifyParents(['d/f']), /parent d is no longer a directory/);
  assert.equal(await tree.write('null', header('null', 'character-device', { devmajor: 1, devminor: 3 }), none), false);
  assert.equal(existsSync(join(dest, 'null')), false);
  const refusing = new ConfinedTree(dest, { owner: false, devices: 'refuse' });
  await assert.rejects(refusing.write('null', header('null', 'character-device'), none), /device nodes/);
});
