import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { UnsafeArchiveError } from '../../../../lib/layer/errors.js';
import { tarStream } from '../../../../lib/layer/tar-writer.js';
import type { SnapshotMeta } from '../../../../lib/snapshot/meta.js';
import { unpackLayerToDiffDir } from '../../../../lib/snapshot/unpack.js';
import { collectBytes, tempDir } from '../../../harness/tmp.js';
import { baseLayer, CAPABILITY, expectedMerged, FIND_LISTING, GETFATTR, inOverlay, layerBlob, snapshotDir, upperLayer } from './overlay-harness.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..', '..', '..', '..');
const ALPINE = join(root, 'test/fixtures/alpine/alpine-minirootfs-3.20.3-x86_64.tar.gz');
const find = (dir: string): string =>
  execFileSync('sh', ['-c', `cd "${dir}" && find . -printf '%p %y %m %U:%G %s %T@ %l\\n' | LC_ALL=C sort`], { encoding: 'utf8' });

test('unpack: the real Alpine minirootfs gives what GNU tar gives, and mounts', async () => {
  const dir = tempDir();
  const t0 = performance.now();
  const meta = await unpackLayerToDiffDir(createReadStream(ALPINE), join(dir, 'fs'), { mode: 'root' });
  console.log(`# unpacking alpine-minirootfs-3.20.3 (${meta.counts.entries} entries, ${meta.counts.bytes} bytes): ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(meta.counts.entries, 518);
  assert.deepEqual([meta.whiteouts, meta.opaque, meta.skippedDevices], [[], [], []]);
  mkdirSync(join(dir, 'ref'));
  execFileSync('tar', ['-xzpf', ALPINE, '-C', join(dir, 'ref'), '--numeric-owner']);
  assert.equal(find(join(dir, 'fs')), find(join(dir, 'ref')), 'paths, types, modes, owners, sizes, mtimes and link targets');
  const out = inOverlay('root', [join(dir, 'fs')], 'cat "$M/etc/alpine-release"; ls -l "$M/bin/sh"');
  assert.match(out, /^3\.20\.3\n.*bin\/sh -> \/bin\/busybox/);
});

test('unpack (root): whiteouts, opaque dirs, hard links, setuid, xattrs, fifos and devices, as kernel overlayfs reads them', async () => {
  const dir = tempDir();
  const a = await snapshotDir(join(dir, 'a'), await layerBlob(baseLayer()), { mode: 'root' });
  const b = await snapshotDir(join(dir, 'b'), await layerBlob(upperLayer()), { mode: 'root' });
  assert.deepEqual(a.counts, {
    entries: 26,
    dirs: 12,
    files: 9,
    symlinks: 2,
    hardlinks: 1,
    fifos: 1,
    devices: 1,
    whiteouts: 0,
    opaque: 0,
    xattrs: 2,
    bytes: 105,
  });
  assert.deepEqual([b.whiteouts, b.opaque], [['etc/motd', 'nothing-here'], ['opt']]);
  // On disk: overlayfs's own format.
  const wh = lstatSync(join(dir, 'b/fs/etc/motd'));
  assert.equal(wh.isCharacterDevice() && wh.rdev === 0, true);
  assert.equal(
    execFileSync('getfattr', ['--absolute-names', '-n', 'trusted.overlay.opaque', '--only-values', join(dir, 'b/fs/opt')], { encoding: 'utf8' }),
    'y',
  );
  assert.equal(lstatSync(join(dir, 'a/fs/etc/passwd')).ino, lstatSync(join(dir, 'a/fs/etc/passwd-hard')).ino);
  assert.equal(lstatSync(join(dir, 'a/fs/etc/passwd')).mtimeMs, 1_700_000_000_000);
  assert.equal(lstatSync(join(dir, 'a/fs/etc')).mtimeMs, 1_700_000_000_000, 'directory times are set after their children');
  assert.equal(
    readdirSync(join(dir, 'b/fs')).some((n) => n.startsWith('.ocibake')),
    false,
    'no whiteout template left behind',
  );

  const out = inOverlay(
    'root',
    [join(dir, 'a/fs'), join(dir, 'b/fs')],
    `${FIND_LISTING}\necho ---\n${GETFATTR('bin/ping')}\necho ---\n${GETFATTR('home/app/notes')}`,
  );
  const [listing, cap, comment] = out.split('---\n') as [string, string, string];
  assert.deepEqual(listing.trim().split('\n'), expectedMerged());
  assert.equal(cap.trim(), `security.capability=0x${CAPABILITY.toString('hex')}`);
  assert.equal(comment.trim(), 'user.comment=0x68656c6c6f');
});

test('unpack (userns): inside a user namespace, user.overlay.opaque and userxattr; devices skipped and reported', async () => {
  const dir = tempDir();
  const blobs = [join(dir, 'a.tar.gz'), join(dir, 'b.tar.gz')];
  writeFileSync(blobs[0]!, await layerBlob(baseLayer()));
  writeFileSync(blobs[1]!, await layerBlob(upperLayer()));
  const child = join(here, 'userns-child.js');
  const res = JSON.parse(execFileSync('unshare', ['--user', '--map-root-user', '--mount', process.execPath, child, dir, ...blobs], { encoding: 'utf8' })) as {
    metas: SnapshotMeta[];
    listing: string;
    xattrs: string;
    opaque: string;
  };
  const [a, b] = res.metas as [SnapshotMeta, SnapshotMeta];
  assert.deepEqual(a.skippedDevices, [{ path: 'dev/null', type: 'char', major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0 }]);
  assert.equal(a.unmappedOwners, 2, 'uid 1000 is not mapped by --map-root-user: kept as the namespace root');
  assert.equal(res.opaque, 'y');
  assert.deepEqual([b.whiteouts, b.opaque, b.mode], [['etc/motd', 'nothing-here'], ['opt'], 'userns']);
  const expected = expectedMerged()
    .filter((l) => !l.startsWith('dev/null'))
    .map((l) => l.replace(' 1000:1000 ', ' 0:0 '));
  assert.deepEqual(res.listing.trim().split('\n'), expected);
  assert.equal(res.xattrs.trim(), `security.capability=0x${CAPABILITY.toString('hex')}`);
  // No trusted.* could be written there, and none was needed.
  assert.doesNotMatch(execFileSync('getfattr', ['--absolute-names', '-R', '-d', '-m', 'trusted', join(dir, 'layer1/fs')], { encoding: 'utf8' }), /trusted/);
});

test('unpack: a whiteout and a directory at the same path in one layer make an opaque directory', async () => {
  const dir = tempDir();
  const meta = await unpackLayerToDiffDir(
    Readable.from([
      await layerBlob([
        { path: '/x/.wh.d', type: 'file', mode: 0, data: new Uint8Array(0) },
        { path: '/x/d', type: 'dir', mode: 0o755 },
        { path: '/x/d/new', type: 'file', mode: 0o644, data: Buffer.from('n') },
        { path: '/x/.wh.f', type: 'file', mode: 0, data: new Uint8Array(0) },
        { path: '/x/f', type: 'file', mode: 0o644, data: Buffer.from('f') },
      ]),
    ]),
    join(dir, 'fs'),
    { mode: 'root' },
  );
  assert.deepEqual([meta.whiteouts, meta.opaque], [[], ['x/d']]);
  assert.equal(readFileSync(join(dir, 'fs/x/f'), 'utf8'), 'f');
});

test('unpack: refuses a non-empty destination and zstd layers', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'stray'), '');
  await assert.rejects(unpackLayerToDiffDir(Readable.from([await layerBlob([])]), dir, { mode: 'root' }), /must start empty/);
  const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
  await assert.rejects(
    unpackLayerToDiffDir(Readable.from([zstd]), join(dir, 'z'), { mode: 'root' }),
    (e: unknown) => e instanceof UnsafeArchiveError && /zstd/.test(e.message),
  );
});

type Item = Partial<Header> & { name: string; body?: string };

/** Crafts a tar with tar-stream, which (unlike our writer) writes hostile names. */
async function craft(items: Item[]): Promise<Buffer> {
  const p = pack();
  const done = collectBytes(p as unknown as AsyncIterable<Uint8Array>);
  for (const { body, ...h } of items) p.entry({ mode: 0o644, ...h }, body ?? '');
  p.finalize();
  return done;
}

const hostile: { name: string; tar: () => Promise<Buffer>; why: RegExp }[] = [
  { name: 'parent traversal', tar: () => craft([{ name: '../outside/secret', body: 'pwned' }]), why: /"\.\." in path/ },
  { name: 'absolute path', tar: () => craft([{ name: '/tmp/ocibake-snapshot-pwned', body: 'pwned' }]), why: /absolute path/ },
  {
    name: 'file through a symlink it made',
    tar: () =>
      craft([
        { name: 'lnk', type: 'symlink', linkname: '../outside' },
        { name: 'lnk/secret', body: 'pwned' },
      ]),
    why: /through the symlink lnk/,
  },
  { name: 'hardlink out of the root', tar: () => craft([{ name: 'h', type: 'link', linkname: '../outside/secret' }]), why: /"\.\." in path/ },
  { name: 'absolute hardlink', tar: () => craft([{ name: 'h', type: 'link', linkname: '/etc/passwd' }]), why: /absolute path/ },
  {
    name: 'hardlink through a symlinked dir',
    tar: () =>
      craft([
        { name: 'l', type: 'symlink', linkname: '../outside' },
        { name: 'h', type: 'link', linkname: 'l/secret' },
      ]),
    why: /through the symlink l/,
  },
  {
    name: 'whiteout through a symlink',
    tar: () => craft([{ name: 'l', type: 'symlink', linkname: '../outside' }, { name: 'l/.wh.secret' }]),
    why: /through the symlink l/,
  },
  {
    name: 'opaque marker through a symlink',
    tar: () => craft([{ name: 'l', type: 'symlink', linkname: '../outside' }, { name: 'l/.wh..wh..opq' }]),
    why: /through the symlink l/,
  },
  {
    name: 'whiteout whose directory is replaced by a symlink later in the layer',
    tar: () => craft([{ name: 'w', type: 'directory' }, { name: 'w/.wh.planted' }, { name: 'w', type: 'symlink', linkname: '../outside' }]),
    why: /parent w is no longer a directory/,
  },
  {
    name: 'xattr on a file whose directory is replaced by a symlink later',
    tar: async () =>
      collectBytes(
        tarStream([
          { path: 'd', type: 'dir', mode: 0o755 },
          { path: 'd/secret', type: 'file', mode: 0o644, data: Buffer.from('x'), pax: { 'SCHILY.xattr.user.pwned': Buffer.from('1') } },
          { path: 'd', type: 'symlink', mode: 0o777, linkname: '../outside' },
        ]),
      ),
    why: /parent d is no longer a directory/,
  },
  { name: 'whiteout of ..', tar: () => craft([{ name: 'a/.wh...' }]), why: /whiteout of "\." or "\.\."/ },
];

for (const c of hostile) {
  test(`unpack refuses a hostile layer: ${c.name}`, async () => {
    const dir = tempDir();
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'untouched');
    const before = find(outside) + execFileSync('getfattr', ['--absolute-names', '-d', join(outside, 'secret')], { encoding: 'utf8' });
    await assert.rejects(
      unpackLayerToDiffDir(Readable.from([gzipSync(await c.tar())]), join(dir, 'fs'), { mode: 'root' }),
      (e: unknown) => e instanceof UnsafeArchiveError && e.code === 'OCIBAKE_UNSAFE_ARCHIVE' && c.why.test(e.message),
    );
    assert.equal(
      find(outside) + execFileSync('getfattr', ['--absolute-names', '-d', join(outside, 'secret')], { encoding: 'utf8' }),
      before,
      'nothing outside changed',
    );
    assert.equal(existsSync('/tmp/ocibake-snapshot-pwned'), false);
  });
}
