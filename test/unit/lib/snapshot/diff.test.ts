import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import type { LayerEntry } from '../../../../lib/layer/entry.js';
import { extractLayer } from '../../../../lib/layer/extract.js';
import { readTar } from '../../../../lib/layer/tar-reader.js';
import { writeLayer } from '../../../../lib/layer/write-layer.js';
import { ChainView } from '../../../../lib/snapshot/chain-view.js';
import { diffUpperDir, type UpperDiff } from '../../../../lib/snapshot/diff.js';
import { parseIdMap } from '../../../../lib/snapshot/id-map.js';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { collectBytes, tempDir } from '../../../harness/tmp.js';
import { baseLayer, CAPABILITY, FIND_LISTING, GETFATTR, inOverlay, layerBlob, snapshotDir, upperLayer } from './overlay-harness.js';

const EPOCH = 1_700_000_000;

/** What the RUN does, in the mounted overlay: the operations a Dockerfile RUN makes to lower content. */
const RUN = `
rm "$M/etc/passwd-hard"
rm -rf "$M/opt" && mkdir "$M/opt" && echo z > "$M/opt/z"
rm "$M/etc/swap" && mkdir "$M/etc/swap" && echo x > "$M/etc/swap/x"
mkdir -p "$M/newdir/sub" && echo n > "$M/newdir/sub/n"
echo c > "$M/keep/c" && ln "$M/keep/c" "$M/keep/c-link" && ln -s ../keep/c "$M/keep/c-sym"
chmod 0700 "$M/keep/a"
chown 1000:1000 "$M/keep/b"
setfattr -n security.capability -v 0x${CAPABILITY.toString('hex')} "$M/keep/c"
setfattr -n user.note -v hi "$M/newdir"
mkfifo "$M/run/fifo2"
mknod "$M/dev/zero" c 1 5
rm "$M/lnk"
echo f > "$M/keep/future" && touch -d @4000000000 "$M/keep/future"
mkdir "$M/proc"
`;

interface Run {
  dir: string;
  diff: UpperDiff;
  merged: string;
  blobs: Buffer[];
  ms: number;
}

/** Two snapshots, a real RUN in a read-write overlay over them, and the diff of its upper dir. */
async function run(): Promise<Run> {
  const dir = tempDir();
  const blobs = [await layerBlob(baseLayer()), await layerBlob(upperLayer())];
  await snapshotDir(join(dir, 'a'), blobs[0]!, { mode: 'root' });
  await snapshotDir(join(dir, 'b'), blobs[1]!, { mode: 'root' });
  const rw = { upper: join(dir, 'run/upper'), work: join(dir, 'run/work') };
  mkdirSync(rw.upper, { recursive: true });
  mkdirSync(rw.work, { recursive: true });
  const merged = inOverlay('root', [join(dir, 'a/fs'), join(dir, 'b/fs')], `${RUN}\n${FIND_LISTING}`, rw, join(dir, 'run/merged'));
  // A whiteout with nothing behind it (what a later rm of a created-then-deleted path can leave).
  execFileSync('mknod', [join(rw.upper, 'ghost'), 'c', '0', '0']);
  const lower = await ChainView.open([join(dir, 'a'), join(dir, 'b')]);
  const t = performance.now();
  const diff = await diffUpperDir(rw.upper, { mode: 'root', lower, sourceDateEpoch: EPOCH, exclude: new Set(['/proc']) });
  return { dir, diff, merged, blobs, ms: performance.now() - t };
}

const show = (e: LayerEntry): string => `${e.type} ${e.path}${e.linkname ? ` -> ${e.linkname}` : ''}`;

test("diffUpperDir: a real RUN's upper dir becomes the layer it means", async () => {
  const { diff, ms } = await run();
  console.log(`# diffUpperDir of ${diff.entries.length} entries: ${ms.toFixed(0)} ms`);
  assert.deepEqual(diff.entries.map(show), [
    'dir /dev',
    'char-device /dev/zero',
    'dir /etc',
    'file /etc/.wh.passwd-hard',
    'dir /etc/swap',
    'file /etc/swap/x',
    'dir /keep',
    'file /keep/a',
    'file /keep/b',
    'file /keep/c',
    'hardlink /keep/c-link -> /keep/c',
    'symlink /keep/c-sym -> ../keep/c',
    'file /keep/future',
    'file /.wh.lnk',
    'dir /newdir',
    'dir /newdir/sub',
    'file /newdir/sub/n',
    'dir /opt',
    'file /opt/.wh..wh..opq',
    'file /opt/z',
    'dir /run',
    'fifo /run/fifo2',
  ]);
  const by = new Map(diff.entries.map((e) => [e.path, e]));
  assert.deepEqual(by.get('/keep/c')?.pax, { 'SCHILY.xattr.security.capability': CAPABILITY });
  assert.deepEqual(by.get('/newdir')?.pax, { 'SCHILY.xattr.user.note': Buffer.from('hi') });
  assert.equal(
    diff.entries.some((e) => Object.keys(e.pax ?? {}).some((k) => k.includes('overlay'))),
    false,
    'overlay bookkeeping never leaks',
  );
  assert.equal(by.get('/keep/future')?.mtime, EPOCH, 'clamped to SOURCE_DATE_EPOCH');
  assert.equal(by.get('/keep/a')?.mode, 0o700);
  assert.deepEqual([by.get('/keep/b')?.uid, by.get('/keep/b')?.gid], [1000, 1000]);
  assert.deepEqual([by.get('/dev/zero')?.devmajor, by.get('/dev/zero')?.devminor], [1, 5]);
  assert.deepEqual(diff.meta.whiteouts, ['etc/passwd-hard', 'ghost', 'lnk']);
  assert.deepEqual(diff.meta.opaque, ['opt'], 'etc/swap (over a file) and newdir are opaque or new, not replacing a lower dir');
  assert.equal(diff.meta.counts.hardlinks, 1);
});

test('diffUpperDir: the layer, applied over the lower layers, gives the merged overlay tree; as a snapshot it mounts the same', async () => {
  const { dir, diff, merged, blobs } = await run();
  const store = new MemoryStore();
  const layer = await writeLayer(diff.entries, { sourceDateEpoch: EPOCH }, store);
  const blob = await collectBytes((await store.fetch(layer.descriptor)) as AsyncIterable<Uint8Array>);
  const expected = merged
    .split('\n')
    .filter((l) => !l.startsWith('proc '))
    .join('\n');

  // 1. The existing extractor, as a runtime would stack the three layers.
  const rootfs = join(dir, 'applied');
  for (const b of [...blobs, blob]) await extractLayer(Readable.from([b]), rootfs, { compression: 'gzip' });
  assert.equal(execFileSync('sh', ['-ec', FIND_LISTING], { encoding: 'utf8', env: { ...process.env, M: rootfs } }), expected);

  // 2. GNU tar reads it, xattr included.
  writeFileSync(join(dir, 'layer.tar.gz'), blob);
  const listing = execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-tvzf', join(dir, 'layer.tar.gz')], { encoding: 'utf8' });
  assert.match(listing, /^crw-r--r-- +0\/0 +1,5 .* dev\/zero$/m);
  assert.match(listing, /^prw-r--r-- .* run\/fifo2$/m);
  assert.match(listing, /^-rw-r--r--\* .* keep\/c$/m, 'GNU tar sees the xattr');

  // 3. Our own reader keeps the binary xattr byte for byte.
  const { gunzipSync } = await import('node:zlib');
  let cap: Buffer | undefined;
  for await (const m of readTar(Readable.from([gunzipSync(blob)]))) if (m.header.name === 'keep/c') cap = m.header.xattrs['security.capability'];
  assert.deepEqual(cap, CAPABILITY);

  // 4. Unpacked as the next snapshot, the three mount to the same tree, capability included.
  await snapshotDir(join(dir, 'c'), blob, { mode: 'root' });
  const out = inOverlay(
    'root',
    ['a', 'b', 'c'].map((l) => join(dir, l, 'fs')),
    `${FIND_LISTING}\necho ---\n${GETFATTR('keep/c')}`,
    undefined,
    join(dir, 'm3'),
  );
  const [again, xattr] = out.split('---\n') as [string, string];
  assert.equal(again, expected);
  assert.equal(xattr.trim(), `security.capability=0x${CAPABILITY.toString('hex')}`);
});

test('diffUpperDir: two clean runs give byte-identical layers', async () => {
  const digests: string[] = [];
  for (let i = 0; i < 2; i++) {
    const { diff } = await run();
    const layer = await writeLayer(diff.entries, { sourceDateEpoch: EPOCH }, new MemoryStore());
    digests.push(`${layer.diffId} ${layer.descriptor.digest}`);
    if (i === 0) await new Promise((r) => setTimeout(r, 1100));
  }
  assert.equal(digests[0], digests[1]);
});

test('diffUpperDir with idMap: on-disk host ids become the ids the namespace showed', async () => {
  const map = parseIdMap('         0     100000      65536\n');
  const dir = tempDir();
  const upper = join(dir, 'upper');
  mkdirSync(upper);
  writeFileSync(join(upper, 'f'), 'x');
  execFileSync('chown', ['101000:100050', join(upper, 'f')]);
  writeFileSync(join(upper, 'g'), 'y');
  execFileSync('chown', ['7:7', join(upper, 'g')]);
  const lower = new ChainView([]);
  const { entries } = await diffUpperDir(upper, { mode: 'userns', lower, sourceDateEpoch: 0, idMap: { uids: map, gids: map } });
  assert.deepEqual(
    entries.map((e) => [e.path, e.uid, e.gid]),
    [
      ['/f', 1000, 50],
      ['/g', 65534, 65534],
    ],
  );
});

test('diffUpperDir (userns): a RUN in a userxattr overlay inside a user namespace, diffed there', async () => {
  const dir = tempDir();
  const blobs = [join(dir, 'a.tar.gz'), join(dir, 'b.tar.gz')];
  writeFileSync(blobs[0]!, await layerBlob(baseLayer()));
  writeFileSync(blobs[1]!, await layerBlob(upperLayer()));
  const script = [
    'rm "$M/etc/passwd-hard"',
    'rm -rf "$M/opt" && mkdir "$M/opt" && echo z > "$M/opt/z"',
    'mkdir -p "$M/newdir/sub"',
    'echo c > "$M/keep/c" && ln "$M/keep/c" "$M/keep/c-link"',
    `setfattr -n security.capability -v 0x${CAPABILITY.toString('hex')} "$M/keep/c"`,
  ].join('\n');
  const child = join(fileURLToPath(new URL('.', import.meta.url)), 'userns-child.js');
  const out = execFileSync('unshare', ['--user', '--map-root-user', '--mount', process.execPath, child, dir, ...blobs], {
    encoding: 'utf8',
    env: { ...process.env, RUN: script },
  });
  const { diff } = JSON.parse(out) as { diff: { entries: string[]; meta: UpperDiff['meta']; upperXattrs: string } };
  assert.match(diff.upperXattrs, /user\.overlay\.opaque="y"/, 'the kernel marked opt with user.overlay.*');
  assert.deepEqual(diff.entries, [
    'dir /etc ',
    'file /etc/.wh.passwd-hard ',
    'dir /keep ',
    'file /keep/c SCHILY.xattr.security.capability',
    'hardlink /keep/c-link SCHILY.xattr.security.capability',
    'dir /newdir ',
    'dir /newdir/sub ',
    'dir /opt ',
    'file /opt/.wh..wh..opq ',
    'file /opt/z ',
  ]);
  assert.deepEqual([diff.meta.opaque, diff.meta.whiteouts, diff.meta.mode], [['opt'], ['etc/passwd-hard'], 'userns']);
});

test('diffUpperDir with mountParents: a directory copied up only to hold a mount point is left out, a changed one stays', async () => {
  const dir = tempDir();
  await snapshotDir(join(dir, 'a'), await layerBlob(baseLayer()), { mode: 'root' });
  const rw = { upper: join(dir, 'run/upper'), work: join(dir, 'run/work') };
  mkdirSync(rw.upper, { recursive: true });
  mkdirSync(rw.work, { recursive: true });
  // Mount points as the sandbox makes them (then removes them from the upper dir), and a RUN's real changes.
  const script = [
    'touch "$M/usr/bin/stub" "$M/etc/stub" "$M/home/app/stub" "$M/keep/stub" "$M/run/stub" "$M/opt/sub/stub"',
    'chmod 0700 "$M/home/app"',
    'echo new > "$M/keep/new"',
    'rm "$M/opt/sub/old2"',
  ].join('\n');
  inOverlay('root', [join(dir, 'a/fs')], script, rw, join(dir, 'run/merged'));
  for (const p of ['usr/bin/stub', 'etc/stub', 'home/app/stub', 'keep/stub', 'run/stub', 'opt/sub/stub']) execFileSync('rm', [join(rw.upper, p)]);
  const lower = await ChainView.open([join(dir, 'a')]);
  const mountParents = new Set(['/usr', '/usr/bin', '/etc', '/home', '/home/app', '/keep', '/opt', '/opt/sub']);
  const { entries } = await diffUpperDir(rw.upper, { mode: 'root', lower, sourceDateEpoch: EPOCH, mountParents });
  // /run is no mount parent: it stays, as any directory a RUN touched does.
  assert.deepEqual(entries.map(show), [
    'dir /home',
    'dir /home/app',
    'dir /keep',
    'file /keep/new',
    'dir /opt',
    'dir /opt/sub',
    'file /opt/sub/.wh.old2',
    'dir /run',
  ]);
});
