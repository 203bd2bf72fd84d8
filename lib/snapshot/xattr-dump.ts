import { SnapshotError } from './errors.js';

/*
 * The text format of `getfattr --dump` and `setfattr --restore` (attr's `quote`/`unquote`):
 *
 *   # file: /abs/path
 *   name=0x<hex>
 *   <blank line>
 *
 * Paths and names escape `\`, `=`, newlines and other control bytes as `\ooo` octal; everything
 * else is raw bytes. One dump of a whole tree costs one spawn, where one call per file would cost
 * thousands.
 */

/** `XattrRecord` is one extended attribute of one file. */
export interface XattrRecord {
  path: string;
  name: string;
  value: Buffer;
}

const FILE = Buffer.from('# file: ');

/** `parseXattrDump` reads `getfattr -d -e hex --absolute-names` output into records, in dump order. */
export function parseXattrDump(dump: Buffer): XattrRecord[] {
  const out: XattrRecord[] = [];
  let path: string | undefined;
  let start = 0;
  while (start < dump.length) {
    let end = dump.indexOf(0x0a, start);
    if (end < 0) end = dump.length;
    const line = dump.subarray(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    if (line.subarray(0, FILE.length).equals(FILE)) {
      path = unquote(line.subarray(FILE.length));
      continue;
    }
    const eq = line.indexOf(0x3d);
    if (path === undefined) throw new SnapshotError('OCIBAKE_STORE', 'xattr dump: attribute before any "# file:" line');
    const name = unquote(eq < 0 ? line : line.subarray(0, eq));
    const raw = eq < 0 ? '' : line.subarray(eq + 1).toString('latin1');
    if (raw !== '' && !/^0x([0-9a-fA-F]{2})*$/.test(raw)) throw new SnapshotError('OCIBAKE_STORE', `xattr dump: value of ${name} on ${path} is not hex`);
    out.push({ path, name, value: Buffer.from(raw.slice(2), 'hex') });
  }
  return out;
}

/** `formatXattrRestore` writes records as `setfattr --restore` input (records of one path should be adjacent). */
export function formatXattrRestore(records: Iterable<XattrRecord>): Buffer {
  const parts: Buffer[] = [];
  let last: string | undefined;
  for (const r of records) {
    if (r.path !== last) {
      if (last !== undefined) parts.push(Buffer.from('\n'));
      parts.push(FILE, quote(r.path), Buffer.from('\n'));
      last = r.path;
    }
    parts.push(quote(r.name), Buffer.from(`=0x${r.value.toString('hex')}\n`, 'latin1'));
  }
  if (last !== undefined) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

function unquote(b: Buffer): string {
  if (!b.includes(0x5c)) return b.toString('utf8');
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x5c && isOctal(b[i + 1]) && isOctal(b[i + 2]) && isOctal(b[i + 3])) {
      out.push(((b[i + 1]! - 48) << 6) | ((b[i + 2]! - 48) << 3) | (b[i + 3]! - 48));
      i += 3;
    } else out.push(c);
  }
  return Buffer.from(out).toString('utf8');
}

function isOctal(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 55;
}

function quote(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const out: number[] = [];
  for (const c of b) {
    if (c < 0x20 || c === 0x7f || c === 0x5c || c === 0x3d) out.push(0x5c, 48 + (c >> 6), 48 + ((c >> 3) & 7), 48 + (c & 7));
    else out.push(c);
  }
  return Buffer.from(out);
}
