import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEntryHeaders, padding } from '../../../../lib/layer/tar-header.js';

const base = { name: 'app/hello.txt', mode: 0o644, uid: 0, gid: 0, size: 5, mtime: 0, typeflag: '0', linkname: '' };

test('ustar header: fields, magic and checksum', () => {
  const h = encodeEntryHeaders(base);
  assert.equal(h.length, 512);
  assert.equal(h.subarray(0, 13).toString(), 'app/hello.txt');
  assert.equal(h.subarray(100, 108).toString('latin1'), '0000644\0');
  assert.equal(h.subarray(124, 136).toString('latin1'), '00000000005\0');
  assert.equal(h.subarray(257, 265).toString('latin1'), 'ustar\u000000');
  // Golden: the checksum of this exact header (sum of bytes with the field as spaces).
  assert.equal(h.subarray(148, 156).toString('latin1'), '011624\0 ');
  assert.equal(
    h.subarray(265, 329).every((b) => b === 0),
    true,
    'uname/gname stay empty',
  );
});

test('PAX header for a long path, a long link and a large uid, records sorted', () => {
  const long = `d/${'n'.repeat(150)}`;
  const h = encodeEntryHeaders({ ...base, name: long, typeflag: '2', size: 0, linkname: 'l'.repeat(120), uid: 3_000_000 });
  assert.equal(h.length, 512 * 3);
  assert.equal(String.fromCharCode(h[156]!), 'x');
  const body = h.subarray(512, 1024).toString('utf8').replace(/\0+$/, '');
  const records = body.split('\n').filter(Boolean);
  assert.deepEqual(
    records.map((r) => r.split(' ')[1]!.split('=')[0]),
    ['linkpath', 'path', 'uid'],
  );
  for (const r of records) assert.equal(Number(r.split(' ')[0]), Buffer.byteLength(`${r}\n`), 'record length counts itself');
  assert.ok(records.includes(`${Buffer.byteLength(` path=${long}\n`) + 3} path=${long}`));
  assert.equal(h.subarray(1024 + 108, 1024 + 116).toString('latin1'), '0000000\0', 'uid moved to PAX');
});

test('padding completes 512-byte blocks', () => {
  assert.deepEqual([0, 1, 511, 512, 513].map(padding), [0, 511, 1, 0, 511]);
});

test('encodeEntryHeaders: binary PAX values are written as bytes, and the record length counts bytes', () => {
  const value = Buffer.from([0x01, 0x00, 0x80, 0xff, 0x0a]);
  const out = encodeEntryHeaders(
    { name: 'f', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0, typeflag: '0', linkname: '' },
    { 'SCHILY.xattr.security.capability': value },
  );
  const record = Buffer.concat([Buffer.from(' SCHILY.xattr.security.capability='), value, Buffer.from('\n')]);
  const expected = Buffer.concat([Buffer.from(String(record.length + 2)), record]);
  assert.equal(out.subarray(512, 512 + expected.length).equals(expected), true);
});

test('encodeEntryHeaders: device numbers go in the ustar devmajor/devminor fields', () => {
  const out = encodeEntryHeaders({ name: 'dev/zero', mode: 0o666, uid: 0, gid: 0, size: 0, mtime: 0, typeflag: '3', linkname: '', devmajor: 1, devminor: 5 });
  assert.equal(out.toString('latin1', 329, 337), '0000001\0');
  assert.equal(out.toString('latin1', 337, 345), '0000005\0');
});
