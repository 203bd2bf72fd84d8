import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEntries } from '../../../../lib/context/write-entries.js';
import { entriesDigest, FileHasher } from '../../../../lib/context/entries-digest.js';
import type { ContextEntry } from '../../../../lib/context/entry.js';

const dir = mkdtempSync(join(tmpdir(), 'ocibake-we-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('writeEntries materialises dirs, files, inline content and symlinks with modes', async () => {
  const src = join(dir, 'src.txt');
  writeFileSync(src, 'bytes');
  const root = join(dir, 'root');
  mkdirSync(join(root, 'app/old'), { recursive: true });
  const es: ContextEntry[] = [
    { type: 'dir', destPath: '/app', mode: 0o750, uid: 0, gid: 0, size: 0 },
    { type: 'file', destPath: '/app/a', hostPath: src, mode: 0o600, uid: 0, gid: 0, size: 5 },
    { type: 'file', destPath: '/app/old', content: Buffer.from('replaces a dir'), mode: 0o644, uid: 0, gid: 0, size: 14 },
    { type: 'symlink', destPath: '/app/l', linkTarget: 'a', mode: 0o777, uid: 0, gid: 0, size: 0 },
  ];
  await writeEntries(root, es);
  assert.equal(lstatSync(join(root, 'app')).mode & 0o777, 0o750);
  assert.equal(readFileSync(join(root, 'app/a'), 'utf8'), 'bytes');
  assert.equal(lstatSync(join(root, 'app/a')).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(root, 'app/old'), 'utf8'), 'replaces a dir');
  assert.equal(readlinkSync(join(root, 'app/l')), 'a');
});

test('entriesDigest follows content, not mtime', async () => {
  const f = join(dir, 'h.txt');
  writeFileSync(f, 'one');
  const es: ContextEntry[] = [{ type: 'file', destPath: '/h', hostPath: f, mode: 0o644, uid: 0, gid: 0, size: 3 }];
  const d1 = await entriesDigest(es, new FileHasher());
  utimesSync(f, new Date(2000, 1, 1), new Date(2000, 1, 1));
  assert.equal(await entriesDigest(es, new FileHasher()), d1);
  writeFileSync(f, 'two');
  assert.notEqual(await entriesDigest(es, new FileHasher()), d1);
  assert.notEqual(await entriesDigest([{ ...es[0]!, mode: 0o600 }], new FileHasher()), await entriesDigest(es, new FileHasher()));
});
