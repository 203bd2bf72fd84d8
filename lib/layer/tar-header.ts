import { LayerWriteError } from './errors.js';
import { nameToBytes } from '../io/byte-names.js';

/** `TarHeaderFields` is what `encodeTarHeader` writes into one 512-byte ustar block. */
export interface TarHeaderFields {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  /** Device numbers (typeflags 3 and 4); 0 otherwise. */
  devmajor?: number | undefined;
  devminor?: number | undefined;
}

/** Tar blocks are 512 bytes (POSIX.1-2001 ustar). */
export const BLOCK = 512;

// Largest values an octal ustar field holds (7 and 11 digits); bigger ones go in PAX records.
const MAX_ID = 0o7777777;
const MAX_SIZE = 0o77777777777;

/**
 * `encodeEntryHeaders` returns the header blocks of one entry: a PAX extended header when a
 * field does not fit ustar (path or link > 100 bytes, uid/gid > 2097151, size ≥ 8 GiB, mtime out
 * of range) or `extra` records are given, then the ustar header. Output depends only on the input.
 */
export function encodeEntryHeaders(h: TarHeaderFields, extra: Record<string, string | Uint8Array> = {}): Buffer {
  const pax: Record<string, string | Uint8Array> = { ...extra };
  const fields = { ...h };
  // Names are written as the bytes they stand for: a file name that is not valid UTF-8 keeps its
  // bytes (see `nameToBytes`), in the ustar field or in the PAX record, as Go's archive/tar does.
  if (nameToBytes(h.name).length > 100) {
    pax['path'] = h.name;
    fields.name = truncateUtf8(h.name, 100);
  }
  if (nameToBytes(h.linkname).length > 100) {
    pax['linkpath'] = h.linkname;
    fields.linkname = truncateUtf8(h.linkname, 100);
  }
  if (h.uid > MAX_ID) [pax['uid'], fields.uid] = [String(h.uid), 0];
  if (h.gid > MAX_ID) [pax['gid'], fields.gid] = [String(h.gid), 0];
  if (h.size > MAX_SIZE) [pax['size'], fields.size] = [String(h.size), 0];
  if (h.mtime < 0 || h.mtime > MAX_SIZE || !Number.isInteger(h.mtime)) [pax['mtime'], fields.mtime] = [String(h.mtime), 0];
  const keys = Object.keys(pax).sort();
  if (keys.length === 0) return ustarBlock(fields);
  const body = Buffer.concat(keys.map((k) => paxRecord(k, pax[k]!)));
  // Go's archive/tar names the extended header after the entry; a fixed name keeps bytes stable.
  const paxName = truncateUtf8(`PaxHeaders.0/${h.name.split('/').filter(Boolean).at(-1) ?? 'x'}`, 100);
  const header = ustarBlock({ name: paxName, mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 0, typeflag: 'x', linkname: '' });
  return Buffer.concat([header, body, Buffer.alloc(padding(body.length)), ustarBlock(fields)]);
}

/** `padding` is the number of zero bytes that complete a block after `size` content bytes. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function paxRecord(key: string, value: string | Uint8Array): Buffer {
  // "<len> <key>=<value>\n" where <len> counts its own digits (POSIX pax format). Values may be
  // binary (xattrs), so the record is assembled as bytes.
  const rest = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), typeof value === 'string' ? nameToBytes(value) : value, Buffer.from('\n')]);
  const restLen = rest.length;
  let len = restLen + 1;
  while (String(len).length + restLen !== len) len = String(len).length + restLen;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), rest]);
}

function ustarBlock(h: TarHeaderFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, h.name, 0, 100);
  writeOctal(b, h.mode & 0o7777, 100, 8);
  writeOctal(b, h.uid, 108, 8);
  writeOctal(b, h.gid, 116, 8);
  writeOctal(b, h.size, 124, 12);
  writeOctal(b, h.mtime, 136, 12);
  b.fill(0x20, 148, 156);
  b.write(h.typeflag, 156, 1, 'latin1');
  writeString(b, h.linkname, 157, 100);
  b.write('ustar\u000000', 257, 8, 'latin1');
  // uname/gname stay empty: names would tie the layer to the build host's passwd file.
  writeOctal(b, h.devmajor ?? 0, 329, 8);
  writeOctal(b, h.devminor ?? 0, 337, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return b;
}

function writeString(b: Buffer, s: string, off: number, len: number): void {
  const bytes = nameToBytes(s);
  if (bytes.length > len) throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `tar field too long: ${s.slice(0, 50)}`);
  bytes.copy(b, off);
}

function writeOctal(b: Buffer, n: number, off: number, len: number): void {
  b.write(`${n.toString(8).padStart(len - 1, '0')}\u0000`, off, len, 'latin1');
}

function truncateUtf8(s: string, max: number): string {
  let out = s;
  while (nameToBytes(out).length > max) out = out.slice(0, -1);
  return out;
}
