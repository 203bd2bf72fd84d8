import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readTar, TarFormatError, type TarMember } from '../../../../lib/layer/tar-reader.js';
import { tarStream } from '../../../../lib/layer/tar-writer.js';
import { collectBytes, tempDir } from '../../../harness/tmp.js';

interface Read {
  name: string;
  type: string;
  uid: number;
  linkname: string;
  body: string;
  xattrs: Record<string, string>;
  dev: string;
}

async function readAll(tar: Buffer, chunk = 777): Promise<Read[]> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < tar.length; i += chunk) pieces.push(tar.subarray(i, i + chunk));
  const out: Read[] = [];
  for await (const m of readTar(Readable.from(pieces)) as AsyncIterable<TarMember>) {
    const h = m.header;
    out.push({
      name: h.name,
      type: h.type,
      uid: h.uid,
      linkname: h.linkname,
      body: (await collectBytes(m.body)).toString(),
      xattrs: Object.fromEntries(Object.entries(h.xattrs).map(([k, v]) => [k, v.toString('hex')])),
      dev: `${h.devmajor},${h.devminor}`,
    });
  }
  return out;
}

function hostTree(): string {
  const dir = tempDir();
  const src = join(dir, 'src');
  const long = `${'directory-'.repeat(12)}/${'file-'.repeat(25)}`;
  mkdirSync(join(src, long, '..'), { recursive: true });
  writeFileSync(join(src, long), 'long');
  writeFileSync(join(src, 'big-uid'), 'u');
  execFileSync('chown', ['3000000:3000000', join(src, 'big-uid')]);
  writeFileSync(join(src, 'attr'), 'a');
  execFileSync('setfattr', ['-n', 'user.bin', '-v', '0x00ff800a3d', join(src, 'attr')]);
  return src;
}

test('readTar reads what GNU tar writes: GNU long names, base-256 ids, PAX records with binary xattrs', async () => {
  const src = hostTree();
  for (const format of ['gnu', 'posix']) {
    const tar = execFileSync('tar', [`--format=${format}`, '--xattrs', '--xattrs-include=user.*', '--sort=name', '-C', src, '-cf', '-', '.'], {
      maxBuffer: 1 << 24,
    });
    const members = await readAll(tar);
    const long = members.find((m) => m.name.endsWith('file-'.repeat(25)));
    assert.equal(long?.body, 'long', `${format}: long name and its content`);
    assert.equal(long?.name.length, './'.length + 120 + 1 + 125);
    assert.equal(members.find((m) => m.name === './big-uid')?.uid, 3000000, `${format}: uid beyond ustar octal`);
    if (format === 'posix')
      assert.deepEqual(members.find((m) => m.name === './attr')?.xattrs, { 'user.bin': '00ff800a3d' }, 'binary xattr value, byte for byte');
  }
});

test('readTar round-trips our writer: every entry type, device numbers, binary PAX values', async () => {
  const tar = await collectBytes(
    tarStream([
      { path: 'd', type: 'dir', mode: 0o755 },
      {
        path: 'd/f',
        type: 'file',
        mode: 0o4755,
        data: Buffer.from('x'.repeat(1500)),
        pax: { 'SCHILY.xattr.security.capability': Buffer.from([1, 0, 0, 2, 0x80, 0x20, 0, 0]) },
      },
      { path: 'd/h', type: 'hardlink', mode: 0o644, linkname: 'd/f' },
      { path: 'd/s', type: 'symlink', mode: 0o777, linkname: '../etc' },
      { path: 'd/p', type: 'fifo', mode: 0o600 },
      { path: 'd/c', type: 'char-device', mode: 0o666, devmajor: 1, devminor: 3 },
      { path: 'd/b', type: 'block-device', mode: 0o660, devmajor: 8, devminor: 1 },
    ]),
  );
  const got = await readAll(tar, 100);
  assert.deepEqual(
    got.map((m) => `${m.type} ${m.name} ${m.linkname} ${m.dev} ${m.body.length}`),
    [
      'directory d/  0,0 0',
      'file d/f  0,0 1500',
      'link d/h d/f 0,0 0',
      'symlink d/s ../etc 0,0 0',
      'fifo d/p  0,0 0',
      'character-device d/c  1,3 0',
      'block-device d/b  8,1 0',
    ],
  );
  assert.deepEqual(got[1]!.xattrs, { 'security.capability': '0100000280200000' });
});

test('readTar refuses malformed archives with TarFormatError, and drains the source after the end', async () => {
  const good = await collectBytes(tarStream([{ path: 'f', type: 'file', mode: 0o644, data: Buffer.from('hello') }]));
  const bad = Buffer.from(good);
  bad[0] = 0x41;
  await assert.rejects(readAll(bad), (e: unknown) => e instanceof TarFormatError && /checksum/.test(e.message));
  await assert.rejects(readAll(good.subarray(0, 600)), (e: unknown) => e instanceof TarFormatError && /truncated/.test(e.message));
  await assert.rejects(readAll(good.subarray(0, 1024)), (e: unknown) => e instanceof TarFormatError && /end-of-archive/.test(e.message));
  let pulled = 0;
  const source = (async function* () {
    yield good;
    for (let i = 0; i < 3; i++) {
      pulled++;
      yield Buffer.alloc(512);
    }
  })();
  for await (const m of readTar(source)) for await (const _ of m.body);
  assert.equal(pulled, 3, 'trailing padding read to the end');
});
