import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { LayerEntry } from '../../../../lib/layer/entry.js';
import { ChainView } from '../../../../lib/snapshot/chain-view.js';
import { isOcibakeError } from '../../../../lib/errors.js';
import { writeMeta } from '../../../../lib/snapshot/meta.js';
import { SnapshotStore } from '../../../../lib/snapshot/store.js';
import { unpackLayerToDiffDir } from '../../../../lib/snapshot/unpack.js';
import { tempDir } from '../../../harness/tmp.js';
import { baseLayer, FIND_LISTING, inOverlay, layerBlob, snapshotDir, upperLayer, viewListing } from './overlay-harness.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const ALPINE = join(here, '..', '..', '..', '..', '..', 'test/fixtures/alpine/alpine-minirootfs-3.20.3-x86_64.tar.gz');

async function synthetic(): Promise<{ dir: string; view: ChainView; fs: string[] }> {
  const dir = tempDir();
  await snapshotDir(join(dir, 'a'), await layerBlob(baseLayer()), { mode: 'root' });
  await snapshotDir(join(dir, 'b'), await layerBlob(upperLayer()), { mode: 'root' });
  await snapshotDir(
    join(dir, 'c'),
    await layerBlob([
      { path: '/escape', type: 'symlink', mode: 0o777, linkname: '../../../../etc' },
      { path: '/keep', type: 'dir', mode: 0o755 },
      { path: '/keep/.wh.a', type: 'file', mode: 0, data: new Uint8Array(0) },
      { path: '/etc', type: 'file', mode: 0o644, data: Buffer.from('not a directory any more\n') },
      { path: '/etc2', type: 'symlink', mode: 0o777, linkname: '/opt/../keep' },
    ]),
    { mode: 'root' },
  );
  const view = await ChainView.open([join(dir, 'a'), join(dir, 'b')]);
  return { dir, view, fs: ['a', 'b'].map((l) => join(dir, l, 'fs')) };
}

test('ChainView lists exactly what the kernel overlay mount of the same snapshots shows', async () => {
  const { view, fs } = await synthetic();
  const mounted = inOverlay('root', fs, FIND_LISTING);
  const viewed = await viewListing(view);
  assert.equal(viewed, mounted);
});

test('ChainView over the real Alpine rootfs plus a layer agrees with the mount', async () => {
  const dir = tempDir();
  await unpackLayerToDiffDir(createReadStream(ALPINE), join(dir, 'alpine/fs'), { mode: 'root' }).then((m) => writeMeta(join(dir, 'alpine/meta.json'), m));
  await snapshotDir(join(dir, 'b'), await layerBlob(upperLayer()), { mode: 'root' });
  const view = await ChainView.open([join(dir, 'alpine'), join(dir, 'b')]);
  const mounted = inOverlay('root', [join(dir, 'alpine/fs'), join(dir, 'b/fs')], FIND_LISTING);
  assert.equal(await viewListing(view), mounted);
  assert.equal(await view.lstat('/etc/motd'), undefined, 'whited out by the upper layer');
  assert.equal((await view.stat('/bin/sh'))?.path, '/bin/busybox');
  assert.match((await view.readFile('/etc/os-release')).toString(), /Alpine Linux/);
});

test("ChainView answers the consumers' questions: files, directories, users, symlinks scoped to the root", async () => {
  const { dir, view } = await synthetic();
  assert.match((await view.readFile('/etc/passwd')).toString(), /^app:x:1000:1000:/m);
  assert.match((await view.readFile('/lnk')).toString(), /^app:x:1000/m, 'readFile follows symlinks');
  assert.equal((await view.stat('/usr/bin'))?.stats.isDirectory(), true);
  assert.equal(await view.resolve('/usr/bin/sh', true), '/bin/ping');
  assert.equal(await view.resolve('/usr/bin/sh', false), '/usr/bin/sh');
  assert.equal((await view.lstat('/usr/bin/sh'))?.stats.isSymbolicLink(), true);
  assert.equal(await view.readlink('/usr/bin/sh'), '/bin/ping');
  assert.deepEqual(await view.readdir('/opt'), ['new']);
  assert.deepEqual(await view.readdir('/keep'), ['a', 'b']);
  assert.equal(await view.lstat('/nothing-here'), undefined);
  assert.equal((await view.entry('/etc/passwd'))?.layer, 1);
  assert.equal((await view.entry('/etc/group'))?.layer, 0);
  assert.equal(await view.entry('/../../etc/passwd'), undefined, 'entry never leaves the root');
  const chunks: Buffer[] = [];
  for await (const c of await view.open('/opt/new')) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'new\n');
  await assert.rejects(view.readFile('/opt'), (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_NOT_FOUND');
  await assert.rejects(view.readdir('/etc/passwd'), /not a directory/);

  // A third layer: a file over a directory hides all of it; symlinks never leave the root.
  const three = await ChainView.open([join(dir, 'a'), join(dir, 'b'), join(dir, 'c')]);
  assert.equal((await three.lstat('/etc'))?.stats.isFile(), true);
  assert.equal(await three.lstat('/etc/passwd'), undefined);
  assert.equal(await three.resolve('/escape/passwd', false), '/etc/passwd', 'clamped at the root, as chroot does');
  assert.deepEqual(await three.readdir('/etc2'), ['b'], 'keep/a whited out in the third layer; .. resolved in the chain');
});

test('ChainView stays fast over a hostile base: 60k directories, then 60k whiteouts of them', async () => {
  const dir = tempDir();
  const n = 60_000;
  const names = Array.from({ length: n }, (_, i) => `d${String(i).padStart(5, '0')}`);
  const dirs: LayerEntry[] = [{ path: '/many', type: 'dir', mode: 0o755 }, ...names.map((d): LayerEntry => ({ path: `/many/${d}`, type: 'dir', mode: 0o755 }))];
  const whiteouts: LayerEntry[] = [
    { path: '/many', type: 'dir', mode: 0o755 },
    ...names.map((d): LayerEntry => ({ path: `/many/.wh.${d}`, type: 'file', mode: 0, data: new Uint8Array(0) })),
  ];
  const store = new SnapshotStore(join(dir, 'store'), 'root');
  const [dirsBlob, whiteoutsBlob] = [await layerBlob(dirs), await layerBlob(whiteouts)];
  let t = performance.now();
  const a = await store.create('many-dirs', async (fs) => unpackLayerToDiffDir(Readable.from([dirsBlob]), fs, { mode: 'root' }));
  const unpackDirs = performance.now() - t;
  t = performance.now();
  const b = await store.create('many-whiteouts', async (fs) => unpackLayerToDiffDir(Readable.from([whiteoutsBlob]), fs, { mode: 'root' }));
  const unpackWhiteouts = performance.now() - t;
  assert.equal(b.meta.whiteouts.length, n);

  t = performance.now();
  const view = new ChainView([a, b]);
  const listing = await view.readdir('/many');
  const firstList = performance.now() - t;
  t = performance.now();
  let found = 0;
  for (const d of names) if (await view.lstat(`/many/${d}/x`)) found++;
  for (const d of names) if (await view.lstat(`/many/${d}`)) found++;
  const lookups = performance.now() - t;
  assert.deepEqual(listing, []);
  assert.equal(found, 0);
  // The same base without the whiteouts: everything visible.
  const base = new ChainView([a]);
  t = performance.now();
  assert.equal((await base.readdir('/many')).length, n);
  for (const d of names) assert.equal((await base.stat(`/many/${d}`))?.stats.isDirectory(), true);
  const baseLookups = performance.now() - t;
  console.log(
    `# 60k case: unpack 60k dirs ${unpackDirs.toFixed(0)} ms, 60k whiteouts ${unpackWhiteouts.toFixed(0)} ms; ` +
      `merged readdir ${firstList.toFixed(0)} ms, 120k lookups ${lookups.toFixed(0)} ms; base-only readdir + 60k stat ${baseLookups.toFixed(0)} ms`,
  );
});
