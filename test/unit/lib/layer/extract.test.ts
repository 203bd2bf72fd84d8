import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { extractLayer } from '../../../../lib/layer/extract.js';
import { tarStream } from '../../../../lib/layer/tar-writer.js';
import { UnsafeArchiveError } from '../../../../lib/layer/errors.js';
import { collectBytes, tempDir } from '../../../harness/tmp.js';

type Item = Partial<Header> & { name: string; body?: string };

/** Crafts a tar with tar-stream, which (unlike our writer) will write hostile names. */
async function craft(items: Item[]): Promise<Buffer> {
  const p = pack();
  const done = collectBytes(p as unknown as AsyncIterable<Uint8Array>);
  for (const { body, ...h } of items) p.entry({ mode: 0o644, ...h }, body ?? '');
  p.finalize();
  return done;
}

function setup(): { dest: string; outside: string } {
  const root = tempDir();
  const dest = join(root, 'rootfs');
  const outside = join(root, 'outside');
  mkdirSync(dest);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'untouched');
  return { dest, outside };
}

const unsafe = (re: RegExp) => (e: unknown) => e instanceof UnsafeArchiveError && e.code === 'OCIBAKE_UNSAFE_ARCHIVE' && re.test(e.message);

const cases: { name: string; items: Item[]; why: RegExp }[] = [
  { name: 'parent traversal', items: [{ name: '../outside/secret', body: 'pwned' }], why: /"\.\." in path/ },
  { name: 'deep traversal', items: [{ name: 'a/b/../../../outside/secret', body: 'pwned' }], why: /"\.\." in path/ },
  { name: 'absolute path', items: [{ name: '/tmp/ocibake-abs-pwned', body: 'pwned' }], why: /absolute path/ },
  {
    name: 'write through a symlink',
    items: [
      { name: 'lnk', type: 'symlink', linkname: '../outside' },
      { name: 'lnk/secret', body: 'pwned' },
    ],
    why: /through the symlink lnk/,
  },
  {
    name: 'write through an absolute symlink',
    items: [
      { name: 'etc', type: 'symlink', linkname: '/' },
      { name: 'etc/tmp/x', body: 'pwned' },
    ],
    why: /through the symlink etc/,
  },
  { name: 'hardlink out of the root', items: [{ name: 'h', type: 'link', linkname: '../outside/secret' }], why: /"\.\." in path/ },
  {
    name: 'hardlink through a symlink',
    items: [
      { name: 'l', type: 'symlink', linkname: '../outside' },
      { name: 'h', type: 'link', linkname: 'l/secret' },
    ],
    why: /through the symlink l/,
  },
  {
    name: 'whiteout through a symlink',
    items: [{ name: 'l', type: 'symlink', linkname: '../outside' }, { name: 'l/.wh.secret' }],
    why: /through the symlink l/,
  },
];

for (const c of cases) {
  test(`extractLayer refuses a malicious tar: ${c.name}`, async () => {
    const { dest, outside } = setup();
    await assert.rejects(extractLayer(Readable.from([await craft(c.items)]), dest), unsafe(c.why));
    assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'untouched');
    assert.deepEqual(readdirSync(outside), ['secret']);
    assert.equal(existsSync('/tmp/ocibake-abs-pwned'), false);
  });
}

test('extractLayer refuses device nodes when devices are not allowed (non-root)', async () => {
  const { dest } = setup();
  const tar = await craft([{ name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 }]);
  await assert.rejects(extractLayer(Readable.from([tar]), dest, { devices: false }), unsafe(/device nodes/));
});

test('extractLayer: a file entry replaces a planted symlink instead of writing through it', async () => {
  const { dest, outside } = setup();
  symlinkSync(join(outside, 'secret'), join(dest, 'target'));
  await extractLayer(Readable.from([await craft([{ name: 'target', body: 'inside' }])]), dest);
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'untouched');
  assert.equal(lstatSync(join(dest, 'target')).isFile(), true);
});

test('extractLayer: truncated and garbage input fail with a typed error', async () => {
  const { dest } = setup();
  const good = await craft([{ name: 'f', body: 'x'.repeat(5000) }]);
  await assert.rejects(extractLayer(Readable.from([gzipSync(good).subarray(0, 100)]), dest), (e: unknown) => e instanceof UnsafeArchiveError);
  await assert.rejects(extractLayer(Readable.from([Buffer.alloc(1024, 7)]), dest), unsafe(/malformed/));
});

test('extractLayer applies whiteouts and opaque directories over lower content', async () => {
  const { dest } = setup();
  for (const p of ['a/x', 'a/y', 'b/old', 'b/sub/old', 'd/keep']) {
    mkdirSync(join(dest, p, '..'), { recursive: true });
    writeFileSync(join(dest, p), 'lower');
  }
  const layer = await collectBytes(
    tarStream(
      [
        { path: 'a/.wh.x', type: 'file', mode: 0o644, data: Buffer.alloc(0) },
        { path: 'b', type: 'dir', mode: 0o750 },
        { path: 'b/new', type: 'file', mode: 0o600, data: Buffer.from('upper') },
        { path: 'b/.wh..wh..opq', type: 'file', mode: 0o644, data: Buffer.alloc(0) },
        { path: 'e', type: 'symlink', mode: 0o777, linkname: '/d/keep' },
        { path: 'h', type: 'hardlink', mode: 0o644, linkname: 'b/new' },
      ],
      { sourceDateEpoch: 1000 },
    ),
  );
  const res = await extractLayer(Readable.from([gzipSync(layer)]), dest);
  assert.deepEqual(res, { entries: 4, whiteouts: 2 });
  assert.deepEqual(readdirSync(join(dest, 'a')), ['y']);
  assert.deepEqual(readdirSync(join(dest, 'b')), ['new']);
  assert.equal(readFileSync(join(dest, 'd/keep'), 'utf8'), 'lower');
  assert.equal(readlinkSync(join(dest, 'e')), '/d/keep');
  assert.equal(lstatSync(join(dest, 'h')).ino, lstatSync(join(dest, 'b/new')).ino);
  assert.equal(lstatSync(join(dest, 'b/new')).mode & 0o7777, 0o600);
  assert.equal(lstatSync(join(dest, 'b')).mode & 0o7777, 0o750);
  assert.equal(lstatSync(join(dest, 'b/new')).mtimeMs, 1000_000);
});
