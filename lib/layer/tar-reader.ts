import { BLOCK, padding } from './tar-header.js';
import { nameFromBytes } from '../io/byte-names.js';

/** `TarEntryType` is the kind of a tar member, named as tar-stream names them; `unsupported` keeps its typeflag in `TarHeader.typeflag`. */
export type TarEntryType = 'file' | 'contiguous-file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo' | 'unsupported';

/**
 * `TarHeader` is one member's metadata after PAX and GNU long-name records are applied. `name`
 * and `linkname` are exactly as archived (not cleaned). `xattrs` holds the raw bytes of every
 * `SCHILY.xattr.<name>` record: values are binary (`security.capability`), so they are never
 * decoded as text.
 */
export interface TarHeader {
  name: string;
  type: TarEntryType;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** PAX records other than xattrs, as text. */
  pax: Record<string, string>;
  xattrs: Record<string, Buffer>;
}

/** `TarMember` is a header and its content, which must be read (or left) before the next member is asked for. */
export interface TarMember {
  header: TarHeader;
  body: AsyncIterable<Buffer>;
}

/** `TarFormatError` is a malformed archive (bad checksum, truncated member, bad record); callers word it for the user. */
export class TarFormatError extends Error {}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'contiguous-file',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};
const XATTR = 'SCHILY.xattr.';
// PAX and GNU long-name records are metadata; a huge one is an attack on memory, not a real name.
const MAX_META = 1 << 24;

/**
 * `readTar` parses a tar stream (ustar, PAX, GNU long names, base-256 numbers) member by member,
 * streaming each member's content. Reading stops at the end-of-archive blocks; the rest of the
 * source is drained so a verifying source sees all its bytes.
 *
 *   for await (const { header, body } of readTar(gunzipped)) { ... }
 */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarMember> {
  const r = new ByteReader(source[Symbol.asyncIterator]());
  let globalPax: Record<string, Buffer> = {};
  let pax: Record<string, Buffer> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await r.read(BLOCK);
    if (block === undefined) throw new TarFormatError('archive ends without end-of-archive blocks');
    if (block.every((b) => b === 0)) {
      await r.drain();
      return;
    }
    const raw = decodeHeader(block);
    if (raw.typeflag === 'x' || raw.typeflag === 'g' || raw.typeflag === 'L' || raw.typeflag === 'K') {
      if (raw.size > MAX_META) throw new TarFormatError(`metadata record of ${raw.size} bytes`);
      const data = await r.read(raw.size + padding(raw.size));
      if (data === undefined) throw new TarFormatError('archive truncated in a metadata record');
      const body = data.subarray(0, raw.size);
      if (raw.typeflag === 'x') pax = { ...pax, ...parsePax(body) };
      else if (raw.typeflag === 'g') globalPax = { ...globalPax, ...parsePax(body) };
      else if (raw.typeflag === 'L') longName = cString(body);
      else longLink = cString(body);
      continue;
    }
    const header = applyRecords(raw, { ...globalPax, ...pax }, longName, longLink);
    pax = {};
    longName = longLink = undefined;
    const contentSize = header.type === 'file' || header.type === 'contiguous-file' || header.type === 'unsupported' ? header.size : 0;
    let left = contentSize;
    const body = (async function* () {
      for await (const chunk of r.chunks(left)) {
        left -= chunk.length;
        yield chunk;
      }
    })();
    yield { header, body };
    if (left > 0) await r.skip(left);
    await r.skip(padding(contentSize));
  }
}

interface RawHeader extends TarHeader {
  prefix: string;
}

function decodeHeader(b: Buffer): RawHeader {
  let sum = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[i]!;
    sum += v;
    signed += v > 127 ? v - 256 : v;
  }
  const want = number(b, 148, 8);
  if (want !== sum && want !== signed) throw new TarFormatError('invalid tar header checksum (not a tar, or not decompressed?)');
  const ustar = b.toString('latin1', 257, 263) === 'ustar\0';
  const typeflag = String.fromCharCode(b[156]!);
  const name = cString(b.subarray(0, 100));
  let type: TarEntryType = TYPES[typeflag] ?? 'unsupported';
  // Pre-POSIX archives mark directories only by the trailing slash.
  if (type === 'file' && name.endsWith('/')) type = 'directory';
  return {
    name,
    type,
    typeflag,
    mode: number(b, 100, 8),
    uid: number(b, 108, 8),
    gid: number(b, 116, 8),
    size: number(b, 124, 12),
    mtime: new Date(number(b, 136, 12) * 1000),
    linkname: cString(b.subarray(157, 257)),
    devmajor: ustar ? number(b, 329, 8) : 0,
    devminor: ustar ? number(b, 337, 8) : 0,
    // GNU archives use the prefix area for other fields; only POSIX ustar has a name prefix.
    prefix: ustar ? cString(b.subarray(345, 500)) : '',
    pax: {},
    xattrs: {},
  };
}

function applyRecords(raw: RawHeader, records: Record<string, Buffer>, longName: string | undefined, longLink: string | undefined): TarHeader {
  const { prefix, ...h } = raw;
  if (prefix) h.name = `${prefix}/${h.name}`;
  if (longName !== undefined) h.name = longName;
  if (longLink !== undefined) h.linkname = longLink;
  for (const [key, value] of Object.entries(records)) {
    if (key.startsWith(XATTR)) {
      h.xattrs[key.slice(XATTR.length)] = value;
      continue;
    }
    // Path records keep every byte (a name that is not valid UTF-8; see `nameFromBytes`).
    const text = key === 'path' || key === 'linkpath' ? nameFromBytes(value) : value.toString('utf8');
    h.pax[key] = text;
    if (key === 'path') h.name = text;
    else if (key === 'linkpath') h.linkname = text;
    else if (key === 'size' || key === 'uid' || key === 'gid') h[key] = paxInteger(key, text);
    else if (key === 'mtime') h.mtime = new Date(paxNumber(key, text) * 1000);
  }
  if (h.type === 'file' && h.name.endsWith('/') && raw.typeflag === '\0') h.type = 'directory';
  return h;
}

function parsePax(buf: Buffer): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  let off = 0;
  while (off < buf.length) {
    if (buf[off] === 0) break;
    const space = buf.indexOf(0x20, off);
    const len = Number(buf.toString('latin1', off, space));
    if (space < 0 || !Number.isInteger(len) || len <= space - off + 1 || off + len > buf.length || buf[off + len - 1] !== 0x0a)
      throw new TarFormatError('malformed PAX record');
    const record = buf.subarray(space + 1, off + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq < 0) throw new TarFormatError('malformed PAX record (no "=")');
    out[record.toString('utf8', 0, eq)] = Buffer.from(record.subarray(eq + 1));
    off += len;
  }
  return out;
}

function paxNumber(key: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new TarFormatError(`PAX ${key} is not a number: ${text.slice(0, 40)}`);
  return n;
}

function paxInteger(key: string, text: string): number {
  const n = paxNumber(key, text);
  if (!Number.isSafeInteger(n) || n < 0) throw new TarFormatError(`PAX ${key} is not a non-negative integer: ${text.slice(0, 40)}`);
  return n;
}

/** Octal (NUL/space terminated) or, with the high bit set, GNU base-256. */
function number(b: Buffer, off: number, len: number): number {
  const field = b.subarray(off, off + len);
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw new TarFormatError('negative number in tar header');
    let n = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    if (!Number.isSafeInteger(n)) throw new TarFormatError('number in tar header too large');
    return n;
  }
  const padded = field.toString('latin1').replace(/^ +/, '');
  const end = padded.search(/[\0 ]/);
  const text = end < 0 ? padded : padded.slice(0, end);
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`invalid octal field ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return nameFromBytes(b.subarray(0, nul < 0 ? b.length : nul));
}

/** Exact-size reads over an async iterator of chunks, without copying more than a header at a time. */
class ByteReader {
  readonly #it: AsyncIterator<Uint8Array>;
  #buf: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(it: AsyncIterator<Uint8Array>) {
    this.#it = it;
  }

  async #pull(): Promise<boolean> {
    if (this.#done) return false;
    const r = await this.#it.next();
    if (r.done) {
      this.#done = true;
      return false;
    }
    const chunk = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    return true;
  }

  /** Exactly `n` bytes; undefined at a clean end; throws when the source ends inside them. */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.#buf.length < n) {
      if (!(await this.#pull())) {
        if (this.#buf.length === 0) return undefined;
        throw new TarFormatError('archive truncated');
      }
    }
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  async *chunks(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#buf.length === 0 && !(await this.#pull())) throw new TarFormatError('archive truncated inside a member');
      const take = Math.min(left, this.#buf.length);
      const out = this.#buf.subarray(0, take);
      this.#buf = this.#buf.subarray(take);
      left -= take;
      yield out;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.chunks(n));
  }

  async drain(): Promise<void> {
    this.#buf = Buffer.alloc(0);
    while (await this.#pull()) this.#buf = Buffer.alloc(0);
  }
}
